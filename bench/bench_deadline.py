"""The last second before a deadline, on PostgreSQL with the real clock: N teams submit at once.

Prints how long the burst took, the latency of each submission, how many were recorded with a
receipt, and that every submission after the deadline is refused. `python bench/run.py bench_deadline`.
Needs PostgreSQL (POSTGRES_ADMIN_URL, as the tests). BURST=200 by default.
"""
import os
import statistics
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import sqlalchemy as sa  # noqa: E402

from bench.postgres_app import postgres_bench_app  # noqa: E402
from govchallenge.core.timeutil import utcnow  # noqa: E402
from govchallenge.extensions import db  # noqa: E402
from govchallenge.jobs.models import OutboxJob  # noqa: E402
from govchallenge.submissions.models import SubmissionVersion  # noqa: E402
from tests.conftest import IsolatedClient, login  # noqa: E402
from tests.support import factories  # noqa: E402
from tests.support.databases import PostgresBackend  # noqa: E402

BURST = int(os.environ.get("BURST", 200))


def main():
    backend = PostgresBackend()
    folder = Path(tempfile.mkdtemp())
    try:
        app = postgres_bench_app(backend, folder, WTF_CSRF_ENABLED=False, RATELIMIT_ENABLED=False)
        app.test_client_class = IsolatedClient  # each request its own context, as in production
        with app.app_context():
            run(app)
            db.session.remove()
            db.engine.dispose()
    finally:
        backend.teardown()


def run(app):
    challenge = factories.make_challenge(opens_in_days=-5, closes_in_days=1)
    stage = challenge.stages[0]
    entrants = []
    for n in range(BURST):
        user = factories.make_user(email=f"bench{n}@example.eu")
        team = factories.make_team(challenge, [user], name=f"Bench {n}")
        entrants.append((user, factories.make_submission(team, state="draft")))
    db.session.commit()
    clients = [(login(app.test_client(), user), submission.public_id) for user, submission in entrants]

    def burst(lock_version):
        barrier = threading.Barrier(BURST)
        latencies = [0.0] * BURST

        def submit(index):
            client, public_id = clients[index]
            barrier.wait()
            started = time.perf_counter()
            status = client.post(f"/entries/{public_id}/check", data={"lock_version": lock_version}).status_code
            latencies[index] = time.perf_counter() - started
            return status

        started = time.perf_counter()
        with ThreadPoolExecutor(max_workers=BURST) as pool:
            statuses = list(pool.map(submit, range(BURST)))
        return statuses, time.perf_counter() - started, latencies

    # The deadline one second after the burst starts.
    stage.closes_at = utcnow() + timedelta(seconds=1)
    db.session.commit()
    statuses, wall, latencies = burst(1)
    recorded = db.session.execute(sa.select(sa.func.count(SubmissionVersion.id))).scalar()
    late = sum(1 for v in db.session.execute(sa.select(SubmissionVersion.submitted_at)).scalars() if v >= stage.closes_at)
    receipts = db.session.execute(sa.select(sa.func.count(OutboxJob.id)).where(OutboxJob.function.like("%send_receipt"))).scalar()
    q = statistics.quantiles(latencies, n=20)
    print(f"burst of {BURST} submissions, deadline 1 s after the start: {statuses.count(302)} accepted, "
          f"{statuses.count(400)} refused, in {wall:.2f} s ({BURST / wall:.0f}/s)")
    print(f"  latency p50 {statistics.median(latencies) * 1000:.0f} ms, p95 {q[18] * 1000:.0f} ms, max {max(latencies) * 1000:.0f} ms")
    print(f"  versions recorded {recorded}, stamped at or after the deadline {late}, receipt jobs {receipts}")
    while utcnow() < stage.closes_at:
        time.sleep(0.05)
    statuses, wall, _ = burst(2)
    db.session.expire_all()
    after = db.session.execute(sa.select(sa.func.count(SubmissionVersion.id))).scalar()
    print(f"burst of {BURST} after the deadline: {statuses.count(400)} refused, {statuses.count(302)} accepted, "
          f"versions {after} (unchanged: {after == recorded}), in {wall:.2f} s")


if __name__ == "__main__":
    main()
