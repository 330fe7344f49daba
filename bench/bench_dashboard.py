"""The chair's jury dashboard of a big round: 2,150 entries, 400 jurors, R = 3 (SQLite in a temporary folder).

Prints the time to build the round, the time of each dashboard page (median of 5), its size, and the queries it
ran. Goal: under 300 ms. CPU time is printed beside wall time: on a shared machine it is the figure to compare. `python bench/run.py bench_dashboard` (ENTRIES=2150 JURORS=400 to change the size).
"""
import os
import statistics
import sys
import tempfile
import time
from types import SimpleNamespace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import sqlalchemy as sa  # noqa: E402

from govchallenge import create_app  # noqa: E402
from govchallenge.extensions import db  # noqa: E402
from tests.conftest import IsolatedClient, login  # noqa: E402
from tests.support.jury_factories import make_jury_setup  # noqa: E402

ENTRIES = int(os.environ.get("ENTRIES", 2150))
JURORS = int(os.environ.get("JURORS", 400))


def main():
    folder = Path(tempfile.mkdtemp())
    app = create_app({
        "TESTING": True, "SECRET_KEY": "bench", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'bench.db'}",
        "REDIS_URL": "", "WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": False, "MAIL_SERVER": "",
        "MAIL_FILE_DIR": str(folder / "mail"), "STORAGE_DIR": str(folder / "files"), "RATELIMIT_STORAGE_URI": "memory://",
    })
    with app.app_context():
        db.create_all()
        started = time.perf_counter()
        setup = make_jury_setup(n_entries=ENTRIES, n_jurors=JURORS, anonymous=False)
        print(f"round of {ENTRIES} entries x {JURORS} jurors built in {time.perf_counter() - started:.1f} s")
        slug, chair = setup["challenge"].slug, SimpleNamespace(email=setup["chair"].email)
        db.session.expunge_all()
        app.test_client_class = IsolatedClient  # each request its own session, as in production
        client = app.test_client()
        login(client, chair)
        for path in (f"/jury/{slug}/dashboard", f"/jury/{slug}/dashboard?page=22"):
            times, cpu, statements = [], [], []
            counter = lambda *args: statements.append(1)  # noqa: E731
            for _ in range(5):
                statements.clear()
                sa.event.listen(db.engine, "before_cursor_execute", counter)
                t0, c0 = time.perf_counter(), time.process_time()
                response = client.get(path)
                times.append(time.perf_counter() - t0)
                cpu.append(time.process_time() - c0)
                sa.event.remove(db.engine, "before_cursor_execute", counter)
                assert response.status_code == 200, response.status_code
            print(f"{path}: median {1000 * statistics.median(times):.0f} ms wall (min {1000 * min(times):.0f}), "
                  f"{1000 * statistics.median(cpu):.0f} ms CPU, "
                  f"{len(response.data) / 1024:.0f} KB, {len(statements)} queries")


if __name__ == "__main__":
    main()
