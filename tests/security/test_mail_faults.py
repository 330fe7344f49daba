"""Mail under a real SMTP server's faults: a message accepted before a bad goodbye (QUIT answered 421) counts
as delivered; a server refusing everything for hours loses nothing (retries outlast a working day, then the
deliveries are given up, visibly); and every message the platform sends carries a Message-ID derived from its
delivery, so the receiving side recognises a message sent again."""
import ast
import re
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
import time_machine

from govchallenge.core import mail
from govchallenge.core.templating import format_moment
from govchallenge.core.timeutil import utcnow
from govchallenge.extensions import db
from govchallenge.jobs import enqueue
from govchallenge.jobs.execution import execute
from govchallenge.jobs.models import DONE, PENDING, OutboxJob
from govchallenge.jobs.outbox import take_committed_ids
from govchallenge.jobs.relay import relay_committed, relay_due
from govchallenge.jobs.retry import attempts_within
from govchallenge.results import operations as results_operations
from govchallenge.results.models import EMAIL, FAILED, SENT, Announcement, Delivery
from govchallenge.results.operations import ANNOUNCE_JOB
from tests.conftest import login
from tests.support import factories
from tests.support.results_factories import judged_challenge, publish
from tests.support.services import free_port

ROOT = Path(__file__).resolve().parents[2]
BASE_URL = "https://challenges.example.eu"
MESSAGE_ID = re.compile(r"<[0-9a-f]{64}@challenges\.example\.eu>")
BAD_GOODBYE = "421 4.4.2 Connection closing, goodbye"


@pytest.fixture
def smtp_app(make_app, smtp):
    app = make_app(MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp.port, SERVER_NAME_FOR_LINKS=BASE_URL)
    with app.app_context():
        yield app


def outgoing(to="reader@example.eu", key=1):
    return mail.Outgoing(to=to, subject="Subject", text="Text", html="<p>Text</p>",
                         message_id=mail.stable_message_id("test", key))


# --- the SMTP conversation: delivered once DATA is accepted ----------------------------------

def test_a_message_accepted_before_a_bad_goodbye_counts_as_delivered(smtp_app, smtp):
    smtp.quit_reply = BAD_GOODBYE
    message = outgoing()
    assert mail.send(message) == message.message_id  # no MailError: the job will not send it again
    assert smtp.per_recipient() == {"reader@example.eu": 1}


def test_a_message_refused_at_data_is_not_delivered(smtp_app, smtp):
    smtp.refuse_all = True
    with pytest.raises(mail.MailError, match="421"):
        mail.send(outgoing())
    assert smtp.received == [] and smtp.refused == 1


def test_an_unreachable_server_is_not_a_delivery(make_app):
    app = make_app(MAIL_SERVER="127.0.0.1", MAIL_PORT=free_port())
    with app.app_context(), pytest.raises(mail.MailError, match="unreachable"):
        mail.send(outgoing())


def test_a_message_id_names_the_delivery_and_the_installation(smtp_app):
    assert MESSAGE_ID.fullmatch(mail.stable_message_id("results", 7, "2026-01-01"))
    assert mail.stable_message_id("results", 7) == mail.stable_message_id("results", 7)
    assert mail.stable_message_id("results", 7) != mail.stable_message_id("results", 8)
    assert mail.stable_message_id("results", 7) != mail.stable_message_id("jury_invitation", 7)
    smtp_app.config["SERVER_NAME_FOR_LINKS"] = "https://staging.example.eu"
    assert mail.stable_message_id("results", 7).endswith("@staging.example.eu>")


# --- every sender: the same Message-ID at every attempt of a delivery, another for another ---

def _verification():
    user = factories.make_user(verified=False)
    return "govchallenge.accounts.jobs.send_verification", (user.id,), user.email


def _password_reset():
    user = factories.make_user()
    return "govchallenge.accounts.jobs.send_password_reset", (user.id,), user.email


def _already_registered():
    user = factories.make_user()
    return "govchallenge.accounts.jobs.send_already_registered", (user.id,), user.email


