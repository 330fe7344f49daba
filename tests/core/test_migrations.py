"""The migrations and the models must describe the same schema, on both backends."""
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from govchallenge.extensions import db


def test_models_and_migrations_agree(app):
    # The test database was built by `flask db upgrade`; any model change without a revision shows here.
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True, "render_as_batch": True})
        differences = compare_metadata(context, db.metadata)
    assert differences == [], f"models differ from migrations; run `flask --app govchallenge db migrate`: {differences}"


def test_the_schema_is_at_the_newest_revision(app):
    from alembic.script import ScriptDirectory

    config = app.extensions["migrate"].migrate.get_config()
    heads = ScriptDirectory.from_config(config).get_heads()
    assert len(heads) == 1, f"several migration heads: {heads}"
    with db.engine.connect() as connection:
        assert MigrationContext.configure(connection).get_current_revision() == heads[0]
