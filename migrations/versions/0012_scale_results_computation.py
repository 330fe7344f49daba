"""results: the ranking and agreement of a challenge computed once per set of inputs (results_computation)

Revision ID: 0012_scale
Revises: 0011_identity
"""
from alembic import op
import sqlalchemy as sa
import govchallenge.core.timeutil


revision = "0012_scale"
down_revision = "0011_identity"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "results_computation",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("challenge_id", sa.Integer(), nullable=False),
        sa.Column("result", sa.JSON(), nullable=False),
        sa.Column("computed_at", govchallenge.core.timeutil.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["challenge_id"], ["challenge.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("key"),
    )
    with op.batch_alter_table("results_computation", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_results_computation_challenge_id"), ["challenge_id"], unique=False)


def downgrade():
    with op.batch_alter_table("results_computation", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_results_computation_challenge_id"))
    op.drop_table("results_computation")
