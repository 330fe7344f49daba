"""The deadline, by the server clock, decided inside the operation after the rows are locked."""
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
import sqlalchemy as sa
import time_machine

from govchallenge.extensions import db
from govchallenge.jobs.models import DONE, OutboxJob
from govchallenge.submissions.models import SUBMITTED, Submission, SubmissionVersion
from tests.conftest import login
from tests.support import factories

BURST = 200


def _count(model, *where):
    return db.session.execute(sa.select(sa.func.count()).select_from(model).where(*where)).scalar()


def _burst(clients, lock_version):
    """Every (client, entry) submits at the same instant; 'receipt' for each one recorded, else the status."""
    barrier = threading.Barrier(len(clients))

    def submit(args):
        client, public_id = args
        barrier.wait()
        response = client.post(f"/entries/{public_id}/check", data={"lock_version": lock_version})
        return "receipt" if "/receipts/" in response.headers.get("Location", "") else response.status_code

    with ThreadPoolExecutor(max_workers=len(clients)) as pool:
        return list(pool.map(submit, clients))


@pytest.mark.parametrize("offset, accepted", [(timedelta(microseconds=-1), True), (timedelta(0), False)])
def test_the_deadline_is_exact_to_the_microsecond(app, login_as, offset, accepted):
    challenge = factories.make_challenge()
    stage = challenge.stages[0]
    lead = factories.make_user()
    team = factories.make_team(challenge, [lead])
    draft = factories.make_submission(team, state="draft")
    db.session.commit()
    client = login_as(lead)
    with time_machine.travel(stage.closes_at + offset, tick=False):
        response = client.post(f"/entries/{draft.public_id}/check", data={"lock_version": draft.lock_version})
    assert (response.status_code == 302) is accepted
    db.session.expire_all()
    assert (draft.state == SUBMITTED) is accepted


@pytest.mark.only_db("postgresql")
def test_200_concurrent_submissions_in_the_last_second_are_all_recorded_and_none_after(make_app):
    app = make_app(RATELIMIT_ENABLED=False,
                   SQLALCHEMY_ENGINE_OPTIONS={"pool_size": 20, "max_overflow": 10, "pool_timeout": 120})
    with app.app_context():
        challenge = factories.make_challenge(opens_in_days=-5, closes_in_days=1)
        stage = challenge.stages[0]
        teams = []
        for n in range(BURST):
            user = factories.make_user(email=f"entrant{n}@burst.example.eu", country=("PL", "GR", "PT", "EE")[n % 4])
            team = factories.make_team(challenge, [user], name=f"Burst {n}")
            teams.append((user, factories.make_submission(team, state="draft", title=f"Draft {n}")))
        db.session.commit()
        clients = [(login(app.test_client(), user), submission.public_id) for user, submission in teams]

        def burst(moment, lock_version):
            with time_machine.travel(moment, tick=False):
                return _burst(clients, lock_version)

        # In the last second before the deadline: every one recorded, with its receipt.
        before = burst(stage.closes_at - timedelta(milliseconds=400), 1)
        assert before.count("receipt") == BURST, before
        db.session.expire_all()
        assert _count(SubmissionVersion) == BURST
        assert _count(Submission, Submission.state == SUBMITTED) == BURST
        assert all(v.submitted_at < stage.closes_at for v in db.session.execute(sa.select(SubmissionVersion)).scalars())
        assert _count(OutboxJob, OutboxJob.function.like("%send_receipt"), OutboxJob.state == DONE) == BURST

        # Just after it: every one refused, nothing changed.
        after = burst(stage.closes_at + timedelta(milliseconds=1), 2)
        assert after.count(400) == BURST, after
        db.session.expire_all()
        assert _count(SubmissionVersion) == BURST
        assert _count(OutboxJob, OutboxJob.function.like("%send_receipt")) == BURST


