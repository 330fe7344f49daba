"""peoples_choice: the award, its shortlist, the teams' public release, the votes

Revision ID: 0014_pchoice
Revises: 0013_reuse2
"""
from alembic import op
import sqlalchemy as sa
import govchallenge.core.timeutil

revision = "0014_pchoice"
down_revision = "0014_contest"
branch_labels = None
depends_on = None

MOMENT = govchallenge.core.timeutil.UTCDateTime


def upgrade():
    op.create_table(
        "pchoice_award",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("challenge_id", sa.Integer(), nullable=False),
        sa.Column("opens_at", MOMENT(), nullable=False),
        sa.Column("closes_at", MOMENT(), nullable=False),
        sa.Column("opened_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", MOMENT(), nullable=False),
        sa.Column("published_at", MOMENT(), nullable=True),
        sa.Column("published_by_id", sa.Integer(), nullable=True),
        sa.Column("document", sa.JSON(), nullable=True),
        sa.Column("digest", sa.String(length=64), nullable=True),
        sa.Column("digest_scheme", sa.String(length=32), nullable=True),
        sa.ForeignKeyConstraint(["challenge_id"], ["challenge.id"], name=op.f("fk_pchoice_award_challenge_id_challenge"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["opened_by_id"], ["user_account.id"], name=op.f("fk_pchoice_award_opened_by_id_user_account")),
        sa.ForeignKeyConstraint(["published_by_id"], ["user_account.id"], name=op.f("fk_pchoice_award_published_by_id_user_account")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pchoice_award")),
        sa.UniqueConstraint("challenge_id", name=op.f("uq_pchoice_award_challenge_id")),
    )
    op.create_table(
        "pchoice_entry",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("award_id", sa.Integer(), nullable=False),
        sa.Column("submission_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["award_id"], ["pchoice_award.id"], name=op.f("fk_pchoice_entry_award_id_pchoice_award"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["submission_id"], ["submission.id"], name=op.f("fk_pchoice_entry_submission_id_submission"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pchoice_entry")),
        sa.UniqueConstraint("award_id", "submission_id", name=op.f("uq_pchoice_entry_award_id_submission_id")),
    )
    op.create_table(
        "pchoice_release",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("submission_id", sa.Integer(), nullable=False),
        sa.Column("show_title", sa.Boolean(), nullable=False),
        sa.Column("show_summary", sa.Boolean(), nullable=False),
        sa.Column("images", sa.JSON(), nullable=False),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("decided_at", MOMENT(), nullable=False),
        sa.ForeignKeyConstraint(["decided_by_id"], ["user_account.id"], name=op.f("fk_pchoice_release_decided_by_id_user_account")),
        sa.ForeignKeyConstraint(["submission_id"], ["submission.id"], name=op.f("fk_pchoice_release_submission_id_submission"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pchoice_release")),
        sa.UniqueConstraint("submission_id", name=op.f("uq_pchoice_release_submission_id")),
    )
    op.create_table(
        "pchoice_vote",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("award_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("submission_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("address_key", sa.String(length=64), nullable=False),
        sa.Column("email_domain", sa.String(length=255), nullable=False),
        sa.Column("account_created_at", MOMENT(), nullable=False),
        sa.Column("cast_at", MOMENT(), nullable=False),
        sa.Column("changed_at", MOMENT(), nullable=False),
        sa.Column("flagged_at", MOMENT(), nullable=True),
        sa.Column("flag_reasons", sa.JSON(), nullable=False),
        sa.Column("discounted_at", MOMENT(), nullable=True),
        sa.Column("discounted_by_id", sa.Integer(), nullable=True),
        sa.Column("discount_reason", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["award_id"], ["pchoice_award.id"], name=op.f("fk_pchoice_vote_award_id_pchoice_award"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["discounted_by_id"], ["user_account.id"], name=op.f("fk_pchoice_vote_discounted_by_id_user_account")),
        sa.ForeignKeyConstraint(["submission_id"], ["submission.id"], name=op.f("fk_pchoice_vote_submission_id_submission"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["user_account.id"], name=op.f("fk_pchoice_vote_user_id_user_account")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pchoice_vote")),
        sa.UniqueConstraint("award_id", "user_id", name=op.f("uq_pchoice_vote_award_id_user_id")),
    )
    with op.batch_alter_table("pchoice_vote", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_pchoice_vote_award_id"), ["award_id"], unique=False)


def downgrade():
    with op.batch_alter_table("pchoice_vote", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_pchoice_vote_award_id"))
    op.drop_table("pchoice_vote")
    op.drop_table("pchoice_release")
    op.drop_table("pchoice_entry")
    op.drop_table("pchoice_award")
