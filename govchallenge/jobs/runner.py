"""What an RQ worker runs: `run_outbox_job(outbox_id)`. Every job in Redis names this dotted path
(queue.RUNNER), so it stays here: jobs queued by an older release still run after an upgrade.

The work itself lives in execution.py (claiming and running a row) and relay.py (handing on what the job
requested); this module only ties them together for the worker, so neither of them imports the other's
caller."""
from flask import has_app_context

from govchallenge.extensions import db

from .execution import execute  # noqa: F401 - older imports of runner.execute keep working
from .progress import report_progress  # noqa: F401 - older imports of runner.report_progress keep working
from .relay import relay_committed


def run_outbox_job(outbox_id):
    """What an RQ worker runs."""
    if has_app_context():
        return _run_in_worker(outbox_id)
    with _worker_app().app_context():
        return _run_in_worker(outbox_id)


def _run_in_worker(outbox_id):
    db.engine.dispose(close=False)  # connections inherited through fork are not ours to use
    state = execute(outbox_id)
    relay_committed()
    db.session.remove()
    return state


_app = None


def _worker_app():
    global _app
    if _app is None:
        from govchallenge import create_app  # the package's factory; imported only in a bare worker

        _app = create_app()
    return _app
