"""The configuration's defaults, as written in the documentation of each setting: what an operator gets
when the environment says nothing. The expected values are written out here by hand, so a changed default
(a limit raised, a secure flag dropped, a wrong variable name) fails one of these tests."""
import pytest

from govchallenge import config

# Every environment variable config.py reads, cleared before each test so the machine's own settings
# never leak in.
VARIABLES = (
    "DATABASE_URL", "REDIS_URL", "RQ_QUEUE", "SECRET_KEY", "BASE_URL", "MAIL_SERVER", "MAIL_PORT", "MAIL_USERNAME",
    "MAIL_PASSWORD", "MAIL_USE_TLS", "MAIL_SENDER", "MAIL_FILE_DIR", "MAIL_RETRY_HOURS", "STORAGE_DIR",
    "MAX_ATTACHMENT_MB", "MAX_FILES_PER_SAVE", "RATELIMIT_STORAGE_URI", "LOGIN_LIMIT", "LOGIN_ACCOUNT_LIMIT",
    "LOGIN_IP_LIMIT", "RESET_LIMIT", "REGISTER_LIMIT", "REGISTER_EMAIL_LIMIT", "ACCOUNT_NOTICE_LIMIT",
    "CONTACT_LIMIT", "CONTACT_ATTEMPT_LIMIT",
    "TRUSTED_PROXIES", "HEALTHZ_TOKEN", "TOKEN_MAX_AGE_SECONDS", "SESSION_COOKIE_SECURE", "RESULTS_WEBHOOK_TIMEOUT",
    "WEBHOOK_ALLOW_PRIVATE", "JURY_REMINDER_HOURS_BEFORE", "JURY_ASSIGN_JOB_FROM", "AUDIT_KEY", "AUDIT_CHECKPOINT_DIR",
    "AUDIT_CHECKPOINT_EVERY", "AUDIT_CHECKPOINT_SECONDS", "AUDIT_CHECKPOINT_EMAIL", "AUDIT_SEAL_INTERVAL",
    "API_CORS_ORIGINS", "OIDC_ISSUER", "OIDC_CLIENT_ID", "OIDC_CLIENT_SECRET", "OIDC_SCOPES", "OIDC_LABEL",
    "OIDC_EMAIL_DOMAINS", "OIDC_CREATE_ACCOUNTS", "OIDC_METADATA_SECONDS", "OIDC_TIMEOUT_SECONDS",
    "REQUEST_START_HEADER", "MAIL_MESSAGES_PER_CONNECTION", "ANNOUNCE_CHUNK_SIZE",
    "REAUTH_SECONDS", "EXPORT_DIR", "EXPORT_LINK_HOURS", "RETENTION_DRAFT_DAYS", "RETENTION_INVITATION_DAYS",
    "RETENTION_UNVERIFIED_DAYS", "RETENTION_SIGNIN_DAYS", "RETENTION_MAIL_DAYS", "RETENTION_INTERVAL_HOURS",
    "SERVICE_PHASE", "PAGE_CACHE", "PAGE_CACHE_MAX_SECONDS", "PCHOICE_VOTE_ACCOUNT_LIMIT", "PCHOICE_VOTE_ADDRESS_LIMIT",
)


