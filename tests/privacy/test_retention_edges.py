"""The edges of each retention purge (privacy/retention.py): which sign-in records lose their personal part,
which unverified accounts go and what of them, which exports lose their file, what each audit event says,
and when the scheduled job runs next."""
import os
import time
from datetime import datetime, timedelta
from pathlib import Path

import sqlalchemy as sa
import time_machine

from govchallenge.accounts.models import User
from govchallenge.core import audit
from govchallenge.core.timeutil import utcnow
from govchallenge.extensions import db
from govchallenge.identity.models import IdentityLink
from govchallenge.jobs.models import OutboxJob
from govchallenge.privacy import files, retention
from govchallenge.privacy.models import EXPIRED, PENDING, READY, USED, DataExport
from govchallenge.submissions.models import Submission, SubmissionVersion
from govchallenge.teams.models import TeamInvitation
from tests.support import factories


def personal_row(event_id):
    return db.session.get(audit.AuditPersonal, event_id)


def purge_event(name):
    return db.session.execute(sa.select(audit.AuditEvent).where(
        audit.AuditEvent.action == "retention.purged", audit.AuditEvent.object_id == name)).scalar_one_or_none()


def close_to(moment, expected):
    return abs(moment - expected) < timedelta(minutes=2)


def test_every_sign_in_action_loses_its_personal_part_and_other_events_keep_theirs(app):
    person = factories.make_user(email="signer@example.eu")
    signins = [audit.record(action, person, actor=person).id for action in retention.SIGNIN_ACTIONS]
    other = audit.record("team.created", person, actor=person).id
    db.session.commit()
    assert all(personal_row(event_id) is not None for event_id in [*signins, other])

    app.config["RETENTION_SIGNIN_DAYS"] = -1  # every event counts as old, without rewriting the trail
    counts = retention.purge()
    db.session.expire_all()
    assert [personal_row(event_id) for event_id in signins] == [None] * 4
    assert personal_row(other) is not None
    assert counts["signin_records"] == 4


def test_sign_in_records_younger_than_the_period_keep_their_personal_part(app):
    person = factories.make_user(email="signer@example.eu")
    event_id = audit.record("account.login", person, actor=person).id
    db.session.commit()
    assert retention.purge()["signin_records"] == 0
    assert personal_row(event_id) is not None


def old_unverified(email):
    user = factories.make_user(email=email, verified=False)
    user.created_at = utcnow() - timedelta(days=31)
    return user


def test_an_unverified_account_with_only_an_identity_link_goes_with_its_personal_audit_data(app):
    ghost = old_unverified("ghost@example.eu")
    db.session.flush()
    db.session.add(IdentityLink(user_id=ghost.id, issuer="https://id.example.eu", subject="ghost-1"))
    event_id = audit.record("account.registered", ghost, actor=ghost).id
    ghost_id = ghost.id
    db.session.commit()
    assert retention.purge()["unverified_accounts"] == 1
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(User, ghost_id) is None
    assert personal_row(event_id) is None  # the address in the trail goes with the account
    assert db.session.get(audit.AuditEvent, event_id) is not None


def test_an_erased_or_verified_or_young_account_stays(app):
    erased = old_unverified("erased@example.eu")
    erased.erased_at = utcnow()
    verified = factories.make_user(email="verified@example.eu")
    verified.created_at = utcnow() - timedelta(days=400)
    young = factories.make_user(email="young@example.eu", verified=False)
    young.created_at = utcnow() - timedelta(days=29)
    db.session.commit()
    ids = [erased.id, verified.id, young.id]
    assert retention.purge()["unverified_accounts"] == 0
    db.session.expire_all()
    assert all(db.session.get(User, user_id) is not None for user_id in ids)


def make_export(user, state, expires_in=None):
    export = DataExport(user_id=user.id, state=state,
                        expires_at=utcnow() + expires_in if expires_in is not None else None)
    db.session.add(export)
    db.session.flush()
    files.export_path(export).write_bytes(b"zip")
    return export


