import csv
import io
import zipfile
from datetime import timedelta

import pytest
import sqlalchemy as sa
import time_machine

from govchallenge.core.audit import AuditEvent
from govchallenge.extensions import db
from govchallenge.jobs.models import OutboxJob
from govchallenge.submissions.models import DRAFT, SUBMITTED, WITHDRAWN, Submission
from tests.support import factories
from tests.support.submissions_factories import entry_data, open_team, submit_checked

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _start(client, team, stage, **data):
    return client.post(f"/entries/start/{team.public_id}/{stage.id}", data=entry_data(**data), content_type="multipart/form-data")


def _entry(team):
    db.session.expire_all()
    return db.session.execute(sa.select(Submission).where(Submission.team_id == team.id)).scalar_one_or_none()


def test_draft_submit_versions_and_receipt(app, login_as):
    challenge, team, (lead, member) = open_team()
    stage = challenge.stages[0]
    client = login_as(lead)
    response = _start(client, team, stage, attachments=(io.BytesIO(PDF), "plan.pdf"))
    assert response.status_code == 302
    entry = _entry(team)
    assert entry.state == DRAFT and entry.versions == [] and entry.files[0].mime_type == "application/pdf"
    from govchallenge.submissions.counts import public_counts

    assert public_counts(challenge)["stages"][stage.id] == {"teams": 1, "submitted": 0}  # a draft is not an entry

    saved = client.post(f"/entries/{entry.public_id}/edit", data=entry_data(entry.lock_version, "submit"))
    assert saved.headers["Location"].endswith(f"/entries/{entry.public_id}/check") and _entry(team).versions == []
    response = submit_checked(client, saved)
    assert response.status_code == 302 and "/receipts/1" in response.headers["Location"]
    entry = _entry(team)
    version = entry.versions[0]
    assert entry.state == SUBMITTED and version.number == 1
    assert version.files[0]["sha256"] == entry.files[0].sha256
    # The receipt's digest, recomputed from its documented rule: SHA-256 of the canonical JSON (keys sorted, no
    # whitespace, UTF-8) of the text, the non-empty links and each file's name, SHA-256 and size.
    import hashlib

    canonical = ('{"description":"We **publish** GTFS-RT feeds.","files":[{"filename":"plan.pdf","sha256":"%s","size":%d}],'
                 '"links":{"code":"https://git.example.eu/bus"},"summary":"Real-time arrivals as open data.",'
                 '"title":"Open bus data for Thessaloniki"}') % (hashlib.sha256(PDF).hexdigest(), len(PDF))
    assert version.sha256 == hashlib.sha256(canonical.encode("utf-8")).hexdigest()
    receipt = client.get(response.headers["Location"]).get_data(as_text=True)
    assert version.sha256 in receipt and version.submitted_at.isoformat() in receipt
    jobs = db.session.execute(sa.select(OutboxJob).where(OutboxJob.function.like("%send_receipt"))).scalars().all()
    assert sorted(j.args[1] for j in jobs) == sorted([lead.id, member.id]) and {j.state for j in jobs} == {"done"}

    # Edit and resubmit: a second version, the first kept.
    client = login_as(member)
    response = submit_checked(client, client.post(f"/entries/{entry.public_id}/edit",
                                                  data=entry_data(entry.lock_version, "submit", title="Open bus data, v2")))
    assert response.status_code == 302
    entry = _entry(team)
    assert [v.title for v in entry.versions] == ["Open bus data for Thessaloniki", "Open bus data, v2"]
    page = client.get(f"/entries/{entry.public_id}").get_data(as_text=True)
    assert "Version 1" in page and "Version 2" in page and "<strong>publish</strong>" in page


def test_submit_needs_the_required_fields_and_keeps_the_text(app, login_as):
    challenge, team, (lead, _) = open_team(terms={"en": "Entrants keep **their** rights."})
    client = login_as(lead)
    saved = _start(client, team, challenge.stages[0], action="submit", title="", description="Kept *text*")
    entry = _entry(team)
    assert entry.description == "Kept *text*"  # saved first: nothing typed is lost
    check = client.get(saved.headers["Location"]).get_data(as_text=True)
    assert "Title: Fill this in before submitting" in check and f'href="/entries/{entry.public_id}/edit#title"' in check
    assert "Submit entry" not in check and "<strong>their</strong>" not in check  # no button, no declaration yet
    refused = client.post(f"/entries/{entry.public_id}/check", data={"lock_version": str(entry.lock_version)})
    assert refused.status_code == 400 and "Fill this in before submitting" in refused.get_data(as_text=True)
    assert _entry(team).versions == []
    saved = client.post(f"/entries/{entry.public_id}/edit", data=entry_data(entry.lock_version, "submit"))
    check = client.get(saved.headers["Location"]).get_data(as_text=True)
    assert "By submitting this entry you accept the challenge" in check and "<strong>their</strong>" in check
    assert submit_checked(client, saved).status_code == 302 and len(_entry(team).versions) == 1