def _team_invitation():
    from govchallenge.teams.models import TeamInvitation

    lead = factories.make_user()
    team = factories.make_team(factories.make_challenge(), [lead])
    invitation = TeamInvitation(team=team, email="guest@example.eu", invited_by_id=lead.id,
                                expires_at=utcnow() + timedelta(days=7))
    db.session.add(invitation)
    db.session.flush()
    return "govchallenge.teams.jobs.send_invitation", (invitation.id,), invitation.email


def _submission_receipt():
    member = factories.make_user()
    submission = factories.make_submission(factories.make_team(factories.make_challenge(), [member]))
    return "govchallenge.submissions.jobs.send_receipt", (submission.versions[0].id, member.id), member.email


def _follower_news():
    from govchallenge.challenges.models import Follow

    follower = factories.make_user()
    challenge = factories.make_challenge()
    db.session.add(Follow(challenge_id=challenge.id, user_id=follower.id))
    db.session.flush()
    return "govchallenge.challenges.jobs.email_follower", (follower.id, challenge.id, "update", "deadline"), follower.email


def _cohost_invitation():
    from govchallenge.challenges.models import ChallengeHost

    officer = factories.make_user()
    organisation = factories.make_public_body(country="GR", officer=officer)
    challenge = factories.make_challenge()
    host = ChallengeHost(organisation=organisation)
    challenge.hosts.append(host)
    db.session.flush()
    return "govchallenge.challenges.jobs.email_cohost_invitation", (host.id,), officer.email


def _jury_invitation():
    from tests.support.jury_factories import make_juror

    juror = make_juror(factories.make_challenge(), accepted=False, email="expert@example.eu")
    return "govchallenge.jury.jobs.send_invitation", (juror.id,), juror.email


def _jury_reminder():
    from govchallenge.jury.models import Assignment
    from tests.support.jury_factories import make_jury_setup

    setup = make_jury_setup(n_entries=2, n_jurors=2, reviews=1)
    assignment = db.session.execute(sa.select(Assignment).where(Assignment.round_id == setup["round"].id)
                                    .order_by(Assignment.id)).scalars().first()
    juror = assignment.juror
    return "govchallenge.jury.jobs.send_reminder", (setup["round"].id, juror.id), juror.user.email


SENDERS = {
    "verification": _verification, "password_reset": _password_reset, "already_registered": _already_registered,
    "team_invitation": _team_invitation, "submission_receipt": _submission_receipt, "follower_news": _follower_news,
    "cohost_invitation": _cohost_invitation, "jury_invitation": _jury_invitation, "jury_reminder": _jury_reminder,
}


def run_row(job_id):
    take_committed_ids()  # run here, by hand, not by the relay
    assert execute(job_id) == DONE


@pytest.mark.parametrize("sender", SENDERS)
def test_every_sender_repeats_the_message_id_of_a_delivery_and_never_reuses_it_for_another(smtp_app, smtp, sender):
    function, args, to = SENDERS[sender]()
    first = enqueue(function, *args)
    db.session.commit()
    run_row(first.id)
    # The same row again, as after a worker that sent and died before recording it (or a QUIT error once).
    db.session.execute(sa.update(OutboxJob).where(OutboxJob.id == first.id).values(state=PENDING))
    db.session.commit()
    run_row(first.id)
    second = enqueue(function, *args)  # a new request: a new delivery
    db.session.commit()
    run_row(second.id)
    ids = [str(m.message["Message-ID"]) for m in smtp.to(to)]
    assert len(ids) == 3, f"{sender}: {len(ids)} messages to {to}"
    assert ids[0] == ids[1] != ids[2]
    assert all(MESSAGE_ID.fullmatch(i) for i in ids), ids


def _call_name(node):
    func = node.func
    if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
        return f"{func.value.id}.{func.attr}"
    return func.id if isinstance(func, ast.Name) else ""


def test_every_mail_the_platform_builds_names_its_message_id():
    """A new sender is caught here the day it is written: each mail.render / mail.Outgoing passes message_id."""
    found, missing = [], []
    for path in sorted((ROOT / "govchallenge").rglob("*.py")):
        if path == ROOT / "govchallenge" / "core" / "mail.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and _call_name(node) in {"mail.render", "mail.Outgoing"}:
                where = f"{path.relative_to(ROOT)}:{node.lineno}"
                found.append(where)
                keyword = next((k for k in node.keywords if k.arg == "message_id"), None)
                if keyword is None or (isinstance(keyword.value, ast.Constant) and not keyword.value.value):
                    missing.append(where)
    assert len(found) >= 8, found  # the call sites of the senders in SENDERS, and the announcement
    assert missing == []


