"""Anonymous review on the entrants' side, end to end: an entry whose files name the team is listed to the
team (without blocking it), flagged to the chair without the names, and served to jurors (and to hosts before
the results) without its metadata; the team, and the hosts after the results, get the original. Bad files
never cost the team its text, and never answer 500."""
import io
from datetime import timedelta

import pytest
import sqlalchemy as sa
from pypdf import PdfReader

from govchallenge.challenges.models import RESULTS_PUBLISHED
from govchallenge.core.timeutil import utcnow
from govchallenge.extensions import db
from govchallenge.jury import operations as jury_ops
from govchallenge.jury.models import ACTIVE, Assignment
from govchallenge.submissions import anonymity
from govchallenge.submissions.models import EntryScreening, FileInspection, Submission
from govchallenge.submissions.operations import working_digest
from govchallenge.submissions.screening import findings_of, flags
from tests.core.test_filemeta import names_in
from tests.support import documents, factories
from tests.support.jury_factories import make_juror
from tests.support.submissions_factories import entry_data, through_check

LEAD = "Anna Kowalska"
TEAM = "Bus Riders"
ORGANISATION = "Open Data Lab"


@pytest.fixture
def blind(app):
    return _world(anonymous=True)


def _world(anonymous):
    officer = factories.make_user(name="Olga Officer", email="olga@ministry.gov.pl")
    ministry = factories.make_public_body(officer=officer)
    challenge = factories.make_challenge(host=ministry, anonymous_review=anonymous)
    lead = factories.make_user(name=LEAD, email="anna@odl-lab.eu")
    mate = factories.make_user(name="Jonas Berg", email="jonas@example.de", country="DE")
    organisation = factories.make_organisation(name=ORGANISATION)
    team = factories.make_team(challenge, [lead, mate], name=TEAM, organisations={lead.id: organisation})
    db.session.commit()
    return {"challenge": challenge, "stage": challenge.stages[0], "team": team, "lead": lead, "officer": officer}


def _post(client, world, files=(), action="save", entry=None, **fields):
    url = (f"/entries/{entry.public_id}/edit" if entry else
           f"/entries/start/{world['team'].public_id}/{world['stage'].id}")
    data = entry_data(entry.lock_version if entry else "", action, **fields)
    if files:
        data["attachments"] = [(io.BytesIO(body), name) for name, body in files]
    response = client.post(url, data=data, content_type="multipart/form-data")
    return through_check(client, response) if action == "submit" else response


def _entry(world):
    db.session.expire_all()
    return db.session.execute(sa.select(Submission).where(Submission.team_id == world["team"].id)).scalar_one()


def _naming_pdf():
    return documents.pdf(author=LEAD, xmp_creator=f"{ORGANISATION} (anna@odl-lab.eu)", page_text="Route planner")


def _close_and_assign(world):
    """The stage closes; a chair and three jurors; round 1 gives the entry to every juror."""
    world["stage"].closes_at = utcnow() - timedelta(minutes=1)
    users = [factories.make_user(name=f"Juror {k}", email=f"juror{k}@jury.example.eu") for k in range(4)]
    for k, user in enumerate(users):
        make_juror(world["challenge"], user, is_chair=k == 0)
    jury_ops.open_first_round(world["challenge"], users[0], 3, closes_at=utcnow() + timedelta(days=3), seed=1)
    db.session.commit()
    assignment = db.session.execute(sa.select(Assignment).where(Assignment.state == ACTIVE).join(Assignment.juror)
                                    .where(Assignment.juror.has(is_chair=False))).scalars().first()
    return users[0], assignment


# --- the team's list -----------------------------------------------------------------------------

