"""Rendered public pages kept for anonymous visitors, and thrown away exactly when what they show changes.

What a page shows comes from three sources, and each has its own rule:

- **Stored rows.** Every statement a page runs while it renders is seen on its way to the database, and the
  tables it reads are written down with their version at the moment the request began. Every statement that
  writes (ORM flush, bulk update, Core `engine.begin()` in jobs) marks its table on the connection; when that
  connection's transaction has committed, the table's version goes up. A kept page is served only while every
  table it read still has the version it was rendered at. Nobody lists "what this page depends on" by hand, so
  a panel another domain adds later is covered as it is written. Text SQL read while rendering makes a page
  unkeepable; text SQL that writes bumps every page (`*`).
- **The clock.** A page kept at `now` is valid until the next moment its state can change: the earliest stored
  moment later than `now` among the rows it loaded (a stage closing, a challenge opening), or an earlier moment
  a view declares with `valid_until` (rows a query left out because of the clock, a countdown's next hour).
  The moment is checked against `utcnow()` at every hit.
- **The visitor.** Only a GET from a visitor who is not signed in, whose session holds nothing but the CSRF
  token and their language or zone choice (`SHAREABLE_SESSION_KEYS`), is answered from or kept in the cache. The
  key holds the address (scheme, host, path and query), the language and the zone. A page's CSRF token is
  stored as a placeholder and each visitor gets their own. A response that set a cookie, flashed a message,
  or came out other than 200 is never kept.

Why versions are bumped after the commit and read before the render: a reader who sees the old version renders
either the old state (kept under the old version, which nobody asks for once it moves) or the new one (newer
than its key, harmless); a reader who sees the new version started after the commit and reads the new state.

Stores: Redis when REDIS_URL is set (shared by every process); otherwise one process's memory, which is right
only when one process serves the site (the embedded default), so outside it PAGE_CACHE must say `on` for it.
Redis keeps an entry at most PAGE_CACHE_MAX_SECONDS: the bound on staleness if a version bump is lost while
Redis is unreachable or restored from an older snapshot. The key names the code's build, so a deployment
never serves pages of the previous templates."""
import contextvars
import hashlib
import json
import logging
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import datetime
from functools import wraps
from pathlib import Path

import sqlalchemy as sa
from flask import current_app, g, make_response, request, session
from flask_login import current_user
from sqlalchemy import event
from sqlalchemy.sql import util as sql_util

from .timeutil import as_utc, utcnow

log = logging.getLogger(__name__)

EXTENSION = "govchallenge.page_cache"
EVERYTHING = "*"
SHAREABLE_SESSION_KEYS = frozenset({"csrf_token", "language", "timezone", "_remember", "_id"})
CSRF_PLACEHOLDER = "\x00csrf-token\x00"
KEPT_HEADERS = ("Content-Type", "Content-Language", "Last-Modified")
WRITTEN, COMMITTED = "page_cache.written", "page_cache.committed"
READ_ONLY_TEXT = ("SELECT", "SHOW", "SET", "PRAGMA", "BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE")

_capture = contextvars.ContextVar("page_cache_capture", default=None)


# --- what a render read ------------------------------------------------------------------------

@dataclass
class Capture:
    now: datetime
    tables: set = field(default_factory=set)
    opaque: bool = False
    until: datetime | None = None

    def moment(self, value):
        value = as_utc(value)
        if value is not None and value > self.now and (self.until is None or value < self.until):
            self.until = value


def valid_until(moment):
    """The page being rendered may change at `moment` for a reason no loaded row shows (a query that left rows
    out by the clock, a countdown): it is not served after it. No effect outside a cached render."""
    capture = _capture.get()
    if capture is not None and moment is not None:
        capture.moment(moment)


def tables_of(statement):
    return {t.name for t in sql_util.find_tables(statement, check_columns=True, include_aliases=True,
                                                 include_joins=True, include_selects=True, include_crud=True)
            if isinstance(t, sa.Table)}


def _is_text(statement):
    return isinstance(statement, sa.TextClause)


def _written_tables(statement):
    if isinstance(statement, (sa.Insert, sa.Update, sa.Delete)):
        return {statement.table.name}
    if _is_text(statement) and not str(statement).lstrip().upper().startswith(READ_ONLY_TEXT):
        return {EVERYTHING}
    return set()


_MOMENT_KEYS = {}


