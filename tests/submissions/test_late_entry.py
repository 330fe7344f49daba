"""The entry window and late-entry codes, decided by submissions/operations.py against the server clock:
open from opens_at, closed from closes_at to the microsecond, and after it only with a valid code of this
team for this stage that has not expired (a code expires exactly at its expires_at)."""
import hashlib
import string
from datetime import timedelta

import pytest
import sqlalchemy as sa
import time_machine

from govchallenge.core.audit import AuditEvent
from govchallenge.core.timeutil import utcnow
from govchallenge.extensions import db
from govchallenge.submissions import operations as ops
from govchallenge.submissions.models import DRAFT, SUBMITTED, Submission
from tests.support import factories

FIELDS = {"title": "Open bus data", "summary": "Arrivals as open data.", "description": "We publish GTFS-RT feeds.",
          "links": {"code": "https://git.example.eu/bus"}}
MICROSECOND = timedelta(microseconds=1)


@pytest.fixture
def entry(app):
    """A two-stage challenge whose first stage closed an hour ago, a team with a draft in it, and a host."""
    challenge = factories.make_challenge(opens_in_days=-2, closes_in_days=2, stages=2)
    stage = challenge.stages[0]
    stage.closes_at = utcnow() - timedelta(hours=1)
    lead = factories.make_user(country="PL")
    team = factories.make_team(challenge, [lead])
    host = factories.make_user(email="host@ministry.gov.pl")
    db.session.commit()
    return {"challenge": challenge, "stage": stage, "team": team, "lead": lead, "host": host}


def submit(entry, late_code="", team=None, stage=None, received_at=None):
    """Submits a new entry of `team` (the fixture's by default) at the (travelled) clock."""
    team = team or entry["team"]
    submission, version = ops.save_entry(team.members[0].user, team, stage or entry["stage"], FIELDS, None,
                                         submit=True, accepted_terms=True, late_code=late_code, received_at=received_at)
    return submission, version


def refused(entry, **kwargs):
    with pytest.raises(ops.SubmissionError) as caught:
        submit(entry, **kwargs)
    db.session.rollback()
    return caught.value.code


def test_granting_keeps_only_the_hash_of_a_code_shown_once(entry):
    before = utcnow()
    grant, code = ops.grant_late_entry(entry["host"], entry["team"], entry["stage"], "  Power cut at the venue  ", 6)
    # 12 URL-safe characters (72 random bits): short enough to read out on the phone, never guessed
    assert len(code) == 12 and set(code) <= set(string.ascii_letters + string.digits + "-_")
    assert code not in repr(grant.__dict__)
    assert grant.expires_at - grant.created_at == timedelta(hours=6)  # from the moment of granting
    assert grant.code_hash == hashlib.sha256(code.encode()).hexdigest()
    assert grant.reason == "Power cut at the venue"
    assert (grant.team_id, grant.stage_id, grant.granted_by_id) == (entry["team"].id, entry["stage"].id, entry["host"].id)
    assert before + timedelta(hours=6) <= grant.expires_at <= utcnow() + timedelta(hours=6)
    assert grant.used_at is None
    other_code = ops.grant_late_entry(entry["host"], entry["team"], entry["stage"], "again", 1)[1]
    assert other_code != code
    # The audit trail says who granted what to whom, until when and why; never the code itself.
    event = db.session.execute(sa.select(AuditEvent).where(AuditEvent.action == "submission.late_entry_granted")
                               .order_by(AuditEvent.id)).scalars().first()
    assert event.actor_id == entry["host"].id and event.object_id == str(grant.id)
    assert event.detail == {"team_id": entry["team"].id, "stage_id": entry["stage"].id, "reason": "Power cut at the venue",
                            "expires_at": grant.expires_at.isoformat()}


def test_a_code_for_a_stage_of_another_challenge_is_refused(entry):
    elsewhere = factories.make_challenge()
    with pytest.raises(ops.SubmissionError) as caught:
        ops.grant_late_entry(entry["host"], entry["team"], elsewhere.stages[0], "mistake", 1)
    assert caught.value.code == "wrong_stage"


def test_a_valid_code_admits_the_entry_and_is_marked_used(entry):
    grant, code = ops.grant_late_entry(entry["host"], entry["team"], entry["stage"], "Power cut", 2)
    db.session.commit()
    submission, version = submit(entry, late_code=f"  {code}\n")  # pasted with blanks around it
    assert submission.state == SUBMITTED and version.late_grant_id == grant.id
    assert grant.used_at == version.submitted_at


@pytest.mark.parametrize("after_expiry, accepted", [(-MICROSECOND, True), (timedelta(0), False),
                                                    (timedelta(minutes=5), False)])
def test_a_code_expires_exactly_at_its_expiry(entry, after_expiry, accepted):
    grant, code = ops.grant_late_entry(entry["host"], entry["team"], entry["stage"], "Power cut", 2)
    db.session.commit()
    with time_machine.travel(grant.expires_at + after_expiry, tick=False):
        if accepted:
            assert submit(entry, late_code=code)[1].late_grant_id == grant.id
        else:
            assert refused(entry, late_code=code) == "late_code"