def test_the_team_sees_where_and_what_names_it_and_may_still_submit(blind, login_as):
    client = login_as(blind["lead"])
    response = _post(client, blind, files=[("plan.pdf", _naming_pdf())], action="submit",
                     description=f"Made by {LEAD} at open-data lab.")
    assert response.status_code == 302 and "/receipts/1" in response.headers["Location"]
    entry = _entry(blind)
    assert entry.state == "submitted", "findings never block a submission"
    receipt = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Details that may name your team" in receipt
    assert "Description: a member&#39;s name: “Anna Kowalska”" in receipt
    assert "Description: an organisation&#39;s name: “Open Data Lab”" in receipt
    assert ("plan.pdf, PDF document information /Author — removed from the copy jurors get: a member&#39;s name: "
            "“Anna Kowalska”") in receipt
    assert "plan.pdf, XMP properties — removed from the copy jurors get: an e-mail or web domain: “odl-lab.eu”" in receipt
    edit = client.get(f"/entries/{entry.public_id}/edit").get_data(as_text=True)
    assert "Details that may name your team" in edit and "“Anna Kowalska”" in edit


def test_each_save_warns_and_keeps_the_text(blind, login_as):
    client = login_as(blind["lead"])
    response = _post(client, blind, title=f"The {TEAM} route planner")
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Some details in the entry may name your team" in page
    assert "Title: the team&#39;s name: “Bus Riders”" in page
    assert _entry(blind).title == f"The {TEAM} route planner"


def test_an_entry_naming_nobody_shows_no_list(blind, login_as):
    client = login_as(blind["lead"])
    response = _post(client, blind, files=[("plan.pdf", documents.pdf(author="A. Nonymous"))])
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Details that may name your team" not in page and "may name your team" not in page
    assert _entry(blind) and db.session.execute(sa.select(EntryScreening.findings)).scalar_one() == []


def test_the_entry_form_and_the_challenge_page_say_what_anonymous_review_asks(blind, login_as):
    client = login_as(blind["lead"])
    form = client.get(f"/entries/start/{blind['team'].public_id}/{blind['stage'].id}").get_data(as_text=True)
    rules = "do not name the team, its members or their organisations"
    assert rules in form and "removes their properties" in form
    assert rules in client.get(f"/challenges/{blind['challenge'].slug}").get_data(as_text=True)


def test_a_review_that_is_not_anonymous_asks_and_lists_nothing(app, login_as):
    world = _world(anonymous=False)
    client = login_as(world["lead"])
    form = client.get(f"/entries/start/{world['team'].public_id}/{world['stage'].id}").get_data(as_text=True)
    assert "do not name the team" not in form
    response = _post(client, world, title=f"The {TEAM} planner")
    assert "may name your team" not in client.get(response.headers["Location"]).get_data(as_text=True)
    assert "do not name the team" not in client.get(f"/challenges/{world['challenge'].slug}").get_data(as_text=True)


def test_findings_are_computed_once_per_content_not_on_page_views(blind, login_as, monkeypatch):
    client = login_as(blind["lead"])
    _post(client, blind, title=f"{TEAM} one")
    entry = _entry(blind)
    _post(client, blind, entry=entry, title=f"{TEAM} two")
    entry = _entry(blind)
    rows = db.session.execute(sa.select(EntryScreening.sha256)).scalars().all()
    assert len(rows) == 1, "the earlier draft's findings are forgotten"

    def refuse(*_args):
        raise AssertionError("screened again on a page view")

    monkeypatch.setattr(anonymity, "find", refuse)
    assert "“Bus Riders”" in client.get(f"/entries/{entry.public_id}/edit").get_data(as_text=True)


def test_saving_the_same_content_again_reuses_its_findings(blind, login_as, monkeypatch):
    client = login_as(blind["lead"])
    _post(client, blind, title=f"{TEAM} one")
    monkeypatch.setattr(anonymity, "find", lambda *_args: pytest.fail("the same content screened twice"))
    response = _post(client, blind, entry=_entry(blind), title=f"{TEAM} one")
    assert response.status_code == 302
    assert db.session.execute(sa.select(sa.func.count()).select_from(EntryScreening)).scalar() == 1


def test_a_file_is_parsed_once_then_screenings_and_downloads_use_what_was_kept(blind, login_as, monkeypatch):
    from govchallenge.core import filemeta

    client = login_as(blind["lead"])
    _post(client, blind, files=[("plan.pdf", _naming_pdf())])
    monkeypatch.setattr(filemeta, "inspect", lambda *_args: pytest.fail("the file parsed again"))
    assert _post(client, blind, entry=_entry(blind), action="submit", title="Changed").status_code == 302
    _chair, assignment = _close_and_assign(blind)
    served = login_as(assignment.juror.user).get(f"/jury/review/{assignment.public_id}/files/0")
    assert served.status_code == 200 and not names_in(served.data, LEAD)