@pytest.mark.only_db("postgresql")
def test_with_the_real_clock_a_burst_just_before_the_deadline_is_recorded_and_one_after_refused(make_app):
    """No clock moved: 200 teams submit at once while the deadline is ahead, then again once it has passed.

    The first burst gets a deadline far enough ahead that a loaded machine still finishes it in time (at two
    seconds a busy CI machine let three of 200 arrive late, and rightly refused them); the deadline is then
    brought to one second ahead and the second burst starts only when the server clock has passed it.
    """
    import time

    from govchallenge.core.timeutil import utcnow

    app = make_app(RATELIMIT_ENABLED=False,
                   SQLALCHEMY_ENGINE_OPTIONS={"pool_size": 20, "max_overflow": 10, "pool_timeout": 120})
    with app.app_context():
        challenge = factories.make_challenge(opens_in_days=-5, closes_in_days=1)
        stage = challenge.stages[0]
        drafts = []
        for n in range(BURST):
            user = factories.make_user(email=f"real{n}@burst.example.eu")
            drafts.append((user, factories.make_submission(factories.make_team(challenge, [user]), state="draft")))
        db.session.commit()
        clients = [(login(app.test_client(), user), draft.public_id) for user, draft in drafts]

        stage.closes_at = utcnow() + timedelta(seconds=60)
        db.session.commit()
        assert _burst(clients, 1).count("receipt") == BURST
        assert utcnow() < stage.closes_at
        stage.closes_at = utcnow() + timedelta(seconds=1)
        db.session.commit()
        while utcnow() <= stage.closes_at:
            time.sleep(0.05)
        assert _burst(clients, 2).count(400) == BURST
        db.session.expire_all()
        assert _count(SubmissionVersion) == BURST
        assert all(v.submitted_at < stage.closes_at for v in db.session.execute(sa.select(SubmissionVersion)).scalars())


# --- the moment of receipt stamped by a trusted reverse proxy ----------------------------------------------

def _stamp(moment):
    return {"X-Request-Start": f"t={moment.timestamp():.6f}"}


def _draft_of_new_team(challenge):
    lead = factories.make_user()
    team = factories.make_team(challenge, [lead])
    draft = factories.make_submission(team, state="draft")
    db.session.commit()
    return lead, draft


@pytest.mark.parametrize("trusted_proxies, header, accepted", [
    (1, "X-Request-Start", True),   # stamped 2 s before the deadline by the proxy, read by a worker 3 s after it
    (0, "X-Request-Start", False),  # no trusted proxy: anyone could send the header, so it is ignored
    (1, "", False),                 # the operator did not name the header
])
def test_an_entry_queued_for_a_worker_counts_from_when_the_trusted_proxy_had_it(make_app, trusted_proxies, header,
                                                                                accepted):
    app = make_app(TRUSTED_PROXIES=trusted_proxies, REQUEST_START_HEADER=header)
    with app.app_context():
        challenge = factories.make_challenge()
        stage = challenge.stages[0]
        lead, draft = _draft_of_new_team(challenge)
        client = login(app.test_client(), lead)
        with time_machine.travel(stage.closes_at + timedelta(seconds=3), tick=False):
            response = client.post(f"/entries/{draft.public_id}/check", headers=_stamp(stage.closes_at - timedelta(seconds=2)),
                                   data={"lock_version": draft.lock_version})
        assert (response.status_code == 302) is accepted
        db.session.expire_all()
        assert (draft.state == SUBMITTED) is accepted
        if accepted:
            assert draft.versions[-1].submitted_at == stage.closes_at - timedelta(seconds=2)


@pytest.mark.parametrize("stamped", [timedelta(seconds=30), timedelta(minutes=-5)])
def test_a_stamp_from_the_future_or_older_than_the_grace_is_not_believed(make_app, stamped):
    app = make_app(TRUSTED_PROXIES=1, REQUEST_START_HEADER="X-Request-Start")
    with app.app_context():
        challenge = factories.make_challenge()
        stage = challenge.stages[0]
        lead, draft = _draft_of_new_team(challenge)
        client = login(app.test_client(), lead)
        with time_machine.travel(stage.closes_at + timedelta(seconds=1), tick=False):
            response = client.post(f"/entries/{draft.public_id}/check", headers=_stamp(stage.closes_at + stamped),
                                   data={"lock_version": draft.lock_version})
        assert response.status_code == 400  # decided at the server's moment: after the deadline
        db.session.expire_all()
        assert draft.state != SUBMITTED


@pytest.mark.parametrize("value, expected", [
    ("t=1767222000.123", 1767222000.123),      # nginx $msec
    ("t=1767222000123", 1767222000.123),       # milliseconds
    ("t=1767222000123456", 1767222000.123456), # microseconds (Apache %t)
    ("1767222000", 1767222000.0),
    ("t=", None), ("t=abc", None), ("t=nan", None), ("t=inf", None), ("t=-5", None), ("t=1e300", None),
])
def test_request_start_values(value, expected):
    from govchallenge.core.proxies import parse_request_start

    moment = parse_request_start(value)
    assert (moment.timestamp() if moment else None) == (pytest.approx(expected, abs=1e-6) if expected else None)