def test_second_concurrent_save_is_refused_and_text_kept(app, login_as):
    challenge, team, (lead, member) = open_team()
    assert _start(login_as(lead), team, challenge.stages[0]).status_code == 302
    entry = _entry(team)
    opened_at = entry.lock_version
    assert login_as(lead).post(f"/entries/{entry.public_id}/edit", data=entry_data(opened_at, title="Lead's title")).status_code == 302
    response = login_as(member).post(f"/entries/{entry.public_id}/edit", data=entry_data(opened_at, title="Member's title"))
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "saved this entry after you opened it" in page and "Member&#39;s title" in page
    assert _entry(team).title == "Lead's title"
    tampered = login_as(member).post(f"/entries/{entry.public_id}/edit", data=entry_data("not-a-number"))
    assert tampered.status_code == 400


@pytest.mark.parametrize("fields, reason", [
    ({"countries_mode": "eu"}, "outside the European Union"),
    ({"countries_mode": "list", "countries": ["PL"]}, "outside the countries this challenge accepts"),
    ({"entrant_kinds": ["startup"]}, "which this challenge does not accept"),
    ({"team_min": 3}, "this challenge asks for 3 to 5"),
])
def test_ineligible_team_is_told_why(app, login_as, fields, reason):
    challenge = factories.make_challenge(**fields)
    lead, other = factories.make_user(country="PL"), factories.make_user(country="NO", name="Nora Nordmann")
    team = factories.make_team(challenge, [lead, other])
    db.session.commit()
    client = login_as(lead)
    saved = _start(client, team, challenge.stages[0], action="submit")
    check = client.get(saved.headers["Location"]).get_data(as_text=True)
    assert reason in check and "Submit entry" not in check
    entry = _entry(team)  # a POST all the same (no button shown) is refused by the operation
    response = client.post(f"/entries/{entry.public_id}/check", data={"lock_version": str(entry.lock_version)})
    assert response.status_code == 400
    assert reason in response.get_data(as_text=True)
    assert _entry(team).versions == []  # the draft is kept, nothing submitted


def test_eligibility_by_organisation_kind_and_country(app, login_as):
    challenge = factories.make_challenge(countries_mode="eu", entrant_kinds=["startup", "sme"])
    lead = factories.make_user(country="NO")  # lives outside the EU, enters for a Danish startup
    startup = factories.make_organisation(kind="startup", country="DK", officer=lead)
    team = factories.make_team(challenge, [lead], organisations={lead.id: startup})
    db.session.commit()
    client = login_as(lead)
    assert submit_checked(client, _start(client, team, challenge.stages[0], action="submit")).status_code == 302


def test_after_the_deadline_every_change_is_refused(app, login_as):
    challenge, team, (lead, _) = open_team()
    stage = challenge.stages[0]
    client = login_as(lead)
    submit_checked(client, _start(client, team, stage, action="submit"))
    entry = _entry(team)
    with time_machine.travel(stage.closes_at + timedelta(seconds=1)):
        response = client.post(f"/entries/{entry.public_id}/edit", data=entry_data(entry.lock_version, "submit", title="Late"))
        assert response.status_code == 400 and "deadline has passed" in response.get_data(as_text=True)
        assert "Late" in response.get_data(as_text=True)
        assert client.post(f"/entries/{entry.public_id}/withdraw", follow_redirects=True).status_code == 200
    entry = _entry(team)
    assert entry.state == SUBMITTED and len(entry.versions) == 1 and entry.title != "Late"


