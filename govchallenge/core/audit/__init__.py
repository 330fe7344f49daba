"""The audit trail: append-only, keyed, chained, and anchored outside the database.

- `record(...)` writes one event in the caller's transaction with its own MAC (HMAC-SHA256 with
  AUDIT_KEY over the RFC 8785 form of every field). It takes no lock and reads no other row, so audited
  writes never wait for each other.
- The sealer (sealer.py) chains committed events into `audit_seal` (seq 1, 2, 3 ..., each MAC covering
  the one before), right after the commit that wrote them and in the worker's loop.
- Checkpoints (checkpoints.py): signed heads of the chain appended to a file outside the database.
- `verify()` (verify.py) checks all three and names where the trail was changed.
- The database refuses UPDATE and DELETE on the trail (triggers.py, installed by migration 0007).
"""
import logging
import secrets

import sqlalchemy as sa
from flask import current_app, has_app_context, has_request_context, request

from govchallenge.extensions import db

from ..timeutil import utcnow
from . import signing
from .models import AuditEvent, AuditPending, AuditSeal, event_payload
from .sealer import audit_key, seal, seconds_since_last_seal
from .signing import GENESIS, UnsignableDetail
from .verify import Problem, Report, verify

__all__ = [
    "AuditEvent", "AuditPending", "AuditSeal", "GENESIS", "Problem", "Report", "UnsignableDetail",
    "client_address", "event_payload", "events_for", "init_app", "record", "seal", "verify",
]

log = logging.getLogger(__name__)

_UNSEALED_KEY = "audit_unsealed"


def client_address():
    if not has_request_context():
        return ""
    return (request.remote_addr or "")[:45]


def record(action, obj=None, *, actor=None, object_type=None, object_id=None, **detail):
    """Append one event in the caller's transaction. `obj` may be any model with an id. `detail` must be
    plain JSON (no NaN, integers below 2^53): it is signed exactly as the database gives it back."""
    if obj is not None and getattr(obj, "id", None) is None:
        db.session.flush()
    event = AuditEvent(
        created_at=utcnow(),
        actor_id=getattr(actor, "id", None),
        actor_label=getattr(actor, "email", "") or "",
        action=action,
        object_type=object_type or (type(obj).__name__.lower() if obj is not None else ""),
        object_id=str(object_id if object_id is not None else getattr(obj, "id", "") or ""),
        detail=signing.as_json(detail),
        ip_address=client_address(),
        nonce=secrets.token_hex(16),
    )
    event.mac = signing.event_mac(audit_key(), event_payload(event))
    db.session.add(event)
    db.session.add(AuditPending(event=event))
    db.session.info[_UNSEALED_KEY] = True
    db.session.flush()
    return event


def events_for(object_type, object_id, limit=50):
    query = (
        sa.select(AuditEvent)
        .where(AuditEvent.object_type == object_type, AuditEvent.object_id == str(object_id))
        .order_by(AuditEvent.id.desc())
        .limit(limit)
    )
    return db.session.execute(query).scalars().all()


def _seal_after_commit(session):
    """A commit that recorded events seals them, unless another sealer is at work (never waits), or this
    process sealed less than AUDIT_SEAL_INTERVAL seconds ago (then a later commit, the worker or
    `audit seal` does). A failure here must not turn a saved change into an error."""
    if not session.info.pop(_UNSEALED_KEY, False) or not has_app_context():
        return
    if seconds_since_last_seal() < current_app.config.get("AUDIT_SEAL_INTERVAL", 0):
        return
    try:
        seal(wait=False)
    except Exception:
        log.exception("sealing the audit trail after a commit failed; the next sealer run takes the events")


def _forget_after_rollback(session):
    session.info.pop(_UNSEALED_KEY, None)


def init_app(app):
    """Seal after each commit that recorded events (wired once by the app factory)."""
    if not sa.event.contains(sa.orm.Session, "after_commit", _seal_after_commit):
        sa.event.listen(sa.orm.Session, "after_commit", _seal_after_commit)
        sa.event.listen(sa.orm.Session, "after_rollback", _forget_after_rollback)
