"""Check your answers before submitting an entry (issue 14, part 3): the entry form saves and leads to the check
page; the page shows everything the entry holds; its one POST submits exactly what it showed, at the moment that
POST arrives."""
import io
import re
from datetime import timedelta

import sqlalchemy as sa
import time_machine

from govchallenge.core.audit import AuditEvent
from govchallenge.extensions import db
from govchallenge.jobs.models import OutboxJob
from govchallenge.submissions.models import DRAFT, SUBMITTED, Submission, SubmissionVersion
from tests.reuse import samples
from tests.support import factories
from tests.support.submissions_factories import entry_data, open_team, shown_lock_version, submit_checked

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
GREEK_TITLE = "Ανοιχτά δεδομένα λεωφορείων"
POLISH_SUMMARY = "Przyjazdy w czasie rzeczywistym — Łódź i Gdańsk"


def _entry(team):
    db.session.expire_all()
    return db.session.execute(sa.select(Submission).where(Submission.team_id == team.id)).scalar_one_or_none()


def _count(model, *where):
    return db.session.execute(sa.select(sa.func.count()).select_from(model).where(*where)).scalar()


def _save_and_check(client, team, **fields):
    """The entry form's "Save and check the entry" from a new entry: returns its redirect."""
    stage = team.challenge.stages[0]
    return client.post(f"/entries/start/{team.public_id}/{stage.id}", content_type="multipart/form-data",
                       data={**entry_data(action="submit", **fields), "attachments": (io.BytesIO(PDF), "план.pdf")})


def test_the_form_saves_first_then_the_check_page_shows_every_part_of_the_entry(app, login_as):
    challenge, team, (lead, member) = open_team(timezone="Europe/Athens", open_licence="encourage")
    client = login_as(lead)
    saved = _save_and_check(client, team, title=GREEK_TITLE, summary=POLISH_SUMMARY, description="Dane **otwarte**.",
                            video_link="https://video.example.eu/ł", demo_link="https://demo.example.eu/",
                            licence="eupl-1.2", repository_url="https://git.example.eu/bus", publiccode_text=samples.VALID)
    entry = _entry(team)
    assert saved.status_code == 302 and saved.headers["Location"].endswith(f"/entries/{entry.public_id}/check")
    assert entry.state == DRAFT and entry.versions == [] and entry.files[0].filename == "план.pdf"  # saved, kept
    page = client.get(saved.headers["Location"]).get_data(as_text=True)
    edit = f"/entries/{entry.public_id}/edit"
    for text in (GREEK_TITLE, POLISH_SUMMARY, "Dane <strong>otwarte</strong>.", "https://git.example.eu/bus", "https://video.example.eu/ł",
                 "https://demo.example.eu/", "план.pdf", f"{len(PDF)} bytes", "EUPL-1.2", "publiccodeYmlVersion",
                 team.name, lead.name, member.name, challenge.title["en"], challenge.stages[0].name["en"]):
        assert text in page, text
    for field in ("title", "summary", "description", "code_link", "video_link", "demo_link", "attachments", "licence",
                  "repository_url", "publiccode_text"):
        assert f'href="{edit}#{field}"' in page, field
    assert '<span class="visually-hidden"> Title</span>' in page  # each "Change" says what it changes
    deadline = challenge.stages[0].closes_at
    from govchallenge.core.templating import format_moment

    with app.test_request_context():
        in_athens = format_moment(deadline, "Europe/Athens")  # the challenge's zone, named, beside the viewer's
    assert f'datetime="{deadline.isoformat(timespec="seconds")}"' in page and in_athens in page
    assert page.count("button--primary") == 1 and ">Submit entry</button>" in page
    assert "By submitting this entry you accept the challenge" in page and "The <strong>terms</strong>" in page
    assert shown_lock_version(page) == str(entry.lock_version)