def test_a_late_entry_code_lets_one_team_submit_and_is_audited(app, login_as, people):
    challenge = factories.make_challenge(host=people["ministry"], opens_in_days=-10, closes_in_days=-1)
    lead = factories.make_user()
    team = factories.make_team(challenge, [lead])
    other_team = factories.make_team(challenge)
    db.session.commit()
    host = login_as(people["officer"])
    response = host.post(f"/entries/hosts/{challenge.slug}/late-entry",
                         data={"team": team.public_id, "stage": str(challenge.stages[0].id), "hours": "2", "reason": "Power cut in Patras"},
                         follow_redirects=True)
    code = response.get_data(as_text=True).split("Late-entry code for")[1].split(": ", 1)[1].split(" ")[0]
    client = login_as(lead)
    refused = _start(client, team, challenge.stages[0], action="submit", late_code="wrong")
    assert refused.status_code == 400 and "not valid for your team" in refused.get_data(as_text=True)
    saved = _start(client, team, challenge.stages[0], action="submit", late_code=code)
    assert submit_checked(client, saved).status_code == 400  # the check page asks for the code again
    assert submit_checked(client, saved, late_code=code).status_code == 302
    assert _entry(team).versions[0].late_grant_id is not None
    # The code is the team's alone.
    assert _start(login_as(other_team.members[0].user), other_team, challenge.stages[0], action="submit",
                  late_code=code).status_code == 400
    event = db.session.execute(sa.select(AuditEvent).where(AuditEvent.action == "submission.late_entry_granted")).scalar_one()
    assert event.detail["reason"] == "Power cut in Patras" and code not in str(event.detail)


def test_withdraw_before_the_deadline(app, login_as):
    challenge, team, (lead, _) = open_team()
    client = login_as(lead)
    submit_checked(client, _start(client, team, challenge.stages[0], action="submit"))
    entry = _entry(team)
    asked = client.get(f"/entries/{entry.public_id}/withdraw")  # asks first, changes nothing
    assert asked.status_code == 200 and "Withdraw your entry?" in asked.get_data(as_text=True)
    assert _entry(team).state != WITHDRAWN
    assert client.post(f"/entries/{entry.public_id}/withdraw").status_code == 302
    assert _entry(team).state == WITHDRAWN
    from govchallenge.submissions.counts import public_counts

    assert public_counts(challenge)["stages"][challenge.stages[0].id] == {"teams": 0, "submitted": 0}


@pytest.mark.parametrize("upload, message", [
    ((b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 100, "report.pdf"), "not an accepted type"),
    ((b"", "empty.pdf"), "is empty"),
])
def test_bad_files_are_refused_and_nothing_is_lost(app, login_as, upload, message):
    challenge, team, (lead, _) = open_team()
    client = login_as(lead)
    _start(client, team, challenge.stages[0], title="Saved before")
    entry = _entry(team)
    response = client.post(f"/entries/{entry.public_id}/edit", data={**entry_data(entry.lock_version, title="New words"), "attachments": (io.BytesIO(upload[0]), upload[1])},
                           content_type="multipart/form-data")
    assert response.status_code == 400 and message in response.get_data(as_text=True)
    assert "New words" in response.get_data(as_text=True)
    assert _entry(team).title == "Saved before" and _entry(team).files == []


def test_oversized_file_is_refused(make_app):
    app = make_app(MAX_ATTACHMENT_MB=0)
    with app.app_context():
        challenge, team, (lead, _) = open_team()
        db.session.commit()
        from tests.conftest import login

        client = login(app.test_client(), lead)
        response = _start(client, team, challenge.stages[0], attachments=(io.BytesIO(PDF), "plan.pdf"))
        assert response.status_code == 400 and "larger than 0 MB" in response.get_data(as_text=True)


def test_remove_a_file_from_the_draft(app, login_as):
    challenge, team, (lead, _) = open_team()
    client = login_as(lead)
    _start(client, team, challenge.stages[0], attachments=(io.BytesIO(PDF), "plan.pdf"))
    entry = _entry(team)
    file = entry.files[0]
    stale = client.post(f"/entries/{entry.public_id}/files/{file.public_id}/delete", data={"lock_version": "0"}, follow_redirects=True)
    assert "saved this entry after you opened it" in stale.get_data(as_text=True)
    assert client.post(f"/entries/{entry.public_id}/files/{file.public_id}/delete", data={"lock_version": str(entry.lock_version)}).status_code == 302
    assert _entry(team).files == []