def _datetime_keys(mapper):
    """The mapper's date-time attributes, looked up once per mapper."""
    keys = _MOMENT_KEYS.get(mapper)
    if keys is None:
        types = {a.key: a.columns[0].type for a in mapper.column_attrs}
        keys = _MOMENT_KEYS[mapper] = [key for key, kind in types.items() if isinstance(getattr(kind, "impl", kind), sa.DateTime)]
    return keys


def _on_load(instance, *_args):
    capture = _capture.get()
    if capture is None:
        return
    state = sa.inspect(instance)
    for key in _datetime_keys(state.mapper):
        value = state.dict.get(key)
        if isinstance(value, datetime):
            capture.moment(value)


def _listen_to_models(model_base):
    if not event.contains(model_base, "load", _on_load):
        event.listen(model_base, "load", _on_load, propagate=True)
        event.listen(model_base, "refresh", _on_load, propagate=True)


def _listen_to_engine(engine, app):
    """Reads while capturing; writes marked on the connection, bumped once its transaction committed."""

    @event.listens_for(engine, "before_execute")
    def seen(connection, statement, *_args):
        written = _written_tables(statement)
        if written:
            connection.info.setdefault(WRITTEN, set()).update(written)
        capture = _capture.get()
        if capture is not None and not written:
            if _is_text(statement):
                capture.opaque = True
            else:
                capture.tables |= tables_of(statement)

    @event.listens_for(engine, "commit")
    def committed(connection):
        written = connection.info.pop(WRITTEN, None)
        if written:
            connection.info.setdefault(COMMITTED, set()).update(written)

    @event.listens_for(engine, "rollback")
    def rolled_back(connection):
        connection.info.pop(WRITTEN, None)

    def bump_committed(info):
        committed_tables = info.pop(COMMITTED, None)
        store = app.extensions.get(EXTENSION)
        if committed_tables and store is not None:
            store.bump(committed_tables)

    # The DBAPI commit is over once the connection goes back to the pool or starts its next transaction.
    event.listen(engine.pool, "checkin", lambda _dbapi, record: bump_committed(record.info))
    event.listen(engine, "begin", lambda connection: bump_committed(connection.info))


# --- stores ------------------------------------------------------------------------------------

class MemoryStore:
    """One process's pages and versions (the embedded default: one process serves the site)."""

    def __init__(self, size=2000):
        self.size, self.lock = size, threading.Lock()
        self.pages, self.versions = OrderedDict(), {}

    def read(self, key):
        with self.lock:
            page = self.pages.get(key)
            if page is not None:
                self.pages.move_to_end(key)
            return page, dict(self.versions)

    def keep(self, key, page, seconds):
        with self.lock:
            self.pages[key] = page
            self.pages.move_to_end(key)
            while len(self.pages) > self.size:
                self.pages.popitem(last=False)

    def bump(self, tables):
        with self.lock:
            for table in tables:
                self.versions[table] = self.versions.get(table, 0) + 1


class RedisStore:
    """Pages as JSON strings under their key, versions as the fields of one hash (read in one round trip)."""

    def __init__(self, url, prefix):
        import redis

        self.redis = redis.Redis.from_url(url, socket_timeout=1, socket_connect_timeout=1)
        self.prefix, self.versions_key = prefix, prefix + "versions"

    def read(self, key):
        pipe = self.redis.pipeline(transaction=False)
        pipe.get(self.prefix + "page:" + key)
        pipe.hgetall(self.versions_key)
        raw, versions = pipe.execute()
        return (json.loads(raw) if raw else None), {k.decode(): int(v) for k, v in versions.items()}

    def keep(self, key, page, seconds):
        self.redis.set(self.prefix + "page:" + key, json.dumps(page), ex=max(1, int(seconds)))

    def bump(self, tables):
        try:
            pipe = self.redis.pipeline(transaction=False)
            for table in tables:
                pipe.hincrby(self.versions_key, table, 1)
            pipe.execute()
        except Exception:  # the cache must never break a write; entries expire within PAGE_CACHE_MAX_SECONDS
            log.exception("page cache: versions of %s not bumped", sorted(tables))


def build_id(roots):
    """Names this code and these templates and translations: a new deployment reads none of the old pages."""
    digest = hashlib.sha256()
    for root in roots:
        for path in sorted(Path(root).rglob("*")):
            if path.suffix in {".py", ".html", ".mo", ".txt"} and ".venv" not in path.parts:
                stat = path.stat()
                digest.update(f"{path}:{stat.st_size}:{stat.st_mtime_ns}".encode())
    return digest.hexdigest()[:16]