def test_submitting_from_the_check_page_records_one_version_with_its_receipt_jobs(app, login_as):
    challenge, team, (lead, member) = open_team()
    client = login_as(lead)
    saved = _save_and_check(client, team, title=GREEK_TITLE)
    entry = _entry(team)
    moment = challenge.stages[0].closes_at - timedelta(minutes=5)
    with time_machine.travel(moment, tick=False):
        response = submit_checked(client, saved)
        receipt = client.get(response.headers["Location"]).get_data(as_text=True)
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/entries/{entry.public_id}/receipts/1")
    entry = _entry(team)
    [version] = entry.versions
    assert entry.state == SUBMITTED and version.title == GREEK_TITLE and version.submitted_at == moment
    assert [f["filename"] for f in version.files] == ["план.pdf"]
    jobs = db.session.execute(sa.select(OutboxJob).where(OutboxJob.function.like("%send_receipt"))).scalars().all()
    assert sorted(j.args for j in jobs) == sorted([[version.id, lead.id], [version.id, member.id]])
    assert _count(AuditEvent, AuditEvent.action == "submission.submitted") == 1
    assert "Your entry is submitted" in receipt and version.sha256 in receipt


def test_the_moment_of_receipt_is_the_submit_post_not_the_check_page(app, login_as):
    challenge, team, (lead, _) = open_team()
    stage = challenge.stages[0]
    client = login_as(lead)
    saved = _save_and_check(client, team)
    with time_machine.travel(stage.closes_at - timedelta(seconds=1), tick=False):
        page = client.get(saved.headers["Location"]).get_data(as_text=True)  # checked before the deadline
    entry = _entry(team)
    with time_machine.travel(stage.closes_at, tick=False):  # ... pressed "Submit entry" at the deadline
        response = client.post(f"/entries/{entry.public_id}/check", data={"lock_version": shown_lock_version(page)})
    assert response.status_code == 400 and "The deadline has passed" in response.get_data(as_text=True)
    after = _entry(team)
    assert after.versions == [] and after.state == DRAFT  # the draft is intact
    assert (after.title, after.lock_version, [f.filename for f in after.files]) == (entry.title, entry.lock_version, ["план.pdf"])


def test_a_draft_changed_after_the_check_page_is_not_submitted_and_the_page_shows_it_again(app, login_as):
    challenge, team, (lead, member) = open_team()
    lead_client = login_as(lead)
    saved = _save_and_check(lead_client, team, title="What the lead checked")
    page = lead_client.get(saved.headers["Location"]).get_data(as_text=True)
    entry = _entry(team)
    mate = login_as(member)  # meanwhile a team mate saves another title
    assert mate.post(f"/entries/{entry.public_id}/edit", data=entry_data(entry.lock_version, title="The mate's title"),
                     content_type="multipart/form-data").status_code == 302
    response = lead_client.post(f"/entries/{entry.public_id}/check", data={"lock_version": shown_lock_version(page)})
    shown = response.get_data(as_text=True)
    assert response.status_code == 409 and "changed this entry after you opened this page" in shown
    assert "The mate&#39;s title" in shown and "What the lead checked" not in shown  # the entry as it is now
    assert _entry(team).versions == []
    # The page shown again carries the current lock version: submitting it now submits what it shows.
    again = lead_client.post(f"/entries/{entry.public_id}/check", data={"lock_version": shown_lock_version(shown)})
    assert again.status_code == 302 and _entry(team).versions[0].title == "The mate's title"