def test_hosts_see_counts_before_close_and_entries_with_export_after(app, login_as, people):
    challenge = factories.make_challenge(host=people["ministry"])
    stage = challenge.stages[0]
    teams = []
    for index, country in enumerate(("PL", "GR", "PT")):
        team = factories.make_team(challenge, [factories.make_user(country=country)], name=f"Team {country}")
        teams.append(team)
        factories.make_submission(team, state="submitted" if index < 2 else "draft", title=f"Secret idea {country}")
    db.session.commit()
    host = login_as(people["officer"])
    page = host.get(f"/entries/hosts/{challenge.slug}").get_data(as_text=True)
    assert "Drafts: 1 · Submitted: 2" in page and "Secret idea" not in page and "Team PL" not in page
    assert host.get(f"/entries/{teams[0].public_id}").status_code == 404
    entry = _entry(teams[0])
    assert host.get(f"/entries/{entry.public_id}").status_code == 403
    assert host.post(f"/entries/hosts/stages/{stage.id}/export").status_code == 403

    with time_machine.travel(stage.closes_at + timedelta(minutes=1)):
        page = host.get(f"/entries/hosts/{challenge.slug}").get_data(as_text=True)
        assert "Secret idea PL" in page and "Secret idea GR" in page and "Secret idea PT" not in page
        assert host.get(f"/entries/{entry.public_id}").status_code == 200
        response = host.post(f"/entries/hosts/stages/{stage.id}/export")
        assert response.status_code == 302
        export_page = host.get(response.headers["Location"]).get_data(as_text=True)
        assert "The export is ready" in export_page and "<progress" in export_page
        job_id = int(response.headers["Location"].rsplit("/", 1)[1])
        rows = list(csv.DictReader(io.StringIO(host.get(f"/entries/hosts/exports/{job_id}/csv").get_data().decode("utf-8-sig"))))
        assert sorted(r["title"] for r in rows) == ["Secret idea GR", "Secret idea PL"]
        archive = zipfile.ZipFile(io.BytesIO(host.get(f"/entries/hosts/exports/{job_id}/zip").get_data()))
        assert "entries.csv" in archive.namelist() and len([n for n in archive.namelist() if n.endswith("entry.json")]) == 2
        # Another host body cannot read the export.
        stranger = factories.make_user()
        factories.make_public_body(officer=stranger)
        assert login_as(stranger).get(f"/entries/hosts/exports/{job_id}").status_code == 403


def test_export_job_is_idempotent(app):
    import hashlib
    import json

    from govchallenge.core import storage
    from govchallenge.submissions.exports import build_export
    from tests.support.factories import ENTRY_FILE, ENTRY_FILE_NAME

    challenge = factories.make_challenge()
    factories.make_submission(factories.make_team(challenge))
    db.session.commit()
    first = build_export(challenge.stages[0].id)
    assert build_export(challenge.stages[0].id) == first  # the same entries give the same files, byte for byte
    # What the files hold, read back with the standard parsers.
    entry = db.session.execute(sa.select(Submission)).scalar_one()
    version = entry.versions[0]
    archive = zipfile.ZipFile(io.BytesIO(storage.open_bytes(first["zip"])))
    folder = f"{entry.team.name.replace(' ', '-')}-{entry.public_id}/v1"
    stored_name = "Προκήρυξη-λύσης.pdf"  # the uploaded "Προκήρυξη λύσης.pdf", with the blank made safe
    assert sorted(archive.namelist()) == sorted(["entries.csv", "challenge.json", f"{folder}/entry.json", f"{folder}/files/{stored_name}"])
    assert {info.date_time for info in archive.infolist()} == {(2000, 1, 1, 0, 0, 0)}
    assert archive.read(f"{folder}/files/{stored_name}") == ENTRY_FILE
    meta = json.loads(archive.read(f"{folder}/entry.json"))
    assert (meta["title"], meta["version"], meta["sha256"], meta["team"]) == (version.title, 1, version.sha256, entry.team.name)
    assert meta["files"] == [{"filename": ENTRY_FILE_NAME, "mime_type": "application/pdf", "size": len(ENTRY_FILE),
                              "sha256": hashlib.sha256(ENTRY_FILE).hexdigest()}]
    assert archive.read("entries.csv") == storage.open_bytes(first["csv"])
    (row,) = csv.DictReader(io.StringIO(archive.read("entries.csv").decode("utf-8-sig")))
    assert row["entry"] == entry.public_id and row["team"] == entry.team.name and row["version"] == "1"
    assert (row["title"], row["summary"], row["description"]) == (version.title, "A *short* summary.", "## Approach\n\nThe **whole** text.")
    assert (row["code"], row["video"], row["demo"]) == ("https://code.example.eu/entry", "https://video.example.eu/entry",
                                                        "https://demo.example.eu/")
    assert row["files"] == f"{ENTRY_FILE_NAME}:{hashlib.sha256(ENTRY_FILE).hexdigest()}"
    assert row["sha256"] == version.sha256 and row["current"] == "yes" and first["versions"] == 1


