"""Edges of saving, submitting and removing a file that `make mutation` found undefended (the rest is in
test_entry_rules.py): the openness declared with a save and frozen with the version, an open licence a
challenge requires, the file inspections a save keeps, and a file removed after the deadline with a late code."""
from datetime import timedelta

import pytest
import sqlalchemy as sa

from govchallenge.challenges.models import OPEN_LICENCE_REQUIRE
from govchallenge.core import storage
from govchallenge.core.timeutil import utcnow
from govchallenge.extensions import db
from govchallenge.submissions import operations as ops
from govchallenge.submissions import screening
from govchallenge.submissions.models import FileInspection
from tests.support import factories
from tests.support.submissions_factories import open_team

FIELDS = {"title": "Open bus data", "summary": "Arrivals.", "description": "Feeds."}
OPENNESS = {"licence": " eupl-1.2 or mit ", "repository_url": " https://git.example.eu/bus ",
            "publiccode": " publiccodeYmlVersion: '0.4' "}


def refused(code, call, *args, **kwargs):
    with pytest.raises(ops.SubmissionError) as error:
        call(*args, **kwargs)
    assert error.value.code == code
    return error.value


@pytest.fixture
def entry(app):
    challenge, team, members = open_team(size=1)
    return {"challenge": challenge, "stage": challenge.stages[0], "team": team, "lead": members[0]}


def save(entry, fields=FIELDS, expected=None, submission=None, **options):
    return ops.save_entry(entry["lead"], entry["team"], entry["stage"], fields, expected, submission=submission, **options)


def test_the_openness_declared_with_a_save_is_kept_normalised_and_frozen_with_the_version(entry):
    submission, _ = save(entry, fields={**FIELDS, "openness": OPENNESS})
    declared = ("EUPL-1.2 OR MIT", "https://git.example.eu/bus", "publiccodeYmlVersion: '0.4'")
    assert (submission.licence, submission.repository_url, submission.publiccode) == declared
    _, version = save(entry, expected=1, submission=submission, submit=True, accepted_terms=True)
    assert (version.licence, version.repository_url, version.publiccode) == declared
    save(entry, expected=2, submission=submission)  # a save without the openness fields leaves them as declared
    assert submission.licence == "EUPL-1.2 OR MIT"


def test_a_challenge_that_requires_an_open_licence_refuses_an_entry_without_one(entry):
    entry["challenge"].open_licence = OPEN_LICENCE_REQUIRE
    submission, _ = save(entry)
    error = refused("incomplete", save, entry, expected=1, submission=submission, submit=True, accepted_terms=True)
    assert error.failures == ["licence", "repository_url"]
    _, version = save(entry, fields={**FIELDS, "openness": OPENNESS}, expected=submission.lock_version,
                      submission=submission, submit=True, accepted_terms=True)
    assert version.licence == "EUPL-1.2 OR MIT"


def test_a_save_keeps_the_inspections_of_its_new_files(entry):
    stored = storage.save(factories.ENTRY_FILE, "application/pdf")
    inspection = screening.prepare(factories.ENTRY_FILE, "application/pdf")
    inspection.texts = [["metadata", "Author", "read when uploaded"]]  # what this upload's reading found
    save(entry, new_files=[("a.pdf", stored)], inspections=[inspection])
    kept = db.session.execute(sa.select(FileInspection)).scalars().all()
    assert [(row.sha256, row.texts) for row in kept] == [(stored.sha256, inspection.texts)]


def test_after_the_deadline_a_file_is_removed_with_the_teams_late_code_only(entry):
    submission, _ = save(entry, new_files=[("a.pdf", storage.save(factories.ENTRY_FILE, "application/pdf"))])
    _grant, code = ops.grant_late_entry(factories.make_user(), entry["team"], entry["stage"], "Outage", 2)
    entry["stage"].closes_at = utcnow() - timedelta(seconds=1)
    file = submission.files[0]
    refused("deadline", ops.delete_file, entry["lead"], submission, file, 1)
    ops.delete_file(entry["lead"], submission, file, 1, late_code=code)
    assert submission.files == [] and submission.lock_version == 2


def test_the_trail_names_who_saved_submitted_removed_a_file_and_withdrew(entry):
    from govchallenge.core.audit import events_for

    lead = entry["lead"]
    submission, _ = save(entry, new_files=[("a.pdf", storage.save(factories.ENTRY_FILE, "application/pdf"))])
    ops.delete_file(lead, submission, submission.files[0], 1)
    save(entry, expected=2, submission=submission, submit=True, accepted_terms=True)
    ops.withdraw(lead, submission)
    events = [(e.action, e.actor_id) for e in reversed(events_for("submission", submission.id))]
    assert events == [("submission.saved", lead.id), ("submission.file_removed", lead.id),
                      ("submission.submitted", lead.id), ("submission.withdrawn", lead.id)]


