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
import hashlib
import logging
import secrets

import sqlalchemy as sa
from flask import current_app, has_app_context, has_request_context, request

from govchallenge.extensions import db

from ..timeutil import utcnow
from . import signing
from .models import AuditEvent, AuditPending, AuditPersonal, AuditSeal, event_payload, personal_commitment
from .sealer import audit_key, seal, seconds_since_last_seal
from .signing import GENESIS, UnsignableDetail
from .verify import Problem, Report, verify

__all__ = [
    "AuditEvent", "AuditPending", "AuditPersonal", "AuditSeal", "GENESIS", "Problem", "Report", "UnsignableDetail",
    "client_address", "email_digest", "erase_personal_data", "event_payload", "events_for", "init_app", "record",
    "seal", "verify",
]

log = logging.getLogger(__name__)

_UNSEALED_KEY = "audit_unsealed"


def client_address():
    if not has_request_context():
        return ""
    return (request.remote_addr or "")[:45]


# Detail keys that hold personal data: recorded outside the signed payload (AuditPersonal), so they can be erased.
PERSONAL_DETAIL_KEYS = ("email", "subject")


def email_digest(email):
    """How the trail refers to an address it holds outside the payload (to find it again on erasure)."""
    return hashlib.sha256((email or "").strip().lower().encode("utf-8")).hexdigest()


def _personal_part(actor, obj, detail):
    """(personal data, the rest of the detail, the account the data is about) of one event."""
    personal = {key: detail.pop(key) for key in PERSONAL_DETAIL_KEYS if detail.get(key)}
    if getattr(actor, "email", ""):
        personal["actor_label"] = actor.email
    if client_address():
        personal["ip_address"] = client_address()
    about = actor if actor is not None else (obj if type(obj).__name__ == "User" else None)
    return signing.as_json(personal), detail, getattr(about, "id", None)


def record(action, obj=None, *, actor=None, object_type=None, object_id=None, **detail):
    """Append one event in the caller's transaction. `obj` may be any model with an id. `detail` must be
    plain JSON (no NaN, integers below 2^53): it is signed exactly as the database gives it back.
    The actor's address, the client's IP address and the detail's `email` and `subject` are personal data:
    they are kept in AuditPersonal, and the signed event holds only their salted digest (models.py)."""
    if obj is not None and getattr(obj, "id", None) is None:
        db.session.flush()
    personal, detail, about_id = _personal_part(actor, obj, dict(detail))
    salt = secrets.token_hex(16)
    event = AuditEvent(
        created_at=utcnow(),
        actor_id=getattr(actor, "id", None),
        actor_label="",
        action=action,
        object_type=object_type or (type(obj).__name__.lower() if obj is not None else ""),
        object_id=str(object_id if object_id is not None else getattr(obj, "id", "") or ""),
        detail=signing.as_json(detail),
        ip_address="",
        nonce=secrets.token_hex(16),
        personal_digest=personal_commitment(salt, personal) if personal else None,
    )
    event.mac = signing.event_mac(audit_key(), event_payload(event))
    db.session.add(event)
    if personal:
        db.session.flush()
        db.session.add(AuditPersonal(event_id=event.id, user_id=about_id, salt=salt, data=personal,
                                     email_digest=email_digest(personal["email"]) if personal.get("email") else None))
    db.session.add(AuditPending(event=event))
    db.session.info[_UNSEALED_KEY] = True
    db.session.flush()
    return event


def erase_personal_data(user_id, email):
    """Deletes the personal part of every event about the account or naming its address; the events, their
    MACs and the chain stay as they are. Returns the number of events whose personal part went."""
    query = sa.delete(AuditPersonal).where(sa.or_(AuditPersonal.user_id == user_id,
                                                  AuditPersonal.email_digest == email_digest(email)))
    return db.session.execute(query.execution_options(synchronize_session=False)).rowcount


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
