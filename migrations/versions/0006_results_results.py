"""results

Revision ID: 0006_results
Revises: 0005_jury
Create Date: 2026-11-22 21:13:09.714213

"""
from alembic import op
import sqlalchemy as sa
import govchallenge.core.timeutil


# revision identifiers, used by Alembic.
revision = '0006_results'
down_revision = '0005_jury'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
