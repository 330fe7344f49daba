"""reuse: cross-border contests joined by the hosts of a challenge and its copies, with one shared award;
submissions: a submitted version keeps the openness the team declared (licence, repository, publiccode.yml)

Revision ID: 0014_contest
Revises: 0013_reuse2
"""
from alembic import op
import sqlalchemy as sa
import govchallenge.core.timeutil


revision = "0014_contest"
down_revision = "0013_reuse2"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("submission_version") as batch:
        batch.add_column(sa.Column("licence", sa.String(length=300), nullable=False, server_default=""))
        batch.add_column(sa.Column("repository_url", sa.String(length=500), nullable=False, server_default=""))
        batch.add_column(sa.Column("publiccode", sa.Text(), nullable=False, server_default=""))
    with op.batch_alter_table("contest") as batch:
        batch.add_column(sa.Column("coordinator_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("shared_award", sa.JSON(), nullable=False, server_default="{}"))
        batch.create_foreign_key("fk_contest_coordinator", "organisation", ["coordinator_id"], ["id"])
    op.create_table(
        "reuse_contest_invitation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("contest_id", sa.Integer(), nullable=False),
        sa.Column("challenge_id", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=10), nullable=False),
        sa.Column("invited_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", govchallenge.core.timeutil.UTCDateTime(), nullable=False),
        sa.Column("answered_by_id", sa.Integer(), nullable=True),
        sa.Column("answered_at", govchallenge.core.timeutil.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["contest_id"], ["contest.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["challenge_id"], ["challenge.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["invited_by_id"], ["user_account.id"]),
        sa.ForeignKeyConstraint(["answered_by_id"], ["user_account.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("contest_id", "challenge_id", name="uq_contest_invitation"),
    )
    op.create_index("ix_reuse_contest_invitation_contest_id", "reuse_contest_invitation", ["contest_id"])
    op.create_index("ix_reuse_contest_invitation_challenge_id", "reuse_contest_invitation", ["challenge_id"])


def downgrade():
    op.drop_table("reuse_contest_invitation")
    with op.batch_alter_table("contest") as batch:
        batch.drop_constraint("fk_contest_coordinator", type_="foreignkey")
        batch.drop_column("shared_award")
        batch.drop_column("coordinator_id")
    with op.batch_alter_table("submission_version") as batch:
        batch.drop_column("publiccode")
        batch.drop_column("repository_url")
        batch.drop_column("licence")
