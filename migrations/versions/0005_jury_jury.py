"""jury

Revision ID: 0005_jury
Revises: 0004_submissions
Create Date: 2026-11-22 21:13:09.004201

"""
from alembic import op
import sqlalchemy as sa
import govchallenge.core.timeutil


# revision identifiers, used by Alembic.
revision = '0005_jury'
down_revision = '0004_submissions'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
