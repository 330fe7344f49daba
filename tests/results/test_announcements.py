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
from flask_babel import force_locale, gettext

from govchallenge.core.templating import format_number
from govchallenge.core.timeutil import utcnow
from govchallenge.extensions import db
from govchallenge.jobs.models import OutboxJob
from govchallenge.jobs.relay import relay_committed, relay_due
from govchallenge.results import announcements, documents, letters, operations, webhook_guard, webhooks
from govchallenge.results.models import EMAIL, FAILED, SENT, WEBHOOK, Announcement, Delivery, WebhookEndpoint
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


def hundred_score(entry):
    """Entry `entry`'s score worked out by hand: every juror gives one value on all three criteria (0-10), so
    a review's total is 10 x that value; jurors 0 and 2 give round(9.9 - 0.19 e, 2), juror 1 0.05 more; the
    challenge takes the plain mean of the three totals."""
    return 10 * (2 * round(9.9 - 0.19 * entry, 2) + round(9.9 - 0.19 * entry + 0.05, 2)) / 3


def expected_outcomes(judged, scores):
    """{e-mail: (language, place, title, score)}, read before the workers detach the objects. Team n
    scored n-th best, so the place is known independently of the ranking; `scores` are the entries'
    scores worked out by hand, in the order of the teams."""
    return {m.user.email: (m.user.language, place, submission.title, scores[place - 1])
            for place, (team, submission) in enumerate(zip(judged.teams, judged.submissions), 1)
            for m in team.members}


def in_language(language, text, **values):
    """`text` (a message id of the catalogue) as a reader in `language` sees it: whatever the
    translators wrote, or the English text while a translation is missing."""
    with force_locale(language):
        return gettext(text, **values)


PLACED = 'Your entry "%(entry)s" placed %(place)s of %(total)s, with a score of %(score)s out of 100.'


def subject_in(language, subject, title):
    with force_locale(language):
        return str(subject % {"title": title})


def check_participant_mail(smtp, expected, total=50):
    """Each participant: one message, in their own language, telling their own place and score."""
    for email, (language, place, title, score) in expected.items():
        received = smtp.to(email)
        assert len(received) == 1, f"{email} received {len(received)} messages"
        message = received[0]
        assert message.subject == subject_in(language, letters.SUBJECT_PARTICIPANT, TITLES[language])
        assert f'lang="{language}"' in message.html
        with force_locale(language):  # the score as the reader writes numbers ("80,00" in Polish)
            shown = format_number(score, 2)
        sentence = in_language(language, PLACED, entry=title, place=place, total=total, score=shown)
        assert sentence in message.text, f"{email} ({language}) did not get: {sentence}"


POLISH = {  # what a translator may write; patched into this test's app only
    PLACED: "Twoje zgłoszenie „%(entry)s” zajęło %(place)s. miejsce na %(total)s, z wynikiem %(score)s na 100.",
    "Results of %(title)s: your outcome": "Wyniki: %(title)s — Twój rezultat",
}


@pytest.mark.parametrize("translated", [False, True])
def test_each_reader_gets_their_own_language_and_outcome_before_and_after_translation(mail_app, smtp, monkeypatch,
                                                                                     translated):
    """The check above asks the catalogue of the reader's language, so it holds whatever the
    translators have done so far; with a Polish translation in place, the Polish reader gets it."""
    from flask_babel import get_translations

    if translated:
        with force_locale("pl"):
            catalogue = get_translations()
        for msgid, text in POLISH.items():
            monkeypatch.setitem(catalogue._catalog, msgid, text)
    people = [factories.make_user(language=language) for language in LANGUAGES]
    judged = judged_challenge(entries=3, members=[[p] for p in people], title=dict(TITLES))
    publish(judged)
    db.session.commit()
    # default_score by hand: entry e gets 9-e / 8-e / 9-e on the criteria of weights 1, 2, 3 from jurors 0 and 2,
    # one more from juror 1: totals (90+160+270)/6 - 10e and (100+180+300)/6 - 10e, mean 90 - 10e.
    expected = expected_outcomes(judged, [90.0, 80.0, 70.0])
    assert [(language, place) for language, place, _, _ in expected.values()] == [("en", 1), ("pl", 2), ("el", 3)]
    relay_committed()  # inline
    check_participant_mail(smtp, expected, total=3)
    polish = smtp.to(people[1].email)[0]
    english_sentence = PLACED % {"entry": "Entry 002", "place": 2, "total": 3, "score": "{:,.2f}".format(expected[people[1].email][3])}
    if translated:
        assert polish.subject == f"Wyniki: {TITLES['pl']} — Twój rezultat"
        assert "Twoje zgłoszenie „Entry 002” zajęło 2. miejsce na 3" in polish.text
        assert english_sentence not in polish.text
    english = smtp.to(people[0].email)[0]
    assert 'placed 1 of 3' in english.text and english.subject == f"Results of {TITLES['en']}: your outcome"


