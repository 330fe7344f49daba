"""The outbox's rules at their edges, with the clock stopped: which rows are due, which a runner may
claim (exactly once, and a dead worker's row after STALE_CLAIM), what a failure or a "run later" leaves
in the row."""
from datetime import timedelta

import pytest
import sqlalchemy as sa
import time_machine

from govchallenge.core.timeutil import utcnow
from govchallenge.extensions import db
from govchallenge.jobs import outbox, retry
from govchallenge.jobs.execution import allowed_attempts, claim, execute, resolve
from govchallenge.jobs.models import DONE, FAILED, PENDING, RUNNING, OutboxJob

NOW = utcnow().replace(microsecond=0) + timedelta(days=3)
TEN_MINUTES = timedelta(minutes=10)


@pytest.fixture
def clock(app):
    with time_machine.travel(NOW, tick=False):
        yield NOW


def row(**values):
    """An outbox row as a runner would find it; committed."""
    values = {"function": "govchallenge.jobs.probes.ping", "args": ["x"], "run_after": NOW, **values}
    job = OutboxJob(**values)
    db.session.add(job)
    db.session.commit()
    return job.id


def state_of(job_id):
    db.session.expire_all()
    return db.session.get(OutboxJob, job_id)


# --- which rows are due --------------------------------------------------------------------------------

def test_a_pending_row_is_due_from_its_moment_on(clock):
    now_row, past_row = row(run_after=NOW), row(run_after=NOW - timedelta(seconds=1))
    later_row = row(run_after=NOW + timedelta(seconds=1))
    assert outbox.due_ids() == [now_row, past_row]
    assert outbox.due_now([later_row, past_row, now_row]) == [now_row, past_row]
    assert outbox.due_now([]) == []
    assert outbox.due_now([past_row]) == [past_row]  # only the rows asked about


def test_at_most_500_due_rows_are_handed_on_at_once(clock):
    db.session.execute(sa.insert(OutboxJob), [
        {"function": "govchallenge.jobs.probes.ping", "args": [], "run_after": NOW} for _ in range(501)])
    db.session.commit()
    assert len(outbox.due_ids()) == 500


def test_a_pending_row_handed_to_the_queue_is_due_again_only_once_the_handing_on_is_stale(clock):
    fresh = row(relayed_at=NOW - TEN_MINUTES)  # exactly STALE_CLAIM ago: still trusted to the queue
    lost = row(relayed_at=NOW - TEN_MINUTES - timedelta(seconds=1))
    assert outbox.due_ids() == [lost]
    assert fresh not in outbox.due_ids()


def test_a_running_row_is_due_again_only_when_its_claim_is_stale(clock):
    alive = row(state=RUNNING, claimed_at=NOW - TEN_MINUTES)
    dead = row(state=RUNNING, claimed_at=NOW - TEN_MINUTES - timedelta(seconds=1))
    handed_on_again = row(state=RUNNING, claimed_at=NOW - timedelta(hours=1), relayed_at=NOW - timedelta(minutes=1))
    dead_and_stale = row(state=RUNNING, claimed_at=NOW - timedelta(hours=1), relayed_at=NOW - timedelta(hours=1))
    row(state=RUNNING, claimed_at=NOW - timedelta(hours=1), relayed_at=NOW - TEN_MINUTES)  # handed on exactly 10 min ago
    assert outbox.due_ids() == [dead, dead_and_stale]
    assert alive not in outbox.due_ids() and handed_on_again not in outbox.due_ids()


def test_rows_that_ended_are_never_due(clock):
    row(state=DONE, claimed_at=NOW - timedelta(days=1))
    row(state=FAILED, claimed_at=NOW - timedelta(days=1))
    assert outbox.due_ids() == []


def test_due_rows_come_oldest_first_and_at_most_the_limit(clock):
    ids = [row() for _ in range(4)]
    assert outbox.due_ids(limit=3) == ids[:3]
    assert len(outbox.due_ids()) == 4


