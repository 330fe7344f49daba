"""After a commit: hand committed outbox rows to RQ, or run them here in the embedded default."""
import logging

import sqlalchemy as sa
from flask import current_app

from govchallenge.core.timeutil import utcnow
from govchallenge.extensions import db

from . import outbox
from .models import OutboxJob
from .queue import QueueUnavailable, push

log = logging.getLogger(__name__)


def relay_committed():
    """Called after each request, command and job: relays what the last commits requested."""
    ids = outbox.take_committed_ids()
    if ids:
        dispatch(ids)


def relay_due():
    """Relays rows left behind (Redis was down, a process died). Returns how many were handed on."""
    return dispatch(outbox.due_ids())


def dispatch(ids):
    if outbox.jobs_inline():
        from .runner import run_inline

        return run_inline(ids)
    return _push_to_rq(ids)


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


def init_app(app):
    @app.after_request
    def _relay_after_request(response):
        try:
            relay_committed()
        except Exception:  # a failed relay must never turn a saved change into an error page
            current_app.logger.exception("outbox relay failed; rows stay pending")
        return response
