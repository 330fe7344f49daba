"""The deadline rush through HTTP, a row of the replay table (bench/replay_http.py).

RUSH_TEAMS (2,150) teams, and RUSH_LATE (50) others that send too late, each signed in with its own session
(the sign-in form's CSRF token, then its entry's "check your answers" page read for its token and lock version,
as a browser has it open after saving the draft), submit from that page through the real gunicorn with the
trusted-proxy setting (TRUSTED_PROXIES=1, REQUEST_START_HEADER=X-Request-Start). The client plays the reverse
proxy: it stamps `X-Request-Start: t=<seconds>` (nginx's $msec) as it sends each request on, and at most
RUSH_CONCURRENCY (200) are in flight at once. The sends are spread over the last RUSH_SECONDS (60) before the
deadline, denser towards it, with RUSH_FINAL_BURST (200) of them in its last second (more than 4 workers serve
before it passes: the fairness case), then the RUSH_LATE other teams send in the 5 seconds after it.

Then the database check (bench/rush_db.tally): every team whose request left before the deadline has exactly
one submitted version and its receipt job; none that sent after it has any.

Its own database RUSH_DATABASE (bench_rush), copied for each run from a template built once per size and
schema through the platform's operations (bench/rush_db.build), so a run starts from unsubmitted drafts.
"""
import json
import os
import random
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from html.parser import HTMLParser
from pathlib import Path

