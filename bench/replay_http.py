"""The #EUvsVirus replay through HTTP: gunicorn (the README's production command) on PostgreSQL and Redis over
the replay dataset, a bare Flask "hello" under the same gunicorn settings measured just before each page in the
same run, Locust headless (bench/replay_load.py) on loopback, bounded in time and count. `make bench-replay`.

Prints one table: per page requests per second, p50 / p95 / p99, failures, the ratio to bare Flask and the
goal met or missed; then the memory of each gunicorn worker after the load and the peak memory of the largest
job. Builds the replay first when the database holds no accounts (`flask bench seed --scale euvsvirus`).

Settings (environment): REPLAY_DATABASE_URL (postgresql+psycopg://postgres@127.0.0.1:5432/bench_replay),
REPLAY_REDIS_URL (redis://127.0.0.1:6379/11: its rate-limit counters are emptied first), REPLAY_DIR (the files,
instance/replay), WORKERS (4, as the README), USERS (8 concurrent visitors), SECONDS (8 per measurement),
MAX_REQUESTS (4,000 per measurement), PAGES (names to measure, comma-separated; all by default).
"""
import json
import os
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil
import redis
import requests
import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from govchallenge.replay.people import PASSWORD  # noqa: E402
PYTHON = sys.executable
BIN = Path(sys.executable).parent
DATABASE_URL = os.environ.get("REPLAY_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/bench_replay")
REDIS_URL = os.environ.get("REPLAY_REDIS_URL", "redis://127.0.0.1:6379/11")
FOLDER = Path(os.environ.get("REPLAY_DIR", ROOT / "instance" / "replay")).resolve()
WORKERS = int(os.environ.get("WORKERS", 4))
USERS = int(os.environ.get("USERS", 8))
SECONDS = float(os.environ.get("SECONDS", 8))
MAX_REQUESTS = int(os.environ.get("MAX_REQUESTS", 4000))
APP_PORT, HELLO_PORT = 8731, 8732
PUBLIC_GOAL, SIGNED_IN_GOAL, P95_GOAL_MS, DASHBOARD_GOAL_MS = 0.40, 0.10, 100, 300
# What profiling the replay found behind each gap (cProfile in-process, README "Performance"); printed under the
# table for the pages that miss their goal.
CAUSES = {
    "home": "rendered on every visit (no page cache yet)",
    "catalogue": "rendered on every visit (no page cache yet): two country selects of ~250 options each",
    "challenge page": "rendered on every visit (no page cache yet): panels of every domain",
    "/api/v1/challenges": "serialised on every request (no cache yet)",
    "results page": "every entry of the published document rendered on every visit (no page cache yet)",
    "team's entry page": "~28 ms CPU per view, 6 queries: mostly waiting for PostgreSQL on a loaded machine",
    "juror's review page": "the conflict check loads all jurors of the challenge to answer for one (the round's "
                           "every entry is no longer loaded: jury/closing.entries_of)",
    "chair's dashboard": "~570 ms CPU per page of 100: the rows' template, page_progress, design_warnings, and "
                         "conflicted_entries over every entry of the round on each view",
}


def app_environment():
    return {**os.environ, "DATABASE_URL": DATABASE_URL, "REDIS_URL": REDIS_URL, "SECRET_KEY": "replay-benchmark",
            "STORAGE_DIR": str(FOLDER / "files"), "MAIL_FILE_DIR": str(FOLDER / "mail"), "TRUSTED_PROXIES": "1",
            "BASE_URL": f"http://127.0.0.1:{APP_PORT}", "PYTHONPATH": str(ROOT)}


def ensure_seeded(engine):
    with engine.connect() as connection:
        tables = sa.inspect(connection).get_table_names()
        if "user_account" in tables and connection.execute(sa.text("SELECT count(*) FROM user_account")).scalar():
            return None
    print("The database holds no accounts: building the replay (flask bench seed --scale euvsvirus) ...", flush=True)
    started = time.perf_counter()
    subprocess.run([str(BIN / "flask"), "--app", "govchallenge", "bench", "seed", "--scale", "euvsvirus"],
                   env=app_environment(), cwd=ROOT, check=True)
    return time.perf_counter() - started