def test_the_same_file_is_read_once_for_every_entry_holding_it(blind, login_as):
    client = login_as(blind["lead"])
    data = _naming_pdf()
    _post(client, blind, files=[("a.pdf", data)])
    entry = _entry(blind)
    _post(client, blind, entry=entry, files=[("b.pdf", data)])
    assert db.session.execute(sa.select(sa.func.count()).select_from(FileInspection)).scalar() == 1


# --- the chair, the jurors and the hosts ----------------------------------------------------------

def test_an_entry_whose_pdf_metadata_names_the_team_is_flagged_and_served_without_it(blind, login_as):
    team_client = login_as(blind["lead"])
    original = _naming_pdf()
    _post(team_client, blind, files=[("plan.pdf", original)], action="submit")
    entry = _entry(blind)
    chair, assignment = _close_and_assign(blind)

    dashboard = login_as(chair).get(f"/jury/{blind['challenge'].slug}/dashboard").get_data(as_text=True)
    assert "may name its team:" in dashboard
    assert "a member&#39;s name in a file&#39;s properties (removed from the copy jurors get)" in dashboard
    for secret in (LEAD, TEAM, ORGANISATION, "odl-lab.eu"):
        assert secret not in dashboard

    served = login_as(assignment.juror.user).get(f"/jury/review/{assignment.public_id}/files/0")
    assert served.status_code == 200
    assert not names_in(served.data, LEAD) and not names_in(served.data, "odl-lab.eu")
    assert not names_in(served.data, ORGANISATION)
    assert "Route planner" in PdfReader(io.BytesIO(served.data)).pages[0].extract_text()

    # The team keeps its original; a host gets the copy until the results are out, then the original.
    assert team_client.get(f"/entries/{entry.public_id}/versions/1/files/0").data == original
    host = login_as(blind["officer"])
    before = host.get(f"/entries/{entry.public_id}/versions/1/files/0")
    assert before.status_code == 200 and before.data == served.data
    blind["challenge"].status = RESULTS_PUBLISHED
    db.session.commit()
    assert host.get(f"/entries/{entry.public_id}/versions/1/files/0").data == original


def test_jurors_and_hosts_of_a_review_that_is_not_anonymous_get_the_original(app, login_as):
    world = _world(anonymous=False)
    original = _naming_pdf()
    _post(login_as(world["lead"]), world, files=[("plan.pdf", original)], action="submit")
    entry = _entry(world)
    chair, assignment = _close_and_assign(world)
    assert login_as(assignment.juror.user).get(f"/jury/review/{assignment.public_id}/files/0").data == original
    assert login_as(world["officer"]).get(f"/entries/{entry.public_id}/versions/1/files/0").data == original
    assert "may name its team" not in login_as(chair).get(f"/jury/{world['challenge'].slug}/dashboard").get_data(as_text=True)


def test_an_entry_naming_nobody_is_not_flagged(blind, login_as):
    _post(login_as(blind["lead"]), blind, files=[("plan.pdf", documents.pdf(author="Nobody"))], action="submit")
    chair, _assignment = _close_and_assign(blind)
    assert "may name its team" not in login_as(chair).get(f"/jury/{blind['challenge'].slug}/dashboard").get_data(as_text=True)


# --- bad files ---------------------------------------------------------------------------------

BAD_FILES = {
    "a corrupt PDF": ("plan.pdf", documents.pdf(author=LEAD)[:300]),
    "an image that is not an image": ("photo.jpg", b"\xff\xd8\xff" + b"not a picture " * 40),
}


