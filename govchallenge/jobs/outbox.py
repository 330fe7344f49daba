"""Writing jobs into the outbox, and noticing which were committed."""
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app

from govchallenge.core.timeutil import utcnow
from govchallenge.extensions import db

from .models import PENDING, RUNNING, STALE_CLAIM, OutboxJob

_COMMITTED_KEY = "outbox_committed"
_ADDED_KEY = "outbox_added"


def enqueue(function, *args, delay_seconds=0, max_attempts=5):
    """Request `function` (a dotted name) with JSON-able args (ids, never ORM objects)."""
    job = OutboxJob(
        function=function,
        args=list(args),
        run_after=utcnow() + timedelta(seconds=delay_seconds),
        max_attempts=max_attempts,
    )
    db.session.add(job)
    db.session.info.setdefault(_ADDED_KEY, []).append(job)
    return job


def take_committed_ids():
    ids = db.session.info.pop(_COMMITTED_KEY, [])
    return sorted(set(ids))


def _remember_committed(session):
    added = session.info.pop(_ADDED_KEY, [])
    session.info.setdefault(_COMMITTED_KEY, []).extend(j.id for j in added if j.id is not None)


def _forget_rolled_back(session):
    session.info.pop(_ADDED_KEY, None)


SESSION_LISTENERS = (("after_commit", _remember_committed), ("after_rollback", _forget_rolled_back))


def listen_to_sessions():
    """Called by the app factory (jobs.relay.init_app), never at import: which jobs a commit carried is noticed
    only in an app built by create_app. Idempotent: a second app adds no second listener."""
    for event, listener in SESSION_LISTENERS:
        if not sa.event.contains(sa.orm.Session, event, listener):
            sa.event.listen(sa.orm.Session, event, listener)


def due_now(ids):
    """Those of `ids` whose moment has come."""
    if not ids:
        return []
    query = sa.select(OutboxJob.id).where(OutboxJob.id.in_(ids), OutboxJob.run_after <= utcnow()).order_by(OutboxJob.id)
    return db.session.execute(query).scalars().all()


def due_ids(limit=500):
    """Rows that should be running and are not: never relayed (Redis was down, the process died), rows
    waiting to be retried, rows RQ lost (handed on long ago, never claimed), and rows whose worker died
    while running them. Running one twice is safe: the runner claims a row before it runs it."""
    now = utcnow()
    stale = now - STALE_CLAIM
    query = (
        sa.select(OutboxJob.id)
        .where(sa.or_(
            sa.and_(OutboxJob.state == PENDING, OutboxJob.run_after <= now,
                    sa.or_(OutboxJob.relayed_at.is_(None), OutboxJob.relayed_at < stale)),
            sa.and_(OutboxJob.state == RUNNING, OutboxJob.claimed_at < stale,
                    sa.or_(OutboxJob.relayed_at.is_(None), OutboxJob.relayed_at < stale)),
        ))
        .order_by(OutboxJob.id)
        .limit(limit)
    )
    return db.session.execute(query).scalars().all()


def jobs_inline():
    return current_app.config.get("JOBS_INLINE", True)