import requests
import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
ADMIN_URL = os.environ.get("RUSH_ADMIN_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
DATABASE = os.environ.get("RUSH_DATABASE", "bench_rush")
TEAMS = int(os.environ.get("RUSH_TEAMS", 2150))
SECONDS = float(os.environ.get("RUSH_SECONDS", 60))
CONCURRENCY = int(os.environ.get("RUSH_CONCURRENCY", 200))
FINAL_BURST = int(os.environ.get("RUSH_FINAL_BURST", 200))
LATE = int(os.environ.get("RUSH_LATE", 50))
LATE_SECONDS = 5.0
SIGN_IN_THREADS = int(os.environ.get("RUSH_SIGN_IN_THREADS", 8))
PORT = 8733
HEADER = "X-Request-Start"
P95_GOAL_MS = 300


def database_url(name):
    return ADMIN_URL.rsplit("/", 1)[0] + "/" + name


# --- the database --------------------------------------------------------------------------------

def _schema_head():
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", str(ROOT / "migrations"))
    return ScriptDirectory.from_config(config).get_current_head()


def _template_fits(admin, template):
    """The template exists, at the code's schema, with the teams asked for."""
    if not admin.execute(sa.text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": template}).first():
        return False
    engine = sa.create_engine(database_url(template))
    try:
        with engine.connect() as connection:
            version = connection.execute(sa.text("SELECT version_num FROM alembic_version")).scalar()
            teams = connection.execute(sa.text("SELECT count(*) FROM team")).scalar()
        return version == _schema_head() and teams == TEAMS + LATE
    except sa.exc.SQLAlchemyError:
        return False
    finally:
        engine.dispose()


def fresh_database(environment):
    """RUSH_DATABASE as a copy of its template, the template built first when missing or stale. Returns the
    seconds the build took (None when the template was there)."""
    template, building = f"{DATABASE}_template_{TEAMS + LATE}", f"{DATABASE}_building"
    admin_engine = sa.create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
    built = None
    try:
        with admin_engine.connect() as admin:
            if not _template_fits(admin, template):
                print(f"  building the rush's database: {TEAMS + LATE:,} teams with a draft (bench/rush_db.py build) ...",
                      flush=True)
                for name in (template, building):
                    admin.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}"'))
                admin.execute(sa.text(f'CREATE DATABASE "{building}"'))
                started = time.perf_counter()
                subprocess.run([PYTHON, str(ROOT / "bench" / "rush_db.py"), "build", str(TEAMS + LATE)], cwd=ROOT, check=True,
                               env={**environment, "DATABASE_URL": database_url(building), "REDIS_URL": ""},
                               stdout=subprocess.DEVNULL)
                built = time.perf_counter() - started
                admin.execute(sa.text(f'ALTER DATABASE "{building}" RENAME TO "{template}"'))
            admin.execute(sa.text(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)'))
            admin.execute(sa.text(f'CREATE DATABASE "{DATABASE}" TEMPLATE "{template}"'))
    finally:
        admin_engine.dispose()
    return built


def child(environment, *arguments):
    return subprocess.run([PYTHON, str(ROOT / "bench" / "rush_db.py"), *arguments], cwd=ROOT, check=True,
                          env=environment, capture_output=True, text=True).stdout


def entrants():
    engine = sa.create_engine(database_url(DATABASE))
    try:
        with engine.connect() as connection:
            return connection.execute(sa.text(
                "SELECT u.email, s.public_id FROM submission s JOIN team_member m ON m.team_id = s.team_id "
                "AND m.role = 'lead' JOIN user_account u ON u.id = m.user_id ORDER BY s.id")).all()
    finally:
        engine.dispose()


# --- the browsers ----------------------------------------------------------------------------------

class FormFields(HTMLParser):
    """The fields a browser would send with the form holding `marker` (an input's name)."""

    def __init__(self, marker):
        super().__init__()
        self.marker, self.forms, self.textarea = marker, [], None

    def handle_starttag(self, tag, attributes):
        attributes = dict(attributes)
        if tag == "form":
            self.forms.append({"fields": {}, "files": []})
        elif not self.forms:
            return
        elif tag == "input" and attributes.get("name"):
            kind = attributes.get("type", "text")
            if kind == "file":
                self.forms[-1]["files"].append(attributes["name"])
            elif kind not in ("checkbox", "radio", "submit") or "checked" in attributes:
                self.forms[-1]["fields"][attributes["name"]] = attributes.get("value", "")
        elif tag == "textarea" and attributes.get("name"):
            self.textarea = attributes["name"]
            self.forms[-1]["fields"][self.textarea] = ""

    def handle_data(self, data):
        if self.textarea:
            self.forms[-1]["fields"][self.textarea] += data

    def handle_endtag(self, tag):
        if tag == "textarea":
            self.textarea = None

    def form(self):
        return next(form for form in self.forms if self.marker in form["fields"])


def form_of(html, marker):
    parser = FormFields(marker)
    parser.feed(html)
    return parser.form()


class Team:
    """One team's browser: its session, and its entry's form as the page gave it."""

    def __init__(self, number, email, public_id):
        self.number, self.email, self.public_id = number, email, public_id
        self.session = requests.Session()
        self.headers = {"X-Forwarded-For": f"10.{number // 65536 % 256}.{number // 256 % 256}.{number % 256 or 1}",
                        "User-Agent": "rush-benchmark"}
        self.planned = self.sent = self.latency = None
        self.status, self.error = None, ""

    def url(self, path):
        return f"http://127.0.0.1:{PORT}{path}"

    def sign_in(self, password):
        page = self.session.get(self.url("/login"), headers=self.headers, timeout=120).text
        fields = form_of(page, "password")["fields"]
        answer = self.session.post(self.url("/login"), headers=self.headers, allow_redirects=False, timeout=120,
                                   data={**fields, "email": self.email, "password": password})
        if answer.status_code != 302:
            raise RuntimeError(f"sign-in of {self.email}: {answer.status_code}")
        # The team saved its draft and opened "check your answers": the submit is that page's one button.
        check = self.url(f"/entries/{self.public_id}/check")
        page = self.session.get(check, headers=self.headers, timeout=120)
        form = form_of(page.text, "lock_version")
        self.request = requests.Request("POST", check, headers=dict(self.headers), data=form["fields"])
        self.prepared = self.session.prepare_request(self.request)

    def submit(self):
        """Sends the prepared submit, stamped as the proxy would stamp it when passing it on."""
        self.sent = time.time()
        self.prepared.headers[HEADER] = f"t={self.sent:.6f}"
        try:
            answer = self.session.send(self.prepared, allow_redirects=False, timeout=300)
            self.status = answer.status_code
            if answer.status_code not in (302, 400):
                self.error = f"status {answer.status_code}"
        except requests.RequestException as error:
            self.status, self.error = None, type(error).__name__
        self.latency = time.time() - self.sent


def sign_in_all(teams, password):
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=SIGN_IN_THREADS) as pool:
        list(pool.map(lambda team: team.sign_in(password), teams))
    return time.perf_counter() - started


def plan(teams, rng, start, deadline):
    """The moment each team sends: the late ones after the deadline; FINAL_BURST in its last second; the others
    over the window, denser towards the deadline (density rising linearly)."""
    in_time, late = teams[:len(teams) - LATE], teams[len(teams) - LATE:]
    burst = min(FINAL_BURST, len(in_time))
    for n, team in enumerate(in_time):
        if n < burst:
            team.planned = deadline - rng.random() * 0.95
        else:
            team.planned = start + (deadline - 1 - start) * rng.random() ** 0.5
    for team in late:
        team.planned = deadline + 0.01 + rng.random() * LATE_SECONDS
    return sorted(teams, key=lambda team: team.planned)


def rush(teams):
    """Sends every team's submit at its planned moment, at most CONCURRENCY in flight: CONCURRENCY senders take
    the teams in planned order, each waits for its team's moment and sends; a team whose moment comes while
    every sender is busy is held until one is free (counted in `held`)."""
    queue = iter(teams)
    lock = threading.Lock()

    def sender():
        while True:
            with lock:
                team = next(queue, None)
            if team is None:
                return
            time.sleep(max(0.0, team.planned - time.time()))
            team.submit()

    senders = [threading.Thread(target=sender) for _ in range(min(CONCURRENCY, len(teams)))]
    for thread in senders:
        thread.start()
    for thread in senders:
        thread.join()


def busiest(moments, window):
    """The most of `moments` (seconds) within any `window` seconds, per second."""
    ordered, most, first = sorted(moments), 0, 0
    for last, moment in enumerate(ordered):
        while moment - ordered[first] > window:
            first += 1
        most = max(most, last - first + 1)
    return most / window


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))] if ordered else float("nan")


