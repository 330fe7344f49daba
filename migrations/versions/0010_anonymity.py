"""anonymity: files' inspections (texts, cleaned copy) and entries' screenings for names

Revision ID: 0010_anonymity
Revises: 0009_digest_scheme
"""
import sqlalchemy as sa
from alembic import op

import govchallenge.core.timeutil

revision = "0010_anonymity"
down_revision = "0009_digest_scheme"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "file_inspection",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("mime_type", sa.String(length=120), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("clean_sha256", sa.String(length=64), nullable=True),
        sa.Column("texts", sa.JSON(), nullable=False),
        sa.Column("inspected_at", govchallenge.core.timeutil.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_file_inspection")),
        sa.UniqueConstraint("sha256", name=op.f("uq_file_inspection_sha256")),
    )
    op.create_table(
        "entry_screening",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("submission_id", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("findings", sa.JSON(), nullable=False),
        sa.Column("checked_at", govchallenge.core.timeutil.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["submission_id"], ["submission.id"], name=op.f("fk_entry_screening_submission_id_submission"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_entry_screening")),
        sa.UniqueConstraint("submission_id", "sha256", name=op.f("uq_entry_screening_submission_id_sha256")),
    )


def downgrade():
    op.drop_table("entry_screening")
    op.drop_table("file_inspection")
