"""The chair's run of the assignment, in the request for a small round and as an outbox job for a big one,
with its progress on the chair's page. Flush, never commit.

A round counts as big from JURY_ASSIGN_JOB_FROM entry-juror pairs (entries x jurors; 20,000 by default, e.g.
200 entries and 100 jurors): the solver itself takes well under a second there (flow_assignment.py), but
loading the teams and conflicts and writing thousands of assignments belongs in a worker, not in a request
that gunicorn may cut off. In the embedded default jobs run inline after the commit, so the chair finds the
outcome at once either way.

The job is idempotent: a second run keeps every active assignment and has nothing left to fill. While one
waits or runs for a round, no other run of that round is accepted."""
import sqlalchemy as sa
from flask import current_app

from govchallenge.accounts.models import User
from govchallenge.core import audit
from govchallenge.extensions import db
from govchallenge.jobs import outbox, report_progress
from govchallenge.jobs.progress import current_job_id
from govchallenge.jobs.models import PENDING, RUNNING, OutboxJob

from .guards import JuryError, require_changeable
from .models import Round, RoundEntry, RoundJuror
from .rounds import open_first_round, run_assignment

ASSIGN_JOB = "govchallenge.jury.assigning.run_assignment_job"
JOB_FROM = 20_000
STEPS = 10  # the progress bar: 1 started, 2-8 the solver, 10 saved


def job_from():
    try:
        return max(0, int(current_app.config.get("JURY_ASSIGN_JOB_FROM", JOB_FROM)))
    except (TypeError, ValueError):
        return JOB_FROM


def round_size(rnd):
    """(entries, jurors) of the round, counted in SQL."""
    entries = db.session.execute(
        sa.select(sa.func.count(RoundEntry.id)).where(RoundEntry.round_id == rnd.id, RoundEntry.excluded_at.is_(None))
    ).scalar_one()
    jurors = db.session.execute(
        sa.select(sa.func.count(RoundJuror.juror_id)).where(RoundJuror.round_id == rnd.id)
    ).scalar_one()
    return entries, jurors


def is_big(rnd):
    entries, jurors = round_size(rnd)
    return entries * jurors >= job_from()


def latest_jobs(round_ids):
    """{round id: its latest assignment job}, in one query (the args are JSON: filtered here)."""
    wanted = set(round_ids)
    if not wanted:
        return {}
    found = {}
    jobs = db.session.execute(
        sa.select(OutboxJob).where(OutboxJob.function == ASSIGN_JOB).order_by(OutboxJob.id.desc()).limit(200)
    ).scalars()
    for job in jobs:
        round_id = job.args[0] if job.args else None
        if round_id in wanted and round_id not in found:
            found[round_id] = job
    return found


def running_job(rnd):
    job = latest_jobs([rnd.id]).get(rnd.id)
    return job if job is not None and job.state in (PENDING, RUNNING) else None


def request_assignment(rnd, actor, release=False, seed=None):
    """Queues the round's assignment (see run_assignment_job). Returns the outbox row."""
    require_changeable(rnd)
    if running_job(rnd) is not None:
        raise JuryError("assignment_running")
    job = outbox.enqueue(ASSIGN_JOB, rnd.id, actor.id if actor is not None else None, bool(release), seed,
                         max_attempts=3)
    db.session.flush()
    audit.record("jury.assign_requested", rnd, actor=actor, outbox_id=job.id, release=bool(release))
    return job


def assign_or_queue(rnd, actor, release=False, seed=None):
    """The chair's run: an AssignmentResult at once for a small round, the queued OutboxJob for a big one."""
    if running_job(rnd) is not None:
        raise JuryError("assignment_running")
    if is_big(rnd):
        return request_assignment(rnd, actor, release=release, seed=seed)
    return run_assignment(rnd, actor, seed=seed, release=release)


def open_round_and_assign(challenge, actor, reviews_per_entry=3, closes_at=None):
    """The chair's opening of round 1 (rounds.open_first_round), then the assignment in the request or queued.
    Returns (round, AssignmentResult or OutboxJob)."""
    rnd, _nothing = open_first_round(challenge, actor, reviews_per_entry, closes_at, assign=False)
    return rnd, assign_or_queue(rnd, actor)


def run_assignment_job(round_id, actor_id=None, release=False, seed=None):
    """The job: the round's assignment with its progress reported; its stats are the job's result."""
    rnd = db.session.get(Round, round_id)
    if rnd is None:
        return "nothing to do"
    actor = db.session.get(User, actor_id) if actor_id is not None else None
    try:
        require_changeable(rnd)
    except JuryError as error:
        return {"refused": error.code}

    def solver_progress(done, total):
        _progress(2 + round(6 * done / max(1, total)))

    _progress(1)
    result = run_assignment(rnd, actor, seed=seed, release=release, progress=solver_progress)
    _progress(STEPS)
    return result.stats()


def _progress(done):
    """The job's progress, on its own connection so the chair's page sees it while the job runs. SQLite lets
    one connection write at a time, and the job's session writes: there (the embedded default, where jobs run
    inline and nobody watches a bar) it goes with the job's own transaction instead."""
    if db.engine.dialect.name == "sqlite":
        outbox_id = current_job_id()
        if outbox_id is not None:
            db.session.execute(sa.update(OutboxJob).where(OutboxJob.id == outbox_id)
                               .values(progress_done=done, progress_total=STEPS))
        return
    report_progress(done, STEPS)