@pytest.fixture
def environment(monkeypatch):
    for name in VARIABLES:
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def test_with_nothing_set_every_setting_has_its_documented_default(environment, tmp_path):
    assert config.load_settings(tmp_path) == {
        "DATABASE_URL": "",
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/govchallenge.sqlite",
        "REDIS_URL": "",
        "RQ_QUEUE": "govchallenge",
        "SECRET_KEY": "",
        "SERVER_NAME_FOR_LINKS": "http://127.0.0.1:5000",
        "MAIL_SERVER": "",
        "MAIL_PORT": 25,
        "MAIL_USERNAME": "",
        "MAIL_PASSWORD": "",
        "MAIL_USE_TLS": False,
        "MAIL_SENDER": "govchallenge <no-reply@govchallenge.localhost>",
        "MAIL_FILE_DIR": f"{tmp_path}/mail",
        "MAIL_RETRY_HOURS": 24.0,
        "MAIL_MESSAGES_PER_CONNECTION": 100,
        "ANNOUNCE_CHUNK_SIZE": 500,
        "REQUEST_START_HEADER": "",
        "STORAGE_DIR": f"{tmp_path}/files",
        "MAX_ATTACHMENT_MB": 25,
        "MAX_FILES_PER_SAVE": 5,
        "RATELIMIT_STORAGE_URI": "memory://",
        "LOGIN_LIMIT": "5 per 15 minutes",
        "LOGIN_ACCOUNT_LIMIT": "20 per hour",
        "LOGIN_IP_LIMIT": "30 per 15 minutes",
        "RESET_LIMIT": "5 per hour",
        "REGISTER_LIMIT": "10 per hour",
        "REGISTER_EMAIL_LIMIT": "3 per hour",
        "ACCOUNT_NOTICE_LIMIT": "1 per day",
        "CONTACT_LIMIT": "3 per hour",
        "CONTACT_ATTEMPT_LIMIT": "20 per hour",
        "TRUSTED_PROXIES": 0,
        "HEALTHZ_TOKEN": "",
        "TOKEN_MAX_AGE_SECONDS": 172800,
        "SESSION_COOKIE_SECURE": False,
        "RESULTS_WEBHOOK_TIMEOUT": 5,
        "WEBHOOK_ALLOW_PRIVATE": False,
        "JURY_REMINDER_HOURS_BEFORE": 48,
        "REAUTH_SECONDS": 300,
        "EXPORT_DIR": f"{tmp_path}/exports",
        "EXPORT_LINK_HOURS": 48,
        "RETENTION_DRAFT_DAYS": 365,
        "RETENTION_INVITATION_DAYS": 30,
        "RETENTION_UNVERIFIED_DAYS": 30,
        "RETENTION_SIGNIN_DAYS": 90,
        "RETENTION_MAIL_DAYS": 30,
        "RETENTION_INTERVAL_HOURS": 24.0,
        "JURY_ASSIGN_JOB_FROM": 20000,
        "AUDIT_KEY": "",
        "AUDIT_CHECKPOINT_DIR": f"{tmp_path}/audit",
        "AUDIT_CHECKPOINT_EVERY": 100,
        "AUDIT_CHECKPOINT_SECONDS": 60,
        "AUDIT_CHECKPOINT_EMAIL": "",
        "AUDIT_SEAL_INTERVAL": 0.0,
        "API_CORS_ORIGINS": [],
        "OIDC_ISSUER": "",
        "OIDC_CLIENT_ID": "",
        "OIDC_CLIENT_SECRET": "",
        "OIDC_SCOPES": "openid email profile",
        "OIDC_LABEL": "OpenID Connect",
        "OIDC_EMAIL_DOMAINS": "",
        "OIDC_CREATE_ACCOUNTS": True,
        "OIDC_METADATA_SECONDS": 3600,
        "OIDC_TIMEOUT_SECONDS": 5.0,
        "SERVICE_PHASE": "beta",
        "PAGE_CACHE": "auto",
        "PAGE_CACHE_MAX_SECONDS": 600,
        "PCHOICE_VOTE_ACCOUNT_LIMIT": "10 per hour",
        "PCHOICE_VOTE_ADDRESS_LIMIT": "120 per hour",
    }


