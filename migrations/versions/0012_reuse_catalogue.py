"""reuse: openness declared with entries, the reuse catalogue and its adoptions, challenges based on others

Revision ID: 0012_reuse
Revises: 0012_finals
"""
from alembic import op
import sqlalchemy as sa
import govchallenge.core.timeutil


revision = "0012_reuse"
down_revision = "0012_finals"
branch_labels = None
depends_on = None


def upgrade():
    UTC = govchallenge.core.timeutil.UTCDateTime
    with op.batch_alter_table("challenge") as batch:
        batch.add_column(sa.Column("open_licence", sa.String(length=10), nullable=False, server_default="none"))
        batch.add_column(sa.Column("based_on_id", sa.Integer(), nullable=True))
        batch.create_index("ix_challenge_based_on_id", ["based_on_id"])
        batch.create_foreign_key("fk_challenge_based_on_id", "challenge", ["based_on_id"], ["id"], ondelete="SET NULL")
    with op.batch_alter_table("submission") as batch:
        batch.add_column(sa.Column("licence", sa.String(length=300), nullable=False, server_default=""))
        batch.add_column(sa.Column("repository_url", sa.String(length=500), nullable=False, server_default=""))
        batch.add_column(sa.Column("publiccode", sa.Text(), nullable=False, server_default=""))
    op.create_table(
        "reuse_listing",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=24), nullable=False),
        sa.Column("submission_id", sa.Integer(), nullable=False),
        sa.Column("challenge_id", sa.Integer(), nullable=False),
        sa.Column("team_choice", sa.String(length=10), nullable=False),
        sa.Column("state", sa.String(length=10), nullable=False),
        sa.Column("is_winner", sa.Boolean(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("descriptions", sa.JSON(), nullable=False),
        sa.Column("languages", sa.JSON(), nullable=False),
        sa.Column("language_codes", sa.String(length=200), nullable=False),
        sa.Column("search_text", sa.Text(), nullable=False),
        sa.Column("licence", sa.String(length=300), nullable=False),
        sa.Column("permissive", sa.Boolean(), nullable=False),
        sa.Column("copyleft", sa.Boolean(), nullable=False),
        sa.Column("eupl_compatible", sa.Boolean(), nullable=False),
        sa.Column("repository_url", sa.String(length=500), nullable=False),
        sa.Column("maturity", sa.String(length=12), nullable=False),
        sa.Column("contact_name", sa.String(length=200), nullable=False),
        sa.Column("contact_email", sa.String(length=254), nullable=False),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("approved_by_id", sa.Integer(), nullable=True),
        sa.Column("approved_at", UTC(), nullable=True),
        sa.Column("created_at", UTC(), nullable=False),
        sa.Column("updated_at", UTC(), nullable=False),
        sa.ForeignKeyConstraint(["submission_id"], ["submission.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["challenge_id"], ["challenge.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["decided_by_id"], ["user_account.id"]),
        sa.ForeignKeyConstraint(["approved_by_id"], ["user_account.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("slug"),
        sa.UniqueConstraint("submission_id"),
    )
    op.create_index("ix_reuse_listing_challenge_id", "reuse_listing", ["challenge_id"])
    op.create_index("ix_reuse_listing_state", "reuse_listing", ["state"])
    op.create_table(
        "reuse_adoption",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("listing_id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=4), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", UTC(), nullable=False),
        sa.Column("withdrawn_at", UTC(), nullable=True),
        sa.Column("withdrawn_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["listing_id"], ["reuse_listing.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["organisation_id"], ["organisation.id"]),
        sa.ForeignKeyConstraint(["recorded_by_id"], ["user_account.id"]),
        sa.ForeignKeyConstraint(["withdrawn_by_id"], ["user_account.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_reuse_adoption_listing_id", "reuse_adoption", ["listing_id"])
    op.create_index("ix_reuse_adoption_organisation_id", "reuse_adoption", ["organisation_id"])


def downgrade():
    op.drop_table("reuse_adoption")
    op.drop_table("reuse_listing")
    with op.batch_alter_table("submission") as batch:
        batch.drop_column("publiccode")
        batch.drop_column("repository_url")
        batch.drop_column("licence")
    with op.batch_alter_table("challenge") as batch:
        batch.drop_constraint("fk_challenge_based_on_id", type_="foreignkey")
        batch.drop_index("ix_challenge_based_on_id")
        batch.drop_column("based_on_id")
        batch.drop_column("open_licence")