def test_exports_past_their_link_and_downloaded_ones_lose_their_file(app):
    people = [factories.make_user(email=f"p{n}@example.eu") for n in range(4)]
    expired = make_export(people[0], READY, timedelta(minutes=-1))
    live = make_export(people[1], READY, timedelta(hours=1))
    used = make_export(people[2], USED, timedelta(hours=1))
    pending = make_export(people[3], PENDING)
    db.session.commit()
    assert retention.purge()["exports"] == 2
    assert [files.export_path(e).exists() for e in (expired, live, used, pending)] == [False, True, False, True]
    assert (expired.state, live.state, used.state, pending.state) == (EXPIRED, READY, USED, PENDING)
    assert purge_event("exports").detail["count"] == 2
    assert retention.purge()["exports"] == 0  # the file of a used export is gone already


def test_each_audit_event_says_older_than_the_cutoff_of_its_setting(app):
    app.config.update(RETENTION_MAIL_DAYS=30, RETENTION_UNVERIFIED_DAYS=20)
    mail = Path(app.config["MAIL_FILE_DIR"])
    mail.mkdir(parents=True, exist_ok=True)
    (mail / "old.eml").write_text("To: someone@example.eu\n\nold")
    (mail / "young.eml").write_text("To: someone@example.eu\n\nyoung")
    os.utime(mail / "old.eml", (time.time() - 30 * 86400 - 10,) * 2)  # 10 s past the 30 days
    os.utime(mail / "young.eml", (time.time() - 30 * 86400 + 3600,) * 2)
    old_unverified("ghost@example.eu")
    db.session.commit()
    now = utcnow()
    counts = retention.purge()
    assert counts["mail_files"] == 1 and not (mail / "old.eml").exists() and (mail / "young.eml").exists()
    assert counts["unverified_accounts"] == 1
    mail_event = purge_event("mail_files").detail
    assert mail_event == {"count": 1, "older_than": mail_event["older_than"]}
    assert close_to(datetime.fromisoformat(mail_event["older_than"]), now - timedelta(days=30))
    accounts = purge_event("unverified_accounts")
    assert accounts.object_type == "retention"
    assert close_to(datetime.fromisoformat(accounts.detail["older_than"]), now - timedelta(days=20))


def test_the_job_asks_for_its_next_run_after_the_interval(app):
    app.config["RETENTION_INTERVAL_HOURS"] = 2
    outcome = retention.purge_job()
    db.session.flush()
    job = db.session.execute(sa.select(OutboxJob).where(OutboxJob.function == retention.RETENTION_JOB)).scalar_one()
    assert outcome["next"] == job.run_after.isoformat()
    assert close_to(job.run_after, utcnow() + timedelta(hours=2))
    assert timedelta(hours=2, seconds=-1) < job.run_after - job.created_at < timedelta(hours=2, seconds=1)


def test_only_a_waiting_retention_job_counts_as_scheduled(app):
    """Another kind of job waiting, or a retention job that ran already, does not stop the schedule."""
    from govchallenge.jobs import outbox

    other = outbox.enqueue("govchallenge.privacy.exports.build_export", 1)
    db.session.flush()
    first = retention.schedule()
    assert first is not None and first.function == retention.RETENTION_JOB
    assert retention.schedule() is None  # waiting now
    first.state = "done"
    db.session.flush()
    again = retention.schedule()
    assert again is not None and again.id not in (first.id, other.id)


def test_only_an_old_draft_never_submitted_goes(app):
    """A draft goes when it was never submitted: no version, no submission time, still a draft. An entry taken
    back to a draft after submitting keeps its versions; a withdrawn entry is a record of the competition."""
    challenge = factories.make_challenge()
    never = factories.make_submission(factories.make_team(challenge), state="draft", title="Never submitted")
    with_version = factories.make_submission(factories.make_team(challenge), title="Back to draft, with a version")
    with_version.state, with_version.submitted_at = "draft", None
    with_time = factories.make_submission(factories.make_team(challenge), state="draft", title="Submitted once")
    with_time.submitted_at = utcnow() - timedelta(days=500)
    withdrawn = factories.make_submission(factories.make_team(challenge), state="withdrawn", title="Withdrawn")
    db.session.flush()
    kept = [with_version.id, with_time.id, withdrawn.id]
    assert db.session.execute(sa.select(SubmissionVersion).where(
        SubmissionVersion.submission_id == with_version.id)).first() is not None
    db.session.execute(sa.update(Submission).values(updated_at=utcnow() - timedelta(days=400)))
    never_id = never.id
    db.session.commit()
    assert retention.purge()["drafts"] == 1
    db.session.expire_all()
    assert db.session.get(Submission, never_id) is None
    assert all(db.session.get(Submission, entry_id) is not None for entry_id in kept)


