"""jury: round kinds for the finals: pairwise comparison (demo day) and a ranked vote (Schulze method)

Revision ID: 0012_finals
Revises: 0012_scale

- jury_round.kind: "rubric" (every existing round), "pairwise" or "ranked";
- pairwise_showing: each finalist shown to a juror in a pairwise round, in order, with the juror's answer on it
  (the previous finalist or this one was better), once;
- ranked_ballot: a juror's ranking of the finalists in a ranked round (groups of equals, best first).
"""
import sqlalchemy as sa
from alembic import op

import govchallenge.core.timeutil

revision = "0012_finals"
down_revision = "0012_scale"
branch_labels = None
depends_on = None


def upgrade():
    UTC = govchallenge.core.timeutil.UTCDateTime
    with op.batch_alter_table("jury_round", schema=None) as batch_op:
        batch_op.add_column(sa.Column("kind", sa.String(length=10), nullable=False, server_default="rubric"))
    op.create_table(
        "pairwise_showing",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("public_id", sa.String(length=24), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("juror_id", sa.Integer(), nullable=False),
        sa.Column("submission_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("shown_at", UTC(timezone=True), nullable=False),
        sa.Column("choice", sa.String(length=10), nullable=True),
        sa.Column("voted_at", UTC(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["juror_id"], ["juror.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["round_id"], ["jury_round.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["submission_id"], ["submission.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("public_id"),
        sa.UniqueConstraint("round_id", "juror_id", "submission_id"),
        sa.UniqueConstraint("round_id", "juror_id", "position"),
    )
    with op.batch_alter_table("pairwise_showing", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_pairwise_showing_round_id"), ["round_id"], unique=False)
    op.create_table(
        "ranked_ballot",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("juror_id", sa.Integer(), nullable=False),
        sa.Column("ranking", sa.JSON(), nullable=False),
        sa.Column("submitted_at", UTC(timezone=True), nullable=False),
        sa.Column("updated_at", UTC(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["juror_id"], ["juror.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["round_id"], ["jury_round.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("round_id", "juror_id"),
    )
    with op.batch_alter_table("ranked_ballot", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_ranked_ballot_round_id"), ["round_id"], unique=False)


def downgrade():
    with op.batch_alter_table("ranked_ballot", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_ranked_ballot_round_id"))
    op.drop_table("ranked_ballot")
    with op.batch_alter_table("pairwise_showing", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_pairwise_showing_round_id"))
    op.drop_table("pairwise_showing")
    with op.batch_alter_table("jury_round", schema=None) as batch_op:
        batch_op.drop_column("kind")