def test_public_panel_counts_without_names(app, login_as):
    from govchallenge.submissions.views import challenge_panel
    from flask_login import AnonymousUserMixin

    challenge, team, (lead, _) = open_team()
    factories.make_submission(team)
    db.session.commit()
    context = challenge_panel(challenge, AnonymousUserMixin())["entry_panel"]
    assert context["counts"]["teams"] == 1 and context["team"] is None
    mine = challenge_panel(challenge, lead)["entry_panel"]
    assert mine["team"].id == team.id and challenge.stages[0].id in mine["entries"]
    from flask import render_template

    with app.test_request_context():
        html = render_template("submissions/_challenge_panel.html", entry_panel=context)
    assert "1 entry submitted" in html and team.name not in html


@pytest.mark.single_db
def test_export_through_the_queue_shows_progress_then_files(redis_app, rq_worker):
    from tests.conftest import login

    officer = factories.make_user()
    body = factories.make_public_body(officer=officer)
    challenge = factories.make_challenge(host=body)
    for _ in range(3):
        factories.make_submission(factories.make_team(challenge))
    db.session.commit()
    host = login(redis_app.test_client(), officer)
    with time_machine.travel(challenge.stages[0].closes_at + timedelta(minutes=1)):
        location = host.post(f"/entries/hosts/stages/{challenge.stages[0].id}/export").headers["Location"]
        waiting = host.get(location).get_data(as_text=True)
        assert "being built" in waiting and 'http-equiv="refresh"' in waiting and "<progress" in waiting
        rq_worker()
        ready = host.get(location).get_data(as_text=True)
        assert "The export is ready" in ready and 'value="4"' in ready


@pytest.mark.single_db
def test_receipt_mail_reaches_every_member_in_their_language(mail_app, smtp):
    from tests.conftest import login

    challenge = factories.make_challenge()
    lead = factories.make_user(language="el", country="GR")
    member = factories.make_user(language="pl", country="PL")
    team = factories.make_team(challenge, [lead, member])
    db.session.commit()
    client = login(mail_app.test_client(), lead)
    assert submit_checked(client, _start(client, team, challenge.stages[0], action="submit")).status_code == 302
    version = _entry(team).versions[0]
    for user, language in ((lead, "el"), (member, "pl")):
        [message] = smtp.to(user.email)
        assert f'lang="{language}"' in message.html
        assert version.sha256 in message.text and version.submitted_at.isoformat() in message.text


def test_too_many_files_at_once_keep_the_text(make_app):
    app = make_app(MAX_FILES_PER_SAVE=2)
    assert app.config["MAX_CONTENT_LENGTH"] == (25 * 2 + 5) * 1024 * 1024
    with app.app_context():
        challenge, team, (lead, _) = open_team()
        db.session.commit()
        from tests.conftest import login

        client = login(app.test_client(), lead)
        files = [(io.BytesIO(PDF), f"part{i}.pdf") for i in range(3)]
        response = _start(client, team, challenge.stages[0], title="Kept title", attachments=files)
        body = response.get_data(as_text=True)
        assert response.status_code == 400 and "at most 2 files at a time" in body and "Kept title" in body
        assert _entry(team) is None


def test_a_refused_save_says_the_chosen_files_were_not_added(app, login_as):
    challenge, team, (lead, _) = open_team()
    client = login_as(lead)
    _start(client, team, challenge.stages[0])
    entry = _entry(team)
    response = client.post(f"/entries/{entry.public_id}/edit", content_type="multipart/form-data",
                           data=entry_data("0", title="My newer title", attachments=(io.BytesIO(PDF), "late.pdf")))
    body = response.get_data(as_text=True)
    assert "My newer title" in body and "were not added" in body
    assert _entry(team).files == []
