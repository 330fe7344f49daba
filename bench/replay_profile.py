"""The measured cause of a page's gap in the replay table: one in-process render of the page, profiled.

`python bench/replay_profile.py PATH [EMAIL]` on the replay's database (DATABASE_URL, opened read-only: a render
that would write is refused and says so) and its Redis (the page cache the HTTP run filled). A first request warms
the process; the second is profiled. Prints one JSON line: the milliseconds of the render, whether the page
cache answered (hit / miss / not a cached page), the queries it ran, the three functions of the platform's own code with
the most cumulative time (below the request's own dispatch), and the three with the most time of their own.
Run by bench/replay_http.py for each page that misses its goal (PROFILE=0 leaves it out).
"""
import cProfile
import json
import pstats
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402
from flask import g  # noqa: E402

from govchallenge import create_app  # noqa: E402
from govchallenge.accounts.models import User  # noqa: E402
from govchallenge.extensions import db, login_manager  # noqa: E402

USER_AGENT = "replay-benchmark"
OWN = str(ROOT / "govchallenge")
WRAPPERS = ("flask/", "werkzeug/", "flask_login/", "flask_wtf/", "flask_limiter/")


def signed_in_client(app, email):
    """A test client whose session is that of `email` after a sign-in (no form posted: the database is
    read-only), bound to this client's browser as "strong" session protection wants."""
    client = app.test_client()
    with app.app_context():
        user = db.session.execute(sa.select(User).where(User.email == email)).scalar_one()
        session_id = f"{user.id}:{user.session_version}"
    with app.test_request_context(headers={"User-Agent": USER_AGENT}, environ_base={"REMOTE_ADDR": "127.0.0.1"}):
        identifier = login_manager._session_identifier_generator()
    with client.session_transaction() as session:
        session.update({"_user_id": session_id, "_fresh": True, "_id": identifier})
    return client


def label(function):
    filename, line, name = function
    if filename.startswith(OWN):
        filename = filename[len(str(ROOT)) + 1:]
    elif "site-packages/" in filename:
        filename = filename.split("site-packages/", 1)[1]
    return f"{name} ({filename}:{line})"


def top(stats, key, own_only, whole):
    rows = []
    for function, (_calls, _primitive, own_time, cumulative, _callers) in stats.stats.items():
        if own_only and not function[0].startswith(OWN):
            continue
        if key == "cumulative" and (cumulative >= 0.9 * whole or function[0].endswith("page_cache.py")):
            continue  # the request's own dispatch and its wrappers: true of every page
        rows.append((cumulative if key == "cumulative" else own_time, function))
    rows.sort(reverse=True)
    return [f"{label(function)} {seconds * 1000:.0f} ms" for seconds, function in rows[:3]]


def main(path, email=None):
    app = create_app({"SQLALCHEMY_ENGINE_OPTIONS": {"connect_args": {"options": "-c default_transaction_read_only=on"}}})
    statements = []

    @app.after_request
    def note(response):
        statements.append(("cache", g.get("page_cache") or "", response.status_code))
        return response

    with app.app_context():
        sa.event.listen(db.engine, "before_cursor_execute", lambda *args: statements.append(("sql",)))
    client = signed_in_client(app, email) if email else app.test_client()
    headers = {"User-Agent": USER_AGENT}
    client.get(path, headers=headers)  # warms this process (imports, templates, the pool)
    statements.clear()
    profiler = cProfile.Profile()
    started = time.perf_counter()
    profiler.enable()
    response = client.get(path, headers=headers)
    profiler.disable()
    elapsed = time.perf_counter() - started
    stats = pstats.Stats(profiler)
    cache = next((entry[1] for entry in statements if entry[0] == "cache"), "")
    print(json.dumps({
        "ms": elapsed * 1000, "status": response.status_code, "queries": sum(1 for s in statements if s[0] == "sql"),
        "cache": cache or "not a cached page (signed in, or not cached)",
        "cumulative": top(stats, "cumulative", True, elapsed), "own": top(stats, "tottime", False, elapsed),
    }))


if __name__ == "__main__":
    main(*sys.argv[1:])
