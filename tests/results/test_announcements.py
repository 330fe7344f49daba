"""The announcement: one delivery per recipient and channel, each sent exactly once — with real
Redis, a real RQ worker, a real SMTP server and real HTTP endpoints."""
import hashlib
import hmac
import json
import os
import subprocess
import sys
import threading
import time
from collections import Counter
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import sqlalchemy as sa
import time_machine

from govchallenge.core.timeutil import utcnow
from govchallenge.extensions import db
from govchallenge.jobs.models import OutboxJob
from govchallenge.jobs.relay import relay_committed, relay_due
from govchallenge.results import announcements, operations
from govchallenge.results.models import EMAIL, FAILED, FEED, SENT, WEBHOOK, Announcement, Delivery, WebhookEndpoint
from tests.support import factories
from tests.support.results_factories import judged_challenge, publish

ROOT = Path(__file__).resolve().parents[2]
LANGUAGES = ("en", "pl", "el")
TITLES = {"en": "Clean water monitoring", "pl": "Monitoring czystej wody", "el": "Παρακολούθηση καθαρού νερού"}


def hundred_participants():
    """50 teams of two: 100 participants in three languages; 3 jurors."""
    users = [factories.make_user(email=f"p{n:03d}@team.example.eu", name=f"Participant {n:03d}",
                                 language=LANGUAGES[n % 3]) for n in range(100)]
    members = [users[2 * i:2 * i + 2] for i in range(50)]
    judged = judged_challenge(entries=50, jurors=3, members=members, title=dict(TITLES), main_language="en",
                              score=lambda e, j, c: round(9.9 - 0.19 * e + 0.05 * (j % 2), 2))
    return judged, users


def deliveries(state=None, channel=None):
    query = sa.select(sa.func.count(Delivery.id))
    if state:
        query = query.where(Delivery.state == state)
    if channel:
        query = query.where(Delivery.channel == channel)
    return db.session.execute(query).scalar()


def expected_outcomes(judged):
    """{e-mail: (language, place)}, read before the workers detach the objects."""
    return {m.user.email: (m.user.language, place) for place, team in enumerate(judged.teams, 1) for m in team.members}


def check_participant_mail(smtp, expected):
    for email, (language, place) in expected.items():
        received = smtp.to(email)
        assert len(received) == 1, f"{email} received {len(received)} messages"
        message = received[0]
        assert TITLES[language] in message.subject
        assert f'lang="{language}"' in message.html
        assert f"placed {place} of 50" in message.text


# --- the "done when": 100 participants, real Redis, RQ worker and SMTP ------------------------

KILLER = r"""
import json, os, signal, sys
from govchallenge import create_app
from govchallenge.results import announcements

config = json.loads(os.environ["KILL_TEST_CONFIG"])
app = create_app(config)
original = announcements._mark_sent
sent = [0]

def mark_then_die(delivery_id):
    original(delivery_id)
    sent[0] += 1
    if sent[0] == int(os.environ["KILL_AFTER"]):
        os.kill(os.getpid(), signal.SIGKILL)  # no clean-up, no except block: a real kill

announcements._mark_sent = mark_then_die
with app.app_context():
    from rq import SimpleWorker
    from govchallenge.jobs.queue import get_queue, redis_connection
    connection = redis_connection()
    SimpleWorker([get_queue(connection)], connection=connection).work(burst=True)
"""


def worker_config(app):
    keys = ("SQLALCHEMY_DATABASE_URI", "DATABASE_URL", "REDIS_URL", "RQ_QUEUE", "MAIL_SERVER", "MAIL_PORT",
            "SECRET_KEY", "MAIL_FILE_DIR", "STORAGE_DIR", "SERVER_NAME_FOR_LINKS")
    return {key: app.config[key] for key in keys} | {"TESTING": True, "RATELIMIT_STORAGE_URI": "memory://"}


@pytest.fixture
def queued_mail_app(make_app, private_redis, smtp):
    """Real SMTP, and a real Redis of this test's own: the suites of other domains, running at the
    same time, empty the shared test database of Redis."""
    app = make_app(REDIS_URL=private_redis.url, RQ_QUEUE="results-test", MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp.port)
    with app.app_context():
        yield app