# (variable, value in the environment, setting, value read)
FROM_ENVIRONMENT = [
    ("DATABASE_URL", "postgres://u@h/db", "SQLALCHEMY_DATABASE_URI", "postgresql+psycopg://u@h/db"),
    ("REDIS_URL", "redis://h:1/2", "REDIS_URL", "redis://h:1/2"),
    ("RQ_QUEUE", "q2", "RQ_QUEUE", "q2"),
    ("SECRET_KEY", "s" * 40, "SECRET_KEY", "s" * 40),
    ("BASE_URL", "https://x.eu", "SERVER_NAME_FOR_LINKS", "https://x.eu"),
    ("MAIL_SERVER", "smtp.x.eu", "MAIL_SERVER", "smtp.x.eu"),
    ("MAIL_PORT", "587", "MAIL_PORT", 587),
    ("MAIL_USERNAME", "u", "MAIL_USERNAME", "u"),
    ("MAIL_PASSWORD", "p", "MAIL_PASSWORD", "p"),
    ("MAIL_USE_TLS", "yes", "MAIL_USE_TLS", True),
    ("MAIL_SENDER", "x <a@x.eu>", "MAIL_SENDER", "x <a@x.eu>"),
    ("MAIL_FILE_DIR", "/m", "MAIL_FILE_DIR", "/m"),
    ("MAIL_RETRY_HOURS", "2.5", "MAIL_RETRY_HOURS", 2.5),
    ("STORAGE_DIR", "/f", "STORAGE_DIR", "/f"),
    ("MAX_ATTACHMENT_MB", "7", "MAX_ATTACHMENT_MB", 7),
    ("MAX_FILES_PER_SAVE", "3", "MAX_FILES_PER_SAVE", 3),
    ("RATELIMIT_STORAGE_URI", "redis://h:1/9", "RATELIMIT_STORAGE_URI", "redis://h:1/9"),
    ("LOGIN_LIMIT", "1 per hour", "LOGIN_LIMIT", "1 per hour"),
    ("LOGIN_ACCOUNT_LIMIT", "2 per hour", "LOGIN_ACCOUNT_LIMIT", "2 per hour"),
    ("LOGIN_IP_LIMIT", "3 per hour", "LOGIN_IP_LIMIT", "3 per hour"),
    ("RESET_LIMIT", "4 per hour", "RESET_LIMIT", "4 per hour"),
    ("REGISTER_LIMIT", "5 per hour", "REGISTER_LIMIT", "5 per hour"),
    ("REGISTER_EMAIL_LIMIT", "6 per hour", "REGISTER_EMAIL_LIMIT", "6 per hour"),
    ("ACCOUNT_NOTICE_LIMIT", "7 per day", "ACCOUNT_NOTICE_LIMIT", "7 per day"),
    ("CONTACT_LIMIT", "2 per day", "CONTACT_LIMIT", "2 per day"),
    ("CONTACT_ATTEMPT_LIMIT", "9 per hour", "CONTACT_ATTEMPT_LIMIT", "9 per hour"),
    ("TRUSTED_PROXIES", "2", "TRUSTED_PROXIES", 2),
    ("REQUEST_START_HEADER", "X-Request-Start", "REQUEST_START_HEADER", "X-Request-Start"),
    ("MAIL_MESSAGES_PER_CONNECTION", "50", "MAIL_MESSAGES_PER_CONNECTION", 50),
    ("ANNOUNCE_CHUNK_SIZE", "250", "ANNOUNCE_CHUNK_SIZE", 250),
    ("HEALTHZ_TOKEN", "t", "HEALTHZ_TOKEN", "t"),
    ("TOKEN_MAX_AGE_SECONDS", "60", "TOKEN_MAX_AGE_SECONDS", 60),
    ("SESSION_COOKIE_SECURE", "true", "SESSION_COOKIE_SECURE", True),
    ("RESULTS_WEBHOOK_TIMEOUT", "9", "RESULTS_WEBHOOK_TIMEOUT", 9),
    ("WEBHOOK_ALLOW_PRIVATE", "on", "WEBHOOK_ALLOW_PRIVATE", True),
    ("JURY_REMINDER_HOURS_BEFORE", "12", "JURY_REMINDER_HOURS_BEFORE", 12),
    ("JURY_ASSIGN_JOB_FROM", "500", "JURY_ASSIGN_JOB_FROM", 500),
    ("AUDIT_KEY", "k", "AUDIT_KEY", "k"),
    ("AUDIT_CHECKPOINT_DIR", "/a", "AUDIT_CHECKPOINT_DIR", "/a"),
    ("AUDIT_CHECKPOINT_EVERY", "10", "AUDIT_CHECKPOINT_EVERY", 10),
    ("AUDIT_CHECKPOINT_SECONDS", "30", "AUDIT_CHECKPOINT_SECONDS", 30),
    ("AUDIT_CHECKPOINT_EMAIL", "ops@x.eu", "AUDIT_CHECKPOINT_EMAIL", "ops@x.eu"),
    ("AUDIT_SEAL_INTERVAL", "2.5", "AUDIT_SEAL_INTERVAL", 2.5),
]


@pytest.mark.parametrize("variable, given, setting, expected", FROM_ENVIRONMENT)
def test_each_setting_is_read_from_its_own_variable(environment, tmp_path, variable, given, setting, expected):
    environment.setenv(variable, given)
    assert config.load_settings(tmp_path)[setting] == expected


def test_rate_limits_are_counted_in_redis_when_the_platform_has_one(environment, tmp_path):
    environment.setenv("REDIS_URL", "redis://h:1/2")
    assert config.load_settings(tmp_path)["RATELIMIT_STORAGE_URI"] == "redis://h:1/2"
    environment.setenv("RATELIMIT_STORAGE_URI", "redis://other:1/3")
    assert config.load_settings(tmp_path)["RATELIMIT_STORAGE_URI"] == "redis://other:1/3"


def test_outside_the_embedded_default_the_audit_trail_is_sealed_at_most_once_a_second(environment, tmp_path):
    environment.setenv("DATABASE_URL", "postgresql://u@h/db")
    assert config.load_settings(tmp_path)["AUDIT_SEAL_INTERVAL"] == 1.0


@pytest.mark.parametrize("value", ["1", "true", "TRUE", " yes ", "On"])
def test_a_switch_is_on_for_the_usual_words(environment, tmp_path, value):
    environment.setenv("SESSION_COOKIE_SECURE", value)
    assert config.load_settings(tmp_path)["SESSION_COOKIE_SECURE"] is True


@pytest.mark.parametrize("value", ["0", "false", "no", "off", "", "secure"])
def test_a_switch_is_off_for_anything_else(environment, tmp_path, value):
    environment.setenv("MAIL_USE_TLS", value)
    assert config.load_settings(tmp_path)["MAIL_USE_TLS"] is False


