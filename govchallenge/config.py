"""Settings from the environment. With nothing set the embedded default runs:
SQLite in the instance folder, jobs inline, mail written to files."""
import os
import secrets
from pathlib import Path


class ConfigError(RuntimeError):
    """Start-up cannot go on: the message says what to set."""


def _int(name, default):
    return int(os.environ.get(name, default))


def _bool(name, default=False):
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def normalise_database_url(url):
    """Heroku-style postgres:// and plain postgresql:// both use psycopg 3."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://"):]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    return url


def is_embedded(settings):
    return not settings.get("DATABASE_URL") and not settings.get("REDIS_URL")


def load_settings(instance_path):
    """Read the environment into a flat dict of Flask settings."""
    instance = Path(instance_path)
    database_url = os.environ.get("DATABASE_URL", "")
    settings = {
        "DATABASE_URL": database_url,
        "SQLALCHEMY_DATABASE_URI": normalise_database_url(database_url)
        if database_url
        else f"sqlite:///{instance / 'govchallenge.sqlite'}",
        "REDIS_URL": os.environ.get("REDIS_URL", ""),
        "RQ_QUEUE": os.environ.get("RQ_QUEUE", "govchallenge"),
        "SECRET_KEY": os.environ.get("SECRET_KEY", ""),
        "SERVER_NAME_FOR_LINKS": os.environ.get("BASE_URL", "http://127.0.0.1:5000"),
        "MAIL_SERVER": os.environ.get("MAIL_SERVER", ""),
        "MAIL_PORT": _int("MAIL_PORT", 25),
        "MAIL_USERNAME": os.environ.get("MAIL_USERNAME", ""),
        "MAIL_PASSWORD": os.environ.get("MAIL_PASSWORD", ""),
        "MAIL_USE_TLS": _bool("MAIL_USE_TLS"),
        "MAIL_SENDER": os.environ.get("MAIL_SENDER", "govchallenge <no-reply@govchallenge.localhost>"),
        "MAIL_FILE_DIR": os.environ.get("MAIL_FILE_DIR", str(instance / "mail")),
        "MAIL_RETRY_HOURS": float(os.environ.get("MAIL_RETRY_HOURS", 24)),
        # Messages sent over one SMTP connection before it is renewed (servers limit them per connection).
        "MAIL_MESSAGES_PER_CONNECTION": _int("MAIL_MESSAGES_PER_CONNECTION", 100),
        # Deliveries of one announcement sent by one job: bigger announcements are split among the workers.
        "ANNOUNCE_CHUNK_SIZE": _int("ANNOUNCE_CHUNK_SIZE", 500),
        "STORAGE_DIR": os.environ.get("STORAGE_DIR", str(instance / "files")),
        "MAX_ATTACHMENT_MB": _int("MAX_ATTACHMENT_MB", 25),
        "MAX_FILES_PER_SAVE": _int("MAX_FILES_PER_SAVE", 5),
        "RATELIMIT_STORAGE_URI": os.environ.get("RATELIMIT_STORAGE_URI")
        or os.environ.get("REDIS_URL")
        or "memory://",
        # Failed sign-ins per account from one address: throttles the guesser, not the owner elsewhere.
        "LOGIN_LIMIT": os.environ.get("LOGIN_LIMIT", "5 per 15 minutes"),
        # Failed sign-ins per account from all addresses together: the slower ceiling; the owner is told.
        "LOGIN_ACCOUNT_LIMIT": os.environ.get("LOGIN_ACCOUNT_LIMIT", "20 per hour"),
        "LOGIN_IP_LIMIT": os.environ.get("LOGIN_IP_LIMIT", "30 per 15 minutes"),
        "RESET_LIMIT": os.environ.get("RESET_LIMIT", "5 per hour"),
        "REGISTER_LIMIT": os.environ.get("REGISTER_LIMIT", "10 per hour"),
        "REGISTER_EMAIL_LIMIT": os.environ.get("REGISTER_EMAIL_LIMIT", "3 per hour"),
        "ACCOUNT_NOTICE_LIMIT": os.environ.get("ACCOUNT_NOTICE_LIMIT", "1 per day"),
        # Messages of the contact form sent per address, and its attempts of any kind (refused ones too).
        "CONTACT_LIMIT": os.environ.get("CONTACT_LIMIT", "3 per hour"),
        "CONTACT_ATTEMPT_LIMIT": os.environ.get("CONTACT_ATTEMPT_LIMIT", "20 per hour"),
        # People's Choice votes (changes included) per account, and per network address (an office shares one).
        "PCHOICE_VOTE_ACCOUNT_LIMIT": os.environ.get("PCHOICE_VOTE_ACCOUNT_LIMIT", "10 per hour"),
        "PCHOICE_VOTE_ADDRESS_LIMIT": os.environ.get("PCHOICE_VOTE_ADDRESS_LIMIT", "120 per hour"),
        "TRUSTED_PROXIES": _int("TRUSTED_PROXIES", 0),
        # The header in which the trusted proxy stamps when it had the whole request (deadline fairness); empty: off.
        "REQUEST_START_HEADER": os.environ.get("REQUEST_START_HEADER", ""),
        "HEALTHZ_TOKEN": os.environ.get("HEALTHZ_TOKEN", ""),
        "TOKEN_MAX_AGE_SECONDS": _int("TOKEN_MAX_AGE_SECONDS", 48 * 3600),
        "SESSION_COOKIE_SECURE": _bool("SESSION_COOKIE_SECURE"),
        "RESULTS_WEBHOOK_TIMEOUT": _int("RESULTS_WEBHOOK_TIMEOUT", 5),
        "WEBHOOK_ALLOW_PRIVATE": _bool("WEBHOOK_ALLOW_PRIVATE"),
        # Web origins whose pages may call the read-only API from a browser, comma-separated; empty: any origin.
        "API_CORS_ORIGINS": [o.strip() for o in os.environ.get("API_CORS_ORIGINS", "").split(",") if o.strip()],
        "JURY_REMINDER_HOURS_BEFORE": _int("JURY_REMINDER_HOURS_BEFORE", 48),
        # From this many entry-juror pairs (entries x jurors) the chair's run of the assignment is a job.
        "JURY_ASSIGN_JOB_FROM": _int("JURY_ASSIGN_JOB_FROM", 20_000),
        # Sign-in through the instance's own OpenID Connect provider (docs/identity.md); off while OIDC_ISSUER is empty.
        "OIDC_ISSUER": os.environ.get("OIDC_ISSUER", ""),
        "OIDC_CLIENT_ID": os.environ.get("OIDC_CLIENT_ID", ""),
        "OIDC_CLIENT_SECRET": os.environ.get("OIDC_CLIENT_SECRET", ""),
        "OIDC_SCOPES": os.environ.get("OIDC_SCOPES", "openid email profile"),
        "OIDC_LABEL": os.environ.get("OIDC_LABEL", "OpenID Connect"),
        # The domains whose addresses the instance's provider may vouch for; empty: any address.
        "OIDC_EMAIL_DOMAINS": os.environ.get("OIDC_EMAIL_DOMAINS", ""),
        # A first sign-in through a provider creates an account (or only signs in existing ones).
        "OIDC_CREATE_ACCOUNTS": _bool("OIDC_CREATE_ACCOUNTS", True),
        "OIDC_TIMEOUT_SECONDS": float(os.environ.get("OIDC_TIMEOUT_SECONDS", 5)),
        "OIDC_METADATA_SECONDS": _int("OIDC_METADATA_SECONDS", 3600),
        # Your data (docs/privacy.md): a sign-in this recent stands for typing the password again.
        "REAUTH_SECONDS": _int("REAUTH_SECONDS", 300),
        "EXPORT_DIR": os.environ.get("EXPORT_DIR", str(instance / "exports")),
        "EXPORT_LINK_HOURS": _int("EXPORT_LINK_HOURS", 48),
        # Retention periods, in days: the one place they are set (privacy/retention.py applies them).
        "RETENTION_DRAFT_DAYS": _int("RETENTION_DRAFT_DAYS", 365),
        "RETENTION_INVITATION_DAYS": _int("RETENTION_INVITATION_DAYS", 30),
        "RETENTION_UNVERIFIED_DAYS": _int("RETENTION_UNVERIFIED_DAYS", 30),
        "RETENTION_SIGNIN_DAYS": _int("RETENTION_SIGNIN_DAYS", 90),
        "RETENTION_MAIL_DAYS": _int("RETENTION_MAIL_DAYS", 30),
        "RETENTION_INTERVAL_HOURS": float(os.environ.get("RETENTION_INTERVAL_HOURS", 24)),
        # The phase banner under the header ("alpha", "beta"; empty: no banner).
        "SERVICE_PHASE": os.environ.get("SERVICE_PHASE", "beta"),
        "AUDIT_KEY": os.environ.get("AUDIT_KEY", ""),
        "AUDIT_CHECKPOINT_DIR": os.environ.get("AUDIT_CHECKPOINT_DIR", str(instance / "audit")),
        "AUDIT_CHECKPOINT_EVERY": _int("AUDIT_CHECKPOINT_EVERY", 100),
        "AUDIT_CHECKPOINT_SECONDS": _int("AUDIT_CHECKPOINT_SECONDS", 60),
        "AUDIT_CHECKPOINT_EMAIL": os.environ.get("AUDIT_CHECKPOINT_EMAIL", ""),
        # After every commit in the embedded default; outside it, at most once a second per process, since a
        # seal run per audited request costs writers more than it saves (bench/bench_audit_writes.py).
        # Anonymous pages kept rendered (core/page_cache.py): on, off, or auto (on with Redis, or in the embedded
        # default; a store in one process's memory is wrong when several processes serve the site).
        "PAGE_CACHE": os.environ.get("PAGE_CACHE", "auto"),
        # The longest a kept page lives in Redis: the bound on staleness should a version bump be lost.
        "PAGE_CACHE_MAX_SECONDS": _int("PAGE_CACHE_MAX_SECONDS", 600),
        "AUDIT_SEAL_INTERVAL": float(os.environ.get("AUDIT_SEAL_INTERVAL", "1" if database_url else "0")),
    }
    return settings


def embedded_secret_key(instance_path):
    """The embedded default keeps a generated key in the instance folder, so a newcomer sets nothing."""
    path = Path(instance_path) / "secret_key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_hex(32))
    return path.read_text().strip()


def finalise(settings, instance_path):
    if not settings.get("SECRET_KEY"):
        if not is_embedded(settings):
            raise ConfigError(
                "SECRET_KEY is not set. Outside the embedded default (DATABASE_URL or REDIS_URL set) "
                "govchallenge needs a long random SECRET_KEY in the environment, e.g. "
                "`export SECRET_KEY=$(python -c 'import secrets; print(secrets.token_hex(32))')`."
            )
        settings["SECRET_KEY"] = embedded_secret_key(instance_path)
    if settings.get("OIDC_ISSUER") and not settings.get("OIDC_CLIENT_ID"):
        raise ConfigError("OIDC_ISSUER is set but OIDC_CLIENT_ID is not: give the client ID registered at the provider.")
    settings["JOBS_INLINE"] = not settings.get("REDIS_URL")
    # The remember-me cookie lives a year: it travels only where the session cookie may.
    settings.setdefault("REMEMBER_COOKIE_SECURE", bool(settings.get("SESSION_COOKIE_SECURE")))
    # Room for a full save of files, each at the limit, so the form (not a bare 413) answers and keeps the text.
    settings["MAX_CONTENT_LENGTH"] = (settings["MAX_ATTACHMENT_MB"] * settings["MAX_FILES_PER_SAVE"] + 5) * 1024 * 1024
    return settings


BASE = {
    "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "REMEMBER_COOKIE_HTTPONLY": True,
    "REMEMBER_COOKIE_SAMESITE": "Lax",
    "WTF_CSRF_TIME_LIMIT": None,
    "BABEL_DEFAULT_LOCALE": "en",
    "BABEL_DEFAULT_TIMEZONE": "UTC",
    "RATELIMIT_HEADERS_ENABLED": True,
    # Said for every app: Flask-Limiter keeps one extension object per process and otherwise carries the
    # previous app's choice over (an app built with limits off would leave the next one without limits).
    "RATELIMIT_ENABLED": True,
    # Redis down must not lock everyone out: counting goes on in memory until it is back.
    "RATELIMIT_SWALLOW_ERRORS": True,
    "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED": True,
}