def test_hundred_participants_each_get_one_mail_in_their_language_even_when_the_worker_is_killed(
        queued_mail_app, rq_worker, smtp):
    judged, users = hundred_participants()
    publication = publish(judged)
    db.session.commit()
    expected = expected_outcomes(judged)
    assert Counter(language for language, _ in expected.values()) == {"en": 34, "pl": 33, "el": 33}
    juror_emails = [j.email for j in judged.jurors]
    announcement_id = publication.announcement.id
    relay_committed()  # to Redis; nothing sent by the web process
    assert smtp.received == []

    # A real worker process, killed (SIGKILL) right after its 40th delivery.
    env = dict(os.environ, KILL_TEST_CONFIG=json.dumps(worker_config(queued_mail_app)), KILL_AFTER="40")
    result = subprocess.run([sys.executable, "-c", KILLER], cwd=ROOT, env=env, capture_output=True, timeout=120)
    assert result.returncode == -9, (result.stdout + result.stderr).decode()[-3000:]
    db.session.expire_all()
    assert deliveries(SENT) == 40
    assert len(smtp.received) == 39  # the feed entry went first
    total = deliveries()
    assert total == 100 + 3 + 1  # participants, jurors, the feed

    # Restarted: the rest, and no duplicate.
    operations.resume(db.session.get(Announcement, announcement_id))
    db.session.commit()
    relay_committed()
    rq_worker()
    db.session.expire_all()
    assert deliveries(SENT) == total
    assert len(smtp.received) == 103
    check_participant_mail(smtp, expected)
    assert Counter(tuple(m.recipients) for m in smtp.received).most_common(1)[0][1] == 1
    for email in juror_emails:
        assert len(smtp.to(email)) == 1 and "are published" in smtp.to(email)[0].subject

    # Running the job again delivers nothing.
    operations.resume(db.session.get(Announcement, announcement_id))
    db.session.commit()
    relay_committed()
    rq_worker()
    assert len(smtp.received) == 103


def test_an_uninterrupted_run_through_rq(queued_mail_app, rq_worker, smtp):
    judged = judged_challenge(entries=3)
    follower = factories.make_user(language="pl")
    from govchallenge.challenges.models import Follow

    db.session.add(Follow(challenge_id=judged.challenge.id, user_id=follower.id))
    publish(judged)
    db.session.commit()
    follower_email = follower.email
    relay_committed()
    rq_worker()
    assert len(smtp.received) == 3 + 3 + 1  # participants, jurors, follower
    assert smtp.to(follower_email)[0].subject.startswith("Results of")
    job = db.session.execute(sa.select(OutboxJob).where(OutboxJob.function.like("%announce"))).scalar_one()
    assert job.state == "done" and job.progress_done == job.progress_total == 8


# --- exactly once, in pieces --------------------------------------------------------------

def test_fan_out_twice_adds_nothing_and_a_delivery_is_claimed_once(app):
    judged = judged_challenge(entries=2)
    db.session.commit()
    publication = publish(judged)
    db.session.commit()
    relay_committed()  # inline: announced
    announcement_id = publication.announcement.id
    announcement = db.session.get(Announcement, announcement_id)
    assert announcements.fan_out(announcement) == 0
    db.session.commit()
    first = db.session.execute(sa.select(Delivery.id).order_by(Delivery.id)).scalars().first()
    db.session.execute(sa.update(Delivery).where(Delivery.id == first).values(state="pending"))
    db.session.commit()
    assert announcements.claim(first) is True
    assert announcements.claim(first) is False  # someone has it
    with time_machine.travel(utcnow() + timedelta(minutes=11)):
        assert announcements.claim(first) is True  # a claim left by a dead worker, taken again


