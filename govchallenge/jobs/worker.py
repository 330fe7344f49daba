"""The worker process: an RQ worker plus a relay loop that hands on rows left in the outbox."""
import logging
import threading

from rq import Worker

from govchallenge.core import audit
from govchallenge.extensions import db

from .queue import get_queue, redis_connection
from .relay import relay_due

log = logging.getLogger(__name__)


def relay_loop(app, stop, interval):
    while not stop.wait(interval):
        with app.app_context():
            try:
                relay_due()
            except Exception:
                log.exception("relay of due outbox rows failed; trying again in %ss", interval)
            try:
                audit.seal(wait=False)  # quiet moments too: events never wait for the next write to be sealed
            except Exception:
                log.exception("sealing the audit trail failed; trying again in %ss", interval)
            finally:
                db.session.remove()


def run_worker(app, burst=False, relay_interval=5.0):
    with app.app_context():
        relay_due()
        connection = redis_connection()
        worker = Worker([get_queue(connection)], connection=connection)
    stop = threading.Event()
    relayer = threading.Thread(target=relay_loop, args=(app, stop, relay_interval), daemon=True)
    if not burst:
        relayer.start()
    try:
        with app.app_context():
            worker.work(burst=burst, with_scheduler=False)
    finally:
        stop.set()