def test_a_second_press_of_submit_records_no_second_version(app, login_as):
    challenge, team, (lead, _) = open_team()
    client = login_as(lead)
    saved = _save_and_check(client, team)
    page = client.get(saved.headers["Location"]).get_data(as_text=True)
    entry = _entry(team)
    data = {"lock_version": shown_lock_version(page)}
    first = client.post(f"/entries/{entry.public_id}/check", data=data)
    second = client.post(f"/entries/{entry.public_id}/check", data=data)
    assert first.status_code == 302 and second.status_code == 302
    assert second.headers["Location"] == first.headers["Location"]  # the receipt of the one version
    assert _count(SubmissionVersion) == 1 and _count(OutboxJob, OutboxJob.function.like("%send_receipt")) == 2
    assert "already submitted" in client.get(second.headers["Location"]).get_data(as_text=True)
    checked_again = client.get(f"/entries/{entry.public_id}/check").get_data(as_text=True)
    assert "already submitted, as version 1" in checked_again and "Submit entry</button>" not in checked_again


def test_a_tampered_lock_version_is_refused_as_a_conflict(app, login_as):
    challenge, team, (lead, _) = open_team()
    client = login_as(lead)
    _save_and_check(client, team)
    entry = _entry(team)
    for value in ("", "not-a-number", str(entry.lock_version - 1), str(entry.lock_version + 1)):
        response = client.post(f"/entries/{entry.public_id}/check", data={"lock_version": value})
        assert response.status_code == 409, value
    assert _entry(team).versions == []


def test_only_the_team_may_check_and_submit_and_anonymous_people_sign_in_first(app, login_as, people):
    challenge, team, (lead, _) = open_team(host=people["ministry"])
    _save_and_check(login_as(lead), team)
    entry = _entry(team)
    url = f"/entries/{entry.public_id}/check"
    data = {"lock_version": str(entry.lock_version)}
    outsider = factories.make_team(challenge, [factories.make_user()]).members[0].user
    for user in (outsider, people["officer"], people["admin"], people["participant"]):
        client = login_as(user)
        refused = client.get(url)
        assert refused.status_code == 403 and "Only the members of this team may work on its entry" in refused.get_data(as_text=True)
        assert client.post(url, data=data).status_code == 403
    anonymous = app.test_client()
    asked = anonymous.get(url)  # signs in, then comes back
    assert asked.status_code == 302 and asked.headers["Location"].endswith(f"/login?next=/entries/{entry.public_id}/check")
    posted = anonymous.post(url, data=data)
    assert posted.status_code == 302 and "/login" in posted.headers["Location"]
    assert _entry(team).versions == []


def test_the_check_page_post_needs_its_csrf_token(make_app):
    import re

    from tests.security.test_csrf import login_as_with_token

    app = make_app(WTF_CSRF_ENABLED=True)
    with app.app_context():
        challenge, team, (lead, _) = open_team()
        entry = factories.make_submission(team, state="draft")
        db.session.commit()
        client = login_as_with_token(app, lead)
        url = f"/entries/{entry.public_id}/check"
        refused = client.post(url, data={"lock_version": str(entry.lock_version)})
        assert refused.status_code == 400 and "not sent from this site" in refused.get_data(as_text=True)
        db.session.expire_all()
        assert entry.versions == []
        page = client.get(url).get_data(as_text=True)
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
        done = client.post(url, data={"lock_version": shown_lock_version(page), "csrf_token": token})
        assert done.status_code == 302 and "/receipts/1" in done.headers["Location"]


def test_a_success_shows_in_the_success_banner_and_a_refusal_as_before(app, login_as):
    challenge, team, (lead, _) = open_team()
    client = login_as(lead)
    saved = _save_and_check(client, team)
    page = client.get(saved.headers["Location"]).get_data(as_text=True)
    success = re.search(r'<div class="banner banner--success" role="alert"[^>]*>.*?</div>\s*</div>', page, re.S)
    assert success and "Draft saved. Check your entry, then submit it." in success.group(0)
    assert "flash--success" not in page
    entry = _entry(team)
    refused = client.post(f"/entries/{entry.public_id}/withdraw", follow_redirects=True).get_data(as_text=True)
    assert '<p class="flash flash--error">Only a submitted entry can be withdrawn.</p>' in refused
    assert "banner--success" not in refused
