"""Runs one outbox row: claim it, call its function, record the outcome. Safe to run twice.
The same for RQ workers and inline; imports neither the relay nor RQ."""
import importlib
import logging
import threading
import traceback

import sqlalchemy as sa
from flask import current_app

from govchallenge.core.timeutil import utcnow
from govchallenge.extensions import db

from . import retry
from .models import DONE, FAILED, PENDING, RUNNING, STALE_CLAIM, OutboxJob
from .progress import running

log = logging.getLogger(__name__)
HEARTBEAT_SECONDS = 60  # well inside STALE_CLAIM


def resolve(dotted):
    module_name, _, name = dotted.rpartition(".")
    if not module_name.startswith("govchallenge."):
        raise ValueError(f"refusing to run {dotted!r}: jobs live in the govchallenge package")
    return getattr(importlib.import_module(module_name), name)


def claim(outbox_id):
    now = utcnow()
    claimable = sa.or_(
        OutboxJob.state == PENDING,
        sa.and_(OutboxJob.state == RUNNING, OutboxJob.claimed_at < now - STALE_CLAIM),
    )
    result = db.session.execute(
        sa.update(OutboxJob)
        .where(OutboxJob.id == outbox_id, claimable)
        .values(state=RUNNING, claimed_at=now, attempts=OutboxJob.attempts + 1)
    )
    db.session.commit()
    return result.rowcount == 1


def _finish(outbox_id, **values):
    db.session.execute(sa.update(OutboxJob).where(OutboxJob.id == outbox_id).values(**values))
    db.session.commit()


def allowed_attempts(job, error):
    """A job gets its own max_attempts; one failing on mail gets at least MAIL_RETRY_HOURS of attempts."""
    if retry.is_transient(error):
        return max(job.max_attempts, retry.mail_attempts())
    return job.max_attempts


def _record_failure(outbox_id, error, error_text):
    job = db.session.get(OutboxJob, outbox_id)
    if job.attempts >= allowed_attempts(job, error):
        _finish(outbox_id, state=FAILED, last_error=error_text, finished_at=utcnow())
    else:
        _finish(outbox_id, state=PENDING, relayed_at=None, run_after=utcnow() + retry.wait_after(job.attempts),
                last_error=error_text)


def _run_later(outbox_id, instruction):
    """Part of the job's work waits: the row runs again then, and this run was no failed attempt."""
    _finish(outbox_id, state=PENDING, relayed_at=None, run_after=max(instruction.at, utcnow()),
            attempts=OutboxJob.attempts - 1, last_error=f"waiting: {instruction.reason}"[:4000])


def execute(outbox_id):
    """Claims and runs one row in the current app context. Returns the state it ended in."""
    if not claim(outbox_id):
        return "skipped"
    job = db.session.get(OutboxJob, outbox_id)
    function, args = job.function, list(job.args)
    heartbeat = _Heartbeat(db.engine, outbox_id) if not current_app.config.get("JOBS_INLINE", True) else None
    try:
        with running(job):
            outcome = resolve(function)(*args)
    except retry.RunLater as instruction:
        db.session.rollback()
        _run_later(outbox_id, instruction)
        return PENDING
    except Exception as error:
        db.session.rollback()
        log.exception("job %s (%s) failed", outbox_id, function)
        _record_failure(outbox_id, error, traceback.format_exc(limit=5)[-4000:])
        return PENDING
    finally:
        if heartbeat:
            heartbeat.stop()
    db.session.commit()
    _finish(outbox_id, state=DONE, finished_at=utcnow(), last_error="", result=_jsonable(outcome))
    return DONE


class _Heartbeat:
    """Renews a running row's claim while its job works, so a long job is never taken for one whose
    worker died (STALE_CLAIM) and run a second time beside it."""

    def __init__(self, engine, outbox_id):
        self._engine, self._outbox_id, self._stopped = engine, outbox_id, threading.Event()
        self._thread = threading.Thread(target=self._beat, daemon=True, name=f"outbox-heartbeat-{outbox_id}")
        self._thread.start()

    def _beat(self):
        while not self._stopped.wait(HEARTBEAT_SECONDS):
            try:
                with self._engine.begin() as connection:
                    connection.execute(sa.update(OutboxJob).where(OutboxJob.id == self._outbox_id, OutboxJob.state == RUNNING)
                                       .values(claimed_at=utcnow()))
            except Exception:  # a missed beat only shortens the claim; the job goes on
                log.warning("heartbeat of outbox row %s failed", self._outbox_id, exc_info=True)

    def stop(self):
        self._stopped.set()
        self._thread.join(timeout=5)


def _jsonable(outcome):
    return outcome if isinstance(outcome, (dict, list, int, float, str, type(None))) else str(outcome)
