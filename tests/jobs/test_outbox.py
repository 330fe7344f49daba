"""The outbox: a job requested in a transaction runs once after commit — inline, or through real
Redis and a real RQ worker — and is never lost while Redis is down."""
import subprocess
import sys
from datetime import timedelta

import sqlalchemy as sa
import time_machine

from govchallenge.core.audit import AuditEvent
from govchallenge.core.timeutil import utcnow
from govchallenge.extensions import db
from govchallenge.jobs import enqueue
from govchallenge.jobs.models import DONE, FAILED, PENDING, OutboxJob
from govchallenge.jobs.relay import relay_committed, relay_due
from govchallenge.jobs.execution import execute


def pings(label=None):
    query = sa.select(sa.func.count(AuditEvent.id)).where(AuditEvent.action == "jobs.ping")
    if label:
        query = query.where(AuditEvent.object_id == label)
    return db.session.execute(query).scalar()


def request_ping(label):
    job = enqueue("govchallenge.jobs.probes.ping", label)
    db.session.commit()
    relay_committed()
    return job.id


def test_inline_jobs_run_after_commit(app):
    job_id = request_ping("a")
    assert pings("a") == 1
    assert db.session.get(OutboxJob, job_id).state == DONE


def test_a_rolled_back_transaction_requests_nothing(app):
    enqueue("govchallenge.jobs.probes.ping", "never")
    db.session.rollback()
    relay_committed()
    assert db.session.execute(sa.select(sa.func.count(OutboxJob.id))).scalar() == 0
    assert pings() == 0


def test_running_a_job_twice_changes_nothing_the_second_time(app):
    job_id = request_ping("twice")
    assert execute(job_id) == "skipped"
    assert pings("twice") == 1


def test_jobs_only_run_functions_of_the_package(app):
    job = enqueue("os.system", "echo hacked")
    db.session.commit()
    relay_committed()
    db.session.expire_all()
    assert job.state == PENDING and "refusing" in job.last_error


def test_a_failing_job_is_retried_with_back_off_then_marked_failed(app):
    job = enqueue("govchallenge.jobs.probes.fail", "x", max_attempts=3)
    db.session.commit()
    relay_committed()
    db.session.expire_all()
    assert job.state == PENDING and job.attempts == 1 and "fails on purpose" in job.last_error
    first_retry = job.run_after
    assert first_retry > utcnow() + timedelta(seconds=5)
    assert relay_due() == 0  # not due yet
    with time_machine.travel(first_retry + timedelta(seconds=1)):
        relay_due()
        db.session.expire_all()
        assert job.attempts == 2 and job.run_after - utcnow() > timedelta(seconds=30)
    with time_machine.travel(job.run_after + timedelta(seconds=1)):
        relay_due()
    db.session.expire_all()
    assert job.state == FAILED and job.attempts == 3


def test_a_claim_left_by_a_dead_worker_is_taken_again(app):
    job = enqueue("govchallenge.jobs.probes.ping", "stale")
    db.session.commit()
    db.session.execute(sa.update(OutboxJob).where(OutboxJob.id == job.id).values(state="running", claimed_at=utcnow()))
    db.session.commit()
    assert execute(job.id) == "skipped"  # someone is working on it
    with time_machine.travel(utcnow() + timedelta(minutes=11)):
        assert execute(job.id) == DONE
    assert pings("stale") == 1


def test_jobs_go_through_redis_to_a_real_rq_worker(redis_app, rq_worker):
    job_id = request_ping("queued")
    assert pings("queued") == 0  # not run in the request
    assert db.session.get(OutboxJob, job_id).relayed_at is not None
    rq_worker()
    assert pings("queued") == 1
    assert db.session.get(OutboxJob, job_id).state == DONE


def test_a_job_requested_while_redis_is_down_runs_once_redis_is_back(make_app, private_redis, rq_worker):
    app = make_app(REDIS_URL=private_redis.url, RQ_QUEUE="outage", HEALTHZ_TOKEN="operator-token")
    with app.app_context():
        private_redis.stop()
        job_id = request_ping("outage")  # the commit succeeds; the relay fails quietly
        job = db.session.get(OutboxJob, job_id)
        assert job.relayed_at is None and job.state == PENDING
        health = app.test_client().get("/healthz", headers={"Authorization": "Bearer operator-token"}).json
        assert health["redis"].startswith("unavailable")

        private_redis.start()
        assert relay_due() == 1
        assert relay_due() == 0  # relayed once, not again
        rq_worker()
        rq_worker()
        assert pings("outage") == 1
        db.session.expire_all()
        assert db.session.get(OutboxJob, job_id).state == DONE


def test_the_worker_command_relays_and_runs_in_burst_mode(redis_app, backend, tmp_path):
    job = enqueue("govchallenge.jobs.probes.ping", "cli")
    db.session.commit()  # not relayed: as if the web process died right after the commit
    env = {
        "DATABASE_URL": redis_app.config["SQLALCHEMY_DATABASE_URI"],
        "REDIS_URL": redis_app.config["REDIS_URL"],
        "RQ_QUEUE": redis_app.config["RQ_QUEUE"],
        "SECRET_KEY": "x" * 40,
        "PATH": "/usr/bin:/bin",
    }
    result = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "govchallenge", "jobs", "worker", "--burst"],
        env=env, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    db.session.expire_all()
    assert db.session.get(OutboxJob, job.id).state == DONE
    assert pings("cli") == 1


