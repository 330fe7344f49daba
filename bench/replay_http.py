"""The #EUvsVirus replay through HTTP: every figure of the full-scale issue in one table. `make bench-replay`.

Rows: each page under gunicorn (the README's production command) on PostgreSQL and Redis over the replay dataset,
with a bare Flask "hello" under the same gunicorn settings measured just before and after each page in the same
run, Locust headless (bench/replay_load.py) on loopback, bounded in time and count; the deadline rush through
HTTP (bench/replay_rush.py: its own database, sessions, CSRF, the trusted proxy's arrival stamp, the exactly-once
check in the database); the announcement of the results (bench/bench_announcement.py: real RQ workers, a real
SMTP server on loopback).

Prints one table: per page requests per second, p50 / p95 / p99, failures, the ratio to bare Flask and the goal
met or missed; the rush's latencies, errors and database check; the announcement's time to the last message.
Under it, for each page that misses its goal, its measured cause (bench/replay_profile.py: one in-process render
profiled: time, page cache hit or not, queries, the functions the time goes to); then the memory of each gunicorn
worker after the load and the peak memory of the largest job. Builds the replay first when the database holds
no accounts (`flask bench seed --scale euvsvirus`, ~15 minutes), and the rush's template database once per size.

Settings (environment): REPLAY_DATABASE_URL (postgresql+psycopg://postgres@127.0.0.1:5432/bench_replay),
REPLAY_REDIS_URL (redis://127.0.0.1:6379/11: emptied before the pages and before the rush), REPLAY_DIR (the
files, instance/replay), WORKERS (4, as the README), USERS (8 concurrent visitors), SECONDS (8 per measurement),
MAX_REQUESTS (4,000 per measurement), ROWS (or PAGES: words of the rows to run, comma-separated, e.g.
`ROWS="home,chair,deadline rush,announcement"`; all by default), PROFILE (0: no profile of the gaps).
The rush: RUSH_TEAMS (2,150), RUSH_SECONDS (60), RUSH_CONCURRENCY (200), RUSH_FINAL_BURST (200), RUSH_LATE (50),
RUSH_DATABASE (bench_rush). The announcement: RECIPIENTS (20,900), ANNOUNCEMENT_WORKERS (4), BENCH_REDIS_URL
(redis://127.0.0.1:6379/13), ANNOUNCEMENT_TIMEOUT (900 s).
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
PROFILE = os.environ.get("PROFILE", "1") != "0"
ANNOUNCEMENT_WORKERS = int(os.environ.get("ANNOUNCEMENT_WORKERS", 4))
ANNOUNCEMENT_GOAL_SECONDS = 120
WANTED = {name.strip() for name in (os.environ.get("ROWS") or os.environ.get("PAGES") or "").split(",") if name.strip()}
PAGE_NAMES = ("home", "catalogue", "catalogue, search", "catalogue, filters", "challenge page", "/api/v1/challenges",
              "results page", "team's entry page", "juror's review page", "chair's dashboard")
RUSH, ANNOUNCEMENT = "deadline rush", "announcement"


def selected(name):
    """Whether ROWS (or PAGES) asks for the row `name`: any of its comma-separated words is part of the name."""
    return not WANTED or any(word in name for word in WANTED)


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


def start(arguments, port, env, cwd=ROOT, workers=None):
    """gunicorn with the README's settings (WORKERS sync workers unless `workers`) on `port`; waits until it
    answers."""
    process = subprocess.Popen([str(BIN / "gunicorn"), "--workers", str(workers or WORKERS), "--bind",
                                f"127.0.0.1:{port}", "--log-level", "warning", *arguments], env=env, cwd=cwd)
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
    """(name, signed in, [(path, headers)], the e-mail of the first target's account or None) of every page
    ROWS selects."""
    anonymous = [visitor(address(200_000 + n)) for n in range(USERS)]
    flagship, published = found["flagship"], found["published"]

    def public(name, path):
        return name, False, [(path, headers) for headers in anonymous], None

    def signed_in(name, accounts):
        """`accounts`: [(n, email, path)]; each signed in from address n."""
        if not selected(name):
            return name, True, [], None
        return name, True, [(path, sign_in(email, address(n))) for n, email, path in accounts], accounts[0][1]

    rows = [
        public("home", "/"),
        public("catalogue", "/challenges/"),
        public("catalogue, search", "/challenges/?q=health"),
        public("catalogue, filters", "/challenges/?domain=health&state=open&language=en"),
        public("challenge page", f"/challenges/{flagship}"),
        public("/api/v1/challenges", "/api/v1/challenges"),
        public("results page", f"/challenges/{published}/results"),
        signed_in("team's entry page", [(100 + n, email, f"/entries/{public_id}")
                                        for n, (email, public_id) in enumerate(found["teams"])]),
        signed_in("juror's review page", [(1000 + n, email, f"/jury/review/{public_id}")
                                          for n, (email, public_id) in enumerate(found["jurors"])]),
        signed_in(f"chair's dashboard ({found['entries']:,} entries)", [(1, found["chair"], f"/jury/{flagship}/dashboard")]),
    ]
    return [row for row in rows if selected(row[0])]


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


def page_rows(found):
    """Measures each selected page against bare Flask; returns (rows, bare Flask runs, worker RSS in MB)."""
    redis.Redis.from_url(REDIS_URL).flushdb()  # the benchmark's own database: yesterday's rate-limit counters
    servers, rows, hellos = [], [], []
    try:
        servers.append(start(["wsgi:app"], APP_PORT, app_environment()))
        servers.append(start(["bench.hello_app:app"], HELLO_PORT, {**os.environ, "PYTHONPATH": str(ROOT)}))
        for name, signed_in, targets, email in pages(found):
            warm(targets)
            if not hellos:
                hellos.append(measure(f"http://127.0.0.1:{HELLO_PORT}", [["/", {}]])["rps"])
            figures = measure(f"http://127.0.0.1:{APP_PORT}", targets)
            hellos.append(measure(f"http://127.0.0.1:{HELLO_PORT}", [["/", {}]])["rps"])
            ceiling = (hellos[-2] + hellos[-1]) / 2  # bare Flask just before and just after the page
            rows.append((name, signed_in, figures, figures["rps"] / ceiling, targets[0][0], email))
            print(f"  measured {name}: {figures['rps']:.1f} req/s (bare Flask before and after: {hellos[-2]:.0f}, "
                  f"{hellos[-1]:.0f})", flush=True)
        workers = [rss_mb(child) for child in psutil.Process(servers[0].pid).children()]
    finally:
        for server in servers:
            server.terminate()
            server.wait(timeout=30)
    return rows, hellos, workers


def measured_cause(path, email):
    """One in-process render of the page, profiled (bench/replay_profile.py): a line saying where its time goes."""
    try:
        out = subprocess.run([PYTHON, str(ROOT / "bench" / "replay_profile.py"), path, *([email] if email else [])],
                             env=app_environment(), cwd=ROOT, capture_output=True, text=True, timeout=180)
        found = json.loads(out.stdout.strip().splitlines()[-1])
    except (subprocess.TimeoutExpired, json.JSONDecodeError, IndexError) as error:
        return f"not profiled ({type(error).__name__})"
    return (f"one render in-process {found['ms']:.0f} ms (status {found['status']}), page cache: {found['cache']}, "
            f"{found['queries']} queries; most cumulative time in the platform's code: {'; '.join(found['cumulative']) or '-'}; "
            f"most own time: {'; '.join(found['own'])}")


def announcement():
    """bench/bench_announcement.py with ANNOUNCEMENT_WORKERS real RQ workers, in a process of its own."""
    print(f"  announcing to {int(os.environ.get('RECIPIENTS', 20900)):,} recipients with {ANNOUNCEMENT_WORKERS} "
          f"workers (bench/bench_announcement.py) ...", flush=True)
    out = subprocess.run([PYTHON, str(ROOT / "bench" / "bench_announcement.py"), "--json"], cwd=ROOT, check=True,
                         env={**os.environ, "WORKERS": str(ANNOUNCEMENT_WORKERS), "PYTHONPATH": str(ROOT)},
                         capture_output=True, text=True).stdout.strip().splitlines()
    for line in out[:-1]:
        print(line, flush=True)
    return json.loads(out[-1])[0]


def main():
    from bench import replay_rush

    started = time.perf_counter()
    rows, hellos, workers, job_mb, seeded, rush, announced = [], [], [], None, None, None, None
    if any(selected(name) for name in PAGE_NAMES):
        engine = sa.create_engine(DATABASE_URL)
        seeded = ensure_seeded(engine)
        found = discover(engine, USERS)
        engine.dispose()
        rows, hellos, workers = page_rows(found)
        job_mb = largest_job_peak_rss(found)
    if selected(RUSH):
        redis.Redis.from_url(REDIS_URL).flushdb()  # the sign-in counters of the page rows and of an earlier rush
        print(f"  the deadline rush: {replay_rush.TEAMS:,} teams ...", flush=True)
        rush = replay_rush.run(start, app_environment(), PASSWORD)
    if selected(ANNOUNCEMENT):
        announced = announcement()
    causes = {}
    for name, signed_in, figures, ratio, path, email in rows:
        if verdict(name, signed_in, ratio, figures)[1] != "met":
            causes[name] = measured_cause(path, email) if PROFILE else "not profiled (PROFILE=0)"
    report(rows, hellos, workers, job_mb, seeded, rush, announced, causes, time.perf_counter() - started)


def dash(width):
    return f"{'-':>{width}}"


def report(rows, hellos, workers, job_mb, seeded, rush, announced, causes, seconds):
    from bench import replay_rush

    print()
    if hellos:
        print(f"Replay over HTTP: gunicorn --workers {WORKERS} (sync), PostgreSQL, Redis; {USERS} concurrent visitors, "
              f"{SECONDS:.0f} s or {MAX_REQUESTS:,} requests per measurement; bare Flask \"hello\" "
              f"{statistics.median(hellos):.0f} req/s (median of {len(hellos)} runs between the pages; each ratio is to the "
              f"mean of the runs just before and after its page)")
    if seeded is not None:
        print(f"(the replay was built first, in {seeded:.0f} s)")
    print(f"{'row':<36} {'ratio':>6} {'req/s':>7} {'p50':>6} {'p95':>6} {'p99':>6} {'fail':>5} {'KB':>5}  goal")
    for name, signed_in, figures, ratio, _path, _email in rows:
        goals, met = verdict(name, signed_in, ratio, figures)
        print(f"{name:<36} {ratio:>6.1%} {figures['rps']:>7.1f} {figures['p50']:>4.0f}ms {figures['p95']:>4.0f}ms "
              f"{figures['p99']:>4.0f}ms {figures['failures']:>5} {figures['bytes'] / 1024:>5.0f}  {met}: {goals}")
        for error in figures["errors"]:
            print(f"{'':<36} failure: {error}")
    if rush is not None:
        goals, met = replay_rush.verdict(rush)
        name = f"{RUSH} ({rush['in_time']:,} + {rush['late_sent']} late)"
        print(f"{name:<36} {dash(6)} {rush['rps']:>7.1f} {rush['p50']:>4.0f}ms {rush['p95']:>4.0f}ms "
              f"{rush['p99']:>4.0f}ms {rush['errors']:>5} {dash(5)}  {met}: {goals}")
    if announced is not None:
        met = (announced["finished"] and announced["seconds"] < ANNOUNCEMENT_GOAL_SECONDS and not announced["lost"]
               and not announced["duplicated"])
        name = f"{ANNOUNCEMENT} ({announced['recipients']:,}, {announced['workers']} workers)"
        print(f"{name:<36} {dash(6)} {announced['per_second']:>7.1f} {dash(6)} {dash(6)} {dash(6)} "
              f"{announced['lost'] + announced['duplicated']:>5} {dash(5)}  {'met' if met else 'MISSED'}: last message "
              f"in {announced['seconds']:.0f} s (< {ANNOUNCEMENT_GOAL_SECONDS} s), 0 lost, 0 duplicated")
    print("(ratio: to bare Flask in the same run, pages only; req/s: the rush's answers per second over its window, "
          "the announcement's messages per second; fail: the rush's errors (not 302/400), the announcement's lost + "
          "duplicated)")
    for name, cause in causes.items():
        print(f"gap, {name}: {cause}")
    if rush is not None:
        for line in replay_rush.describe(rush):
            print(line)
    if announced is not None:
        print(f"announcement: {announced['received']:,} messages to a real SMTP server (aiosmtpd on loopback) through "
              f"{announced['workers']} RQ workers in {announced['seconds']:.1f} s, {announced['lost']} lost, "
              f"{announced['duplicated']} duplicated, {announced['connections']} SMTP connections"
              f"{'' if announced['finished'] else ', NOT FINISHED'}; worker peak RSS {announced['worker_peak_rss_mb']:.0f} MB")
    if workers:
        print(f"RSS per gunicorn worker after the load: {', '.join(f'{mb:.0f} MB' for mb in sorted(workers))}")
    if job_mb is not None:
        print(f"Peak RSS of the largest job (the 2,150 x 400 x 3 assignment, run_assignment in a child process): {job_mb:.0f} MB")
    print(f"Peak RSS of this benchmark's driver: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")
    print(f"The run took {seconds / 60:.1f} minutes; load average at its end {', '.join(f'{n:.1f}' for n in os.getloadavg())}")

if __name__ == "__main__":
    main()
