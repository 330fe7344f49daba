"""Redis holds the rate-limit counters and the queue. When it stops, people must still sign in and ask
for a new password: counting goes on in memory, jobs wait in the outbox."""
import pytest

from govchallenge.extensions import db, limiter
from tests.support.factories import PASSWORD, make_user


@pytest.fixture
def outage_app(make_app, private_redis):
    app = make_app(RATELIMIT_STORAGE_URI=private_redis.url, REDIS_URL=private_redis.url, RQ_QUEUE="outage-test")
    with app.app_context():
        yield app
    limiter._storage_dead = False  # one limiter object serves the whole suite: leave it healthy for the next test


def test_sign_in_and_reset_work_while_redis_is_down(outage_app, private_redis):
    make_user(email="owner@startup.eu")
    db.session.commit()
    client = outage_app.test_client()
    assert client.post("/login", data={"email": "owner@startup.eu", "password": "wrong-password-1"}).status_code == 400
    private_redis.stop()
    assert client.post("/reset", data={"email": "owner@startup.eu"}).status_code == 200
    assert client.post("/login", data={"email": "owner@startup.eu", "password": PASSWORD}).status_code == 302
    assert client.get("/account").status_code == 200


def test_throttling_goes_on_in_memory_while_redis_is_down(outage_app, private_redis):
    make_user(email="target@startup.eu")
    db.session.commit()
    private_redis.stop()
    client = outage_app.test_client()
    statuses = [client.post("/login", data={"email": "target@startup.eu", "password": f"wrong-{i}"}).status_code
                for i in range(6)]
    assert statuses == [400] * 5 + [429]
