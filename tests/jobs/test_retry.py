"""How long failed work is tried again: waits grow from 30 s to at most 30 min, mail is tried for
MAIL_RETRY_HOURS (a working day's outage loses nothing), other failures for the job's max_attempts, and a
job whose work partly waits asks to run again without counting a failure."""
from datetime import timedelta

import pytest
import sqlalchemy as sa
import time_machine

from govchallenge.core.audit import AuditEvent
from govchallenge.core.timeutil import utcnow
from govchallenge.extensions import db
from govchallenge.jobs import enqueue, retry
from govchallenge.jobs.execution import execute
from govchallenge.jobs.models import DONE, FAILED, PENDING, OutboxJob
from govchallenge.jobs.relay import relay_committed, relay_due


def test_waits_double_from_thirty_seconds_and_never_exceed_thirty_minutes():
    waits = [retry.wait_after(n).total_seconds() for n in range(1, 12)]
    assert waits == [30, 60, 120, 240, 480, 960, 1800, 1800, 1800, 1800, 1800]
    assert retry.wait_after(10_000) == timedelta(minutes=30)  # no overflow, however long the outage


@pytest.mark.parametrize("hours", [0.5, 1, 10, 24, 72])
def test_the_attempts_of_a_window_spread_over_the_whole_window_and_no_more(hours):
    attempts = retry.attempts_within(hours)
    waits = [retry.wait_after(n) for n in range(1, attempts)]  # the waits between those attempts
    assert sum(waits, timedelta(0)) >= timedelta(hours=hours)
    assert sum(waits[:-1], timedelta(0)) < timedelta(hours=hours)  # one attempt fewer would fall short


@pytest.mark.parametrize("hours, attempts", [
    (0, 1),          # no window: the first attempt only
    (-3, 1),
    (0.025, 3),      # 90 s: waits of 30 s and 60 s fill it exactly, so a third attempt ends it
    (0.026, 4),      # a little more: one more wait (2 min)
    (0.5, 7),        # 30 s + 1 + 2 + 4 + 8 + 16 min = 31.5 min: six waits, seven attempts
])
def test_the_attempts_of_a_window_by_hand(hours, attempts):
    assert retry.attempts_within(hours) == attempts


def test_mail_is_tried_for_a_day_when_nothing_is_set(app):
    app.config.pop("MAIL_RETRY_HOURS", None)
    assert retry.retry_hours() == 24.0
    assert retry.mail_attempts() == retry.attempts_within(24)
    app.config["MAIL_RETRY_HOURS"] = "0.5"
    assert retry.mail_attempts() == 7


def test_a_wait_instruction_carries_its_moment_and_reason():
    instruction = retry.RunLater("at", "deliveries wait")
    assert (instruction.at, instruction.reason, str(instruction)) == ("at", "deliveries wait", "deliveries wait")


def test_a_day_of_retries_is_about_fifty_attempts():
    assert 50 <= retry.attempts_within(24) <= 56


def drive(until):
    """The worker's relay loop: at each row's next moment, run what is due, until `until`."""
    while True:
        due = db.session.execute(sa.select(sa.func.min(OutboxJob.run_after)).where(OutboxJob.state == PENDING)).scalar()
        if due is None or due > until:
            return
        with time_machine.travel(due + timedelta(seconds=1), tick=False):
            relay_due()
        db.session.expire_all()


def test_a_job_failing_on_mail_is_tried_for_mail_retry_hours_then_given_up(make_app):
    app = make_app(MAIL_RETRY_HOURS=10)
    with app.app_context():
        start = utcnow()
        job = enqueue("govchallenge.jobs.probes.refuse_mail", "outage", max_attempts=5)
        db.session.commit()
        relay_committed()
        drive(start + timedelta(hours=9, minutes=30))
        job = db.session.get(OutboxJob, job.id)
        assert job.state == PENDING and job.attempts > 5  # past its own max_attempts: mail is transient
        drive(start + timedelta(hours=12))
        job = db.session.get(OutboxJob, job.id)
        assert job.state == FAILED and job.attempts == retry.attempts_within(10)
        assert job.finished_at - start >= timedelta(hours=10)


def test_other_failures_keep_the_jobs_own_attempts(app):
    job = enqueue("govchallenge.jobs.probes.fail", "bug", max_attempts=3)
    db.session.commit()
    relay_committed()
    drive(utcnow() + timedelta(hours=1))
    job = db.session.get(OutboxJob, job.id)
    assert job.state == FAILED and job.attempts == 3


def test_a_job_asking_to_run_later_counts_no_failure_and_runs_then(app):
    at = utcnow() + timedelta(minutes=20)
    job = enqueue("govchallenge.jobs.probes.ping_at", "later", at.isoformat(), max_attempts=1)
    db.session.commit()
    relay_committed()
    db.session.expire_all()
    job = db.session.get(OutboxJob, job.id)
    assert (job.state, job.attempts, job.run_after) == (PENDING, 0, at)
    assert job.last_error == "waiting: probe later waits" and job.relayed_at is None
    with time_machine.travel(at - timedelta(minutes=1), tick=False):
        assert relay_due() == 0
    with time_machine.travel(at + timedelta(seconds=1), tick=False):
        assert relay_due() == 1
    db.session.expire_all()
    assert db.session.get(OutboxJob, job.id).state == DONE  # max_attempts=1, yet the waits cost nothing
    assert execute(job.id) == "skipped"
    count = db.session.execute(sa.select(sa.func.count(AuditEvent.id)).where(AuditEvent.object_id == "later")).scalar()
    assert count == 1


def test_operators_see_rows_waiting_to_retry_and_given_up_in_jobs_status(app):
    waiting = enqueue("govchallenge.jobs.probes.refuse_mail", "smtp-down")
    broken = enqueue("govchallenge.jobs.probes.fail", "broken", max_attempts=1)
    enqueue("govchallenge.jobs.probes.ping", "tomorrow", delay_seconds=86400)
    enqueue("govchallenge.jobs.probes.ping_at", "part-waits", (utcnow() + timedelta(hours=1)).isoformat())
    db.session.commit()
    relay_committed()
    db.session.expire_all()
    waiting = db.session.get(OutboxJob, waiting.id)
    output = app.test_cli_runner().invoke(args=["jobs", "status"]).output
    assert "waiting to retry: 2" in output and "waiting: probe part-waits waits" in output and "given up: 1" in output and "scheduled for later: 1" in output
    next_at = waiting.run_after.strftime("%Y-%m-%d %H:%M:%S UTC")
    assert f"#{waiting.id} govchallenge.jobs.probes.refuse_mail attempt 1, next at {next_at}" in output
    assert "MailError: probe smtp-down: the mail server refuses" in output
    assert f"#{broken.id} govchallenge.jobs.probes.fail after 1 attempt(s)" in output
