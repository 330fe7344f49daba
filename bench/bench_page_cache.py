"""Anonymous public pages with and without the page cache (core/page_cache.py), in one process through the
Flask test client, against a bare Flask "hello" app measured the same way (SQLite in a temporary folder).

Prints requests per second of each page with the cache off and on, and the ratio to bare Flask measured in
alternation with it (the median of three rounds, so a machine shared with other work skews both alike). The HTTP load
benchmark under gunicorn is the figure of record; this one isolates the rendering cost the cache removes.
`python bench/run.py bench_page_cache` (CHALLENGES=37 ENTRIES=320 SECONDS=1.5 to change the size).
"""
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flask import Flask  # noqa: E402

from govchallenge import create_app  # noqa: E402
from govchallenge.challenges.operations import refresh_search_text  # noqa: E402
from govchallenge.extensions import db  # noqa: E402
from tests.conftest import IsolatedClient  # noqa: E402
from tests.support import factories  # noqa: E402
from tests.support.results_factories import judged_challenge, publish  # noqa: E402

CHALLENGES = int(os.environ.get("CHALLENGES", 37))
ENTRIES = int(os.environ.get("ENTRIES", 320))
SECONDS = float(os.environ.get("SECONDS", 1.5))
DOMAINS = ["health", "environment", "mobility", "education", "economy", "security"]


def build(app):
    with app.app_context():
        db.create_all()
        hosts = [factories.make_public_body(country=c) for c in ("PL", "GR", "DE", "FR", "IT", "ES", "PT", "NL")]
        for n in range(CHALLENGES):
            made = factories.make_challenge(host=hosts[n % len(hosts)], slug=f"city-{n}", domain=DOMAINS[n % 6],
                                            title={"en": f"Smart city {n}", "pl": f"Inteligentne miasto {n}"},
                                            cohosts=[hosts[(n + 1) % len(hosts)]], closes_in_days=5 + n, stages=2)
            refresh_search_text(made)
        judged = judged_challenge(entries=ENTRIES, jurors=3, slug="judged")
        publish(judged)
        db.session.commit()


def rate(client, path, seconds):
    assert client.get(path).status_code == 200, path
    count, started = 0, time.perf_counter()
    while time.perf_counter() - started < seconds:
        client.get(path)
        count += 1
    return count / (time.perf_counter() - started)


def against_bare(client, path, bare):
    """(median req/s of the page, median ratio to bare Flask measured just before each round)."""
    rounds = [(rate(client, path, SECONDS / 3), rate(bare, "/hello", SECONDS / 3)) for _ in range(3)]
    return statistics.median(r for r, _ in rounds), statistics.median(r / b for r, b in rounds)


PAGES = ["/", "/challenges/", "/challenges/?q=city+smart", "/challenges/?state=open&domain=health&eligible=PL",
         "/challenges/city-3", "/api/v1/challenges", "/challenges/judged/results"]


def main():
    folder = Path(tempfile.mkdtemp())
    settings = {
        "TESTING": False, "SECRET_KEY": "bench", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'bench.db'}",
        "DATABASE_URL": f"sqlite:///{folder / 'bench.db'}", "REDIS_URL": "", "RATELIMIT_ENABLED": False,
        "MAIL_SERVER": "", "MAIL_FILE_DIR": str(folder / "mail"), "STORAGE_DIR": str(folder / "files"),
        "RATELIMIT_STORAGE_URI": "memory://",
    }
    started = time.perf_counter()
    build(create_app({**settings, "PAGE_CACHE": "off"}))
    print(f"{CHALLENGES} challenges and a published result of {ENTRIES} entries built in {time.perf_counter() - started:.1f} s")
    bare = Flask("bare")
    bare.add_url_rule("/hello", "hello", lambda: "hello")
    print(f"bare Flask hello: {rate(bare.test_client(), '/hello', SECONDS):.0f} req/s")
    figures = {}
    for mode in ("off", "on"):
        app = create_app({**settings, "PAGE_CACHE": mode})
        app.test_client_class = IsolatedClient
        with app.app_context():
            client = app.test_client()
            figures[mode] = {path: against_bare(client, path, bare.test_client()) for path in PAGES}
    print(f"{'page':52} {'off req/s':>9} {'ratio':>6} {'on req/s':>9} {'ratio':>6}")
    for path in PAGES:
        (off, off_ratio), (on, on_ratio) = figures["off"][path], figures["on"][path]
        print(f"{path:52} {off:9.0f} {off_ratio:6.1%} {on:9.0f} {on_ratio:6.1%}")


if __name__ == "__main__":
    main()