@pytest.mark.parametrize("settings, embedded", [
    ({}, True),
    ({"DATABASE_URL": "", "REDIS_URL": ""}, True),
    ({"DATABASE_URL": "postgresql://h/db"}, False),
    ({"REDIS_URL": "redis://h/0"}, False),
])
def test_the_embedded_default_is_the_one_without_database_or_redis(settings, embedded):
    assert config.is_embedded(settings) is embedded


def settings_for(tmp_path, **values):
    settings = {"MAX_ATTACHMENT_MB": 25, "MAX_FILES_PER_SAVE": 5, "REDIS_URL": "", "DATABASE_URL": "",
                "SECRET_KEY": "k" * 40, "SESSION_COOKIE_SECURE": False}
    settings.update(values)
    return config.finalise(settings, tmp_path)


def test_the_remember_me_cookie_is_as_secure_as_the_session_cookie(tmp_path):
    assert settings_for(tmp_path, SESSION_COOKIE_SECURE=True)["REMEMBER_COOKIE_SECURE"] is True
    assert settings_for(tmp_path, SESSION_COOKIE_SECURE=False)["REMEMBER_COOKIE_SECURE"] is False
    # Said on its own, it is kept.
    assert settings_for(tmp_path, SESSION_COOKIE_SECURE=False, REMEMBER_COOKIE_SECURE=True)["REMEMBER_COOKIE_SECURE"] is True


def test_a_request_may_carry_a_full_save_of_files_and_its_text(tmp_path):
    assert settings_for(tmp_path)["MAX_CONTENT_LENGTH"] == 130 * 1024 * 1024  # 25 MB x 5 files + 5 MB
    assert settings_for(tmp_path, MAX_ATTACHMENT_MB=2, MAX_FILES_PER_SAVE=3)["MAX_CONTENT_LENGTH"] == 11 * 1024 * 1024


def test_jobs_run_inline_exactly_when_there_is_no_redis(tmp_path):
    assert settings_for(tmp_path)["JOBS_INLINE"] is True
    assert settings_for(tmp_path, REDIS_URL="redis://h/0")["JOBS_INLINE"] is False


def test_a_secret_key_that_is_set_is_kept(tmp_path):
    assert settings_for(tmp_path, SECRET_KEY="given" * 8)["SECRET_KEY"] == "given" * 8
    assert not (tmp_path / "secret_key").exists()


def test_the_embedded_default_generates_one_secret_key_and_keeps_it(tmp_path):
    folder = tmp_path / "not" / "made" / "yet"
    first = settings_for(folder, SECRET_KEY="")["SECRET_KEY"]
    assert len(first) == 64 and int(first, 16) >= 0
    assert (folder / "secret_key").read_text() == first
    assert settings_for(folder, SECRET_KEY="")["SECRET_KEY"] == first


@pytest.mark.parametrize("variable", ["DATABASE_URL", "REDIS_URL"])
def test_outside_the_embedded_default_a_missing_secret_key_stops_the_start(tmp_path, variable):
    with pytest.raises(config.ConfigError) as stopped:
        settings_for(tmp_path, SECRET_KEY="", **{variable: "x://h/0"})
    # The message says what is missing, why, and the command that makes a key.
    assert str(stopped.value) == (
        "SECRET_KEY is not set. Outside the embedded default (DATABASE_URL or REDIS_URL set) govchallenge needs a "
        "long random SECRET_KEY in the environment, e.g. "
        "`export SECRET_KEY=$(python -c 'import secrets; print(secrets.token_hex(32))')`.")
    assert not (tmp_path / "secret_key").exists()


@pytest.mark.parametrize("setting, expected", [
    ("SESSION_COOKIE_HTTPONLY", True), ("SESSION_COOKIE_SAMESITE", "Lax"), ("SESSION_COOKIE_SECURE", False),
    ("REMEMBER_COOKIE_HTTPONLY", True), ("REMEMBER_COOKIE_SAMESITE", "Lax"), ("REMEMBER_COOKIE_SECURE", False),
    ("RATELIMIT_ENABLED", True), ("RATELIMIT_SWALLOW_ERRORS", True), ("RATELIMIT_IN_MEMORY_FALLBACK_ENABLED", True),
    ("WTF_CSRF_TIME_LIMIT", None), ("BABEL_DEFAULT_TIMEZONE", "UTC"),
])
def test_an_app_built_with_nothing_set_has_safe_cookies_and_limits(environment, tmp_path, setting, expected):
    """The cookies stay out of scripts and cross-site posts; limits stay on when Redis is down. (CSRF on by
    default: tests/security/test_csrf.py.)"""
    from govchallenge import create_app

    environment.setenv("INSTANCE_PATH", str(tmp_path))
    assert create_app().config[setting] == expected