def test_the_ids_a_commit_carried_are_taken_once_sorted_and_without_repeats(app):
    first = outbox.enqueue("govchallenge.jobs.probes.ping", "a")
    db.session.commit()
    second = outbox.enqueue("govchallenge.jobs.probes.ping", "b", delay_seconds=60, max_attempts=2)
    db.session.commit()
    db.session.info["outbox_committed"].append(first.id)
    assert outbox.take_committed_ids() == [first.id, second.id]
    assert outbox.take_committed_ids() == []
    job = state_of(second.id)
    assert (job.function, job.args, job.max_attempts, job.state) == ("govchallenge.jobs.probes.ping", ["b"], 2, PENDING)
    assert timedelta(seconds=59) < job.run_after - utcnow() <= timedelta(seconds=60)


def test_a_job_requested_without_options_runs_now_and_gets_five_attempts(clock):
    job = outbox.enqueue("govchallenge.jobs.probes.ping", 1, "two")
    assert job.args == [1, "two"] and job.max_attempts == 5
    assert job.run_after == NOW
    db.session.rollback()
    assert outbox.take_committed_ids() == []


# --- the claim --------------------------------------------------------------------------------------------

def test_a_pending_row_is_claimed_once(clock):
    job_id, other = row(attempts=2), row()
    assert claim(job_id) is True
    job = state_of(job_id)
    assert (job.state, job.claimed_at, job.attempts) == (RUNNING, NOW, 3)
    assert claim(job_id) is False and state_of(job_id).attempts == 3
    assert state_of(other).state == PENDING and state_of(other).attempts == 0


def test_a_running_row_is_claimed_again_only_after_its_claim_went_stale(clock):
    alive = row(state=RUNNING, claimed_at=NOW - TEN_MINUTES, attempts=1)
    dead = row(state=RUNNING, claimed_at=NOW - TEN_MINUTES - timedelta(seconds=1), attempts=1)
    assert claim(alive) is False and state_of(alive).claimed_at == NOW - TEN_MINUTES
    assert claim(dead) is True
    assert (state_of(dead).claimed_at, state_of(dead).attempts) == (NOW, 2)


@pytest.mark.parametrize("state", [DONE, FAILED])
def test_a_row_that_ended_is_never_claimed(clock, state):
    job_id = row(state=state, claimed_at=NOW - timedelta(days=1))
    assert claim(job_id) is False and execute(job_id) == "skipped"
    assert state_of(job_id).state == state


# --- running and what a failure leaves -----------------------------------------------------------------------

def test_a_job_that_ran_is_done_with_its_result(clock):
    job_id = row(last_error="an older failure")
    assert execute(job_id) == DONE
    job = state_of(job_id)
    assert (job.state, job.finished_at, job.last_error, job.result) == (DONE, NOW, "", "pong x")


def test_a_result_that_is_not_json_is_kept_as_text(clock):
    job_id = row(function="govchallenge.core.timeutil.utcnow", args=[])
    assert execute(job_id) == DONE
    assert state_of(job_id).result == str(NOW)


@pytest.mark.parametrize("outcome", [{"a": 1}, [1, 2], 3, 2.5, "text", None])
def test_a_json_result_is_kept_as_it_is(clock, outcome, monkeypatch):
    from govchallenge.jobs import probes

    monkeypatch.setattr(probes, "ping", lambda label: outcome)
    job_id = row()
    execute(job_id)
    assert state_of(job_id).result == outcome


def test_a_failure_waits_longer_after_each_attempt_and_hands_the_row_on_again(clock):
    job_id = row(function="govchallenge.jobs.probes.fail", attempts=2, relayed_at=NOW - timedelta(minutes=1))
    assert execute(job_id) == PENDING
    job = state_of(job_id)
    assert (job.state, job.attempts, job.relayed_at, job.finished_at) == (PENDING, 3, None, None)
    assert job.run_after == NOW + timedelta(minutes=2)  # 30 s, 1 min, 2 min: the wait after the third failure
    assert "fails on purpose" in job.last_error


def test_the_last_allowed_attempt_gives_up(clock):
    job_id = row(function="govchallenge.jobs.probes.fail", attempts=2, max_attempts=3)
    assert execute(job_id) == PENDING
    job = state_of(job_id)
    assert (job.state, job.attempts, job.finished_at) == (FAILED, 3, NOW)
    assert "ProbeFailure: probe x fails on purpose" in job.last_error


def test_one_attempt_before_the_last_is_tried_again(clock):
    job_id = row(function="govchallenge.jobs.probes.fail", attempts=1, max_attempts=3)
    execute(job_id)
    assert state_of(job_id).state == PENDING


