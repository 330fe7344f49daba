"""legal: the operator's texts of the legal and help pages, and the operator's particulars

Revision ID: 0012_legal
Revises: 0012_reuse
"""
from alembic import op
import sqlalchemy as sa
import govchallenge.core.timeutil


revision = "0012_legal"
down_revision = "0012_reuse"
branch_labels = None
depends_on = None


def upgrade():
    UTC = govchallenge.core.timeutil.UTCDateTime
    op.create_table(
        "legal_text",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("page", sa.String(length=30), nullable=False),
        sa.Column("body", sa.JSON(), nullable=False),
        sa.Column("updated_at", UTC(), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["updated_by_id"], ["user_account.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("page"),
    )
    op.create_table(
        "legal_settings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("operator_name", sa.String(length=200), nullable=False),
        sa.Column("operator_address", sa.String(length=500), nullable=False),
        sa.Column("contact_email", sa.String(length=254), nullable=False),
        sa.Column("protection_officer_email", sa.String(length=254), nullable=False),
        sa.Column("enforcement_name", sa.String(length=200), nullable=False),
        sa.Column("enforcement_url", sa.String(length=500), nullable=False),
        sa.Column("supervisory_name", sa.String(length=200), nullable=False),
        sa.Column("supervisory_url", sa.String(length=500), nullable=False),
        sa.Column("conformance", sa.String(length=10), nullable=False),
        sa.Column("statement_prepared_on", sa.Date(), nullable=True),
        sa.Column("updated_at", UTC(), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["updated_by_id"], ["user_account.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
    )


def downgrade():
    op.drop_table("legal_settings")
    op.drop_table("legal_text")