def discover(engine, count):
    """The slugs, accounts and opaque ids the pages need, read from the replay."""
    one = lambda connection, sql: connection.execute(sa.text(sql)).first()  # noqa: E731
    with engine.connect() as connection:
        flagship, = one(connection, "SELECT c.slug FROM challenge c JOIN jury_round r ON r.challenge_id = c.id "
                                    "JOIN round_entry e ON e.round_id = r.id WHERE r.state = 'open' "
                                    "GROUP BY c.slug ORDER BY count(*) DESC LIMIT 1")
        published, = one(connection, "SELECT c.slug FROM challenge c JOIN publication p ON p.challenge_id = c.id "
                                     "WHERE p.state = 'published' LIMIT 1")
        chair, entries = one(connection, f"SELECT u.email, (SELECT count(*) FROM round_entry e JOIN jury_round r ON "
                                         f"r.id = e.round_id WHERE r.challenge_id = c.id) FROM juror j JOIN user_account u "
                                         f"ON u.id = j.user_id JOIN challenge c ON c.id = j.challenge_id "
                                         f"WHERE c.slug = '{flagship}' AND j.is_chair")
        jurors = connection.execute(sa.text(
            "SELECT DISTINCT ON (u.email) u.email, a.public_id FROM assignment a JOIN juror j ON j.id = a.juror_id "
            "JOIN user_account u ON u.id = j.user_id JOIN jury_round r ON r.id = a.round_id JOIN challenge c "
            f"ON c.id = r.challenge_id WHERE c.slug = '{flagship}' AND a.state = 'active' AND NOT j.is_chair "
            f"ORDER BY u.email, a.id LIMIT {count}")).all()
        teams = connection.execute(sa.text(
            "SELECT u.email, s.public_id FROM submission s JOIN team t ON t.id = s.team_id JOIN team_member m "
            "ON m.team_id = t.id AND m.role = 'lead' JOIN user_account u ON u.id = m.user_id JOIN challenge c "
            f"ON c.id = t.challenge_id WHERE c.slug = '{flagship}' ORDER BY s.id LIMIT {count}")).all()
    return {"flagship": flagship, "published": published, "chair": chair, "entries": entries, "jurors": jurors,
            "teams": teams}


def start(arguments, port, env):
    """gunicorn with the README's settings on `port`; waits until it answers."""
    process = subprocess.Popen([str(BIN / "gunicorn"), "--workers", str(WORKERS), "--bind", f"127.0.0.1:{port}",
                                "--log-level", "warning", *arguments], env=env, cwd=ROOT)
    for _ in range(300):
        try:
            requests.get(f"http://127.0.0.1:{port}/", timeout=60)
            return process
        except requests.RequestException:
            time.sleep(0.5)
    process.terminate()
    raise RuntimeError(f"gunicorn on port {port} did not start")


def sign_in(email, address):
    """A real session: the sign-in form read for its CSRF token, then posted, from `address` behind the proxy.
    Returns the headers a browser of that person would send."""
    session = requests.Session()
    headers = visitor(address)
    form = session.get(f"http://127.0.0.1:{APP_PORT}/login", headers=headers).text
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"', form)
    token = token.group(1) or token.group(2)
    answer = session.post(f"http://127.0.0.1:{APP_PORT}/login", headers=headers, allow_redirects=False,
                          data={"csrf_token": token, "email": email, "password": PASSWORD})
    if answer.status_code != 302:
        raise RuntimeError(f"sign-in of {email} failed: {answer.status_code}")
    cookie = "; ".join(f"{name}={value}" for name, value in session.cookies.items())
    return {**headers, "Cookie": cookie}


def visitor(forwarded_for):
    """A browser's headers behind the trusted proxy. The same User-Agent at sign-in and after it: the session is
    bound to the browser (strong session protection) and a changed one signs the visitor out."""
    return {"X-Forwarded-For": forwarded_for, "User-Agent": "replay-benchmark"}


