"""The two database backends the suite runs on. A missing server fails loudly; nothing is skipped."""
import os
import shutil
import uuid
from pathlib import Path

import sqlalchemy as sa

POSTGRES_ADMIN_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


class Backend:
    name = ""

    def url(self):
        raise NotImplementedError

    def prepare(self, app):
        """Once per session: build the schema with the real migrations."""

    def reset(self, app):
        """Before each test: an empty database."""

    def teardown(self):
        pass


def _upgrade(app):
    from flask_migrate import upgrade

    with app.app_context():
        upgrade()


class SQLiteBackend(Backend):
    """A migrated template file, copied for each test: cheap and truly fresh."""

    name = "sqlite"

    def __init__(self, folder):
        self.folder = Path(folder)
        self.template = self.folder / "template.sqlite"
        self.current = self.folder / "current.sqlite"

    def url(self):
        return f"sqlite:///{self.current}"

    def prepare(self, app):
        _upgrade(app)
        with app.app_context():
            from govchallenge.extensions import db

            db.engine.dispose()
        shutil.copyfile(self.current, self.template)

    def reset(self, app):
        with app.app_context():
            from govchallenge.extensions import db

            db.engine.dispose()
        shutil.copyfile(self.template, self.current)


class PostgresBackend(Backend):
    """Tables created once by the migrations in a database of our own; emptied before each test."""

    name = "postgresql"

    def __init__(self):
        self.database = f"govchallenge_test_{uuid.uuid4().hex[:8]}"
        admin = sa.create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
        try:
            with admin.connect() as connection:
                connection.execute(sa.text(f'CREATE DATABASE "{self.database}"'))
        except sa.exc.OperationalError as error:
            raise RuntimeError(
                f"PostgreSQL is not reachable at {POSTGRES_ADMIN_URL}: start it "
                "(pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start) "
                "or run the suite with --db=sqlite"
            ) from error
        finally:
            admin.dispose()

    def url(self):
        return POSTGRES_ADMIN_URL.rsplit("/", 1)[0] + "/" + self.database

    def prepare(self, app):
        _upgrade(app)

    def reset(self, app):
        from govchallenge.extensions import db

        with app.app_context():
            tables = [t.name for t in db.metadata.sorted_tables]
            db.session.execute(sa.text("TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " RESTART IDENTITY CASCADE"))
            db.session.commit()
            db.session.remove()

    def teardown(self):
        admin = sa.create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{self.database}" WITH (FORCE)'))
        admin.dispose()


def make_backend(name, tmp_folder):
    if name == "sqlite":
        return SQLiteBackend(tmp_folder)
    if name == "postgresql":
        return PostgresBackend()
    raise ValueError(f"unknown database backend {name!r}; use sqlite or postgresql")