# --- the row ----------------------------------------------------------------------------------------

def run(start_server, environment, password):
    """The rush and its check. `start_server(arguments, port, env)` starts gunicorn as the page rows do;
    `environment` is theirs (TRUSTED_PROXIES=1 among it). Returns the figures of the row."""
    started = time.perf_counter()
    built = fresh_database(environment)
    env = {**environment, "DATABASE_URL": database_url(DATABASE), "REQUEST_START_HEADER": HEADER}
    found = entrants()[:TEAMS + LATE]
    teams = [Team(n, email, public_id) for n, (email, public_id) in enumerate(found, start=1)]
    server = start_server(["wsgi:app"], PORT, env)
    try:
        signed_in = sign_in_all(teams, password)
        rng = random.Random(2020)
        # The deadline is written by a process of its own, SECONDS + 3 from the moment it is ready to write it;
        # the window starts SECONDS before it.
        deadline = float(child(env, "deadline", repr(SECONDS + 3)).strip().splitlines()[-1])
        begin = deadline - SECONDS
        ordered = plan(teams, rng, begin, deadline)
        time.sleep(max(0.0, begin - time.time()))
        rush(ordered)
        finished = time.time()
    finally:
        server.terminate()
        server.wait(timeout=30)
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as spec:
        json.dump({"deadline": deadline, "sent": {team.public_id: team.sent for team in teams if team.sent}}, spec)
    try:
        check = json.loads(child(env, "tally", spec.name).strip().splitlines()[-1])
    finally:
        os.unlink(spec.name)
    latencies = [team.latency * 1000 for team in teams if team.latency is not None]
    in_time = [team for team in teams if team.sent and team.sent < deadline]
    held = [team.sent - team.planned for team in teams if team.sent]
    return {
        "teams": len(teams), "in_time": len(in_time), "late_sent": len(teams) - len(in_time),
        "p50": percentile(latencies, 0.5), "p95": percentile(latencies, 0.95), "p99": percentile(latencies, 0.99),
        "rps": len(latencies) / max(finished - begin, 1e-9),
        "errors": sum(1 for team in teams if team.error),
        "error_examples": sorted({team.error for team in teams if team.error})[:3],
        "refused_in_time": sum(1 for team in in_time if team.status != 302),
        "refused_waits": [team.latency for team in in_time if team.status != 302],
        "accepted_after": sum(1 for team in teams if team.sent and team.sent >= deadline and team.status == 302),
        "after_deadline_answered": sum(1 for team in in_time if team.sent + team.latency >= deadline),
        "held_max": max(held, default=0.0), "held": sum(1 for seconds in held if seconds > 0.05),
        "served_peak": busiest([team.sent + team.latency for team in teams if team.status], 5.0),
        "sent_peak": busiest([team.sent for team in teams if team.sent], 1.0),
        "check": check, "built": built, "signed_in": signed_in, "seconds": time.perf_counter() - started,
    }