# --- the announcement through a real RQ worker and a faulty SMTP server ----------------------

def announce_row():
    return db.session.execute(sa.select(OutboxJob).where(OutboxJob.function == ANNOUNCE_JOB)).scalar_one()


def email_deliveries():
    return db.session.execute(sa.select(Delivery).where(Delivery.channel == EMAIL).order_by(Delivery.id)).scalars().all()


def recipients_of(judged, *users):
    emails = [m.user.email for team in judged.teams for m in team.members]
    emails += [j.email for j in judged.jurors] + [u.email for u in users]
    return {e.lower() for e in emails}


def test_each_announcement_arrives_exactly_once_through_bad_goodbyes_and_an_hour_of_refusals(
        redis_app, rq_worker, smtp):
    from govchallenge.challenges.models import Follow

    redis_app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp.port, SERVER_NAME_FOR_LINKS=BASE_URL)
    smtp.quit_reply, smtp.refuse_all = BAD_GOODBYE, True
    judged = judged_challenge(entries=4)
    follower = factories.make_user(language="pl")
    db.session.add(Follow(challenge_id=judged.challenge.id, user_id=follower.id))
    publish(judged)
    db.session.commit()
    expected = recipients_of(judged, follower)
    assert len(expected) == 4 + 3 + 1
    relay_committed()  # to Redis: the web process sends nothing
    start = utcnow()
    runs = 0
    with time_machine.travel(start, tick=False) as clock:
        rq_worker()
        while announce_row().state != DONE:
            job = announce_row()
            assert job.state == PENDING, job.last_error  # waiting, never given up
            clock.move_to(job.run_after + timedelta(seconds=1))
            smtp.refuse_all = utcnow() < start + timedelta(hours=1)  # the server is back after an hour
            assert relay_due() == 1  # what the worker's relay loop does once the row is due
            rq_worker()
            runs += 1
            assert runs < 50
    assert smtp.refused >= 7 * len(expected)  # every message was refused through the hour
    assert smtp.per_recipient() == {address: 1 for address in expected}
    message_ids = smtp.message_ids()
    assert len(message_ids) == len(expected) and set(message_ids.values()) == {1}
    assert all(MESSAGE_ID.fullmatch(i) for i in message_ids)
    rows = email_deliveries()
    assert {d.state for d in rows} == {SENT} and min(d.attempts for d in rows) >= 8
    assert all(d.sent_at - start >= timedelta(hours=1) for d in rows)
    assert announce_row().attempts == 1  # the run that finished; its waits before were no failures


def test_a_delivery_sent_again_carries_the_same_message_id(smtp_app, smtp):
    judged = judged_challenge(entries=2)
    publication = publish(judged)
    db.session.commit()
    relay_committed()  # inline: everything sent
    participant = judged.teams[0].members[0].user
    row = db.session.execute(sa.select(Delivery).where(Delivery.user_id == participant.id)).scalar_one()
    # The worker sent it and died before recording it: after STALE_CLAIM another run sends it again.
    db.session.execute(sa.update(Delivery).where(Delivery.id == row.id)
                       .values(state="sending", claimed_at=utcnow() - timedelta(minutes=11)))
    results_operations.resume(db.session.get(Announcement, publication.announcement.id))
    db.session.commit()
    relay_committed()
    received = smtp.to(participant.email)
    assert len(received) == 2
    assert str(received[0].message["Message-ID"]) == str(received[1].message["Message-ID"])


# --- a long outage: still waiting after ten hours, given up after MAIL_RETRY_HOURS, visibly ---

def drive_inline(until):
    """The embedded default's sweep: run the announcement whenever its row comes due, until `until`."""
    while True:
        job = announce_row()
        if job.state != PENDING or job.run_after > until:
            return
        with time_machine.travel(job.run_after + timedelta(seconds=1), tick=False):
            relay_due()
        db.session.expire_all()


def host_pages(app, judged):
    """The announcement page and the results page, as the lead host sees them now."""
    officer = login(app.test_client(), judged.officer)
    slug = judged.challenge.slug
    return (officer.get(f"/challenges/{slug}/results/announcement").get_data(as_text=True),
            officer.get(f"/challenges/{slug}/results").get_data(as_text=True))