def test_a_failure_on_mail_gets_the_mail_attempts_and_another_the_jobs_own(app):
    job = OutboxJob(max_attempts=4)
    mail_error, other_error = retry.TRANSIENT_ERRORS[0]("down"), RuntimeError("bug")
    assert allowed_attempts(job, other_error) == 4
    assert allowed_attempts(job, mail_error) == retry.mail_attempts() > 4
    assert allowed_attempts(OutboxJob(max_attempts=1000), mail_error) == 1000


def test_a_job_that_waits_counts_no_attempt_and_runs_at_its_moment_never_earlier_than_now(clock):
    at = NOW + timedelta(minutes=20)
    job_id = row(function="govchallenge.jobs.probes.ping_at", args=["w", at.isoformat()], attempts=1,
                 relayed_at=NOW - timedelta(minutes=1))
    assert execute(job_id) == PENDING
    job = state_of(job_id)
    assert (job.state, job.attempts, job.run_after, job.relayed_at) == (PENDING, 1, at, None)
    assert job.last_error == "waiting: probe w waits"


def test_a_wait_for_a_moment_already_past_runs_at_once(clock, monkeypatch):
    from govchallenge.jobs import probes

    def waits(label):
        raise retry.RunLater(NOW - timedelta(hours=1), "x" * 5000)

    monkeypatch.setattr(probes, "ping", waits)
    job_id = row()
    execute(job_id)
    job = state_of(job_id)
    assert job.run_after == NOW and len(job.last_error) == 4000 and job.last_error.startswith("waiting: xxx")


@pytest.mark.parametrize("dotted", ["os.system", "govchallengex.jobs.probes.ping", "jobs.probes.ping"])
def test_only_functions_of_the_package_are_resolved(dotted):
    with pytest.raises(ValueError, match="refusing to run"):
        resolve(dotted)


def test_a_function_of_the_package_is_resolved():
    from govchallenge.jobs import probes

    assert resolve("govchallenge.jobs.probes.ping") is probes.ping


@pytest.mark.parametrize("inline, heartbeat", [(True, False), (None, False), (False, True)])
def test_only_a_worker_keeps_the_claim_of_a_running_job_fresh(clock, app, monkeypatch, inline, heartbeat):
    """Inline (the embedded default, also when nothing says otherwise) the request itself runs the job: no
    heartbeat thread. A worker's job gets one, named after its row, and stops it when the job ends."""
    import threading

    from govchallenge.jobs import probes

    if inline is None:
        app.config.pop("JOBS_INLINE")
    else:
        app.config["JOBS_INLINE"] = inline
    seen = []
    monkeypatch.setattr(probes, "ping", lambda label: seen.extend(t.name for t in threading.enumerate()))
    job_id = row()
    assert execute(job_id) == DONE
    assert (f"outbox-heartbeat-{job_id}" in seen) is heartbeat
    assert not any(t.name.startswith("outbox-heartbeat-") for t in threading.enumerate())


def test_a_failure_is_logged_with_its_row_and_function_and_kept_as_five_frames_of_at_most_4000_characters(
        clock, monkeypatch, caplog):
    from govchallenge.jobs import probes

    def deep(label, depth=10):
        if depth:
            deep(label, depth - 1)
        raise RuntimeError("x" * 5000)

    monkeypatch.setattr(probes, "ping", deep)
    job_id = row()
    assert execute(job_id) == PENDING
    error = state_of(job_id).last_error
    assert len(error) == 4000 and error.endswith("x" * 3000 + "\n")
    failures = [r for r in caplog.records if r.name == "govchallenge.jobs.execution"]
    assert [r.getMessage() for r in failures] == [f"job {job_id} (govchallenge.jobs.probes.ping) failed"]


def _one():
    _two()


def _two():
    _three()


def _three():
    _four()


def _four():
    raise RuntimeError("deep")


def test_the_traceback_kept_shows_the_five_outermost_frames(clock, monkeypatch):
    from govchallenge.jobs import probes

    monkeypatch.setattr(probes, "ping", lambda label: _one())
    job_id = row()
    execute(job_id)
    error = state_of(job_id).last_error
    # execute, the job's lambda, _one, _two, _three: the sixth frame (_four, where it was raised) is left out
    assert error.count('  File "') == 5 and "in _three" in error and "in _four" not in error
