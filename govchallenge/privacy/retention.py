"""Retention: what nobody needs any more is purged after the periods set in config.py (RETENTION_*), by
`flask --app govchallenge retention purge` or by the scheduled job (`retention schedule` starts it; it runs
again every RETENTION_INTERVAL_HOURS). Each purge that removed something is one audit event (what, how many,
older than when); a run that found nothing records nothing.

- drafts never submitted (no version), untouched for RETENTION_DRAFT_DAYS;
- team invitations never answered, RETENTION_INVITATION_DAYS after they expired;
- accounts never verified, RETENTION_UNVERIFIED_DAYS after registration, when nothing else refers to them;
- the personal part (address, IP address) of sign-in and throttling events older than RETENTION_SIGNIN_DAYS
  (the events themselves stay, as the chain needs; the rate-limit counters expire by themselves);
- mail files of the embedded default older than RETENTION_MAIL_DAYS, and prepared exports past their link.
"""
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app

from govchallenge.accounts.models import User
from govchallenge.core import audit
from govchallenge.core.timeutil import utcnow
from govchallenge.extensions import db
from govchallenge.jobs import outbox
from govchallenge.jobs.models import PENDING as JOB_PENDING
from govchallenge.jobs.models import OutboxJob
from govchallenge.submissions.models import DRAFT, Submission, SubmissionVersion
from govchallenge.teams.models import TeamInvitation

from . import files
from .models import EXPIRED, READY, USED, DataExport

RETENTION_JOB = "govchallenge.privacy.retention.purge_job"
SIGNIN_ACTIONS = ("account.login", "account.login_failed", "account.login_paused", "account.reset_requested")


def _cutoff(setting):
    return utcnow() - timedelta(days=current_app.config[setting])


def purge_drafts():
    cutoff = _cutoff("RETENTION_DRAFT_DAYS")
    has_version = sa.select(SubmissionVersion.id).where(SubmissionVersion.submission_id == Submission.id).exists()
    drafts = db.session.execute(sa.select(Submission).where(
        Submission.state == DRAFT, Submission.submitted_at.is_(None), ~has_version, Submission.updated_at < cutoff,
    )).scalars().all()
    for draft in drafts:
        db.session.delete(draft)
    return len(drafts), cutoff


def purge_invitations():
    cutoff = _cutoff("RETENTION_INVITATION_DAYS")
    result = db.session.execute(sa.delete(TeamInvitation).where(
        TeamInvitation.accepted_at.is_(None), TeamInvitation.declined_at.is_(None), TeamInvitation.expires_at < cutoff,
    ).execution_options(synchronize_session=False))
    return result.rowcount, cutoff


def _referenced(user_id):
    """True when any row of another table points at the account (then it is part of some record)."""
    for table in db.metadata.sorted_tables:
        for key in table.foreign_keys:
            if key.column.table.name == "user_account" and table.name != "identity_link":
                if db.session.execute(sa.select(sa.literal(1)).where(key.parent == user_id).limit(1)).first():
                    return True
    return False


def purge_unverified_accounts():
    cutoff = _cutoff("RETENTION_UNVERIFIED_DAYS")
    candidates = db.session.execute(sa.select(User).where(
        User.email_verified_at.is_(None), User.erased_at.is_(None), User.created_at < cutoff,
    )).scalars().all()
    purged = 0
    for user in candidates:
        if _referenced(user.id):
            continue
        audit.erase_personal_data(user.id, user.email)
        db.session.execute(sa.delete(User).where(User.id == user.id))
        purged += 1
    return purged, cutoff


def purge_signin_records():
    cutoff = _cutoff("RETENTION_SIGNIN_DAYS")
    old_events = sa.select(audit.AuditEvent.id).where(audit.AuditEvent.action.in_(SIGNIN_ACTIONS),
                                                      audit.AuditEvent.created_at < cutoff)
    result = db.session.execute(sa.delete(audit.AuditPersonal).where(audit.AuditPersonal.event_id.in_(old_events))
                                .execution_options(synchronize_session=False))
    return result.rowcount, cutoff


def purge_mail_files():
    days = current_app.config["RETENTION_MAIL_DAYS"]
    return files.delete_files_older_than(files.mail_files(), days * 86400), utcnow() - timedelta(days=days)


def purge_expired_exports():
    """Exports past their link lose their file; so do downloaded ones whose file a server left behind (the
    download removes it when the response closes)."""
    now = utcnow()
    done = db.session.execute(sa.select(DataExport).where(sa.or_(
        sa.and_(DataExport.state == READY, DataExport.expires_at < now), DataExport.state == USED,
    ))).scalars().all()
    removed = 0
    for export in done:
        removed += files.remove(files.export_path(export))
        if export.state == READY:
            export.state = EXPIRED
    return removed, now


PURGES = (
    ("drafts", purge_drafts), ("invitations", purge_invitations), ("unverified_accounts", purge_unverified_accounts),
    ("signin_records", purge_signin_records), ("mail_files", purge_mail_files), ("exports", purge_expired_exports),
)


def purge():
    """Runs every purge (flushes, never commits); returns {what: count}. Each one that removed something is audited."""
    counts = {}
    for name, run in PURGES:
        count, cutoff = run()
        counts[name] = count
        if count:
            audit.record("retention.purged", object_type="retention", object_id=name, count=count,
                         older_than=cutoff.isoformat())
    db.session.flush()
    return counts


def schedule():
    """Starts the repeating job unless one is waiting already; returns the outbox row or None."""
    waiting = db.session.execute(sa.select(OutboxJob.id).where(OutboxJob.function == RETENTION_JOB,
                                                               OutboxJob.state == JOB_PENDING).limit(1)).first()
    if waiting:
        return None
    return outbox.enqueue(RETENTION_JOB, delay_seconds=int(current_app.config["RETENTION_INTERVAL_HOURS"] * 3600))


def purge_job():
    """The scheduled run: purges, then asks for the next run (the runner commits both together)."""
    counts = purge()
    db.session.flush()
    following = outbox.enqueue(RETENTION_JOB, delay_seconds=int(current_app.config["RETENTION_INTERVAL_HOURS"] * 3600))
    return {"purged": counts, "next": following.run_after.isoformat()}
