"""Three append-only tables: the events, the queue of events not sealed yet, and the seals (the chain).

An event is written once by `record()` with its own MAC and never changes; the sealer later appends its
seal (position `seq` in the chain and the chain MAC) in another table, so no audit row is ever updated.
The database refuses UPDATE and DELETE on audit_event and audit_seal (triggers.py); the ORM refuses them
too, so a mistake in the code fails at once instead of at the database.
"""
import sqlalchemy as sa

from govchallenge.extensions import db

from ..timeutil import UTCDateTime, utcnow


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
    nonce = db.Column(db.String(32), nullable=False)
    mac = db.Column(db.String(64), nullable=False, unique=True)

    __table_args__ = (sa.Index("ix_audit_event_object", "object_type", "object_id"),)


def event_payload(row):
    """Every field an event shows, as the MAC covers it. `row` is an AuditEvent or a Core row of its table.
    A new column must be added here, or it is not protected (test_audit checks every column is)."""
    return {
        "created_at": row.created_at.isoformat(),
        "actor_id": row.actor_id,
        "actor_label": row.actor_label,
        "action": row.action,
        "object_type": row.object_type,
        "object_id": row.object_id,
        "detail": row.detail,
        "ip_address": row.ip_address,
        "nonce": row.nonce,
    }


class AuditPending(db.Model):
    """Events committed and not sealed yet; the sealer takes them and deletes their rows here."""

    __tablename__ = "audit_pending"

    event_id = db.Column(db.Integer, db.ForeignKey("audit_event.id"), primary_key=True, autoincrement=False)
    event = db.relationship(AuditEvent)


class AuditSeal(db.Model):
    """Position `seq` (1, 2, 3 ... without gaps) of one event in the chain, and the chain MAC there."""

    __tablename__ = "audit_seal"

    seq = db.Column(db.Integer, primary_key=True, autoincrement=False)
    event_id = db.Column(db.Integer, db.ForeignKey("audit_event.id"), nullable=False, unique=True)
    sealed_at = db.Column(UTCDateTime, nullable=False)
    mac = db.Column(db.String(64), nullable=False)


@sa.event.listens_for(AuditEvent, "before_update")
@sa.event.listens_for(AuditEvent, "before_delete")
@sa.event.listens_for(AuditSeal, "before_update")
@sa.event.listens_for(AuditSeal, "before_delete")
def _refuse_change(mapper, connection, target):
    raise RuntimeError("the audit trail is append-only")
