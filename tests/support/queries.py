"""Counting the SQL statements a request runs: `with counting() as statements: ...`, or `queries(client, path)`."""
from contextlib import contextmanager

import sqlalchemy as sa

from govchallenge.extensions import db


@contextmanager
def counting():
    statements = []

    def count(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", count)


def queries(client, path):
    """How many statements a GET of `path` ran (it must answer 200)."""
    with counting() as statements:
        response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    return len(statements)
