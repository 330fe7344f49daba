"""audit trail: keyed MACs, seals in their own table, append-only triggers

Revision ID: 0007_audit_seal
Revises: 0006_results

Events get a nonce and an HMAC (`mac`) instead of the unkeyed SHA-256 chain (`prev_hash`, `hash`); the
chain moves to `audit_seal`, written by the sealer; `audit_pending` queues events for it. Rows written
before this revision are adopted: the old chain is checked (a break is logged loudly, since adopting
would vouch for it), each row gets its MAC under the configured AUDIT_KEY, and all are queued, so the
first `flask audit seal` (or verify) chains them in id order. Then the database is made to refuse
UPDATE and DELETE on audit_event and audit_seal.

The downgrade rebuilds the old SHA-256 chain over the events in id order.
"""
import hashlib
import json
import logging
import secrets

import sqlalchemy as sa
from alembic import op
from flask import current_app

import govchallenge.core.timeutil
from govchallenge.core.audit import signing, triggers

revision = "0007_audit_seal"
down_revision = "0006_results"
branch_labels = None
depends_on = None

log = logging.getLogger("alembic.runtime.migration")
LEGACY_GENESIS = "0" * 64


def _events(columns):
    UTC = govchallenge.core.timeutil.UTCDateTime
    base = [
        sa.column("id", sa.Integer), sa.column("created_at", UTC()), sa.column("actor_id", sa.Integer),
        sa.column("actor_label", sa.String), sa.column("action", sa.String), sa.column("object_type", sa.String),
        sa.column("object_id", sa.String), sa.column("detail", sa.JSON), sa.column("ip_address", sa.String),
    ]
    return sa.table("audit_event", *base, *[sa.column(name, sa.String) for name in columns])


def _legacy_payload(row):
    return {
        "created_at": row.created_at.isoformat(), "actor_id": row.actor_id, "actor_label": row.actor_label,
        "action": row.action, "object_type": row.object_type, "object_id": row.object_id,
        "detail": row.detail, "ip_address": row.ip_address,
    }


def _legacy_hash(prev, row):
    body = json.dumps(_legacy_payload(row), sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256((prev + body).encode("utf-8")).hexdigest()


def upgrade():
    UTC = govchallenge.core.timeutil.UTCDateTime
    op.create_table(
        "audit_pending",
        sa.Column("event_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.ForeignKeyConstraint(["event_id"], ["audit_event.id"], name=op.f("fk_audit_pending_event_id_audit_event")),
        sa.PrimaryKeyConstraint("event_id", name=op.f("pk_audit_pending")),
    )
    op.create_table(
        "audit_seal",
        sa.Column("seq", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("sealed_at", UTC(), nullable=False),
        sa.Column("mac", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(["event_id"], ["audit_event.id"], name=op.f("fk_audit_seal_event_id_audit_event")),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_audit_seal")),
        sa.UniqueConstraint("event_id", name=op.f("uq_audit_seal_event_id")),
    )
    with op.batch_alter_table("audit_event") as batch_op:
        batch_op.add_column(sa.Column("nonce", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("mac", sa.String(length=64), nullable=True))
    _adopt_legacy_rows()
    with op.batch_alter_table("audit_event") as batch_op:
        batch_op.alter_column("nonce", existing_type=sa.String(length=32), nullable=False)
        batch_op.alter_column("mac", existing_type=sa.String(length=64), nullable=False)
        batch_op.create_unique_constraint(batch_op.f("uq_audit_event_mac"), ["mac"])
        batch_op.drop_constraint("uq_audit_event_hash", type_="unique")
        batch_op.drop_column("prev_hash")
        batch_op.drop_column("hash")
    triggers.create(op.get_bind())


def _adopt_legacy_rows():
    bind = op.get_bind()
    table = _events(["prev_hash", "hash", "nonce", "mac"])
    config = current_app.config
    key = signing.derive_key(config.get("AUDIT_KEY", ""), config["SECRET_KEY"])
    expected, broken_at, count = LEGACY_GENESIS, None, 0
    for row in bind.execute(sa.select(table).order_by(table.c.id)).all():
        count += 1
        if broken_at is None and (row.prev_hash != expected or _legacy_hash(row.prev_hash, row) != row.hash):
            broken_at = row.id
        expected = row.hash
        nonce = secrets.token_hex(16)
        mac = signing.event_mac(key, {**_legacy_payload(row), "nonce": nonce})
        bind.execute(sa.update(table).where(table.c.id == row.id).values(nonce=nonce, mac=mac))
        bind.execute(sa.text("INSERT INTO audit_pending (event_id) VALUES (:id)"), {"id": row.id})
    if broken_at is not None:
        log.error("AUDIT TRAIL: the old hash chain was already broken at audit row %s before this upgrade; "
                  "the %s existing rows are adopted as they are now", broken_at, count)
    elif count:
        log.info("audit trail: %s existing rows adopted (old chain intact, head %s)", count, expected)


def downgrade():
    bind = op.get_bind()
    triggers.drop(bind)
    with op.batch_alter_table("audit_event") as batch_op:
        batch_op.add_column(sa.Column("prev_hash", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("hash", sa.String(length=64), nullable=True))
    table = _events(["prev_hash", "hash"])
    prev = LEGACY_GENESIS
    for row in bind.execute(sa.select(table).order_by(table.c.id)).all():
        digest = _legacy_hash(prev, row)
        bind.execute(sa.update(table).where(table.c.id == row.id).values(prev_hash=prev, hash=digest))
        prev = digest
    op.drop_table("audit_seal")
    op.drop_table("audit_pending")
    with op.batch_alter_table("audit_event") as batch_op:
        batch_op.alter_column("prev_hash", existing_type=sa.String(length=64), nullable=False)
        batch_op.alter_column("hash", existing_type=sa.String(length=64), nullable=False)
        batch_op.create_unique_constraint(batch_op.f("uq_audit_event_hash"), ["hash"])
        batch_op.drop_constraint("uq_audit_event_mac", type_="unique")
        batch_op.drop_column("nonce")
        batch_op.drop_column("mac")
