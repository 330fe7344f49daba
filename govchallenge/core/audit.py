"""Append-only audit trail. Each row carries the hash of the one before it, so any change shows."""
import hashlib
import json

import sqlalchemy as sa
from flask import has_request_context, request

from govchallenge.extensions import db

from .timeutil import UTCDateTime, utcnow

GENESIS = "0" * 64


class AuditEvent(db.Model):
    __tablename__ = "audit_event"

    id = db.Column(db.Integer, primary_key=True)
    created_at = db.Column(UTCDateTime, nullable=False, default=utcnow)
    actor_id = db.Column(db.Integer, nullable=True, index=True)
    actor_label = db.Column(db.String(320), nullable=False, default="")
    action = db.Column(db.String(80), nullable=False, index=True)
    object_type = db.Column(db.String(40), nullable=False, default="")
    object_id = db.Column(db.String(64), nullable=False, default="")
    detail = db.Column(db.JSON, nullable=False, default=dict)
    ip_address = db.Column(db.String(45), nullable=False, default="")
    prev_hash = db.Column(db.String(64), nullable=False)
    hash = db.Column(db.String(64), nullable=False, unique=True)

    __table_args__ = (sa.Index("ix_audit_event_object", "object_type", "object_id"),)

    def payload(self):
        return {
            "created_at": self.created_at.isoformat(),
            "actor_id": self.actor_id,
            "actor_label": self.actor_label,
            "action": self.action,
            "object_type": self.object_type,
            "object_id": self.object_id,
            "detail": self.detail,
            "ip_address": self.ip_address,
        }

    def compute_hash(self):
        body = json.dumps(self.payload(), sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        return hashlib.sha256((self.prev_hash + body).encode("utf-8")).hexdigest()


@sa.event.listens_for(AuditEvent, "before_update")
@sa.event.listens_for(AuditEvent, "before_delete")
def _refuse_change(mapper, connection, target):
    raise RuntimeError("the audit trail is append-only")


def _lock_chain():
    """On PostgreSQL two writers must not both extend the same last row."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(sa.text("SELECT pg_advisory_xact_lock(7240001)"))


def client_address():
    if not has_request_context():
        return ""
    return (request.remote_addr or "")[:45]


def record(action, obj=None, *, actor=None, object_type=None, object_id=None, **detail):
    """Append one event in the caller's transaction. `obj` may be any model with an id."""
    if obj is not None and getattr(obj, "id", None) is None:
        db.session.flush()
    _lock_chain()
    last = db.session.execute(sa.select(AuditEvent.hash).order_by(AuditEvent.id.desc()).limit(1)).scalar()
    event = AuditEvent(
        created_at=utcnow().replace(microsecond=0),
        actor_id=getattr(actor, "id", None),
        actor_label=getattr(actor, "email", "") or "",
        action=action,
        object_type=object_type or (type(obj).__name__.lower() if obj is not None else ""),
        object_id=str(object_id if object_id is not None else getattr(obj, "id", "") or ""),
        detail=detail,
        ip_address=client_address(),
        prev_hash=last or GENESIS,
    )
    event.hash = event.compute_hash()
    db.session.add(event)
    db.session.flush()
    return event


def first_broken_row():
    """The first row whose link or content no longer matches, or None when the chain holds."""
    expected_prev = GENESIS
    rows = db.session.execute(sa.select(AuditEvent).order_by(AuditEvent.id)).scalars()
    for event in rows:
        if event.prev_hash != expected_prev or event.compute_hash() != event.hash:
            return event
        expected_prev = event.hash
    return None


def events_for(object_type, object_id, limit=50):
    query = (
        sa.select(AuditEvent)
        .where(AuditEvent.object_type == object_type, AuditEvent.object_id == str(object_id))
        .order_by(AuditEvent.id.desc())
        .limit(limit)
    )
    return db.session.execute(query).scalars().all()