# --- the "done when": 100 participants, real Redis, RQ worker and SMTP ------------------------

KILLER = r"""
import json, os, signal, sys
from govchallenge import create_app
from govchallenge.results import announcements

config = json.loads(os.environ["KILL_TEST_CONFIG"])
app = create_app(config)
original = announcements._record_sent
sent = [0]

def mark_then_die(delivery_id):
    # A delivery is marked sent in the commit that claims the worker's next one: killed right after that
    # mark is committed, before the next claim.
    original(delivery_id)
    sent[0] += 1
    if sent[0] == int(os.environ["KILL_AFTER"]):
        announcements.db.session.commit()
        os.kill(os.getpid(), signal.SIGKILL)  # no clean-up, no except block: a real kill

announcements._record_sent = mark_then_die
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
    expected = expected_outcomes(judged, [hundred_score(e) for e in range(50)])
    assert Counter(language for language, *_ in expected.values()) == {"en": 34, "pl": 33, "el": 33}
    assert [place for _, place, _, _ in expected.values()] == sorted(p for p in range(1, 51) for _ in range(2))
    assert {e["entry"]: e["place"] for e in publication.full["entries"]} == {
        s.public_id: n for n, s in enumerate(judged.submissions, 1)}
    jurors = {j.email: j.language for j in judged.jurors}
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
    for email, language in jurors.items():
        assert len(smtp.to(email)) == 1
        assert smtp.to(email)[0].subject == subject_in(language, letters.SUBJECT_GENERAL, TITLES[language])

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
    publication = publish(judged)
    db.session.commit()
    follower_email = follower.email
    title_pl = documents.title_in(publication.document, "pl")  # the challenge has English only: falls back
    relay_committed()
    rq_worker()
    assert len(smtp.received) == 3 + 3 + 1  # participants, jurors, follower
    mail = smtp.to(follower_email)[0]
    assert mail.subject == subject_in("pl", letters.SUBJECT_GENERAL, title_pl)
    assert 'lang="pl"' in mail.html
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
    from govchallenge.challenges.panels import feed_sources

    with app.test_request_context():
        assert announcements.feed_entries in feed_sources()


# --- failures: SMTP refusing, webhooks timing out or failing ----------------------------

def run_retries(rounds=8):
    start = utcnow()
    for n in range(1, rounds + 1):
        with time_machine.travel(start + timedelta(hours=3 * n), tick=False):
            relay_due()
            db.session.expire_all()


def test_a_refused_message_is_retried_reported_and_others_are_sent(mail_app, smtp):
    from tests.conftest import login

    mail_app.config["MAIL_RETRY_HOURS"] = 1  # eight attempts: the first, then waits of 30 s … 30 min
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
    assert row.state == FAILED and row.attempts == row.max_attempts == 8
    assert len(smtp.received) == 5  # nobody got a second copy
    officer = login(mail_app.test_client(), judged.officer)
    page = officer.get(f"/challenges/{judged.challenge.slug}/results/announcement").get_data(as_text=True)
    assert refused.email in page and "refused" in page
    status = mail_app.test_cli_runner().invoke(args=["results", "status", judged.challenge.slug])
    assert "given up 1" in status.output and f"given up email user:{refused.id} after 8 attempts" in status.output
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
    app = make_app(RESULTS_WEBHOOK_TIMEOUT=0.3, WEBHOOK_ALLOW_PRIVATE=True)  # the endpoints listen on 127.0.0.1
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
        assert webhooks.verify_signature(good.secret, body, headers["X-Govchallenge-Signature"])
        assert not webhooks.verify_signature("wrong secret", body, headers["X-Govchallenge-Signature"])
        payload = json.loads(body)
        assert payload["digest"] == publication.digest and payload["winners"][0]["place"] == 1
        assert payload["digest_scheme"] == "rfc8785-sha256"
        assert deliveries(SENT, EMAIL) == 2 + 3  # e-mails went out all the same
        assert deliveries(channel=WEBHOOK) == 3
        waiting = db.session.execute(sa.select(Delivery).where(Delivery.channel == WEBHOOK, Delivery.state == "pending")).scalars().all()
        assert len(waiting) == 2 and all(d.attempts == 1 and d.next_attempt_at is not None for d in waiting)
        assert {"endpoint answered 500", "endpoint unreachable"} & {w.last_error.split(": ", 1)[1][:22] for w in waiting}

        run_retries(2)
        assert endpoints.hits["/fail"] == 3 and endpoints.hits["/good"] == 1


def test_deliveries_to_a_webhook_page_need_a_host(app, login_as, people, public_dns):
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


# --- where a webhook may go (SSRF) -----------------------------------------------------------

PUBLIC_ADDRESS = "193.0.6.139"  # any globally routable address


def fake_dns(monkeypatch, answers):
    """Names resolve as `answers` says ({host: [addresses]}); IP literals to themselves; others fail."""
    import ipaddress
    import socket

    def resolve(host, port):
        try:
            return [str(ipaddress.ip_address(host))]
        except ValueError:
            pass
        if host in answers:
            return list(answers[host])
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(webhook_guard, "resolve", resolve)
    return answers


@pytest.fixture
def public_dns(monkeypatch):
    return fake_dns(monkeypatch, {"portal.example.gov.pl": [PUBLIC_ADDRESS], "partner.example.eu": [PUBLIC_ADDRESS],
                                  "intranet.example.eu": ["10.1.2.3"], "mixed.example.eu": [PUBLIC_ADDRESS, "127.0.0.1"]})


@pytest.mark.parametrize("address, public", [
    ("193.0.6.139", True), ("2001:67c:2e8:22::c100:68b", True),
    ("127.0.0.1", False), ("10.0.0.5", False), ("172.16.0.1", False), ("192.168.1.1", False),
    ("169.254.169.254", False), ("100.64.0.1", False), ("0.0.0.0", False), ("224.0.0.1", False),
    ("::1", False), ("fe80::1", False), ("fc00::1", False), ("::ffff:127.0.0.1", False), ("::ffff:10.0.0.1", False),
])
def test_which_addresses_are_public(address, public):
    assert webhook_guard.is_public(address) is public


WEBHOOK_CASES = [
    ("ftp://portal.example.gov.pl/hook", webhook_guard.BAD_SCHEME),
    ("file:///etc/passwd", webhook_guard.BAD_SCHEME),
    ("javascript:alert(1)", webhook_guard.BAD_SCHEME),
    ("portal.example.gov.pl/hook", webhook_guard.BAD_SCHEME),
    ("not a url", webhook_guard.BAD_SCHEME),
    ("https:///hook", webhook_guard.NO_HOST),
    ("https://portal.example.gov.pl:99999/hook", webhook_guard.BAD_PORT),
    ("https://no-such-host.example.eu/hook", webhook_guard.UNRESOLVABLE),
    ("http://127.0.0.1:8080/hook", webhook_guard.PRIVATE),
    ("http://localhost/hook", webhook_guard.UNRESOLVABLE),  # our fake DNS knows no "localhost"
    ("http://10.0.0.5/", webhook_guard.PRIVATE),
    ("http://169.254.169.254/latest/meta-data/", webhook_guard.PRIVATE),
    ("http://[::1]/hook", webhook_guard.PRIVATE),
    ("http://[::ffff:127.0.0.1]/hook", webhook_guard.PRIVATE),
    ("https://intranet.example.eu/hook", webhook_guard.PRIVATE),
    ("https://mixed.example.eu/hook", webhook_guard.PRIVATE),
]


@pytest.mark.parametrize("url, problem", WEBHOOK_CASES)
def test_the_webhook_form_refuses_other_schemes_and_private_networks(app, login_as, public_dns, url, problem):
    from markupsafe import escape

    from govchallenge.results.forms import WEBHOOK_PROBLEMS

    judged = judged_challenge(entries=1)
    db.session.commit()
    officer = login_as(judged.officer)
    response = officer.post(f"/challenges/{judged.challenge.slug}/results/webhooks",
                            data={"organisation": judged.challenge.lead_host.organisation_id, "url": url})
    assert response.status_code == 400
    with force_locale(judged.officer.language):
        message = str(WEBHOOK_PROBLEMS[problem])
    assert str(escape(message)) in response.get_data(as_text=True)
    assert db.session.execute(sa.select(sa.func.count(WebhookEndpoint.id))).scalar() == 0


def test_the_webhook_form_accepts_a_public_address_and_private_ones_only_when_allowed(make_app, monkeypatch):
    fake_dns(monkeypatch, {"partner.example.eu": [PUBLIC_ADDRESS]})
    from tests.conftest import login

    for allow, url, expected in ((False, "https://partner.example.eu/hook", 302), (False, "http://127.0.0.1:8080/h", 400),
                                 (True, "http://127.0.0.1:8080/h", 302), (True, "gopher://127.0.0.1/h", 400)):
        app = make_app(WEBHOOK_ALLOW_PRIVATE=allow)
        with app.app_context():
            judged = judged_challenge(entries=1)
            db.session.commit()
            response = login(app.test_client(), judged.officer).post(
                f"/challenges/{judged.challenge.slug}/results/webhooks",
                data={"organisation": judged.challenge.lead_host.organisation_id, "url": url})
            assert response.status_code == expected, (allow, url)


def test_add_webhook_refuses_a_non_http_address(app):
    judged = judged_challenge(entries=1)
    from govchallenge.organisations.models import Organisation

    host = db.session.get(Organisation, judged.challenge.lead_host.organisation_id)
    with pytest.raises(operations.ResultsError) as error:
        operations.add_webhook(host, "file:///etc/passwd", judged.officer)
    assert error.value.code == "bad_webhook_url"


@pytest.mark.parametrize("allow", [False, True])
def test_a_name_that_now_resolves_to_a_private_address_is_refused_at_delivery(make_app, endpoints, monkeypatch, allow):
    """Registered while it resolved to a public address; by the delivery it points at 127.0.0.1. The
    check runs again on the fresh answer, and the connection goes to the address that was checked."""
    dns = fake_dns(monkeypatch, {"partner.example.eu": [PUBLIC_ADDRESS]})
    app = make_app(RESULTS_WEBHOOK_TIMEOUT=0.5, WEBHOOK_ALLOW_PRIVATE=allow)
    with app.app_context():
        judged = judged_challenge(entries=1)
        from govchallenge.organisations.models import Organisation

        host = db.session.get(Organisation, judged.challenge.lead_host.organisation_id)
        url = f"http://partner.example.eu:{endpoints.server.server_port}/good"
        webhook_guard.check(url, allow_private=False)  # public when registered
        endpoint = operations.add_webhook(host, url, judged.officer)
        stored = WebhookEndpoint(organisation_id=host.id, url="file:///etc/passwd")  # written past the form
        db.session.add(stored)
        publish(judged)
        db.session.commit()
        dns["partner.example.eu"] = ["127.0.0.1"]  # re-resolves
        relay_committed()
        db.session.expire_all()
        row = db.session.execute(sa.select(Delivery).where(Delivery.endpoint_id == endpoint.id)).scalar_one()
        bad = db.session.execute(sa.select(Delivery).where(Delivery.endpoint_id == stored.id)).scalar_one()
        assert bad.state == "pending" and "endpoint refused: scheme" in bad.last_error
        if allow:
            assert row.state == SENT and len(endpoints.received) == 1
            headers, _ = endpoints.received[0]
            assert headers["Host"] == f"partner.example.eu:{endpoints.server.server_port}"
        else:
            assert row.state == "pending" and "endpoint refused: private" in row.last_error
            assert "127.0.0.1" in row.last_error and endpoints.hits == Counter()
        assert deliveries(SENT, EMAIL) == 1 + 3  # the others went out all the same