@pytest.mark.parametrize("case", sorted(BAD_FILES))
def test_a_file_that_cannot_be_read_keeps_the_text_is_listed_and_withheld_from_jurors(blind, login_as, case):
    name, data = BAD_FILES[case]
    client = login_as(blind["lead"])
    response = _post(client, blind, files=[(name, data)], action="submit", title="Kept title")
    assert response.status_code == 302
    entry = _entry(blind)
    assert entry.title == "Kept title" and entry.state == "submitted" and entry.files[0].filename == name
    receipt = client.get(response.headers["Location"]).get_data(as_text=True)
    assert f"{name}: the file could not be read" in receipt

    chair, assignment = _close_and_assign(blind)
    dashboard = login_as(chair).get(f"/jury/{blind['challenge'].slug}/dashboard").get_data(as_text=True)
    assert "a file that could not be read (withheld from jurors)" in dashboard
    juror = login_as(assignment.juror.user)
    page = juror.get(f"/jury/review/{assignment.public_id}").get_data(as_text=True)
    assert "withheld: the file could not be read" in page
    assert f"/jury/review/{assignment.public_id}/files/0" not in page
    download = juror.get(f"/jury/review/{assignment.public_id}/files/0")
    assert download.status_code == 302 and download.headers["Location"].endswith(f"/jury/review/{assignment.public_id}")
    assert client.get(f"/entries/{entry.public_id}/versions/1/files/0").data == data, "the team keeps its file"


def test_huge_metadata_is_checked_and_removed_without_failing_the_save(blind, login_as):
    author = f"{LEAD} " * 20_000  # 280 kB of author, and as much XMP
    client = login_as(blind["lead"])
    response = _post(client, blind, files=[("plan.pdf", documents.pdf(author=author, xmp_creator=author))], action="submit")
    assert response.status_code == 302
    receipt = client.get(response.headers["Location"]).get_data(as_text=True)
    assert receipt.count("“Anna Kowalska”") == 2  # document information, XMP: each place once
    _chair, assignment = _close_and_assign(blind)
    served = login_as(assignment.juror.user).get(f"/jury/review/{assignment.public_id}/files/0")
    assert served.status_code == 200 and not names_in(served.data, LEAD)


def test_a_file_stored_before_inspections_is_read_when_first_needed(blind, login_as):
    """Entries of the demo and of older versions: the jury's download reads the file once, then keeps it."""
    from govchallenge.core import storage
    from govchallenge.submissions.operations import record_version_directly

    stored = storage.save(_naming_pdf(), "application/pdf")
    record_version_directly(blind["team"], blind["stage"], "Title", "Summary", "Description",
                            files=[{"filename": "old.pdf", "mime_type": "application/pdf", "size": stored.size,
                                    "sha256": stored.sha256}])
    db.session.commit()
    _chair, assignment = _close_and_assign(blind)
    served = login_as(assignment.juror.user).get(f"/jury/review/{assignment.public_id}/files/0")
    assert served.status_code == 200 and not names_in(served.data, LEAD)
    assert db.session.execute(sa.select(FileInspection.sha256)).scalars().all() == [stored.sha256]


def test_names_and_file_names_in_the_list_are_shown_as_text(blind, login_as):
    hostile = '<img src=x onerror=alert(1)>'
    blind["team"].name = f"Riders {hostile}"
    db.session.commit()
    client = login_as(blind["lead"])
    response = _post(client, blind, title=f"By Riders {hostile}", files=[(f"{hostile}.pdf", _naming_pdf())])
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "“Riders &lt;img src=x onerror=alert(1)&gt;”" in page
    assert "&lt;img src=x onerror=alert(1)&gt;.pdf, PDF document information /Author" in page
    assert hostile not in page


# --- ZIP archives --------------------------------------------------------------------------------

def test_a_zip_whose_pdf_names_the_team_is_listed_flagged_and_served_clean(blind, login_as):
    from tests.core.test_filemeta import make_zip

    bundle = make_zip({"docs/plan.pdf": _naming_pdf(), f"{TEAM} budget.txt": b"Costs"})
    client = login_as(blind["lead"])
    response = _post(client, blind, files=[("bundle.zip", bundle)], action="submit")
    assert response.status_code == 302
    receipt = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "docs/plan.pdf in the archive, PDF document information /Author" in receipt
    assert "the name of a file in the archive" in receipt
    chair, assignment = _close_and_assign(blind)
    dashboard = login_as(chair).get(f"/jury/{blind['challenge'].slug}/dashboard").get_data(as_text=True)
    assert "a member&#39;s name in a file&#39;s properties (removed from the copy jurors get)" in dashboard
    served = login_as(assignment.juror.user).get(f"/jury/review/{assignment.public_id}/files/0")
    assert served.status_code == 200
    import zipfile
    plan = zipfile.ZipFile(io.BytesIO(served.data)).read("docs/plan.pdf")
    assert not names_in(plan, LEAD) and not names_in(plan, ORGANISATION)


