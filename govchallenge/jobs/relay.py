"""After a commit: hand committed outbox rows to RQ, or run them here in the embedded default."""
import logging
import time

import sqlalchemy as sa
from flask import current_app

from govchallenge.core.timeutil import utcnow
from govchallenge.extensions import db

from . import outbox
from .execution import execute
from .models import OutboxJob
from .queue import QueueUnavailable, push

log = logging.getLogger(__name__)


def relay_committed():
    """Called after each request, command and job: relays what the last commits requested and is due now.
    Rows asked for later (a reminder before a round closes) stay for relay_due, once their moment comes."""
    ids = outbox.due_now(outbox.take_committed_ids())
    if ids:
        dispatch(ids)


def relay_due():
    """Relays rows left behind (Redis was down, a process died) and rows whose retry came due.
    Returns how many were handed on (or run, inline)."""
    return dispatch(outbox.due_ids())


def dispatch(ids):
    if outbox.jobs_inline():
        return run_inline(ids)
    return _push_to_rq(ids)


def run_inline(ids):
    """The embedded default: run now, and whatever those jobs request, until nothing is left."""
    ran = 0
    while ids:
        for outbox_id in ids:
            execute(outbox_id)
            ran += 1
        ids = outbox.due_now(outbox.take_committed_ids())
    return ran


def _push_to_rq(ids):
    pushed = []
    try:
        for job_id in ids:
            push(job_id)
            pushed.append(job_id)
    except QueueUnavailable as error:
        log.warning("Redis unavailable, %d job(s) stay in the outbox: %s", len(ids) - len(pushed), error)
    if pushed:
        _mark_relayed(pushed)
    return len(pushed)


def _mark_relayed(ids):
    with db.engine.begin() as connection:
        connection.execute(
            sa.update(OutboxJob)
            .where(OutboxJob.id.in_(ids))
            .values(relayed_at=utcnow())
        )


DUE_SWEEP_SECONDS = 30
_SWEEP_KEY = "outbox_last_due_sweep"


def _sweep_due_inline():
    """The embedded default has no worker: requests run the rows that came due (retries, scheduled
    reminders), at most every DUE_SWEEP_SECONDS per app."""
    last = current_app.extensions.get(_SWEEP_KEY, 0.0)
    if not outbox.jobs_inline() or time.time() - last < DUE_SWEEP_SECONDS:
        return
    current_app.extensions[_SWEEP_KEY] = time.time()
    relay_due()


def after_commit_relay():
    """What runs after every request. The request's work is committed by now, so nothing here may turn its
    answer into an error page: the database or Redis failing now (even at the rollback that ends the request's
    transaction) is logged, and the rows stay in the outbox for the worker's relay loop (or the next sweep)."""
    try:
        # A request that never opened a database session (a kept page, a static file) committed nothing.
        if db.session.registry.has():
            # What the view did not commit is not ours to save: the runner commits as it claims rows.
            db.session.rollback()
            relay_committed()
        _sweep_due_inline()
    except Exception:
        # The session is discarded at the end of the request (Flask-SQLAlchemy's teardown), broken or not.
        current_app.logger.exception("outbox relay after the request failed; its rows stay pending")


def init_app(app):
    outbox.listen_to_sessions()
    app.extensions[_SWEEP_KEY] = time.time()  # the first sweep comes a while after start

    @app.after_request
    def _relay_after_request(response):
        after_commit_relay()
        return response
