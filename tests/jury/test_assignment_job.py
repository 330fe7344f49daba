"""The chair's assignment of a big round runs as an outbox job (assigning.py) with its progress on the chair's
pages; a small round is still assigned in the request. Who may follow the job, and what is refused."""
import sqlalchemy as sa

from govchallenge.extensions import db
from govchallenge.jobs import outbox
from govchallenge.jobs.execution import execute
from govchallenge.jobs.models import DONE, OutboxJob
from govchallenge.jury import operations as ops
from govchallenge.jury.assigning import ASSIGN_JOB, STEPS
from govchallenge.jury.models import ACTIVE, Assignment
from tests.support.jury_factories import make_jury_setup


def assignment_jobs():
    db.session.expire_all()
    return db.session.execute(sa.select(OutboxJob).where(OutboxJob.function == ASSIGN_JOB).order_by(OutboxJob.id)).scalars().all()


def active(rnd_id):
    db.session.expire_all()
    return db.session.execute(sa.select(Assignment).where(Assignment.round_id == rnd_id, Assignment.state == ACTIVE)).scalars().all()


def test_a_big_round_opened_by_the_chair_is_assigned_by_a_job_with_its_progress(app, login_as):
    app.config["JURY_ASSIGN_JOB_FROM"] = 10  # 4 entries x 4 jurors is "big" here
    setup = make_jury_setup(open_round=False, n_entries=4, n_jurors=4)
    slug = setup["challenge"].slug
    chair = login_as(setup["chair"])
    response = chair.post(f"/jury/{slug}/rounds", data={"reviews_per_entry": "2", "closes_at": ""}, follow_redirects=True)
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "runs in the background" in page
    [job] = assignment_jobs()
    assert job.state == DONE and job.progress_done == job.progress_total == STEPS  # inline here: already ran
    assert job.result["reviews"] == [2, 2] and job.result["conflicts_broken"] == 0
    assert len(active(job.args[0])) == 8
    assert "Last assignment, finished" in page  # the dashboard shows the job's outcome
    status = chair.get(f"/jury/{slug}/rounds/1/assignment")
    assert status.status_code == 200 and "Load per juror" in status.get_data(as_text=True) or \
        "load per juror" in status.get_data(as_text=True)


def test_the_chairs_run_of_a_big_round_is_queued_and_twice_is_refused_while_it_waits(app, login_as):
    setup = make_jury_setup(n_entries=4, n_jurors=4, reviews=2)
    rnd = setup["round"]
    app.config["JURY_ASSIGN_JOB_FROM"] = 10
    app.config["JOBS_INLINE"] = False  # a worker would run it: here it waits
    job = ops.assign_or_queue(rnd, setup["chair"], release=True)
    assert isinstance(job, OutboxJob) and job.function == ASSIGN_JOB and job.args[0] == rnd.id
    try:
        ops.assign_or_queue(rnd, setup["chair"])
    except ops.JuryError as error:
        assert error.code == "assignment_running"
    else:
        raise AssertionError("a second run was accepted while the first waits")
    db.session.commit()
    chair = login_as(setup["chair"])
    refused = chair.post(f"/jury/{setup['challenge'].slug}/rounds/1/assign", follow_redirects=True)
    assert "already running" in refused.get_data(as_text=True)
    page = chair.get(f"/jury/{setup['challenge'].slug}/dashboard").get_data(as_text=True)
    assert "runs in the background" in page and "Follow its progress" in page
    status = chair.get(f"/jury/{setup['challenge'].slug}/rounds/1/assignment").get_data(as_text=True)
    assert 'http-equiv="refresh"' in status and "<progress" in status
    before = len(active(rnd.id))
    assert execute(job.id) == DONE  # the worker's run: idempotent, a second run adds nothing
    assert len(active(rnd.id)) == before
    again = outbox.enqueue(ASSIGN_JOB, rnd.id, setup["chair"].id, False, None)
    db.session.commit()
    assert execute(again.id) == DONE and len(active(rnd.id)) == before


def test_a_small_round_is_assigned_in_the_request(app, login_as):
    setup = make_jury_setup(open_round=False, n_entries=3, n_jurors=3)
    chair = login_as(setup["chair"])
    response = chair.post(f"/jury/{setup['challenge'].slug}/rounds", data={"reviews_per_entry": "2", "closes_at": ""},
                          follow_redirects=True)
    assert "Assigned: 3 entries" in response.get_data(as_text=True)
    assert assignment_jobs() == []


def test_who_may_follow_the_assignment(app, login_as, client):
    app.config["JURY_ASSIGN_JOB_FROM"] = 1
    setup = make_jury_setup(n_entries=3, n_jurors=3, reviews=2)
    slug = setup["challenge"].slug
    path = f"/jury/{slug}/rounds/1/assignment"
    chair = login_as(setup["chair"])
    assert chair.get(path).status_code == 404  # no job yet: assigned in the request when the round opened
    assert chair.post(f"/jury/{slug}/rounds/1/assign").status_code == 302
    assert chair.get(path).status_code == 200
    assert login_as(setup["users"][1]).get(path).status_code == 403  # a juror, not the chair
    assert client.get(path).status_code in (302, 401)  # signed out: to the sign-in page
    assert chair.get(f"/jury/{slug}/rounds/9/assignment").status_code == 404
    assert client.post(f"/jury/{slug}/rounds/1/assign").status_code in (302, 401, 400)


def test_a_job_for_a_round_closed_since_does_nothing(app):
    setup = make_jury_setup(n_entries=3, n_jurors=3, reviews=2)
    rnd = setup["round"]
    rnd.state = "closed"
    job = outbox.enqueue(ASSIGN_JOB, rnd.id, None, False, None)
    db.session.commit()
    app.config["JOBS_INLINE"] = True
    assert execute(job.id) == DONE
    db.session.expire_all()
    assert db.session.get(OutboxJob, job.id).result == {"refused": "round_closed"}
