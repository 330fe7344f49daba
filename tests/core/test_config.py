import pytest

from govchallenge import create_app
from govchallenge.config import ConfigError, normalise_database_url


def test_embedded_default_needs_no_setting(monkeypatch, tmp_path):
    for name in ("DATABASE_URL", "REDIS_URL", "SECRET_KEY", "MAIL_SERVER"):
        monkeypatch.delenv(name, raising=False)
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'x.sqlite'}", "MAIL_FILE_DIR": str(tmp_path)})
    assert app.config["JOBS_INLINE"] is True
    assert len(app.config["SECRET_KEY"]) >= 32
    assert app.config["MAIL_SERVER"] == ""


def test_embedded_default_uses_sqlite_in_the_instance_folder(monkeypatch):
    for name in ("DATABASE_URL", "REDIS_URL", "SECRET_KEY"):
        monkeypatch.delenv(name, raising=False)
    app = create_app()
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{app.instance_path}/govchallenge.sqlite"


@pytest.mark.parametrize("variable", ["DATABASE_URL", "REDIS_URL"])
def test_production_without_secret_key_stops_with_a_clear_message(monkeypatch, variable):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setenv(variable, "postgresql://db/x" if variable == "DATABASE_URL" else "redis://127.0.0.1:1/0")
    with pytest.raises(ConfigError, match="SECRET_KEY is not set"):
        create_app()


def test_redis_url_switches_jobs_to_the_queue(monkeypatch):
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:6379/3")
    monkeypatch.setenv("SECRET_KEY", "x" * 40)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    app = create_app()
    assert app.config["JOBS_INLINE"] is False
    assert app.config["RATELIMIT_STORAGE_URI"] == "redis://127.0.0.1:6379/3"


@pytest.mark.parametrize(
    "given, expected",
    [
        ("postgres://u@h/db", "postgresql+psycopg://u@h/db"),
        ("postgresql://u@h/db", "postgresql+psycopg://u@h/db"),
        ("postgresql+psycopg://u@h/db", "postgresql+psycopg://u@h/db"),
        ("sqlite:////tmp/x", "sqlite:////tmp/x"),
    ],
)
def test_database_urls_use_psycopg_3(given, expected):
    assert normalise_database_url(given) == expected
