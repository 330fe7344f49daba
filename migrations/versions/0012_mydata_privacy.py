"""mydata: erased accounts, the personal part of audit events kept outside the signed payload, data exports

Revision ID: 0012_mydata
Revises: 0012_legal

audit_event gains a nullable column (ADD COLUMN: on SQLite the table is not rebuilt, so its append-only
triggers stay). Events written before keep their MAC: the payload names personal_digest only when it is set.
"""
from alembic import op
import sqlalchemy as sa
import govchallenge.core.timeutil


revision = "0012_mydata"
down_revision = "0012_legal"
branch_labels = None
depends_on = None


def upgrade():
    UTC = govchallenge.core.timeutil.UTCDateTime
    op.add_column("user_account", sa.Column("erased_at", UTC(), nullable=True))
    op.add_column("audit_event", sa.Column("personal_digest", sa.String(length=64), nullable=True))
    op.create_table(
        "audit_personal",
        sa.Column("event_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("email_digest", sa.String(length=64), nullable=True),
        sa.Column("salt", sa.String(length=32), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["event_id"], ["audit_event.id"]),
        sa.PrimaryKeyConstraint("event_id"),
    )
    op.create_index("ix_audit_personal_user_id", "audit_personal", ["user_id"])
    op.create_index("ix_audit_personal_email_digest", "audit_personal", ["email_digest"])
    op.create_table(
        "data_export",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=10), nullable=False),
        sa.Column("nonce", sa.String(length=32), nullable=False),
        sa.Column("outbox_job_id", sa.Integer(), nullable=True),
        sa.Column("size", sa.Integer(), nullable=True),
        sa.Column("requested_at", UTC(), nullable=False),
        sa.Column("ready_at", UTC(), nullable=True),
        sa.Column("expires_at", UTC(), nullable=True),
        sa.Column("mailed_at", UTC(), nullable=True),
        sa.Column("downloaded_at", UTC(), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["user_account.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("nonce"),
    )
    op.create_index("ix_data_export_user_id", "data_export", ["user_id"])
    op.create_index("uq_data_export_pending", "data_export", ["user_id"], unique=True,
                    sqlite_where=sa.text("state = 'pending'"), postgresql_where=sa.text("state = 'pending'"))


def downgrade():
    op.drop_index("uq_data_export_pending", table_name="data_export")
    op.drop_index("ix_data_export_user_id", table_name="data_export")
    op.drop_table("data_export")
    op.drop_index("ix_audit_personal_email_digest", table_name="audit_personal")
    op.drop_index("ix_audit_personal_user_id", table_name="audit_personal")
    op.drop_table("audit_personal")
    # Dropping a column rebuilds audit_event on SQLite (batch mode): its triggers must be put back.
    from govchallenge.core.audit import triggers

    with op.batch_alter_table("audit_event") as batch:
        batch.drop_column("personal_digest")
    if op.get_bind().dialect.name == "sqlite":
        triggers.create(op.get_bind(), tables=("audit_event",))
    with op.batch_alter_table("user_account") as batch:
        batch.drop_column("erased_at")
