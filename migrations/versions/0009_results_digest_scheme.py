"""results: the rule each publication's digest was taken by

Revision ID: 0009_digest_scheme
Revises: 0008_jury_rounds

New publications hash their document's RFC 8785 (JSON Canonicalization Scheme) form. Publications made
before were hashed by the platform's own canonical form (floats with six decimals): they are marked with
that rule, so `results verify` checks each one by the rule it was published with and their digests stay
valid. Proposals (no digest yet) get their rule when they are published.
"""
import sqlalchemy as sa
from alembic import op

revision = "0009_digest_scheme"
down_revision = "0008_jury_rounds"
branch_labels = None
depends_on = None

LEGACY = "six-decimals-sha256"  # results/digests.py LEGACY, written out: a migration must not change with the code


def upgrade():
    with op.batch_alter_table("publication") as batch:
        batch.add_column(sa.Column("digest_scheme", sa.String(length=32), nullable=True))
    publication = sa.table("publication", sa.column("digest", sa.String), sa.column("digest_scheme", sa.String))
    op.execute(publication.update().where(publication.c.digest.isnot(None)).values(digest_scheme=LEGACY))


def downgrade():
    # Publications taken by RFC 8785 would be checked by the old rule after a downgrade and fail: refuse.
    bind = op.get_bind()
    newer = bind.execute(sa.text(
        "SELECT COUNT(*) FROM publication WHERE digest_scheme IS NOT NULL AND digest_scheme != :legacy"
    ), {"legacy": LEGACY}).scalar()
    if newer:
        raise RuntimeError(f"{newer} publication(s) carry an RFC 8785 digest that revision 0007 cannot verify; "
                           "downgrading would make them fail `results verify`")
    with op.batch_alter_table("publication") as batch:
        batch.drop_column("digest_scheme")
