"""jury: conflicts with people, held juror lists, excluded reviews, per-entry decisions when a round closes

Revision ID: 0008_jury_rounds
Revises: 0007_audit_seal

- conflict_declaration.person: a person a juror declares (an e-mail address or a full name, as typed);
- juror.list_held_since / list_changed_at: a juror's list held after a declaration until the chair's next
  reassignment, and when it last changed;
- review.excluded_at / exclusion_reason: a submitted review kept but not counted (a conflict declared after it);
- round_entry.exclusion_kind / review_until: why an entry was taken out of a round (told to its team), and its
  per-entry review deadline past the round's closing moment.
"""
import sqlalchemy as sa
from alembic import op

import govchallenge.core.timeutil

revision = "0008_jury_rounds"
down_revision = "0007_audit_seal"
branch_labels = None
depends_on = None


def _moment(name):
    return sa.Column(name, govchallenge.core.timeutil.UTCDateTime(timezone=True), nullable=True)


def upgrade():
    with op.batch_alter_table("conflict_declaration", schema=None) as batch_op:
        batch_op.add_column(sa.Column("person", sa.String(length=320), nullable=True))
    with op.batch_alter_table("juror", schema=None) as batch_op:
        batch_op.add_column(_moment("list_held_since"))
        batch_op.add_column(_moment("list_changed_at"))
    with op.batch_alter_table("review", schema=None) as batch_op:
        batch_op.add_column(_moment("excluded_at"))
        batch_op.add_column(sa.Column("exclusion_reason", sa.Text(), nullable=True))
    with op.batch_alter_table("round_entry", schema=None) as batch_op:
        batch_op.add_column(sa.Column("exclusion_kind", sa.String(length=20), nullable=True))
        batch_op.add_column(_moment("review_until"))


def downgrade():
    with op.batch_alter_table("round_entry", schema=None) as batch_op:
        batch_op.drop_column("review_until")
        batch_op.drop_column("exclusion_kind")
    with op.batch_alter_table("review", schema=None) as batch_op:
        batch_op.drop_column("exclusion_reason")
        batch_op.drop_column("excluded_at")
    with op.batch_alter_table("juror", schema=None) as batch_op:
        batch_op.drop_column("list_changed_at")
        batch_op.drop_column("list_held_since")
    with op.batch_alter_table("conflict_declaration", schema=None) as batch_op:
        batch_op.drop_column("person")