def verdict(figures):
    check = figures["check"]
    met = (figures["p95"] < P95_GOAL_MS and not figures["errors"] and not check["lost"] and not check["duplicated"]
           and not check["without_receipt"] and not check["late_accepted"] and not check["not_sent"]
           and not check["stamped_late"]
           and not figures["refused_in_time"])
    return f"p95 < {P95_GOAL_MS} ms, 0 lost, 0 duplicated, 0 late accepted", "met" if met else "MISSED"


def describe(figures):
    """The lines under the table that say what the row counted."""
    check = figures["check"]
    lines = [
        f"deadline rush: {figures['teams']:,} teams ({LATE} of them late), each signed in with its own session and CSRF token "
        f"({figures['signed_in']:.0f} s to sign them in); {figures['in_time']:,} sent within the last {SECONDS:.0f} s "
        f"({min(FINAL_BURST, figures['in_time'])} in the last second), {figures['late_sent']} after the deadline; "
        f"at most {CONCURRENCY} in flight",
        f"  database check: {check['recorded']:,} of {check['in_time']:,} sent in time recorded exactly once with "
        f"their receipt job; lost {check['lost']}, without receipt {check['without_receipt']}, duplicated "
        f"{check['duplicated']}; late accepted {check['late_accepted']}, late refused {check['late_refused']} "
        f"of {check['late']}; versions of teams that sent nothing {check['not_sent']}, versions received at or after the deadline "
        f"{check['stamped_late']}",
        f"  fairness: {figures['after_deadline_answered']} sent in time were answered after the deadline (waited "
        f"for a worker), refused of those sent in time: {figures['refused_in_time']}; {figures['held']} sends left more than 50 ms "
        f"after their planned moment (every sender busy, or a loaded client; at most {figures['held_max']:.1f} s late)",
    ]
    if figures["p95"] >= P95_GOAL_MS:
        lines.append(f"gap, deadline rush: sends peaked at {figures['sent_peak']:.0f}/s (busiest second) while the "
                     f"server answered at most {figures['served_peak']:.1f} submits/s (busiest 5 s): the rest waited "
                     f"in gunicorn's queue for a worker")
    if figures["refused_waits"]:
        from govchallenge.submissions.operations import RECEIVED_GRACE

        waits = figures["refused_waits"]
        lines.append(f"gap, deadline rush: the {len(waits)} sent in time and refused waited {min(waits):.0f} to "
                     f"{max(waits):.0f} s for their answer; the platform believes a proxy's stamp only up to "
                     f"{RECEIVED_GRACE.total_seconds():.0f} s old (submissions.operations.RECEIVED_GRACE)")
    if figures["built"] is not None:
        lines.append(f"  (the rush's database template was built first, in {figures['built']:.0f} s)")
    lines.append(f"  the rush row took {figures['seconds']:.0f} s in all")
    lines += [f"  check: {example}" for example in check["examples"][:3]]
    lines += [f"  failure: {error}" for error in figures["error_examples"]]
    return lines
