"""After the commit a request's work is saved: nothing the after-request relay meets — a database connection
dropped mid-rollback, a database gone altogether — may turn the answer into an error page. The row stays in
the outbox and the worker's relay loop hands it on once the database is back."""
import threading
import time

import pytest
import sqlalchemy as sa
from flask import redirect

from govchallenge.core.audit import AuditEvent
from govchallenge.extensions import db
from govchallenge.jobs import enqueue
from govchallenge.jobs.models import DONE, PENDING, OutboxJob
from govchallenge.jobs.worker import relay_loop


class DatabaseOutage:
    """Makes the database go away for one app: `drop(connection)` closes the DBAPI connection under a
    live session (its rollback fails as on a dropped TCP connection); while `down`, every new connection
    is refused, as by a server that is unreachable."""

    def __init__(self, engine):
        self.engine, self.down = engine, False
        sa.event.listen(engine, "do_connect", self._refuse)

    def _refuse(self, dialect, connection_record, cargs, cparams):
        if self.down:
            raise dialect.loaded_dbapi.OperationalError("could not connect to server: Connection refused")
        return None

    def start(self, drop_session_connection):
        self.down = True
        if drop_session_connection:
            db.session.connection().connection.dbapi_connection.close()
        self.engine.pool.dispose()  # pooled connections go with the server

    def end(self):
        self.down = False


@pytest.mark.parametrize("drop_session_connection", [True, False], ids=["dropped-mid-transaction", "unreachable"])
def test_a_committed_request_answers_its_redirect_when_the_database_goes_away_after_commit(
        redis_app, rq_worker, caplog, drop_session_connection):
    outage = DatabaseOutage(db.engine)
    redis_app.logger.disabled = False  # alembic's fileConfig (preparing a database) disables existing loggers

    @redis_app.route("/test/record-entry", methods=["POST"])
    def record_entry():
        job = enqueue("govchallenge.jobs.probes.ping", "after-commit")
        db.session.commit()
        redis_app.extensions["test_job_id"] = job.id
        db.session.execute(sa.text("SELECT 1"))  # the view reads on after its commit (building the redirect)
        outage.start(drop_session_connection)
        return redirect("/test/recorded")

    response = redis_app.test_client().post("/test/record-entry")
    assert response.status_code == 302 and response.location.endswith("/test/recorded")
    assert "outbox relay after the request failed" in caplog.text
    outage.end()

    job_id = redis_app.extensions["test_job_id"]
    db.session.expire_all()
    job = db.session.get(OutboxJob, job_id)
    assert job.state == PENDING and job.relayed_at is None  # committed, not relayed

    stop = threading.Event()
    loop = threading.Thread(target=relay_loop, args=(redis_app, stop, 0.05), daemon=True)
    loop.start()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        db.session.expire_all()
        if db.session.get(OutboxJob, job_id).relayed_at is not None:
            break
        time.sleep(0.05)
    stop.set()
    loop.join(timeout=5)
    rq_worker()
    db.session.expire_all()
    assert db.session.get(OutboxJob, job_id).state == DONE
    pings = db.session.execute(sa.select(sa.func.count(AuditEvent.id)).where(AuditEvent.object_id == "after-commit"))
    assert pings.scalar() == 1