def address(n):
    return f"10.{n // 65536 % 256}.{n // 256 % 256}.{n % 256 or 1}"


def pages(found):
    """(name, signed in, [(path, headers)]) of every page measured."""
    anonymous = [visitor(address(200_000 + n)) for n in range(USERS)]
    flagship, published = found["flagship"], found["published"]

    def public(path):
        return [(path, headers) for headers in anonymous]

    chair = sign_in(found["chair"], address(1))
    return [
        ("home", False, public("/")),
        ("catalogue", False, public("/challenges/")),
        ("catalogue, search", False, public("/challenges/?q=health")),
        ("catalogue, filters", False, public("/challenges/?domain=health&state=open&language=en")),
        ("challenge page", False, public(f"/challenges/{flagship}")),
        ("/api/v1/challenges", False, public("/api/v1/challenges")),
        ("results page", False, public(f"/challenges/{published}/results")),
        ("team's entry page", True, [(f"/entries/{public_id}", sign_in(email, address(100 + n)))
                                     for n, (email, public_id) in enumerate(found["teams"])]),
        ("juror's review page", True, [(f"/jury/review/{public_id}", sign_in(email, address(1000 + n)))
                                       for n, (email, public_id) in enumerate(found["jurors"])]),
        (f"chair's dashboard ({found['entries']:,} entries)", True, [(f"/jury/{flagship}/dashboard", chair)]),
    ]


def measure(host, targets):
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as spec:
        json.dump({"host": host, "targets": targets, "users": USERS, "seconds": SECONDS, "max_requests": MAX_REQUESTS}, spec)
    try:
        out = subprocess.run([PYTHON, str(ROOT / "bench" / "replay_load.py"), spec.name], capture_output=True, text=True,
                             check=True, timeout=SECONDS + 120).stdout
    finally:
        os.unlink(spec.name)
    return json.loads(out.strip().splitlines()[-1])


def warm(targets):
    for path, headers in targets[:USERS]:
        requests.get(f"http://127.0.0.1:{APP_PORT}{path}", headers=headers, allow_redirects=False, timeout=120)


def verdict(name, signed_in, ratio, figures):
    goals = [f">= {SIGNED_IN_GOAL:.0%}" if signed_in else f">= {PUBLIC_GOAL:.0%}", f"p95 <= {P95_GOAL_MS} ms"]
    met = ratio >= (SIGNED_IN_GOAL if signed_in else PUBLIC_GOAL) and figures["p95"] <= P95_GOAL_MS and not figures["failures"]
    if name.startswith("chair's dashboard"):
        goals.append(f"p50 < {DASHBOARD_GOAL_MS} ms")
        met = met and figures["p50"] < DASHBOARD_GOAL_MS
    return ", ".join(goals), "met" if met else "MISSED"


def rss_mb(process):
    return process.memory_info().rss / 2**20


def largest_job_peak_rss(found):
    """The assignment job of the 2,150 x 400 round (run_assignment_job, the biggest job the platform runs on this
    data) in a child process, inside a transaction rolled back at the end: its peak RSS in MB."""
    script = (
        "import resource, sqlalchemy as sa\n"
        "from govchallenge import create_app\n"
        "from govchallenge.extensions import db\n"
        "from govchallenge.jury.models import Assignment, Round\n"
        "from govchallenge.jury.rounds import run_assignment\n"
        "from govchallenge.challenges.models import by_slug\n"
        "app = create_app()\n"
        "with app.app_context():\n"
        f"    rnd = db.session.execute(sa.select(Round).where(Round.challenge_id == by_slug('{found['flagship']}').id)).scalar_one()\n"
        "    db.session.execute(sa.delete(Assignment).where(Assignment.round_id == rnd.id))\n"
        "    result = run_assignment(rnd, None, seed=2020)\n"
        "    db.session.rollback()\n"
        "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)\n"
    )
    out = subprocess.run([PYTHON, "-c", script], env=app_environment(), cwd=ROOT, capture_output=True, text=True, check=True)
    return int(out.stdout.strip().splitlines()[-1]) / 1024


