"""The entry operations' rules, called directly while the stage is open: stale forms, what a save keeps,
what submitting needs and leaves (a numbered version, a receipt per member, a late code used once),
removing a file, withdrawing, and which entries keep a team from closing."""
from datetime import timedelta

import pytest
import sqlalchemy as sa

from govchallenge.core import storage
from govchallenge.core.audit import events_for
from govchallenge.core.timeutil import utcnow
from govchallenge.extensions import db
from govchallenge.jobs.models import OutboxJob
from govchallenge.submissions import eligibility
from govchallenge.submissions import operations as ops
from govchallenge.submissions.models import DRAFT, SUBMITTED, WITHDRAWN, LateEntryGrant
from tests.support import factories
from tests.support.submissions_factories import open_team

FIELDS = {"title": " Open bus data ", "summary": " Arrivals. ", "description": " Feeds. ",
          "links": {"code": " https://git.example.eu/bus ", "video": "  ", "other": "https://x.eu"}}


def refused(code, call, *args, **kwargs):
    with pytest.raises(ops.SubmissionError) as error:
        call(*args, **kwargs)
    assert error.value.code == code
    return error.value


def last_event(submission):
    event = events_for("submission", submission.id, limit=1)[0]
    return event.action, event.detail


def stored_file():
    return storage.save(factories.ENTRY_FILE, "application/pdf")


@pytest.fixture
def entry(app):
    challenge, team, members = open_team(size=2)
    return {"challenge": challenge, "stage": challenge.stages[0], "team": team, "lead": members[0], "members": members}


def save(entry, fields=FIELDS, expected=None, submission=None, **options):
    return ops.save_entry(entry["lead"], entry["team"], entry["stage"], fields, expected, submission=submission, **options)


# --- saving ---------------------------------------------------------------------------------------------

def test_a_save_keeps_the_cleaned_text_and_the_known_links_only(entry):
    submission, version = save(entry)
    assert version is None and submission.state == DRAFT
    assert (submission.title, submission.summary, submission.description) == ("Open bus data", "Arrivals.", "Feeds.")
    assert submission.links == {"code": "https://git.example.eu/bus"}
    assert submission.lock_version == 1 and submission.updated_at == submission.created_at
    assert last_event(submission) == ("submission.saved", {"lock_version": 1, "late_grant_id": None})


def test_a_save_without_links_or_fields_keeps_empty_text(entry):
    submission, _ = save(entry, fields={})
    assert (submission.title, submission.summary, submission.description, submission.links) == ("", "", "", {})


def test_a_new_entry_is_made_from_an_empty_form_only(entry):
    assert save(entry, expected=0)[0].lock_version == 1
    other_challenge, other_team, _members = open_team(size=1)
    refused("conflict", ops.save_entry, other_team.members[0].user, other_team, other_challenge.stages[0], FIELDS, 1)


def test_a_form_built_from_an_older_version_of_the_entry_is_refused(entry):
    submission, _ = save(entry)
    save(entry, expected=1, submission=submission)
    assert submission.lock_version == 2
    refused("conflict", save, entry, expected=1, submission=submission)
    refused("conflict", save, entry, expected=None, submission=submission)


def test_a_stage_of_another_challenge_is_refused(entry):
    other, _team, _members = open_team(size=1)
    refused("wrong_stage", ops.save_entry, entry["lead"], entry["team"], other.stages[0], FIELDS, None)


def test_files_are_kept_with_who_uploaded_them_and_a_name_of_at_most_200_characters(entry):
    stored = stored_file()
    submission, _ = save(entry, new_files=[("a" * 250 + ".pdf", stored), ("b.pdf", stored)])
    first, second = submission.files
    assert first.filename == "a" * 200 and second.filename == "b.pdf"
    assert (first.mime_type, first.size, first.sha256) == (stored.mime_type, stored.size, stored.sha256)
    assert first.uploaded_by_id == entry["lead"].id and first.created_at == submission.updated_at


# --- submitting -------------------------------------------------------------------------------------------

def submit(entry, fields=FIELDS, **options):
    return save(entry, fields=fields, submit=True, accepted_terms=True, **options)


def test_submitting_freezes_a_version_and_queues_a_receipt_for_every_member(entry):
    submission, version = submit(entry)
    assert (submission.state, submission.submitted_at) == (SUBMITTED, version.submitted_at)
    assert (version.number, version.title, version.summary, version.description) == (1, "Open bus data", "Arrivals.", "Feeds.")
    assert version.links == {"code": "https://git.example.eu/bus"} and version.submitted_by_id == entry["lead"].id
    assert version.sha256 == ops.working_digest(submission) and version.late_grant_id is None
    assert last_event(submission) == ("submission.submitted", {"version": 1, "sha256": version.sha256, "late_grant_id": None})
    jobs = db.session.execute(sa.select(OutboxJob.function, OutboxJob.args).order_by(OutboxJob.id)).all()
    assert [tuple(j) for j in jobs] == [(ops.RECEIPT_JOB, [version.id, m.id]) for m in entry["members"]]


def test_each_submission_is_the_next_version(entry):
    submission, _ = submit(entry)
    _, second = submit(entry, expected=1, submission=submission)
    assert second.number == 2 and len(submission.versions) == 2


@pytest.mark.parametrize("blank, missing", [
    (("title",), ["title"]), (("summary", "description"), ["summary", "description"]),
    (("title", "summary", "description"), ["title", "summary", "description"]),
])
def test_submitting_needs_title_summary_and_description(entry, blank, missing):
    fields = {**FIELDS, **{name: "  " for name in blank}}
    error = refused("incomplete", submit, entry, fields=fields)
    assert error.failures == missing


def test_submitting_needs_the_terms_accepted(entry):
    refused("terms", save, entry, submit=True, accepted_terms=False)


