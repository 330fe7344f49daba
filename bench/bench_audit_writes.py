"""Audited writes on PostgreSQL with N concurrent writers: the old global chain lock against the sealer.

Each write is what an audited request does: in one transaction, change a row of its own (no contention
between writers), record an audit event, spend WORK_MS on the rest of the view (outbox row, rendering),
commit. Designs:
  global lock  - the old record(): pg_advisory_xact_lock held from the audit write until the commit,
                 read the last hash, insert the new link (a copy of the old code, on its own table);
  seal/commit  - record() inserts the event and its queue row, no lock; every commit then seals
                 (one sealer per process, try-lock): AUDIT_SEAL_INTERVAL=0, the embedded default;
  seal/1s      - the same, sealing at most once a second per process: AUDIT_SEAL_INTERVAL=1, the default
                 with PostgreSQL.
Prints writes per second, latency p50/p95 per write, and for the new designs that the chain verifies.
`python bench/run.py bench_audit_writes`. Needs PostgreSQL (TEST_POSTGRES_URL, as the tests).
WRITERS=1,4,8  PER_WRITER=100  WORK_MS=0,2  REPEAT=3 by default: the designs take turns, and each figure is
the median of the repetitions (the machine is shared; one run alone says little).
"""
import hashlib
import json
import os
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import sqlalchemy as sa  # noqa: E402

from bench.postgres_app import postgres_bench_app  # noqa: E402
from govchallenge.core import audit  # noqa: E402
from govchallenge.core.timeutil import utcnow  # noqa: E402
from govchallenge.extensions import db  # noqa: E402
from tests.support.databases import PostgresBackend  # noqa: E402

WRITERS = [int(n) for n in os.environ.get("WRITERS", "1,4,8").split(",")]
PER_WRITER = int(os.environ.get("PER_WRITER", 100))
WORK_MS = [float(n) for n in os.environ.get("WORK_MS", "0,2").split(",")]
REPEAT = int(os.environ.get("REPEAT", 3))
DESIGNS = ("global lock", "seal/commit", "seal/1s")

LEGACY_TABLE = """
CREATE TABLE bench_legacy_audit (
    id SERIAL PRIMARY KEY, created_at TIMESTAMPTZ NOT NULL, actor_id INTEGER, actor_label VARCHAR(320) NOT NULL,
    action VARCHAR(80) NOT NULL, object_type VARCHAR(40) NOT NULL, object_id VARCHAR(64) NOT NULL,
    detail JSON NOT NULL, ip_address VARCHAR(45) NOT NULL, prev_hash VARCHAR(64) NOT NULL, hash VARCHAR(64) NOT NULL UNIQUE)
"""


def legacy_record(action, object_id, **detail):
    """The record() this redesign replaced: one lock for the whole platform, held until the commit."""
    session = db.session
    session.execute(sa.text("SELECT pg_advisory_xact_lock(7240001)"))
    last = session.execute(sa.text("SELECT hash FROM bench_legacy_audit ORDER BY id DESC LIMIT 1")).scalar()
    payload = {"created_at": utcnow().replace(microsecond=0).isoformat(), "actor_id": None, "actor_label": "",
               "action": action, "object_type": "bench", "object_id": str(object_id), "detail": detail, "ip_address": ""}
    prev = last or "0" * 64
    digest = hashlib.sha256((prev + json.dumps(payload, sort_keys=True, separators=(",", ":"))).encode()).hexdigest()
    session.execute(sa.text(
        "INSERT INTO bench_legacy_audit (created_at, actor_id, actor_label, action, object_type, object_id, detail, "
        "ip_address, prev_hash, hash) VALUES (:created_at, NULL, '', :action, 'bench', :object_id, :detail, '', :prev, :hash)"
    ), {"created_at": payload["created_at"], "action": action, "object_id": str(object_id),
        "detail": json.dumps(detail), "prev": prev, "hash": digest})


def new_record(action, object_id, **detail):
    audit.record(action, object_type="bench", object_id=object_id, **detail)


def writer(app, number, record, work_seconds, latencies, start):
    with app.app_context():
        start.wait()
        for n in range(PER_WRITER):
            began = time.perf_counter()
            db.session.execute(sa.text("UPDATE bench_counter SET n = n + 1 WHERE id = :id"), {"id": number})
            record("bench.write", number, n=n)
            if work_seconds:
                time.sleep(work_seconds)
            db.session.commit()
            latencies.append(time.perf_counter() - began)
        db.session.remove()


def run(app, design, writers, work_ms):
    """One run: (writes per second, latencies in seconds)."""
    record = legacy_record if design == "global lock" else new_record
    app.config["AUDIT_SEAL_INTERVAL"] = 1 if design == "seal/1s" else 0
    latencies, start = [], threading.Event()
    threads = [threading.Thread(target=writer, args=(app, n + 1, record, work_ms / 1000, latencies, start)) for n in range(writers)]
    for thread in threads:
        thread.start()
    began = time.perf_counter()
    start.set()
    for thread in threads:
        thread.join()
    return len(latencies) / (time.perf_counter() - began), latencies


def check_chain(app):
    """Seal what the writers left, verify the whole chain: (left to seal, report)."""
    with app.app_context():
        late = audit.seal()
        report = audit.verify()
        db.session.remove()
    return late, report


def compare(app, writers, work_ms):
    results = {design: [] for design in DESIGNS}
    left = {design: [] for design in DESIGNS}
    for _ in range(REPEAT):
        for design in DESIGNS:
            results[design].append(run(app, design, writers, work_ms))
            if design != "global lock":
                late, report = check_chain(app)
                assert report.ok, [str(p) for p in report.problems[:5]]
                left[design].append(late)
    for design in DESIGNS:
        rates = [rate for rate, _ in results[design]]
        latencies = sorted(x for _, run_latencies in results[design] for x in run_latencies)
        p95 = latencies[int(len(latencies) * 0.95) - 1]
        line = (f"{design:<12} writers={writers} work={work_ms:g}ms  {statistics.median(rates):6.0f} writes/s "
                f"(runs {', '.join(f'{r:.0f}' for r in rates)})  p50 {statistics.median(latencies) * 1000:6.1f} ms  "
                f"p95 {p95 * 1000:6.1f} ms")
        if left[design]:
            line += f"  | chain valid; left for the next sealer at the end: {max(left[design])}"
        print(line, flush=True)


def main():
    backend = PostgresBackend()
    folder = Path(tempfile.mkdtemp())
    try:
        app = postgres_bench_app(backend, folder, AUDIT_CHECKPOINT_DIR=str(folder / "audit"))
        with app.app_context():
            db.session.execute(sa.text(LEGACY_TABLE))
            db.session.execute(sa.text("CREATE TABLE bench_counter (id INTEGER PRIMARY KEY, n INTEGER NOT NULL)"))
            db.session.execute(sa.text("INSERT INTO bench_counter SELECT g, 0 FROM generate_series(1, 64) g"))
            db.session.commit()
            settings = dict(db.session.execute(sa.text(
                "SELECT name, setting FROM pg_settings WHERE name IN ('fsync', 'synchronous_commit')")).all())
            db.session.remove()
        print(f"PostgreSQL {settings}; {PER_WRITER} writes per writer; {os.cpu_count()} CPU(s)", flush=True)
        for work_ms in WORK_MS:
            for writers in WRITERS:
                compare(app, writers, work_ms)
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
    finally:
        backend.teardown()


if __name__ == "__main__":
    main()