def test_unique_key_refuses_a_second_row_for_the_same_recipient_and_channel(app):
    judged = judged_challenge(entries=1)
    publication = publish(judged)
    db.session.flush()
    db.session.add(Delivery(announcement_id=publication.announcement.id, channel=EMAIL, recipient_key="user:1"))
    db.session.add(Delivery(announcement_id=publication.announcement.id, channel=EMAIL, recipient_key="user:1"))
    with pytest.raises(sa.exc.IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_the_feed_shows_the_publication(app):
    judged = judged_challenge(entries=2)
    publication = publish(judged)
    db.session.commit()
    with app.test_request_context():
        assert announcements.feed_entries() == []  # not before its delivery
    relay_committed()
    with app.test_request_context():
        entries = announcements.feed_entries(challenge=judged.challenge)
    assert len(entries) == 1 and publication.digest in entries[0]["summary"]
    assert entries[0]["link"].endswith(f"/challenges/{judged.challenge.slug}/results")
    from govchallenge.challenges.panels import FEED_SOURCES

    assert announcements.feed_entries in FEED_SOURCES


# --- failures: SMTP refusing, webhooks timing out or failing ----------------------------

def run_retries(rounds=8):
    start = utcnow()
    for n in range(1, rounds + 1):
        with time_machine.travel(start + timedelta(hours=3 * n), tick=False):
            relay_due()
            db.session.expire_all()


def test_a_refused_message_is_retried_reported_and_others_are_sent(mail_app, smtp):
    from tests.conftest import login

    judged = judged_challenge(entries=3)
    refused = judged.teams[1].members[0].user
    smtp.refuse.add(refused.email.lower())
    publication = publish(judged)
    db.session.commit()
    relay_committed()  # inline
    db.session.expire_all()
    row = db.session.execute(sa.select(Delivery).where(Delivery.user_id == refused.id)).scalar_one()
    assert row.state == "pending" and row.attempts == 1 and "refused" in row.last_error
    assert len(smtp.received) == 3 + 3 - 1
    run_retries()
    row = db.session.execute(sa.select(Delivery).where(Delivery.user_id == refused.id)).scalar_one()
    assert row.state == FAILED and row.attempts == row.max_attempts
    assert len(smtp.received) == 5  # nobody got a second copy
    officer = login(mail_app.test_client(), judged.officer)
    page = officer.get(f"/challenges/{judged.challenge.slug}/results/announcement").get_data(as_text=True)
    assert refused.email in page and "refused" in page
    status = mail_app.test_cli_runner().invoke(args=["results", "status", judged.challenge.slug])
    assert "failed 1" in status.output and f"user:{refused.id}" in status.output
    # the host retries once the mailbox works again
    smtp.refuse.clear()
    assert officer.post(f"/challenges/{judged.challenge.slug}/results/announcement/retry").status_code == 302
    db.session.expire_all()
    assert db.session.get(Delivery, row.id).state == SENT and len(smtp.to(refused.email)) == 1
    assert publication.announcement is not None


class Endpoints:
    """/good answers 204 and records; /fail answers 500; /slow answers after the client gave up."""

    def __init__(self):
        self.hits = Counter()
        self.received = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                outer.hits[self.path] += 1
                if self.path == "/slow":
                    time.sleep(1.5)
                if self.path == "/good":
                    outer.received.append((dict(self.headers), body))
                    self.send_response(204)
                else:
                    self.send_response(500)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def url(self, path):
        return f"http://127.0.0.1:{self.server.server_port}{path}"

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def endpoints():
    server = Endpoints()
    yield server
    server.stop()


def test_webhooks_are_signed_and_a_failing_endpoint_never_blocks_the_others(make_app, endpoints):
    app = make_app(RESULTS_WEBHOOK_TIMEOUT=0.3)
    with app.app_context():
        judged = judged_challenge(entries=2)
        host_id = judged.challenge.lead_host.organisation_id
        from govchallenge.organisations.models import Organisation

        host = db.session.get(Organisation, host_id)
        good = operations.add_webhook(host, endpoints.url("/good"), judged.officer)
        operations.add_webhook(host, endpoints.url("/fail"), judged.officer)
        operations.add_webhook(host, endpoints.url("/slow"), judged.officer)
        inactive = operations.add_webhook(host, endpoints.url("/good"), judged.officer)
        operations.deactivate_webhook(inactive, judged.officer)
        publication = publish(judged)
        db.session.commit()
        relay_committed()
        db.session.expire_all()

        assert len(endpoints.received) == 1
        headers, body = endpoints.received[0]
        expected = "sha256=" + hmac.new(good.secret.encode(), body, hashlib.sha256).hexdigest()
        assert headers["X-Govchallenge-Signature"] == expected
        assert announcements.verify_signature(good.secret, body, headers["X-Govchallenge-Signature"])
        assert not announcements.verify_signature("wrong secret", body, headers["X-Govchallenge-Signature"])
        payload = json.loads(body)
        assert payload["digest"] == publication.digest and payload["winners"][0]["place"] == 1
        assert deliveries(SENT, EMAIL) == 2 + 3  # e-mails went out all the same
        assert deliveries(channel=WEBHOOK) == 3
        waiting = db.session.execute(sa.select(Delivery).where(Delivery.channel == WEBHOOK, Delivery.state == "pending")).scalars().all()
        assert len(waiting) == 2 and all(d.attempts == 1 and d.next_attempt_at is not None for d in waiting)
        assert {"endpoint answered 500", "endpoint unreachable"} & {w.last_error.split(": ", 1)[1][:22] for w in waiting}

        run_retries(2)
        assert endpoints.hits["/fail"] == 3 and endpoints.hits["/good"] == 1


def test_deliveries_to_a_webhook_page_need_a_host(app, login_as, people):
    judged = judged_challenge(entries=1)
    db.session.commit()
    slug = judged.challenge.slug
    officer = login_as(judged.officer)
    assert officer.get(f"/challenges/{slug}/results/webhooks").status_code == 200
    bad = officer.post(f"/challenges/{slug}/results/webhooks", data={"organisation": judged.challenge.lead_host.organisation_id, "url": "not a url"})
    assert bad.status_code == 400
    ok = officer.post(f"/challenges/{slug}/results/webhooks", data={"organisation": judged.challenge.lead_host.organisation_id, "url": "https://portal.example.gov.pl/hook"})
    assert ok.status_code == 302
    endpoint = db.session.execute(sa.select(WebhookEndpoint)).scalar_one()
    other = login_as(judged.cohost_officer)
    # a host of the same challenge, but not of that endpoint's organisation: a guessed id
    assert other.post(f"/challenges/{slug}/results/webhooks/{endpoint.id}/deactivate").status_code == 404
    assert other.post(f"/challenges/{slug}/results/webhooks/999999/deactivate").status_code == 404
    assert officer.post(f"/challenges/{slug}/results/webhooks/{endpoint.id}/deactivate").status_code == 302
    db.session.expire_all()
    assert endpoint.active is False