def main():
    wanted = {name.strip() for name in os.environ.get("PAGES", "").split(",") if name.strip()}
    engine = sa.create_engine(DATABASE_URL)
    seeded = ensure_seeded(engine)
    found = discover(engine, USERS)
    engine.dispose()
    redis.Redis.from_url(REDIS_URL).flushdb()  # the benchmark's own database: yesterday's rate-limit counters
    servers, rows, hellos = [], [], []
    try:
        servers.append(start(["wsgi:app"], APP_PORT, app_environment()))
        servers.append(start(["bench.hello_app:app"], HELLO_PORT, {**os.environ, "PYTHONPATH": str(ROOT)}))
        for name, signed_in, targets in pages(found):
            if wanted and not any(word in name for word in wanted):
                continue
            warm(targets)
            if not hellos:
                hellos.append(measure(f"http://127.0.0.1:{HELLO_PORT}", [["/", {}]])["rps"])
            figures = measure(f"http://127.0.0.1:{APP_PORT}", targets)
            hellos.append(measure(f"http://127.0.0.1:{HELLO_PORT}", [["/", {}]])["rps"])
            ceiling = (hellos[-2] + hellos[-1]) / 2  # bare Flask just before and just after the page
            rows.append((name, signed_in, figures, figures["rps"] / ceiling))
            print(f"  measured {name}: {figures['rps']:.1f} req/s (bare Flask before and after: {hellos[-2]:.0f}, "
                  f"{hellos[-1]:.0f})", flush=True)
        workers = [rss_mb(child) for child in psutil.Process(servers[0].pid).children()]
    finally:
        for server in servers:
            server.terminate()
            server.wait(timeout=30)
    job_mb = largest_job_peak_rss(found)
    report(rows, hellos, workers, job_mb, seeded)


def report(rows, hellos, workers, job_mb, seeded):
    print()
    print(f"Replay over HTTP: gunicorn --workers {WORKERS} (sync), PostgreSQL, Redis; {USERS} concurrent visitors, "
          f"{SECONDS:.0f} s or {MAX_REQUESTS:,} requests per measurement; bare Flask \"hello\" "
          f"{statistics.median(hellos):.0f} req/s (median of {len(hellos)} runs between the pages; each ratio is to the "
          f"mean of the runs just before and after its page)")
    if seeded is not None:
        print(f"(the replay was built first, in {seeded:.0f} s)")
    print(f"{'page':<36} {'ratio':>6} {'req/s':>7} {'p50':>6} {'p95':>6} {'p99':>6} {'fail':>5} {'KB':>5}  goal")
    for name, signed_in, figures, ratio in rows:
        goals, met = verdict(name, signed_in, ratio, figures)
        print(f"{name:<36} {ratio:>6.1%} {figures['rps']:>7.1f} {figures['p50']:>4.0f}ms {figures['p95']:>4.0f}ms "
              f"{figures['p99']:>4.0f}ms {figures['failures']:>5} {figures['bytes'] / 1024:>5.0f}  {met}: {goals}")
        for error in figures["errors"]:
            print(f"{'':<36} failure: {error}")
    missed = [name for name, signed_in, figures, ratio in rows if verdict(name, signed_in, ratio, figures)[1] != "met"]
    for name in missed:
        cause = next((text for page, text in CAUSES.items() if name.startswith(page)), "not profiled")
        print(f"gap, {name}: {cause}")
    print(f"RSS per gunicorn worker after the load: {', '.join(f'{mb:.0f} MB' for mb in sorted(workers))}")
    print(f"Peak RSS of the largest job (the 2,150 x 400 x 3 assignment, run_assignment in a child process): {job_mb:.0f} MB")
    print(f"Peak RSS of this benchmark's driver: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")


if __name__ == "__main__":
    main()
