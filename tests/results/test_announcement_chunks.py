"""A big announcement split into chunk jobs that several real RQ worker processes deliver side by side: each
recipient gets exactly one message, even when one of the workers is killed in the middle of a chunk."""
import json
import os
import subprocess
import sys
from collections import Counter

import pytest
import sqlalchemy as sa

from govchallenge.extensions import db
from govchallenge.jobs.execution import execute
from govchallenge.jobs.models import OutboxJob
from govchallenge.jobs.relay import relay_committed
from govchallenge.results import announcements, operations
from govchallenge.results.models import SENT, Announcement, Delivery
from govchallenge.results.operations import ANNOUNCE_JOB
from tests.results.test_announcements import (
    KILLER, ROOT, check_participant_mail, expected_outcomes, hundred_participants, hundred_score, worker_config,
)
from tests.support.results_factories import publish

CHUNK = 10


@pytest.mark.parametrize("ids, size, ranges", [
    ([], 10, []),
    ([7], 10, [(7, 7)]),
    ([5, 1, 3, 9], 2, [(1, 3), (5, 9)]),
    ([4, 2, 8, 6, 10], 2, [(2, 4), (6, 8), (10, 10)]),
    ([1, 2, 3], 3, [(1, 3)]),
])
def test_chunks_cover_every_delivery_once_in_runs_of_the_size(ids, size, ranges):
    assert announcements.chunk_ranges(ids, size) == ranges


@pytest.fixture
def chunked_app(make_app, private_redis, smtp):
    app = make_app(REDIS_URL=private_redis.url, RQ_QUEUE="results-chunks", MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp.port,
                   ANNOUNCE_CHUNK_SIZE=CHUNK)
    with app.app_context():
        yield app


def start_worker(app, kill_after=None):
    config = worker_config(app) | {"ANNOUNCE_CHUNK_SIZE": CHUNK}
    env = dict(os.environ, KILL_TEST_CONFIG=json.dumps(config), KILL_AFTER=str(kill_after or 10**9))
    return subprocess.Popen([sys.executable, "-c", KILLER], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)


def jobs_by_function():
    rows = db.session.execute(sa.select(OutboxJob.function, OutboxJob.state)).all()
    return Counter((function.rpartition(".")[2], state) for function, state in rows)


def test_two_workers_deliver_the_chunks_side_by_side_once_each_even_when_one_is_killed(chunked_app, rq_worker, smtp):
    judged, _ = hundred_participants()
    publication = publish(judged)
    db.session.commit()
    expected = expected_outcomes(judged, [hundred_score(e) for e in range(50)])
    announcement_id = publication.announcement.id
    db.session.remove()  # what follows runs as a worker would, in sessions of its own
    announce_job = db.session.execute(sa.select(OutboxJob.id).where(OutboxJob.function == ANNOUNCE_JOB)).scalar_one()
    assert execute(announce_job) == "done"  # the fan-out, here: it asks for the chunk jobs
    relay_committed()  # the chunk jobs to Redis

    # Two workers share the chunks; the second dies in the middle of one.
    first = start_worker(chunked_app)
    second = start_worker(chunked_app, kill_after=15)
    try:
        assert second.wait(timeout=120) == -9, second.stdout.read().decode()[-3000:]
        assert first.wait(timeout=120) == 0, first.stdout.read().decode()[-3000:]
    finally:  # never leave a worker behind to compete with the rest of the suite
        for worker in (first, second):
            if worker.poll() is None:
                worker.kill()
                worker.wait()
    db.session.expire_all()
    total = db.session.execute(sa.select(sa.func.count(Delivery.id))).scalar()
    assert total == 100 + 3 + 1
    chunks = jobs_by_function()
    assert chunks[("send_chunk", "done")] + chunks[("send_chunk", "running")] == -(-total // CHUNK) == 11
    assert chunks[("announce", "done")] == 1
    assert db.session.get(Announcement, announcement_id).finished_at is None  # the dead worker's chunk waits

    # Whatever the dead worker left (a chunk half sent) goes when the announcement is resumed; nobody twice.
    operations.resume(db.session.get(Announcement, announcement_id))
    db.session.commit()
    relay_committed()
    rq_worker()
    db.session.expire_all()
    assert db.session.execute(sa.select(sa.func.count()).where(Delivery.state == SENT)).scalar() == total
    assert len(smtp.received) == 103
    assert max(smtp.per_recipient().values()) == 1
    check_participant_mail(smtp, expected)
    assert db.session.get(Announcement, announcement_id).finished_at is not None
    assert smtp.connections() < 103 / 2  # connections are kept for many messages


def test_a_small_announcement_is_sent_by_its_own_job_without_chunks(chunked_app, rq_worker, smtp):
    from tests.support.results_factories import judged_challenge

    chunked_app.config["ANNOUNCE_CHUNK_SIZE"] = 500
    publication = publish(judged_challenge(entries=3))
    db.session.commit()
    announcement_id = publication.announcement.id
    relay_committed()
    rq_worker()
    db.session.expire_all()
    assert jobs_by_function()[("send_chunk", "done")] == 0
    assert db.session.get(Announcement, announcement_id).finished_at is not None
    assert len(smtp.received) == 3 + 3