def test_a_zip_bomb_is_listed_to_the_team_and_withheld_never_a_500(blind, login_as, monkeypatch):
    from govchallenge.core.filemeta import archives
    from tests.core.test_filemeta import make_zip

    monkeypatch.setattr(archives, "MAX_UNPACKED", 1_000_000)
    bomb = make_zip({f"zeros{k}.txt": b"\0" * 600_000 for k in range(2)})
    client = login_as(blind["lead"])
    response = _post(client, blind, files=[("bundle.zip", bomb)], action="submit", title="Kept title")
    assert response.status_code == 302
    assert _entry(blind).title == "Kept title"
    receipt = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "bundle.zip: an archive beyond what can be checked" in receipt
    chair, assignment = _close_and_assign(blind)
    dashboard = login_as(chair).get(f"/jury/{blind['challenge'].slug}/dashboard").get_data(as_text=True)
    assert "an archive too large to check (withheld from jurors)" in dashboard
    download = login_as(assignment.juror.user).get(f"/jury/review/{assignment.public_id}/files/0")
    assert download.status_code == 302


# --- findings follow the team ------------------------------------------------------------------------

def _found(entry, digest):
    return {(f["kind"], f["value"]) for f in (findings_of(entry, digest) or [])}


def test_a_member_who_joins_after_the_check_is_sought_in_every_kept_state_and_forgotten_when_leaving(blind, login_as):
    from govchallenge.teams import operations as team_ops

    newcomer = factories.make_user(name="Karol Nowak", email="karol@nowak-consulting.pl")
    db.session.commit()
    client = login_as(blind["lead"])
    _post(client, blind, action="submit", description="Karol Nowak drew the maps.",
          files=[("maps.pdf", documents.pdf(author="Karol Nowak"))])
    entry = _entry(blind)
    version = entry.latest_version.sha256
    assert ("member", "Karol Nowak") not in _found(entry, version)
    _post(client, blind, action="save", entry=entry, title="A newer draft")  # a working copy besides the version
    entry = _entry(blind)
    working = working_digest(entry)
    assert working != version

    invitation = team_ops.invite(blind["lead"], blind["team"], newcomer.email)
    team_ops.accept(newcomer, invitation)
    db.session.commit()
    entry = _entry(blind)
    for digest in (version, working):
        assert ("member", "Karol Nowak") in _found(entry, digest), digest
    pairs = flags({entry.id})[entry.id]
    assert ("file_metadata", "member") in pairs and ("entry_text", "member") in pairs
    receipt = client.get(f"/entries/{entry.public_id}/edit").get_data(as_text=True)
    assert "a member&#39;s name: “Karol Nowak”" in receipt
    assert "nowak-consulting.pl" not in receipt  # the domain is not in the entry: nothing else invented

    member = next(m for m in blind["team"].members if m.user_id == newcomer.id)
    team_ops.remove_member(newcomer, member)
    db.session.commit()
    entry = _entry(blind)
    for digest in (version, working):
        assert ("member", "Karol Nowak") not in _found(entry, digest)
    assert ("member", LEAD) not in _found(entry, version)  # the lead was never in it: still nothing


def test_a_new_team_name_is_sought_in_the_entry(blind, login_as):
    from govchallenge.teams import operations as team_ops

    client = login_as(blind["lead"])
    _post(client, blind, action="submit", description="The Night Owls built a route planner.")
    entry = _entry(blind)
    assert not _found(entry, entry.latest_version.sha256)
    team_ops.rename(blind["lead"], blind["team"], "Night Owls")
    db.session.commit()
    entry = _entry(blind)
    assert ("team", "Night Owls") in _found(entry, entry.latest_version.sha256)