def test_a_code_admits_only_its_own_team_and_stage(entry):
    grant, code = ops.grant_late_entry(entry["host"], entry["team"], entry["stage"], "Power cut", 2)
    other = factories.make_team(entry["challenge"], [factories.make_user()])
    second_stage = entry["challenge"].stages[1]
    second_stage.closes_at = utcnow() - timedelta(minutes=30)
    db.session.commit()
    assert refused(entry, late_code=code, team=other) == "late_code"
    assert refused(entry, late_code=code, stage=second_stage) == "late_code"
    assert refused(entry, late_code="not-" + code) == "late_code"
    assert refused(entry) == "deadline"  # no code at all


def test_before_the_deadline_a_code_is_not_used_up(entry):
    stage = entry["challenge"].stages[1]  # open until tomorrow
    grant, code = ops.grant_late_entry(entry["host"], entry["team"], stage, "Just in case", 48)
    db.session.commit()
    submission, version = submit(entry, late_code=code, stage=stage)
    assert submission.state == SUBMITTED and version.late_grant_id is None and grant.used_at is None


@pytest.mark.parametrize("offset, outcome", [
    (-MICROSECOND, "not_open"), (timedelta(0), None),
])
def test_the_window_opens_exactly_at_opens_at(entry, offset, outcome):
    stage = entry["challenge"].stages[1]
    with time_machine.travel(stage.opens_at + offset, tick=False):
        if outcome is None:
            assert submit(entry, stage=stage)[0].state == SUBMITTED
        else:
            assert refused(entry, stage=stage) == outcome


@pytest.mark.parametrize("offset, outcome", [(-MICROSECOND, None), (timedelta(0), "deadline")])
def test_the_window_closes_exactly_at_closes_at(entry, offset, outcome):
    stage = entry["challenge"].stages[1]
    with time_machine.travel(stage.closes_at + offset, tick=False):
        if outcome is None:
            assert submit(entry, stage=stage)[0].state == SUBMITTED
        else:
            assert refused(entry, stage=stage) == outcome


@pytest.mark.parametrize("received_before, waited, accepted", [
    # received 30 s before the deadline, decided 10 s after it: the moment of receipt counts
    (timedelta(seconds=30), timedelta(seconds=40), True),
    # a wait of exactly the grace still counts; one microsecond more and the decision time counts
    (MICROSECOND, ops.RECEIVED_GRACE, True),
    (MICROSECOND, ops.RECEIVED_GRACE + 2 * MICROSECOND, False),
])
def test_the_moment_of_receipt_counts_within_the_grace(entry, received_before, waited, accepted):
    stage = entry["challenge"].stages[1]
    received = stage.closes_at - received_before
    with time_machine.travel(received + waited, tick=False):
        if accepted:
            submission, version = submit(entry, stage=stage, received_at=received)
            assert version.submitted_at == received
        else:
            assert refused(entry, stage=stage, received_at=received) == "deadline"


def test_a_moment_of_receipt_from_the_future_is_not_believed(entry):
    stage = entry["challenge"].stages[1]
    with time_machine.travel(stage.closes_at - timedelta(seconds=10), tick=False):
        submission, version = submit(entry, stage=stage, received_at=utcnow() + timedelta(seconds=5))
        assert version.submitted_at == utcnow()  # now, not the claimed future moment


def test_saving_a_draft_after_the_deadline_needs_a_code_too(entry):
    grant, code = ops.grant_late_entry(entry["host"], entry["team"], entry["stage"], "Power cut", 2)
    db.session.commit()
    lead, team = entry["lead"], entry["team"]
    with pytest.raises(ops.SubmissionError) as caught:
        ops.save_entry(lead, team, entry["stage"], FIELDS, None)
    assert caught.value.code == "deadline"
    db.session.rollback()
    submission, version = ops.save_entry(lead, team, entry["stage"], FIELDS, None, late_code=code)
    assert version is None and submission.state == DRAFT and grant.used_at is None


def test_a_save_decides_on_the_entry_as_committed_not_as_this_request_first_read_it(entry):
    """Two members saving at once: the second is checked against the lock version the first left behind,
    even when it read the entry before the first committed."""
    lead, team = entry["lead"], entry["team"]
    stage = entry["challenge"].stages[1]
    submission, _ = ops.save_entry(lead, team, stage, FIELDS, None)
    db.session.commit()
    read_version = submission.lock_version
    # the other member's save, committed meanwhile (this session's copy of the entry does not know it)
    db.session.execute(sa.update(Submission).where(Submission.id == submission.id)
                       .values(lock_version=read_version + 1, title="Their title")
                       .execution_options(synchronize_session=False))
    assert submission.lock_version == read_version
    with pytest.raises(ops.SubmissionError) as caught:
        ops.save_entry(lead, team, stage, dict(FIELDS, title="My title"), read_version, submission=submission)
    assert caught.value.code == "conflict"