def test_the_third_submission_is_version_3(entry):
    submission, _ = save(entry, submit=True, accepted_terms=True)
    numbers = [save(entry, expected=n, submission=submission, submit=True, accepted_terms=True)[1].number for n in (1, 2)]
    assert numbers == [2, 3]


def test_a_submitted_version_keeps_the_manifest_of_its_files(entry):
    stored = storage.save(factories.ENTRY_FILE, "application/pdf")
    submission, version = save(entry, new_files=[("a.pdf", stored)], submit=True, accepted_terms=True)
    assert version.files == ops.manifest(submission) and [f["sha256"] for f in version.files] == [stored.sha256]


def test_a_first_save_makes_a_draft_at_lock_version_1(entry):
    submission, version = save(entry)
    db.session.commit()
    db.session.expire_all()
    assert version is None
    assert (submission.state, submission.lock_version) == (ops.DRAFT, 1)


def test_only_links_given_are_kept_trimmed(entry):
    links = {"code": "  https://git.example.eu/bus  ", "video": "   ", "other": "https://elsewhere.example.eu"}
    submission, _ = save(entry, fields={**FIELDS, "links": links})
    assert submission.links == {"code": "https://git.example.eu/bus"}


def test_saving_with_submit_needs_the_terms_accepted_when_nobody_says(entry):
    refused("terms", save, entry, submit=True)


def test_the_check_page_needs_the_terms_accepted_when_nobody_says(entry):
    submission, _ = save(entry)
    refused("terms", ops.submit_entry, entry["lead"], submission, 1)


def test_after_the_deadline_the_check_page_says_deadline_without_a_code(entry):
    submission, _ = save(entry)
    entry["stage"].closes_at = utcnow() - timedelta(seconds=1)
    refused("deadline", ops.submit_entry, entry["lead"], submission, 1, accepted_terms=True)


def test_after_the_deadline_the_check_page_submits_with_the_teams_late_code_and_uses_it(entry):
    submission, _ = save(entry)
    grant, code = ops.grant_late_entry(factories.make_user(), entry["team"], entry["stage"], "Outage", 2)
    entry["stage"].closes_at = utcnow() - timedelta(seconds=1)
    version = ops.submit_entry(entry["lead"], submission, 1, accepted_terms=True, late_code=code)
    assert version.late_grant_id == grant.id and grant.used_at is not None


def test_what_is_missing_is_said_before_the_terms_and_the_terms_before_eligibility(entry):
    submission, _ = save(entry, fields={**FIELDS, "summary": " "})
    refused("incomplete", ops.submit_entry, entry["lead"], submission, 1)
    save(entry, expected=1, submission=submission)
    entry["challenge"].team_min = 3  # the team of one is now too small
    refused("terms", ops.submit_entry, entry["lead"], submission, 2)
    refused("ineligible", ops.submit_entry, entry["lead"], submission, 2, accepted_terms=True)


def test_an_eu_only_challenge_takes_a_member_in_an_eu_state_and_refuses_one_outside(entry):
    entry["challenge"].countries_mode = "eu"
    assert ops.eligibility_failures(entry["team"]) == []  # the lead is in PL
    entry["lead"].country = "NO"
    failures = ops.eligibility_failures(entry["team"])
    assert [(f.rule, f.detail["countries"]) for f in failures] == [("countries", ["NO"])]


def test_a_member_without_a_country_is_outside_every_list_and_shown_with_none(entry):
    entry["challenge"].countries_mode, entry["challenge"].countries = "list", ["PL", "GR"]
    entry["lead"].country = None
    failures = ops.eligibility_failures(entry["team"])
    assert [(f.rule, f.detail["countries"]) for f in failures] == [("countries", [""])]


def test_a_check_page_submit_moves_the_draft_on_by_one_so_a_second_press_is_stale(entry):
    submission, _ = save(entry)
    ops.submit_entry(entry["lead"], submission, 1, accepted_terms=True)
    assert submission.lock_version == 2
    refused("conflict", ops.submit_entry, entry["lead"], submission, 1, accepted_terms=True)
    save(entry, expected=2, submission=submission)  # the form reloaded after the submit saves