def test_an_ineligible_team_is_told_every_failing_rule(entry):
    entry["challenge"].team_min = 3
    entry["challenge"].countries_mode, entry["challenge"].countries = "list", ["pl"]
    error = refused("ineligible", submit, entry)
    assert [f.rule for f in error.failures] == ["countries", "size"]


def test_a_late_code_is_marked_used_by_its_first_submission_only(entry):
    submission, _ = submit(entry)
    grant, code = ops.grant_late_entry(factories.make_user(), entry["team"], entry["stage"], "Outage", 24)
    entry["stage"].closes_at = utcnow() - timedelta(minutes=1)
    _, version = submit(entry, expected=1, submission=submission, late_code=code)
    first_use = grant.used_at
    assert first_use is not None and version.late_grant_id == grant.id
    assert last_event(submission)[1]["late_grant_id"] == grant.id
    _, again = submit(entry, expected=2, submission=submission, late_code=code)
    assert grant.used_at == first_use and again.late_grant_id == grant.id


def test_a_save_with_a_late_code_names_the_grant(entry):
    grant, code = ops.grant_late_entry(factories.make_user(), entry["team"], entry["stage"], " Outage ", 2)
    assert grant.reason == "Outage" and grant.expires_at - grant.created_at == timedelta(hours=2)
    assert db.session.get(LateEntryGrant, grant.id).code_hash == ops.hash_code(code)
    entry["stage"].closes_at = utcnow() - timedelta(minutes=1)
    submission, _ = save(entry, late_code=code)
    assert last_event(submission) == ("submission.saved", {"lock_version": 1, "late_grant_id": grant.id})


# --- removing a file, withdrawing ----------------------------------------------------------------------------

def test_a_file_is_removed_from_the_current_form_only(entry):
    submission, _ = save(entry, new_files=[("a.pdf", stored_file())])
    file = submission.files[0]
    refused("conflict", ops.delete_file, entry["lead"], submission, file, 0)
    ops.delete_file(entry["lead"], submission, file, 1)
    assert submission.files == [] and submission.lock_version == 2
    assert last_event(submission) == ("submission.file_removed", {"sha256": file.sha256, "filename": "a.pdf"})


def test_only_a_submitted_entry_is_withdrawn(entry):
    draft, _ = save(entry)
    refused("not_submitted", ops.withdraw, entry["lead"], draft)
    draft.state = WITHDRAWN
    refused("not_submitted", ops.withdraw, entry["lead"], draft)
    draft.state = DRAFT
    submission, _ = submit(entry, expected=1, submission=draft)
    before = submission.updated_at
    ops.withdraw(entry["lead"], submission)
    assert (submission.state, submission.lock_version) == (WITHDRAWN, 3)
    assert submission.updated_at >= before
    assert last_event(submission) == ("submission.withdrawn", {})


def test_a_withdrawal_after_the_deadline_is_refused(entry):
    submission, _ = submit(entry)
    entry["stage"].closes_at = utcnow() - timedelta(seconds=1)
    refused("deadline", ops.withdraw, entry["lead"], submission)


# --- reading the entry ------------------------------------------------------------------------------------------

def test_submitted_and_withdrawn_entries_keep_their_team_a_draft_does_not(entry):
    submission, _ = save(entry)
    other_challenge, other_team, _ = open_team(size=1)
    factories.make_submission(other_team)
    assert ops.team_has_entries(entry["team"]) is False
    for state in (SUBMITTED, WITHDRAWN):
        submission.state = state
        db.session.flush()
        assert ops.team_has_entries(entry["team"]) is True


def test_changes_since_the_last_submission_are_noticed(entry):
    submission, _ = save(entry)
    assert ops.has_unsubmitted_changes(submission) is True  # never submitted
    submit(entry, expected=1, submission=submission)
    assert ops.has_unsubmitted_changes(submission) is False
    submission.title = "Changed"
    assert ops.has_unsubmitted_changes(submission) is True
    submission.title = "Open bus data"
    submission.state = WITHDRAWN
    assert ops.has_unsubmitted_changes(submission) is True


def test_eligibility_reads_the_organisation_entered_for_else_the_person(app):
    challenge = factories.make_challenge(countries_mode="list", countries=["DE"], entrant_kinds=["ngo", "individual"],
                                         team_min=1, team_max=1)
    german_ngo = factories.make_organisation(kind="ngo", country="DE")
    polish, german = factories.make_user(country="PL", name="Pola"), factories.make_user(country="DE", name="Dieter")
    team = factories.make_team(challenge, [polish], organisations={polish.id: german_ngo})
    assert ops.eligibility_failures(team) == []
    alone = factories.make_team(factories.make_challenge(countries_mode="list", countries=["DE"],
                                                         entrant_kinds=["individual"], team_max=2), [german])
    assert ops.eligibility_failures(alone) == []
    startup = factories.make_organisation(kind="startup", country="PL")
    mixed = factories.make_team(challenge, [factories.make_user(name="Sam"), german], organisations={})
    mixed.members[0].organisation = startup
    failures = ops.eligibility_failures(mixed)
    assert failures == [
        eligibility.Failure("countries", {"mode": "list", "names": ["Sam"], "countries": ["PL"]}),
        eligibility.Failure("kinds", {"names": ["Sam"], "kinds": ["startup"]}),
        eligibility.Failure("size", {"size": 2, "min": 1, "max": 1}),
    ]


def test_a_challenge_without_country_rules_admits_everyone(app):
    challenge = factories.make_challenge(countries_mode=None, countries=None, entrant_kinds=None)
    team = factories.make_team(challenge, [factories.make_user(country="US")])
    assert ops.eligibility_failures(team) == []