def test_an_answered_invitation_stays_however_old(app):
    """Only invitations never answered go: a declined one, like an accepted one, is part of the team's record."""
    team = factories.make_team(factories.make_challenge())
    long_ago = utcnow() - timedelta(days=90)
    declined = TeamInvitation(team_id=team.id, email="no@example.eu", expires_at=long_ago, declined_at=long_ago)
    unanswered = TeamInvitation(team_id=team.id, email="silent@example.eu", expires_at=long_ago)
    db.session.add_all([declined, unanswered])
    db.session.commit()
    ids = declined.id, unanswered.id
    assert retention.purge()["invitations"] == 1
    db.session.expire_all()
    assert db.session.get(TeamInvitation, ids[0]) is not None and db.session.get(TeamInvitation, ids[1]) is None


def test_several_unverified_accounts_go_even_after_one_that_must_stay(app):
    """The account kept because a record points at it does not stop the ones after it: all are counted."""
    kept = old_unverified("kept@example.eu")
    db.session.flush()
    make_export(kept, PENDING)  # a row of another table points at it
    ghosts = [old_unverified(f"ghost{n}@example.eu") for n in range(2)]
    db.session.flush()
    kept.created_at = utcnow() - timedelta(days=400)  # the oldest: it comes first
    ids = [g.id for g in ghosts]
    db.session.commit()
    assert retention.purge()["unverified_accounts"] == 2
    db.session.expire_all()
    assert db.session.get(User, kept.id) is not None
    assert [db.session.get(User, user_id) for user_id in ids] == [None, None]


def test_a_purged_account_takes_the_events_naming_only_its_address(app):
    """A refused sign-in names the address but no account: its personal part goes with the account too."""
    ghost = old_unverified("Ghost.Writer@example.eu")
    db.session.flush()
    named = audit.record("account.login_failed", object_type="user", object_id="", email=ghost.email).id
    other = audit.record("account.login_failed", object_type="user", object_id="", email="someone@example.eu").id
    db.session.commit()
    assert personal_row(named).user_id is None
    assert retention.purge()["unverified_accounts"] == 1
    db.session.expire_all()
    assert personal_row(named) is None and personal_row(other) is not None


def test_only_a_ready_export_expires_and_only_once_its_moment_has_passed(app):
    moment = datetime(2026, 12, 1, 12, 0)
    with time_machine.travel(moment, tick=False):
        people = [factories.make_user(email=f"q{n}@example.eu") for n in range(3)]
        at_the_moment = make_export(people[0], READY, timedelta(0))
        pending_past = make_export(people[1], PENDING, timedelta(days=-3))
        failed_past = make_export(people[2], EXPIRED, timedelta(days=-3))
        db.session.commit()
        assert retention.purge()["exports"] == 0
        assert all(files.export_path(e).exists() for e in (at_the_moment, pending_past, failed_past))
        assert (at_the_moment.state, pending_past.state) == (READY, PENDING)
    with time_machine.travel(moment + timedelta(seconds=1), tick=False):
        assert retention.purge()["exports"] == 1
        assert not files.export_path(at_the_moment).exists() and at_the_moment.state == EXPIRED


def test_a_sign_in_record_exactly_as_old_as_the_period_keeps_its_personal_part(app):
    app.config["RETENTION_SIGNIN_DAYS"] = 90
    start = datetime(2026, 9, 1, 8, 30)
    with time_machine.travel(start, tick=False):
        person = factories.make_user(email="signer@example.eu")
        event_id = audit.record("account.login", person, actor=person).id
        db.session.commit()
    with time_machine.travel(start + timedelta(days=90), tick=False):
        assert retention.purge()["signin_records"] == 0
        assert personal_row(event_id) is not None
    with time_machine.travel(start + timedelta(days=90, seconds=1), tick=False):
        assert retention.purge()["signin_records"] == 1
