"""The test harness: an app per test on a clean database (SQLite and PostgreSQL), clients per role,
real Redis with an RQ worker in burst mode, a real SMTP server, and a real browser."""
import contextvars
import os
import tempfile

import hypothesis
import hypothesis.configuration

import pytest
from flask.testing import FlaskClient
import sqlalchemy as sa

from govchallenge import create_app
from govchallenge.extensions import db, limiter
from tests.support import factories
from tests.support.databases import make_backend
from tests.support.s3server import S3Server
from tests.support.services import REDIS_URL, LiveServer, PrivateRedis, require_redis, start_smtp

BACKENDS = ("sqlite", "postgresql")


def pytest_addoption(parser):
    parser.addoption(
        "--db",
        default=os.environ.get("TEST_DATABASES", ",".join(BACKENDS)),
        help="comma-separated database backends to run the suite on (sqlite, postgresql)",
    )
    parser.addoption(
        "--only-database-tests", action="store_true",
        help="run only the tests that use a database: for a second run beside one that covers the rest "
             "(make test runs the PostgreSQL suite so, beside the SQLite one)",
    )


def pytest_generate_tests(metafunc):
    if "backend" not in metafunc.fixturenames:
        return
    names = [n.strip() for n in metafunc.config.getoption("--db").split(",") if n.strip()]
    if metafunc.definition.get_closest_marker("browser") or metafunc.definition.get_closest_marker("single_db"):
        names = names[:1]  # a real browser exercises the pages, not the SQL dialect
    wanted = metafunc.definition.get_closest_marker("only_db")
    if wanted:
        names = [n for n in names if n in wanted.args] or ["unselected"]  # deselected in pytest_collection_modifyitems
    metafunc.parametrize("backend", names, indirect=True, scope="session")


@pytest.hookimpl(trylast=True)  # after pytest-randomly has chosen its seed
def pytest_configure(config):
    config.addinivalue_line("markers", "single_db: runs on the first backend only")
    config.addinivalue_line("markers", "only_db(*names): runs on these backends only")
    # Tests write only into temporary folders: the app's instance folder (secret key, SQLite file, mail) included.
    os.environ["INSTANCE_PATH"] = tempfile.mkdtemp(prefix="govchallenge-instance-")
    # No example database (old failures replayed from it would flatter later runs), no cache in the tree.
    hypothesis.configuration.set_hypothesis_home_dir(tempfile.mkdtemp(prefix="govchallenge-hypothesis-"))
    hypothesis.settings.register_profile("govchallenge", database=None)
    hypothesis.settings.load_profile("govchallenge")
    # One printed seed repeats a whole run: pytest-randomly's seed (the order of the tests, `random`) also
    # seeds Hypothesis, unless --hypothesis-seed is given. Each run still draws a new seed.
    seed = getattr(config.option, "randomly_seed", None)
    if isinstance(seed, int) and config.getoption("--hypothesis-seed") is None:
        from hypothesis import core as hypothesis_core

        hypothesis_core.global_force_seed = seed


def pytest_collection_modifyitems(config, items):
    """A test marked only_db for backends not chosen with --db is deselected, never run on another backend."""
    chosen = {n.strip() for n in config.getoption("--db").split(",") if n.strip()}
    only_database = config.getoption("--only-database-tests")
    kept, dropped = [], []
    for item in items:
        wanted = item.get_closest_marker("only_db")
        unwanted = (wanted and not chosen & set(wanted.args)) or (
            only_database and "backend" not in getattr(item, "fixturenames", ()))
        (dropped if unwanted else kept).append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept


@pytest.fixture(scope="session")
def backend(request, tmp_path_factory):
    chosen = make_backend(request.param, tmp_path_factory.mktemp(f"db-{request.param}"))
    app = create_app(_base_config(chosen, tmp_path_factory.mktemp("prepare")))
    chosen.prepare(app)
    with app.app_context():
        db.engine.dispose()
    yield chosen
    chosen.teardown()


def _base_config(backend, folder):
    return {
        "TESTING": True,
        "SECRET_KEY": "test-secret-key-not-for-production",
        "SQLALCHEMY_DATABASE_URI": backend.url(),
        "DATABASE_URL": backend.url(),
        "REDIS_URL": "",
        "WTF_CSRF_ENABLED": False,
        "MAIL_SERVER": "",
        "MAIL_FILE_DIR": str(folder / "mail"),
        "STORAGE_DIR": str(folder / "files"),
        "AUDIT_CHECKPOINT_DIR": str(folder / "audit"),
        "EXPORT_DIR": str(folder / "exports"),
        "RATELIMIT_STORAGE_URI": "memory://",
        "SERVER_NAME_FOR_LINKS": "http://localhost",
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
    }


class IsolatedClient(FlaskClient):
    """Each request runs outside the test's app context, as in production: its own `g`, its own
    database session. Tests see the request's changes after `db.session.expire_all()`."""

    def open(self, *args, **kwargs):
        return contextvars.Context().run(super().open, *args, **kwargs)


