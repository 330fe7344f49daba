"""Three append-only tables: the events, the queue of events not sealed yet, and the seals (the chain).

An event is written once by `record()` with its own MAC and never changes; the sealer later appends its
seal (position `seq` in the chain and the chain MAC) in another table, so no audit row is ever updated.
The database refuses UPDATE and DELETE on audit_event and audit_seal (triggers.py); the ORM refuses them
too, so a mistake in the code fails at once instead of at the database.
"""
import hashlib

import sqlalchemy as sa

from govchallenge.extensions import db

from ..timeutil import UTCDateTime, utcnow
from .signing import canonical


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
    # The commitment to the event's personal data, kept in audit_personal (see AuditPersonal); null for an
    # event without any, and for every event written before revision 0012 (signed without this field).
    personal_digest = db.Column(db.String(64), nullable=True)

    personal = db.relationship("AuditPersonal", uselist=False, lazy="selectin", viewonly=True)

    __table_args__ = (sa.Index("ix_audit_event_object", "object_type", "object_id"),)

    def _personal_value(self, key, column_value):
        if column_value:
            return column_value  # written before revision 0012, inside the signed payload
        return (self.personal.data if self.personal is not None else {}).get(key, "")

    @property
    def shown_actor(self):
        """The actor's address as recorded, "" once the actor was erased."""
        return self._personal_value("actor_label", self.actor_label)

    @property
    def shown_ip(self):
        return self._personal_value("ip_address", self.ip_address)

    @property
    def shown_detail(self):
        """The detail with its personal part put back, while that part exists."""
        extra = {k: v for k, v in (self.personal.data if self.personal is not None else {}).items()
                 if k not in ("actor_label", "ip_address")}
        return {**(self.detail or {}), **extra}


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
        **({"personal_digest": row.personal_digest} if getattr(row, "personal_digest", None) is not None else {}),
    }


class AuditPersonal(db.Model):
    """The personal data of one event (the actor's address, the client's IP address, an invited address, an
    identity provider's subject), kept outside the signed payload so that it can be erased.

    The event's MAC covers `personal_digest` = SHA-256(salt || RFC 8785 form of `data`), not the data: erasing
    this row leaves the event, its MAC and the chain intact, and once the random salt is gone nobody can test a
    guessed address against the digest. While the row exists, `audit verify` checks it against the digest, so
    it cannot be changed unnoticed either. This table alone in the trail may be updated and deleted from.
    `user_id` and `email_digest` (SHA-256 of the normalised address) say whom the data is about.
    """

    __tablename__ = "audit_personal"

    event_id = db.Column(db.Integer, db.ForeignKey("audit_event.id"), primary_key=True, autoincrement=False)
    user_id = db.Column(db.Integer, nullable=True, index=True)
    email_digest = db.Column(db.String(64), nullable=True, index=True)
    salt = db.Column(db.String(32), nullable=False)
    data = db.Column(db.JSON, nullable=False)


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


def personal_commitment(salt, data):
    """What the event's MAC covers in place of its personal data: SHA-256(salt || RFC 8785 form of the data)."""
    return hashlib.sha256(salt.encode("ascii") + canonical(data)).hexdigest()


def personal_changed(event):
    """True when the event's personal data exists and no longer matches the digest its MAC covers."""
    row = event.personal
    if row is None:
        return False
    return event.personal_digest is None or personal_commitment(row.salt, row.data) != event.personal_digest
