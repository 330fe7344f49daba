"""reuse: the catalogue's open dataset, stored when it is generated

Revision ID: 0013_reuse2
Revises: 0012_mydata
"""
from alembic import op
import sqlalchemy as sa
import govchallenge.core.timeutil


revision = "0013_reuse2"
down_revision = "0012_mydata"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "reuse_dataset",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("json_bytes", sa.LargeBinary(), nullable=False),
        sa.Column("csv_text", sa.Text(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("generated_at", govchallenge.core.timeutil.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )


def downgrade():
    op.drop_table("reuse_dataset")
