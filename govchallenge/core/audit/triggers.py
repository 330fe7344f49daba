"""Append-only in the database itself: triggers refuse UPDATE and DELETE on audit_event and audit_seal,
whoever asks (the ORM, a raw SQL statement, a console). Only audit_pending, the sealer's queue, may
lose rows. TRUNCATE is not refused (row triggers do not fire on it): the test suite empties tables with it,
and an operator who truncates the trail is caught by `audit verify` against the checkpoints.

A trigger does not stop the database's owner, who can drop it: that is what the MACs and the
checkpoints outside the database are for. For more, run the application as a role with only INSERT and
SELECT on these tables (README). On SQLite, a later migration that rebuilds audit_event or audit_seal in
batch mode drops their triggers: it must call `create(bind)` again (test_audit fails otherwise).
"""
import sqlalchemy as sa

TABLES = ("audit_event", "audit_seal")
MESSAGE = "the audit trail is append-only"

_POSTGRES_FUNCTION = f"""
CREATE OR REPLACE FUNCTION audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '{MESSAGE}: % on % refused', TG_OP, TG_TABLE_NAME;
END
$$
"""


def _postgres_statements(table):
    return [f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION audit_append_only()"]


def _sqlite_statements(table):
    return [
        f"CREATE TRIGGER {table}_no_{verb.lower()} BEFORE {verb} ON {table} "
        f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}: {verb} on {table} refused'); END"
        for verb in ("UPDATE", "DELETE")
    ]


def create(bind, tables=TABLES):
    """Install the triggers (in a migration: `create(op.get_bind())`)."""
    dialect = bind.dialect.name
    if dialect == "postgresql":
        bind.execute(sa.text(_POSTGRES_FUNCTION))
    for table in tables:
        statements = _postgres_statements(table) if dialect == "postgresql" else _sqlite_statements(table)
        for statement in statements:
            bind.execute(sa.text(statement))


def drop(bind, tables=TABLES):
    """Remove them (a downgrade, or a test playing an attacker who owns the database)."""
    dialect = bind.dialect.name
    for table in tables:
        if dialect == "postgresql":
            bind.execute(sa.text(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}"))
        else:
            for verb in ("update", "delete"):
                bind.execute(sa.text(f"DROP TRIGGER IF EXISTS {table}_no_{verb}"))
    if dialect == "postgresql" and set(tables) == set(TABLES):
        bind.execute(sa.text("DROP FUNCTION IF EXISTS audit_append_only()"))