def test_healthz_reports_both_services(redis_app):
    redis_app.config["HEALTHZ_TOKEN"] = "operator-token"
    body = redis_app.test_client().get("/healthz", headers={"Authorization": "Bearer operator-token"}).json
    assert body == {"status": "ok", "database": "ok", "redis": "ok", "outbox_pending": 0}


def test_healthz_in_the_embedded_default(app, client):
    app.config["HEALTHZ_TOKEN"] = "operator-token"
    body = client.get("/healthz", headers={"Authorization": "Bearer operator-token"}).json
    assert body == {"status": "ok", "database": "ok", "redis": "not configured", "outbox_pending": 0}


def test_worker_refuses_to_start_without_redis(app):
    result = app.test_cli_runner().invoke(args=["jobs", "worker", "--burst"])
    assert result.exit_code != 0 and "REDIS_URL is not set" in result.output


def test_a_row_whose_worker_died_is_due_again_and_runs_once(app):
    from govchallenge.jobs.outbox import take_committed_ids

    job = enqueue("govchallenge.jobs.probes.ping", "orphan")
    db.session.commit()
    take_committed_ids()  # the process that committed it died before relaying
    db.session.execute(sa.update(OutboxJob).where(OutboxJob.id == job.id).values(state="running", claimed_at=utcnow()))
    db.session.commit()
    assert relay_due() == 0  # its worker may still be busy with it
    with time_machine.travel(utcnow() + timedelta(minutes=11)):
        assert relay_due() == 1
        assert relay_due() == 0
    assert pings("orphan") == 1


def test_a_row_redis_lost_is_handed_on_again(redis_app, rq_worker):
    """Redis keeps nothing on disk here: a restart drops queued jobs. The outbox still knows them."""
    from govchallenge.jobs.queue import redis_connection

    request_ping("dropped")
    redis_connection().delete(f"rq:queue:{redis_app.config['RQ_QUEUE']}")  # the queue is gone, as after a restart
    rq_worker()
    assert pings("dropped") == 0
    assert relay_due() == 0  # handed on a moment ago: not yet taken for lost
    with time_machine.travel(utcnow() + timedelta(minutes=11)):
        assert relay_due() == 1
    rq_worker()
    assert pings("dropped") == 1


def test_progress_reports_renew_the_claim(app):
    from govchallenge.jobs import progress

    job = enqueue("govchallenge.jobs.probes.ping", "long")
    db.session.commit()
    db.session.execute(sa.update(OutboxJob).where(OutboxJob.id == job.id).values(state="running", claimed_at=utcnow()))
    db.session.commit()
    later = utcnow() + timedelta(minutes=9)
    with time_machine.travel(later):
        with progress.running(job):
            progress.report_progress(5, 10)
    with time_machine.travel(later + timedelta(minutes=9)):
        assert relay_due() == 0  # alive: it reported 9 minutes ago
    db.session.expire_all()
    assert job.progress_done == 5 and job.state == "running"


def test_a_job_asked_for_later_waits_for_its_moment(app):
    job = enqueue("govchallenge.jobs.probes.ping", "later", delay_seconds=3600)
    db.session.commit()
    relay_committed()
    assert pings("later") == 0 and relay_due() == 0
    with time_machine.travel(utcnow() + timedelta(hours=1, seconds=1)):
        assert relay_due() == 1
    assert pings("later") == 1
    db.session.expire_all()
    assert db.session.get(OutboxJob, job.id).state == DONE


def test_the_embedded_default_runs_due_rows_after_requests(app, client):

    enqueue("govchallenge.jobs.probes.ping", "swept", delay_seconds=60)
    db.session.commit()
    relay_committed()
    client.get("/healthz")
    assert pings("swept") == 0  # neither due nor time for a sweep
    with time_machine.travel(utcnow() + timedelta(minutes=2)):
        client.get("/healthz")
    assert pings("swept") == 1


def test_a_delayed_job_through_redis_is_relayed_when_due(redis_app, rq_worker):
    job = enqueue("govchallenge.jobs.probes.ping", "delayed-rq", delay_seconds=600)
    db.session.commit()
    relay_committed()
    db.session.expire_all()
    assert db.session.get(OutboxJob, job.id).relayed_at is None
    with time_machine.travel(utcnow() + timedelta(minutes=11)):
        assert relay_due() == 1
    rq_worker()
    assert pings("delayed-rq") == 1


def test_a_long_job_keeps_its_claim_fresh_so_nobody_runs_it_beside_it(redis_app, monkeypatch):
    from govchallenge.jobs import execution

    monkeypatch.setattr(execution, "HEARTBEAT_SECONDS", 0.05)
    job = enqueue("govchallenge.jobs.probes.linger", "slow", 0.5)
    db.session.commit()
    from govchallenge.jobs.outbox import take_committed_ids

    take_committed_ids()
    started = utcnow()
    assert execute(job.id) == DONE
    db.session.expire_all()
    assert db.session.get(OutboxJob, job.id).claimed_at > started + timedelta(seconds=0.2)
    assert pings("slow") == 1
