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

Serving: a hit is answered by the app's first before_request hook (`serve_kept_page`) when the visitor is
plainly anonymous (a shareable session bound to this browser, no remember-me cookie or pending choice): no user
is loaded, no other before_request hook runs, and the after_request hooks (security headers, CORS, validators,
the session cookie) run as for any response, so a hit carries what a miss carries. Anyone else goes the
ordinary way, where Flask-Login decides, and `cached_page` serves or renders. Rate limits: hits are exempt (the
limiter's hook comes after; a hit costs less than the check); misses and every other request are limited as
before.

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
import time
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
    """Pages as JSON strings under their key; the versions as one JSON object under one key, so a hit reads the
    page and the versions with one MGET of two strings (a hash's HGETALL costs several times more to parse in
    the client, on every hit). A bump is a script Redis runs atomically: concurrent bumps never lose one."""

    BUMP = """
    local raw = redis.call('GET', KEYS[1])
    local versions = raw and cjson.decode(raw) or {}
    for _, table in ipairs(ARGV) do versions[table] = (versions[table] or 0) + 1 end
    redis.call('SET', KEYS[1], cjson.encode(versions))
    """

    def __init__(self, url, prefix):
        import redis

        self.redis = redis.Redis.from_url(url, socket_timeout=1, socket_connect_timeout=1)
        self.prefix, self.versions_key = prefix, prefix + "versions"
        self._bump = self.redis.register_script(self.BUMP)

    def read(self, key):
        raw, versions = self.redis.mget((self.prefix + "page:" + key, self.versions_key))
        return (json.loads(raw) if raw else None), (json.loads(versions) if versions else {})

    def keep(self, key, page, seconds):
        self.redis.set(self.prefix + "page:" + key, json.dumps(page), ex=max(1, int(seconds)))

    def bump(self, tables):
        try:
            self._bump(keys=[self.versions_key], args=sorted(tables))
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
    # Before every other hook (the NUL guard, CSRF, the limiter): a page is kept only from a view's answer, so
    # only after every guard let its address through.
    app.before_request_funcs.setdefault(None, []).insert(0, serve_kept_page)
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


def is_plainly_anonymous():
    """Whether Flask-Login would find nobody signed in and leave the session as it is, known without asking it
    (it would load the user, check the session's binding, read the remember-me cookie): a session holding only
    shareable keys (so no account), no remember-me choice pending, bound to this browser if it holds anything,
    and no remember-me cookie. Anything else (a visitor whose binding fails, a returning "keep me signed in")
    goes the ordinary way, where Flask-Login decides."""
    from .. import extensions

    keys = session.keys()
    if not keys <= SHAREABLE_SESSION_KEYS or "_remember" in keys:
        return False
    if current_app.config.get("REMEMBER_COOKIE_NAME", "remember_token") in request.cookies:
        return False
    return not keys or session.get("_id") == extensions.login_manager._session_identifier_generator()


def page_key():
    """The address, the language and the zone, as the locale and zone selectors give them (what Babel parses
    for the render), without building Babel's objects on a hit."""
    from .i18n import select_locale, select_timezone

    return f"{request.scheme}://{request.host}{request.full_path}|{select_locale()}|{select_timezone()}"


def _is_current(page, versions, now):
    if any(versions.get(table, 0) != version for table, version in page["tables"].items()):
        return False
    return datetime.fromisoformat(page["from"]) <= now and (page["until"] is None or now < datetime.fromisoformat(page["until"]))


_SIGNED_TOKENS = {}
SIGNED_TOKEN_REUSE_SECONDS = 60
SIGNED_TOKENS_KEPT = 10000


def _csrf_token():
    """This visitor's signed CSRF token for a kept page, as Flask-WTF's generate_csrf makes it. Signing (a key
    derivation and an HMAC) costs as much as the rest of a hit, so a token this process signed for the same
    session token in the last minute is handed out again: it proves the same thing, and its age (what
    WTF_CSRF_TIME_LIMIT counts, when set) is at most a minute more. Keyed by the session's own token and the
    signing key, so nobody is handed a token made for another session."""
    from flask_wtf.csrf import generate_csrf

    raw, config = session.get("csrf_token"), current_app.config
    if "csrf_token" in g or not isinstance(raw, str) or config.get("WTF_CSRF_FIELD_NAME", "csrf_token") != "csrf_token":
        return generate_csrf()
    key, now = (config.get("WTF_CSRF_SECRET_KEY") or current_app.secret_key, raw), time.monotonic()
    signed = _SIGNED_TOKENS.get(key)
    if signed is not None and now - signed[1] < SIGNED_TOKEN_REUSE_SECONDS:
        g.csrf_token = signed[0]
        return signed[0]
    token = generate_csrf()
    if len(_SIGNED_TOKENS) >= SIGNED_TOKENS_KEPT:
        _SIGNED_TOKENS.clear()
    _SIGNED_TOKENS[key] = (token, now)
    return token


def _served(page):
    body = page["body"]
    if CSRF_PLACEHOLDER in body:
        body = body.replace(CSRF_PLACEHOLDER, _csrf_token())
    response = make_response(body, 200)
    for name, value in page["headers"]:
        response.headers[name] = value
    g.page_cache = "hit"
    return response


def _read(store, key):
    """(kept page or None, versions), or None when the store cannot be read."""
    try:
        return store.read(key)
    except Exception:
        log.warning("page cache unreachable: rendering %s", request.path, exc_info=True)
        return None


def serve_kept_page():
    """The first before_request hook: a current kept page for a plainly anonymous GET of a cached view, answered
    before any other hook runs and without loading the user (Flask-Login's answer is set to the anonymous user,
    as it would find). The after_request hooks run as for every response, so a hit carries the same headers.

    Rate limits: a hit is exempt (it is answered before Flask-Limiter's hook; it costs less than the check).
    Every other request, a miss of the same page included, goes through the limiter as before."""
    store = _store()
    if store is None or request.method != "GET" or not getattr(
            current_app.view_functions.get(request.endpoint), "page_cache", False) or not is_plainly_anonymous():
        return None
    from .. import extensions

    g._login_user = extensions.login_manager.anonymous_user()
    key, now = page_key(), utcnow()
    read = _read(store, key)
    if read is None:
        return None
    page, versions = read
    if page is not None and _is_current(page, versions, now):
        return _served(page)
    g.page_cache_read = (key, versions)  # the view renders it: versions read before the render, as the rule asks
    return None


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
    kept. Anyone else (signed in, a personal session, not a GET) gets the view as it is. Most hits are answered
    earlier, by serve_kept_page; this one serves those it left (a visitor Flask-Login had to look at)."""

    @wraps(view)
    def answer(*args, **kwargs):
        store = _store()
        if store is None or request.method != "GET" or not is_shared_visitor():
            return view(*args, **kwargs)
        key, now = page_key(), utcnow()
        already = g.pop("page_cache_read", None)
        if already is not None and already[0] == key:
            page, versions = None, already[1]
        else:
            read = _read(store, key)
            if read is None:
                return view(*args, **kwargs)
            page, versions = read
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

    answer.page_cache = True
    return answer
