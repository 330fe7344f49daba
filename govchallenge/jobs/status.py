"""What operators see of the outbox (`flask --app govchallenge jobs status`): rows by state, the rows waiting
to be tried again (and when), and the rows given up."""
import sqlalchemy as sa

from govchallenge.core.timeutil import UTC, as_utc, utcnow
from govchallenge.extensions import db

from .models import FAILED, PENDING, OutboxJob

LISTED = 20


def utc_text(moment):
    """A moment for an operator's terminal: always in UTC, and saying so."""
    return as_utc(moment).astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC") if moment else "-"


def last_line(text):
    lines = [line.strip() for line in (text or "").strip().splitlines() if line.strip()]
    return lines[-1][:300] if lines else ""


def counts():
    rows = db.session.execute(sa.select(OutboxJob.state, sa.func.count()).group_by(OutboxJob.state)).all()
    return dict(rows)


# Pending rows that ran before and wait for another attempt (a failure, or part of their work waits).
_WAITING = sa.and_(OutboxJob.state == PENDING, OutboxJob.last_error != "")


def waiting_to_retry(limit=LISTED):
    """The waiting rows, soonest first."""
    return db.session.execute(
        sa.select(OutboxJob).where(_WAITING).order_by(OutboxJob.run_after, OutboxJob.id).limit(limit)
    ).scalars().all()


def waiting_count():
    return db.session.execute(sa.select(sa.func.count(OutboxJob.id)).where(_WAITING)).scalar_one()


def scheduled_later():
    return db.session.execute(
        sa.select(sa.func.count(OutboxJob.id))
        .where(OutboxJob.state == PENDING, OutboxJob.last_error == "", OutboxJob.run_after > utcnow())
    ).scalar_one()


def given_up(limit=LISTED):
    return db.session.execute(
        sa.select(OutboxJob).where(OutboxJob.state == FAILED).order_by(OutboxJob.finished_at.desc(), OutboxJob.id.desc())
        .limit(limit)
    ).scalars().all()


def report_lines():
    """The lines `jobs status` prints."""
    states = counts()
    lines = [f"{state:<8} {states.get(state, 0)}" for state in ("pending", "running", "done", "failed")]
    lines += [f"{state:<8} {count}" for state, count in sorted(states.items()) if state not in
              ("pending", "running", "done", "failed")]
    later = scheduled_later()
    if later:
        lines.append(f"scheduled for later: {later}")
    lines.append(f"waiting to retry: {waiting_count()}")
    for job in waiting_to_retry():
        lines.append(f"  #{job.id} {job.function} attempt {job.attempts}, next at {utc_text(job.run_after)}: "
                     f"{last_line(job.last_error)}")
    lines.append(f"given up: {states.get(FAILED, 0)}")
    for job in given_up():
        lines.append(f"  #{job.id} {job.function} after {job.attempts} attempt(s), at {utc_text(job.finished_at)}: "
                     f"{last_line(job.last_error)}")
    return lines