def init_app(app):
    """Binds a store to the app and listens to its engine (PAGE_CACHE: on, off, or auto: Redis or embedded)."""
    from govchallenge.extensions import db

    setting = str(app.config.get("PAGE_CACHE", "auto")).lower()
    enabled = setting in {"1", "true", "on", "yes"} or (
        setting == "auto" and bool(app.config.get("REDIS_URL") or not app.config.get("DATABASE_URL")))
    if not enabled:
        return
    if app.config.get("REDIS_URL"):
        prefix = f"govchallenge:pagecache:{build_id([app.root_path, app.template_folder and Path(app.root_path, app.template_folder)])}:"
        store = RedisStore(app.config["REDIS_URL"], prefix)
    else:
        store = MemoryStore()
    app.extensions[EXTENSION] = store
    _listen_to_models(db.Model)
    with app.app_context():
        for engine in db.engines.values():
            _listen_to_engine(engine, app)


def _store():
    return current_app.extensions.get(EXTENSION)


# --- serving -----------------------------------------------------------------------------------

def is_shared_visitor():
    """Not signed in, and a session holding nothing of theirs but the CSRF token and their language or zone:
    what they are shown depends only on the address, the language and the zone (the key)."""
    if getattr(current_user, "is_authenticated", False):
        return False
    return set(session.keys()) <= SHAREABLE_SESSION_KEYS


def page_key():
    from flask_babel import get_locale, get_timezone

    return f"{request.scheme}://{request.host}{request.full_path}|{get_locale()}|{get_timezone()}"


def _is_current(page, versions, now):
    if any(versions.get(table, 0) != version for table, version in page["tables"].items()):
        return False
    return datetime.fromisoformat(page["from"]) <= now and (page["until"] is None or now < datetime.fromisoformat(page["until"]))


def _csrf_token():
    from flask_wtf.csrf import generate_csrf

    return generate_csrf()


def _served(page):
    body = page["body"]
    if CSRF_PLACEHOLDER in body:
        body = body.replace(CSRF_PLACEHOLDER, _csrf_token())
    response = make_response(body, 200)
    for name, value in page["headers"]:
        response.headers[name] = value
    g.page_cache = "hit"
    return response


def _keepable(response, capture):
    return (response.status_code == 200 and not response.is_streamed and not capture.opaque
            and "Set-Cookie" not in response.headers and is_shared_visitor())


def _kept(response, capture, versions):
    body = response.get_data(as_text=True)
    token = g.get("csrf_token")
    if token:
        body = body.replace(token, CSRF_PLACEHOLDER)
    tables = {table: versions.get(table, 0) for table in capture.tables | {EVERYTHING}}
    return {"body": body, "headers": [(n, response.headers[n]) for n in KEPT_HEADERS if n in response.headers],
            "tables": tables, "from": capture.now.isoformat(),
            "until": capture.until.isoformat() if capture.until else None}


def _seconds_to_keep(capture):
    cap = current_app.config.get("PAGE_CACHE_MAX_SECONDS", 600)
    return min(cap, (capture.until - capture.now).total_seconds()) if capture.until else cap


def cached_page(view):
    """The view's answer from the cache when a current copy is kept for this visitor's key, else rendered and
    kept. Anyone else (signed in, a personal session, not a GET) gets the view as it is."""

    @wraps(view)
    def answer(*args, **kwargs):
        store = _store()
        if store is None or request.method != "GET" or not is_shared_visitor():
            return view(*args, **kwargs)
        key, now = page_key(), utcnow()
        try:
            page, versions = store.read(key)
        except Exception:
            log.warning("page cache unreachable: rendering %s", request.path, exc_info=True)
            return view(*args, **kwargs)
        if page is not None and _is_current(page, versions, now):
            return _served(page)
        capture = Capture(now=now)
        token = _capture.set(capture)
        try:
            response = make_response(view(*args, **kwargs))
        finally:
            _capture.reset(token)
        g.page_cache = "miss"
        if _keepable(response, capture):
            try:
                store.keep(key, _kept(response, capture, versions), _seconds_to_keep(capture))
            except Exception:
                log.warning("page cache: %s not kept", request.path, exc_info=True)
        return response

    return answer
