"""Runs one outbox row: claim it, call its function, record the outcome. Safe to run twice."""
import contextvars
import importlib
import logging
import threading
import traceback
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app, has_app_context

from govchallenge.core.timeutil import utcnow
from govchallenge.extensions import db

from .models import DONE, FAILED, PENDING, RUNNING, STALE_CLAIM, OutboxJob

log = logging.getLogger(__name__)
BACKOFF_SECONDS = (10, 60, 300, 1800, 7200)
HEARTBEAT_SECONDS = 60  # well inside STALE_CLAIM
_current_job = contextvars.ContextVar("current_outbox_job", default=None)


def backoff(attempts):
    return timedelta(seconds=BACKOFF_SECONDS[min(attempts, len(BACKOFF_SECONDS)) - 1])


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


def _record_failure(outbox_id, error_text):
    job = db.session.get(OutboxJob, outbox_id)
    if job.attempts >= job.max_attempts:
        _finish(outbox_id, state=FAILED, last_error=error_text, finished_at=utcnow())
    else:
        _finish(
            outbox_id,
            state=PENDING,
            relayed_at=None,
            run_after=utcnow() + backoff(job.attempts),
            last_error=error_text,
        )


def execute(outbox_id):
    """Claims and runs one row in the current app context. Returns the state it ended in."""
    if not claim(outbox_id):
        return "skipped"
    job = db.session.get(OutboxJob, outbox_id)
    token = _current_job.set(outbox_id)
    heartbeat = _Heartbeat(db.engine, outbox_id) if not current_app.config.get("JOBS_INLINE", True) else None
    try:
        outcome = resolve(job.function)(*job.args)
    except Exception:
        db.session.rollback()
        log.exception("job %s (%s) failed", outbox_id, job.function)
        _record_failure(outbox_id, traceback.format_exc(limit=5)[-4000:])
        return PENDING
    finally:
        _current_job.reset(token)
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


def report_progress(done, total):
    """Jobs call this; it is written on its own connection so the page sees it while the job runs.
    It also renews the claim, so a long job is never taken for one whose worker died."""
    outbox_id = _current_job.get()
    if outbox_id is None:
        return
    with db.engine.begin() as connection:
        connection.execute(
            sa.update(OutboxJob).where(OutboxJob.id == outbox_id)
            .values(progress_done=done, progress_total=total, claimed_at=utcnow())
        )


def run_inline(ids):
    """The embedded default: run now, and whatever those jobs request, until nothing is left."""
    from .outbox import due_now, take_committed_ids

    ran = 0
    while ids:
        for outbox_id in ids:
            execute(outbox_id)
            ran += 1
        ids = due_now(take_committed_ids())
    return ran


def run_outbox_job(outbox_id):
    """What an RQ worker runs."""
    if has_app_context():
        return _run_in_worker(outbox_id)
    with _worker_app().app_context():
        return _run_in_worker(outbox_id)


def _run_in_worker(outbox_id):
    from .relay import relay_committed

    db.engine.dispose(close=False)  # connections inherited through fork are not ours to use
    state = execute(outbox_id)
    relay_committed()
    db.session.remove()
    return state


_app = None


def _worker_app():
    global _app
    if _app is None:
        from govchallenge import create_app

        _app = create_app()
    return _app