def cli(app, *args):
    result = app.test_cli_runner().invoke(args=list(args))
    assert result.exit_code == 0, result.output
    return result.output


def test_deliveries_still_wait_after_ten_hours_of_refusal_and_are_given_up_after_mail_retry_hours(make_app, smtp):
    app = make_app(MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp.port, MAIL_RETRY_HOURS=12)
    with app.app_context():
        smtp.refuse_all = True
        judged = judged_challenge(entries=2)
        publish(judged)
        db.session.commit()
        slug = judged.challenge.slug
        start = utcnow()
        relay_committed()  # inline: the first attempt
        drive_inline(start + timedelta(hours=10))
        rows = email_deliveries()
        assert len(rows) == 2 + 3 and {d.state for d in rows} == {PENDING}
        assert announce_row().state == PENDING and min(d.attempts for d in rows) >= 20
        next_at = min(d.next_attempt_at for d in rows)
        with time_machine.travel(start + timedelta(hours=10), tick=False):
            announcement, results = host_pages(app, judged)
            status = cli(app, "results", "status", slug)
            jobs = cli(app, "jobs", "status")
        with app.test_request_context():
            shown = format_moment(next_at, judged.officer.timezone)
        assert "(Europe/Warsaw)" in shown
        for page in (announcement, results):
            assert "5 waiting to be tried again" in page
            assert f'next attempt <time datetime="{next_at.isoformat(timespec="seconds")}">{shown}</time>' in page
            assert "0 given up" in page and "for 12 hours" in page
        assert "Waiting to retry" in announcement
        assert f"waiting to retry 5 (next attempt {next_at.strftime('%Y-%m-%d %H:%M:%S')} UTC)" in status
        assert "given up 0" in status
        assert "waiting to retry: 1" in jobs and "5 deliveries wait for another attempt" in jobs

        drive_inline(start + timedelta(hours=14))
        rows = email_deliveries()
        assert {d.state for d in rows} == {FAILED}
        assert {d.attempts for d in rows} == {attempts_within(12)}
        assert announce_row().state == DONE
        with time_machine.travel(start + timedelta(hours=14), tick=False):
            announcement, results = host_pages(app, judged)
            status = cli(app, "results", "status", slug)
        for page in (announcement, results):
            assert "5 given up" in page and "0 waiting to be tried again" in page
        assert announcement.count("Given up") == 5
        assert "given up 5" in status and status.count(f"after {attempts_within(12)} attempts") == 5
        assert smtp.received == []

        # The server works again: the host tries the given-up deliveries once more, each arrives once.
        smtp.refuse_all = False
        with time_machine.travel(start + timedelta(hours=14, minutes=5), tick=False):
            officer = login(app.test_client(), judged.officer)
            assert officer.post(f"/challenges/{slug}/results/announcement/retry").status_code == 302
        assert sorted(smtp.per_recipient().values()) == [1] * 5


@pytest.mark.browser
def test_the_hosts_delivery_state_passes_axe(page, live_app, smtp):
    from tests.support.browser import assert_accessible

    smtp.refuse_all = True
    judged = judged_challenge(entries=2)
    publish(judged)
    db.session.commit()
    relay_committed()  # inline: every e-mail refused once, waiting to be tried again
    participant = judged.teams[0].members[0].user
    db.session.execute(sa.update(Delivery).where(Delivery.user_id == participant.id)  # as after MAIL_RETRY_HOURS
                       .values(state=FAILED, next_attempt_at=None))
    db.session.commit()
    page.goto("/login")
    page.get_by_label("E-mail address").fill(judged.officer.email)
    page.get_by_label("Password").fill(factories.PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("button", name="Sign out").wait_for()
    page.goto(f"/challenges/{judged.challenge.slug}/results/announcement")
    page.get_by_text("4 waiting to be tried again").wait_for()
    page.get_by_text("1 given up").wait_for()
    assert_accessible(page, "announcement with waiting and given-up deliveries")
    page.goto(f"/challenges/{judged.challenge.slug}/results")
    page.get_by_text("4 waiting to be tried again").wait_for()
    assert_accessible(page, "results page of a host, announcement waiting")