@pytest.fixture
def make_app(backend, tmp_path):
    """Builds the app for this test on a clean database; keyword arguments override settings."""
    created = []

    def build(defaults=(), **overrides):
        """`defaults` names settings left to create_app's own defaults (not set by the test harness)."""
        config = _base_config(backend, tmp_path)
        config.update(overrides)
        for name in defaults:
            config.pop(name, None)
        app = create_app(config)
        app.test_client_class = IsolatedClient
        if not created:
            backend.reset(app)
        reset_rate_limits()
        created.append(app)
        return app

    yield build
    for app in created:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


def reset_rate_limits():
    """Empty counters for each test's app. Flask-Limiter keeps one extension object per process: a test that
    stopped the Redis holding the counters leaves it on its in-memory fallback (a flag init_app never clears),
    whose counters would then carry from test to test. Production builds one app per process."""
    limiter.reset()
    limiter._storage_dead = False
    fallback = getattr(limiter, "_fallback_storage", None)
    if fallback is not None:
        fallback.reset()


@pytest.fixture
def app(make_app):
    app = make_app()
    with app.app_context():
        yield app


@pytest.fixture
def client(app):
    return app.test_client()


def login(client, user, password=factories.PASSWORD):
    response = client.post("/login", data={"email": user.email, "password": password})
    assert response.status_code == 302, f"login of {user.email} failed: {response.status_code}"
    return client


@pytest.fixture
def login_as(app):
    """login_as(user) -> a fresh test client signed in as that user."""

    def sign_in(user):
        db.session.commit()
        return login(app.test_client(), user)

    return sign_in


@pytest.fixture
def people(app):
    """One user per platform role, committed."""
    admin = factories.make_user(email="admin@platform.eu", name="Ada Admin", admin=True)
    officer = factories.make_user(email="officer@ministry.gov.pl", name="Olga Officer")
    member = factories.make_user(email="member@ministry.gov.pl", name="Marek Member")
    participant = factories.make_user(email="pat@startup.dk", name="Pat Participant", country="DK")
    unverified = factories.make_user(email="new@example.org", name="Una Verified", verified=False)
    ministry = factories.make_public_body(country="PL", verified=True, officer=officer, name="Ministry of Digital Affairs")
    factories.make_organisation(kind="startup", country="DK", officer=participant, name="Danish Startup")
    from govchallenge.organisations.operations import add_member

    add_member(officer, ministry, member)
    db.session.commit()
    return {
        "admin": admin, "officer": officer, "member": member, "participant": participant,
        "unverified": unverified, "ministry": ministry,
    }


@pytest.fixture
def client_for(app, people):
    """client_for("officer") -> a client signed in with that role; "anonymous" signs in nobody."""

    def make(role):
        if role == "anonymous":
            return app.test_client()
        return login(app.test_client(), people[role])

    return make


# --- real services ---------------------------------------------------------------------------

@pytest.fixture(scope="session")
def redis_url():
    return require_redis(REDIS_URL)


@pytest.fixture
def redis_app(make_app, redis_url):
    """The app with jobs going through a real Redis queue."""
    from redis import Redis

    Redis.from_url(redis_url).flushdb()
    app = make_app(REDIS_URL=redis_url, RQ_QUEUE="govchallenge-test")
    with app.app_context():
        yield app
    Redis.from_url(redis_url).flushdb()


@pytest.fixture
def rq_worker():
    """run() drains the queue with a real RQ worker in burst mode, in this process."""
    from rq import SimpleWorker

    from govchallenge.jobs.queue import get_queue, redis_connection

    def run():
        connection = redis_connection()
        worker = SimpleWorker([get_queue(connection)], connection=connection)
        worker.work(burst=True)
        db.session.remove()
        return worker

    return run


@pytest.fixture
def private_redis():
    server = PrivateRedis().start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def s3_server(tmp_path_factory):
    """One S3-compatible server (moto, its own process on loopback) for the session; each test takes a bucket."""
    server = S3Server(tmp_path_factory.mktemp("s3")).start()
    yield server
    server.stop()


@pytest.fixture
def private_s3(tmp_path):
    """An S3-compatible server of this test's own, which it may stop."""
    server = S3Server(tmp_path / "s3").start()
    yield server
    server.stop()


@pytest.fixture
def smtp():
    controller, sink = start_smtp()
    sink.port = controller.port
    yield sink
    controller.stop()


@pytest.fixture
def mail_app(make_app, smtp):
    app = make_app(MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp.port)
    with app.app_context():
        yield app


# --- the browser -----------------------------------------------------------------------------

@pytest.fixture(scope="session")
def playwright_browser():
    from playwright.sync_api import sync_playwright

    from tests.support.browser import launch

    with sync_playwright() as playwright:
        browser = launch(playwright)
        yield browser
        browser.close()


@pytest.fixture
def live_app(make_app, smtp):
    """A live server with CSRF on and real SMTP, as in production."""
    app = make_app(WTF_CSRF_ENABLED=True, MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp.port)
    server = LiveServer(app).start()
    app.live_url = server.url
    with app.app_context():
        yield app
    server.stop()


@pytest.fixture
def page(playwright_browser, live_app):
    context = playwright_browser.new_context(base_url=live_app.live_url, locale="en-GB")
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def count_rows(model):
    return db.session.execute(sa.select(sa.func.count()).select_from(model)).scalar()
