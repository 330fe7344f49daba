"""Announcing results to #EUvsVirus's 20,900 people, on PostgreSQL, real Redis, real RQ worker processes and a
real SMTP server (aiosmtpd on loopback): time to the last message, messages per second, lost and duplicated.

`python bench/run.py bench_announcement` (`--json`: a last line of JSON figures). RECIPIENTS=20900 and WORKERS=1,4 by default (one run per figure).
The participants are those of 300 judged entries; every other recipient follows the challenge (one message
each, in their own language). Needs PostgreSQL (POSTGRES_ADMIN_URL, as the tests) and Redis (BENCH_REDIS_URL,
default redis://127.0.0.1:6379/13, emptied); ANNOUNCEMENT_TIMEOUT (900 s) bounds the wait for the last message.
"""
import json
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import sqlalchemy as sa  # noqa: E402

from bench.postgres_app import postgres_bench_app  # noqa: E402
from govchallenge.accounts.models import User  # noqa: E402
from govchallenge.challenges.models import Follow  # noqa: E402
from govchallenge.extensions import db  # noqa: E402
from govchallenge.jobs.relay import relay_committed  # noqa: E402
from govchallenge.results.models import Announcement, Delivery  # noqa: E402
from tests.support import factories  # noqa: E402
from tests.support.databases import PostgresBackend  # noqa: E402
from tests.support.results_factories import judged_challenge, publish  # noqa: E402
from tests.support.services import start_smtp  # noqa: E402

RECIPIENTS = int(os.environ.get("RECIPIENTS", 20900))
WORKERS = [int(n) for n in os.environ.get("WORKERS", "1,4").split(",")]
REDIS = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/13")
TIMEOUT = float(os.environ.get("ANNOUNCEMENT_TIMEOUT", 900))  # seconds before a run stops waiting for the last message
ENTRIES = 300
LANGUAGES = ("en", "pl", "el", "de", "fr")
ROOT = Path(__file__).resolve().parent.parent


def add_followers(challenge_id, count):
    password_hash = db.session.execute(sa.select(User.password_hash).limit(1)).scalar_one()
    for start in range(0, count, 2000):
        users = [User(email=f"follower{n}@follow{n % 97}.example.eu", name=f"Follower {n}", country="PL",
                      language=LANGUAGES[n % len(LANGUAGES)], timezone="Europe/Warsaw", password_hash=password_hash)
                 for n in range(start, min(start + 2000, count))]
        db.session.add_all(users)
        db.session.flush()
        db.session.add_all(Follow(challenge_id=challenge_id, user_id=user.id) for user in users)
    db.session.flush()


def worker_environment(app, smtp_port):
    config = app.config
    return dict(os.environ, DATABASE_URL=config["SQLALCHEMY_DATABASE_URI"], REDIS_URL=REDIS, RQ_QUEUE="bench-announce",
                MAIL_SERVER="127.0.0.1", MAIL_PORT=str(smtp_port), SECRET_KEY="bench", AUDIT_KEY=config["AUDIT_KEY"],
                MAIL_FILE_DIR=config["MAIL_FILE_DIR"], STORAGE_DIR=config["STORAGE_DIR"],
                AUDIT_CHECKPOINT_DIR=config["AUDIT_CHECKPOINT_DIR"])


def peak_rss_mb(pid):
    """The process's high-water mark of resident memory (VmHWM), in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def run(workers):
    backend = PostgresBackend()
    folder = Path(tempfile.mkdtemp())
    controller, sink = start_smtp()
    processes = []
    try:
        app = postgres_bench_app(backend, folder, REDIS_URL=REDIS, RQ_QUEUE="bench-announce", JOBS_INLINE=False,
                                 MAIL_SERVER="127.0.0.1", MAIL_PORT=controller.port,
                                 AUDIT_CHECKPOINT_DIR=str(folder / "audit"))
        with app.app_context():
            from govchallenge.jobs.queue import redis_connection

            redis_connection().flushdb()
            started = time.perf_counter()
            judged = judged_challenge(entries=ENTRIES, jurors=12)
            add_followers(judged.challenge.id, RECIPIENTS - ENTRIES - 12)
            publication = publish(judged)
            db.session.commit()
            announcement_id = publication.announcement.id
            print(f"  {workers} worker(s): data ready in {time.perf_counter() - started:.0f} s", flush=True)
            env = worker_environment(app, controller.port)
            processes = [subprocess.Popen([sys.executable, "-m", "flask", "--app", "govchallenge", "jobs", "worker"],
                                          cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                         for _ in range(workers)]
            time.sleep(3)  # the workers are listening
            started = time.perf_counter()
            relay_committed()
            finished = wait_until_finished(announcement_id, timeout=TIMEOUT)
            elapsed = time.perf_counter() - started
            deliveries = db.session.execute(sa.select(sa.func.count(Delivery.id))).scalar()
        received = len(sink.received)
        duplicates = sum(n - 1 for n in sink.message_ids().values() if n > 1)
        rss = max(peak_rss_mb(p.pid) for p in processes)
        state = "finished" if finished else "NOT FINISHED"
        figures = {"workers": workers, "recipients": RECIPIENTS, "received": received, "seconds": elapsed,
                   "per_second": received / elapsed, "lost": deliveries - 1 - received, "duplicated": duplicates,
                   "connections": sink.connections(), "finished": finished, "worker_peak_rss_mb": rss}
        print(f"  {workers} worker(s): {received} messages in {elapsed:.1f} s ({received / elapsed:.0f}/s), "
              f"{figures['lost']} lost, {duplicates} duplicated, {sink.connections()} SMTP connections, "
              f"{state}; worker peak RSS {rss:.0f} MB", flush=True)
        return figures
    finally:
        for process in processes:
            process.terminate()
            process.wait(timeout=30)
        controller.stop()
        backend.teardown()


def wait_until_finished(announcement_id, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        db.session.expire_all()
        if db.session.get(Announcement, announcement_id).finished_at is not None:
            return True
        time.sleep(0.5)
    return False


def main(as_json=False):
    """Prints the figures of each run; with `--json` (the replay table, bench/replay_http.py) also one JSON line
    holding the list of them, last."""
    print(f"Announcement to {RECIPIENTS} recipients ({ENTRIES} entries, 12 jurors, the rest followers); "
          f"{os.cpu_count()} CPU(s)", flush=True)
    figures = [run(workers) for workers in WORKERS]
    if as_json:
        print(json.dumps(figures), flush=True)


if __name__ == "__main__":
    factories  # noqa: B018 - imported for the factories' counters the judged challenge uses
    main("--json" in sys.argv[1:])
