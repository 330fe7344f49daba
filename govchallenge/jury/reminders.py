"""A round's closing moment and the reminders before it: the chair sets or moves the moment, a job scheduled
some hours before it reminds every juror still behind, and the chair may remind them at any time. Flush, never
commit."""
import math
from datetime import timedelta

from flask import current_app

from govchallenge.core import audit
from govchallenge.core.timeutil import utcnow
from govchallenge.extensions import db
from govchallenge.jobs import outbox

from .guards import JuryError, check_closes_at, require_changeable
from .progress import progress

REMINDER_HOURS_BEFORE = 48
"""Default lead time of the scheduled reminder; the setting JURY_REMINDER_HOURS_BEFORE overrides it."""


def reminder_hours_before():
    """Hours between the scheduled reminder and the round's closing moment (a whole number where it is one)."""
    try:
        hours = float(current_app.config.get("JURY_REMINDER_HOURS_BEFORE", REMINDER_HOURS_BEFORE))
    except (TypeError, ValueError):
        hours = float(REMINDER_HOURS_BEFORE)
    if not math.isfinite(hours) or hours < 0:
        hours = float(REMINDER_HOURS_BEFORE)
    return int(hours) if hours.is_integer() else hours


def reminder_due_at(rnd, hours_before=None):
    """When the scheduled reminder of a round is due: `hours_before` its closing moment (None without one)."""
    if rnd.closes_at is None:
        return None
    return rnd.closes_at - timedelta(hours=reminder_hours_before() if hours_before is None else hours_before)


def set_closing_time(rnd, closes_at, actor):
    """The chair sets or moves the moment the round closes; the reminder is scheduled again for it
    (a reminder queued for the former moment sees the change and does nothing)."""
    require_changeable(rnd)
    if closes_at is None:
        raise JuryError("closes_missing")
    check_closes_at(closes_at)
    before = rnd.closes_at
    if before == closes_at:
        return None
    rnd.closes_at = closes_at
    db.session.flush()
    audit.record("jury.round_closing", rnd, actor=actor, before=before.isoformat() if before else None,
                 after=closes_at.isoformat())
    return schedule_reminder(rnd)


def send_reminders(rnd, actor):
    """Queues a reminder for every juror with reviews still to submit; returns how many."""
    require_changeable(rnd)
    info = progress(rnd)
    pending = [jid for jid, (done, total) in info["jurors"].items() if done < total]
    for jid in pending:
        outbox.enqueue("govchallenge.jury.jobs.send_reminder", rnd.id, jid)
    audit.record("jury.remind", rnd, actor=actor, jurors=pending)
    return len(pending)


def schedule_reminder(rnd, hours_before=None):
    """A job that, `hours_before` the round closes (default: reminder_hours_before()), reminds every juror
    still behind. It carries the closing moment it was scheduled for, so moving the moment supersedes it."""
    due = reminder_due_at(rnd, hours_before)
    if due is None:
        return None
    delay = max(0, math.ceil((due - utcnow()).total_seconds()))
    return outbox.enqueue("govchallenge.jury.jobs.remind_round", rnd.id, rnd.closes_at.isoformat(),
                          delay_seconds=delay)
