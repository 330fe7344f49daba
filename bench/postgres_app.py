"""An app on a fresh PostgreSQL database for a benchmark: the settings every PostgreSQL benchmark shares."""
from govchallenge import create_app


def postgres_bench_app(backend, folder, **overrides):
    """A prepared app on `backend` (a tests.support.databases.PostgresBackend) with its files under `folder`.

    A pool large enough for a burst of concurrent requests; Redis, SMTP and the rate limiter's storage kept
    local, so that only the database is measured. `overrides` adds or replaces settings."""
    config = {
        "TESTING": True, "SECRET_KEY": "bench", "SQLALCHEMY_DATABASE_URI": backend.url(), "DATABASE_URL": backend.url(),
        "REDIS_URL": "", "MAIL_SERVER": "", "MAIL_FILE_DIR": str(folder / "mail"), "STORAGE_DIR": str(folder / "files"),
        "RATELIMIT_STORAGE_URI": "memory://",
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_size": 20, "max_overflow": 10, "pool_timeout": 120},
        **overrides,
    }
    app = create_app(config)
    backend.prepare(app)
    return app
