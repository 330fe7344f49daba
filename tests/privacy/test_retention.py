"""Retention: each kind of data goes after its period (RETENTION_* settings), what is younger or still part of
a record stays, and each purge that removed something is one audit event. Run by `retention purge` and by the
scheduled job."""
import os
import time
from datetime import timedelta
from pathlib import Path

import sqlalchemy as sa

from govchallenge.accounts.models import User
from govchallenge.core import audit
from govchallenge.core.timeutil import utcnow
from govchallenge.extensions import db
from govchallenge.jobs.models import OutboxJob
from govchallenge.privacy import retention
from govchallenge.submissions.models import Submission
from govchallenge.teams.models import TeamInvitation
from tests.support import factories

OLD = timedelta(days=400)


def purge_events():
    return {e.object_id: e.detail for e in db.session.execute(
        sa.select(audit.AuditEvent).where(audit.AuditEvent.action == "retention.purged")).scalars()}


def run_cli(app, *args):
    return app.test_cli_runner().invoke(args=["retention", *args])


def make_world(app):
    challenge = factories.make_challenge()
    team = factories.make_team(challenge)
    old_draft = factories.make_submission(team, state="draft", title="Old draft")
    other_team = factories.make_team(challenge)
    young_draft = factories.make_submission(other_team, state="draft", title="Young draft")
    submitted_team = factories.make_team(challenge)
    submitted = factories.make_submission(submitted_team, title="Old but submitted")
    db.session.flush()
    db.session.execute(sa.update(Submission).where(Submission.id.in_([old_draft.id, submitted.id]))
                       .values(updated_at=utcnow() - OLD))
    now = utcnow()
    expired = TeamInvitation(team_id=team.id, email="late@example.eu", expires_at=now - timedelta(days=31))
    recent = TeamInvitation(team_id=team.id, email="soon@example.eu", expires_at=now - timedelta(days=29))
    answered = TeamInvitation(team_id=team.id, email="yes@example.eu", expires_at=now - timedelta(days=60),
                              accepted_at=now - timedelta(days=61))
    db.session.add_all([expired, recent, answered])
    ghost = factories.make_user(email="ghost@example.eu", verified=False)
    ghost.created_at = now - timedelta(days=31)
    newcomer = factories.make_user(email="newcomer@example.eu", verified=False)
    busy_ghost = factories.make_user(email="busy@example.eu", verified=False)
    busy_ghost.created_at = now - timedelta(days=31)
    factories.make_team(challenge, members=[busy_ghost])
    db.session.commit()
    return dict(old_draft=old_draft.id, young_draft=young_draft.id, submitted=submitted.id, expired=expired.id,
                recent=recent.id, answered=answered.id, ghost=ghost.id, newcomer=newcomer.id, busy=busy_ghost.id)


def test_each_kind_goes_after_its_period_and_each_purge_is_audited(app, client):
    ids = make_world(app)
    # A failed sign-in long ago and one today: their address and IP address are personal data.
    factories.make_user(email="signer@example.eu")
    db.session.commit()
    client.post("/login", data={"email": "signer@example.eu", "password": "wrong-password-123"})
    old_event = db.session.execute(sa.select(audit.AuditEvent).where(audit.AuditEvent.action == "account.login_failed")).scalar_one()
    old_event_id = old_event.id
    mail = Path(app.config["MAIL_FILE_DIR"])
    mail.mkdir(parents=True, exist_ok=True)
    (mail / "old.eml").write_text("To: someone@example.eu\n\nold")
    (mail / "new.eml").write_text("To: someone@example.eu\n\nnew")
    stamp = time.time() - 31 * 86400
    os.utime(mail / "old.eml", (stamp, stamp))
    db.session.commit()

    app.config["RETENTION_SIGNIN_DAYS"] = -1  # every sign-in record counts as old, without rewriting the trail
    result = run_cli(app, "purge")
    assert result.exit_code == 0, result.output
    db.session.expire_all()

    assert db.session.get(Submission, ids["old_draft"]) is None
    assert db.session.get(Submission, ids["young_draft"]) is not None
    assert db.session.get(Submission, ids["submitted"]) is not None
    assert db.session.get(TeamInvitation, ids["expired"]) is None
    assert db.session.get(TeamInvitation, ids["recent"]) is not None
    assert db.session.get(TeamInvitation, ids["answered"]) is not None
    assert db.session.get(User, ids["ghost"]) is None
    assert db.session.get(User, ids["newcomer"]) is not None
    assert db.session.get(User, ids["busy"]) is not None  # a team member: part of a record
    assert not (mail / "old.eml").exists() and (mail / "new.eml").exists()
    assert db.session.get(audit.AuditPersonal, old_event_id) is None
    assert db.session.get(audit.AuditEvent, old_event_id) is not None

    events = purge_events()
    assert {name: detail["count"] for name, detail in events.items()} == {
        "drafts": 1, "invitations": 1, "unverified_accounts": 1, "signin_records": 1, "mail_files": 1}
    assert "drafts:  " not in result.output and "drafts               1" in result.output
    verified = app.test_cli_runner().invoke(args=["audit", "verify"])
    assert verified.exit_code == 0, verified.output

    # Nothing left to purge: nothing recorded.
    assert run_cli(app, "purge").exit_code == 0
    assert len(db.session.execute(sa.select(audit.AuditEvent).where(
        audit.AuditEvent.action == "retention.purged")).all()) == 5


def test_the_periods_come_from_the_settings(app):
    ids = make_world(app)
    app.config.update(RETENTION_DRAFT_DAYS=500, RETENTION_INVITATION_DAYS=40, RETENTION_UNVERIFIED_DAYS=40)
    assert run_cli(app, "purge").exit_code == 0
    db.session.expire_all()
    assert db.session.get(Submission, ids["old_draft"]) is not None
    assert db.session.get(TeamInvitation, ids["expired"]) is not None
    assert db.session.get(User, ids["ghost"]) is not None
    assert purge_events() == {}


def test_the_scheduled_job_runs_again_after_its_interval(app):
    assert run_cli(app, "schedule").output.startswith("scheduled: outbox row")
    assert run_cli(app, "schedule").output.strip() == "already scheduled"
    job = db.session.execute(sa.select(OutboxJob).where(OutboxJob.function == retention.RETENTION_JOB)).scalar_one()
    assert timedelta(hours=23, minutes=59) < job.run_after - job.created_at <= timedelta(hours=24, seconds=5)
    outcome = retention.purge_job()
    db.session.commit()
    assert set(outcome["purged"]) == {name for name, _ in retention.PURGES}
    pending = db.session.execute(sa.select(OutboxJob).where(OutboxJob.function == retention.RETENTION_JOB,
                                                            OutboxJob.state == "pending")).scalars().all()
    assert len(pending) == 2  # the one that ran here outside the runner, and the next
