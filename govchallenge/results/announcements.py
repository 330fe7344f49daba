"""The announcement job: fan out one delivery per recipient and channel, then send each pending one.

Exactly once per recipient and channel:
- the fan-out inserts rows under the UNIQUE key (announcement_id, channel, recipient_key), so
  running it again adds nothing;
- a delivery is claimed by one UPDATE … WHERE state = 'pending' (only one worker's UPDATE matches),
  committed, sent, and marked sent in its own commit right after the send;
- a worker killed between deliveries leaves only sent and pending rows: running the job again sends
  the pending ones. A worker killed in the middle of one send leaves that row 'sending'; it is taken
  again only after STALE_CLAIM, with the same Message-ID / delivery id, so the receiving side can
  recognise the repeat. The Message-ID comes from the delivery row, never from the attempt.
Failures (SMTP refusal, a webhook timing out or answering 500) put the row back to pending with the
back-off of jobs/retry.py (30 s doubling to 30 min); the job asks the outbox to run it again when the
first of them is due (RunLater: not a failure of the job). After MAIL_RETRY_HOURS of waits the row is
'failed' (given up) and listed for the hosts, who may try it again. One failing recipient never stops
the others.
"""
import logging
from datetime import timedelta

import sqlalchemy as sa
from govchallenge.core.i18n import lazy_text as _l

from govchallenge.core import mail
from govchallenge.core.timeutil import utcnow
from govchallenge.core.urls import external_url
from govchallenge.extensions import db
from govchallenge.jobs import RunLater, report_progress
from govchallenge.jobs.retry import mail_attempts, retry_hours, wait_after

from . import documents
from .feed import feed_entries
from .webhooks import SIGNATURE_HEADER, post_webhook, sign, verify_signature, webhook_body  # noqa: F401
from .models import (
    EMAIL, FAILED, FEED, FOLLOWER, JUROR, PARTICIPANT, PARTNER, PENDING, PUBLIC, SENDING, SENT, WEBHOOK,
    Announcement, Delivery, WebhookEndpoint,
)

log = logging.getLogger(__name__)
STALE_CLAIM = timedelta(minutes=10)
CHANNEL_ORDER = {FEED: 0, EMAIL: 1, WEBHOOK: 2}


# --- the job --------------------------------------------------------------------------------

def announce(announcement_id):
    announcement = db.session.get(Announcement, announcement_id)
    if announcement is None:
        return "nothing to do"
    created = fan_out(announcement)
    db.session.commit()
    outcome = send_pending(announcement_id)
    outcome["created"] = created
    states = count_states(announcement_id)
    waiting = states.get(PENDING, 0) + states.get(SENDING, 0)
    if waiting:
        raise RunLater(next_attempt_at(announcement_id) or utcnow(), f"{waiting} deliveries wait for another attempt")
    announcement = db.session.get(Announcement, announcement_id)
    if announcement.finished_at is None:
        announcement.finished_at = utcnow()
        db.session.commit()
    return outcome


# --- fan-out --------------------------------------------------------------------------------

def recipients(announcement):
    """[(channel, recipient_key, values)]: each participant (their own outcome), each juror and
    follower (the result), each partner endpoint of the hosts, and the Atom feed. A person gets one
    e-mail whatever their roles; the participant's wins."""
    from govchallenge.accounts.models import User
    from govchallenge.challenges.models import ACCEPTED, Follow
    from govchallenge.jury.models import Juror
    from govchallenge.submissions.models import SUBMITTED, Submission
    from govchallenge.teams.models import Team, TeamMember

    publication = announcement.publication
    challenge = publication.challenge
    full = publication.full
    ranked_ids = {e["entry"] for e in full["entries"]}
    found = {}

    def add(key, **values):
        found.setdefault((EMAIL, key), values)

    rows = db.session.execute(
        sa.select(TeamMember, Submission.public_id, Submission.id, User)
        .join(Team, Team.id == TeamMember.team_id)
        .join(Submission, Submission.team_id == Team.id)
        .join(User, User.id == TeamMember.user_id)
        .where(Team.challenge_id == challenge.id, Submission.state == SUBMITTED)
        .order_by(User.id, Submission.id.desc())
    ).all()
    best = {}
    for member, public_id, submission_id, user in rows:
        # Several stages: the entry that reached the final round speaks for the team.
        current = best.get(user.id)
        if current is None or (public_id in ranked_ids and current[0] not in ranked_ids):
            best[user.id] = (public_id, submission_id, user)
    for user_id, (public_id, submission_id, user) in sorted(best.items()):
        add(f"user:{user_id}", role=PARTICIPANT, user_id=user_id, submission_id=submission_id, language=user.language)

    jurors = db.session.execute(
        sa.select(Juror, User).outerjoin(User, User.id == Juror.user_id).where(Juror.challenge_id == challenge.id)
        .order_by(Juror.id)
    ).all()
    for juror, user in jurors:
        if not documents.serving(juror):
            continue
        if user is not None:
            add(f"user:{user.id}", role=JUROR, user_id=user.id, language=user.language)
        elif juror.email:
            add(f"email:{juror.email.lower()}", role=JUROR, language=challenge.main_language)

    followers = db.session.execute(
        sa.select(User).join(Follow, Follow.user_id == User.id).where(Follow.challenge_id == challenge.id)
        .order_by(User.id)
    ).scalars()
    for user in followers:
        add(f"user:{user.id}", role=FOLLOWER, user_id=user.id, language=user.language)

    hosts = [h.organisation_id for h in challenge.hosts if h.state == ACCEPTED]
    endpoints = db.session.execute(
        sa.select(WebhookEndpoint).where(WebhookEndpoint.organisation_id.in_(hosts), WebhookEndpoint.active.is_(True))
        .order_by(WebhookEndpoint.id)
    ).scalars() if hosts else []
    for endpoint in endpoints:
        found[(WEBHOOK, f"endpoint:{endpoint.id}")] = {"role": PARTNER, "endpoint_id": endpoint.id}
    found[(FEED, "feed")] = {"role": PUBLIC}
    return [(channel, key, values) for (channel, key), values in found.items()]


def fan_out(announcement):
    """Adds the deliveries not yet recorded. Returns how many were added."""
    existing = set(tuple(row) for row in db.session.execute(
        sa.select(Delivery.channel, Delivery.recipient_key).where(Delivery.announcement_id == announcement.id)
    ).all())
    added = 0
    for channel, key, values in recipients(announcement):
        if (channel, key) in existing:
            continue
        db.session.add(Delivery(announcement_id=announcement.id, channel=channel, recipient_key=key, **values))
        added += 1
    if added:
        try:
            db.session.flush()
        except sa.exc.IntegrityError:  # another worker fanned out at the same moment: its rows stand
            db.session.rollback()
            return 0
    if announcement.fanned_out_at is None:
        announcement.fanned_out_at = utcnow()
    return added


# --- sending --------------------------------------------------------------------------------

def count_states(announcement_id):
    rows = db.session.execute(
        sa.select(Delivery.state, sa.func.count()).where(Delivery.announcement_id == announcement_id)
        .group_by(Delivery.state)
    ).all()
    return {state: count for state, count in rows}


def progress(announcement_id):
    """What hosts and operators see: sent, waiting to retry (and when the next attempt is), given up."""
    states = count_states(announcement_id)
    return {"total": sum(states.values()), "sent": states.get(SENT, 0), "failed": states.get(FAILED, 0),
            "waiting": states.get(PENDING, 0) + states.get(SENDING, 0),
            "next_attempt_at": next_attempt_at(announcement_id), "retry_hours": f"{retry_hours():g}"}


def next_attempt_at(announcement_id):
    """The moment the first waiting delivery may go: its retry time (now, if one has none), or when a
    claim left by a dead worker turns stale. None when nothing waits."""
    def earliest(column, state):
        """(earliest value, rows in the state, rows with a value)"""
        return db.session.execute(
            sa.select(sa.func.min(column), sa.func.count(), sa.func.count(column))
            .where(Delivery.announcement_id == announcement_id, Delivery.state == state)
        ).one()

    moments = []
    retry_at, pending, scheduled = earliest(Delivery.next_attempt_at, PENDING)
    if pending:
        moments.append(retry_at if pending == scheduled else utcnow())
    claimed_at, sending, _ = earliest(Delivery.claimed_at, SENDING)
    if sending and claimed_at is not None:
        moments.append(claimed_at + STALE_CLAIM)
    return min(moments) if moments else None


def _due(now):
    """A delivery a worker may take now: waiting and its next attempt has come, or claimed by a worker that has
    not finished it within STALE_CLAIM (it died)."""
    return sa.or_(
        sa.and_(Delivery.state == PENDING, sa.or_(Delivery.next_attempt_at.is_(None), Delivery.next_attempt_at <= now)),
        sa.and_(Delivery.state == SENDING, Delivery.claimed_at < now - STALE_CLAIM),
    )


def _due_ids(announcement_id):
    rows = db.session.execute(
        sa.select(Delivery.id, Delivery.channel).where(Delivery.announcement_id == announcement_id, _due(utcnow()))
    ).all()
    return [delivery_id for delivery_id, channel in sorted(rows, key=lambda r: (CHANNEL_ORDER.get(r[1], 9), r[0]))]


def claim(delivery_id):
    """pending -> sending for exactly one worker (the UPDATE's WHERE is the lock)."""
    now = utcnow()
    result = db.session.execute(
        sa.update(Delivery).where(Delivery.id == delivery_id, _due(now))
        .values(state=SENDING, claimed_at=now, attempts=Delivery.attempts + 1)
    )
    db.session.commit()
    return result.rowcount == 1


def _mark_sent(delivery_id):
    db.session.execute(
        sa.update(Delivery).where(Delivery.id == delivery_id, Delivery.state == SENDING)
        .values(state=SENT, sent_at=utcnow(), last_error="")
    )
    db.session.commit()


def _mark_failed_attempt(delivery_id, error_text):
    """Waits (30 s doubling to 30 min) and tries again, until the attempts of MAIL_RETRY_HOURS are spent."""
    db.session.rollback()
    delivery = db.session.get(Delivery, delivery_id)
    allowed = mail_attempts()
    if delivery.attempts >= allowed:
        values = {"state": FAILED, "next_attempt_at": None}
    else:
        values = {"state": PENDING, "next_attempt_at": utcnow() + wait_after(delivery.attempts)}
    values["max_attempts"] = allowed
    db.session.execute(
        sa.update(Delivery).where(Delivery.id == delivery_id, Delivery.state == SENDING)
        .values(last_error=error_text[:2000], **values)
    )
    db.session.commit()


def send_pending(announcement_id):
    """Sends every due delivery once. Returns counts of this run."""
    sent = failed = 0
    states = count_states(announcement_id)
    total = sum(states.values())
    done = states.get(SENT, 0)
    report_progress(done, total)
    for delivery_id in _due_ids(announcement_id):
        if not claim(delivery_id):
            continue  # another worker has it
        delivery = db.session.get(Delivery, delivery_id)
        try:
            deliver(delivery)
        except Exception as error:  # noqa: BLE001 - every failure is recorded and retried
            log.warning("delivery %s (%s %s) failed: %s", delivery_id, delivery.channel, delivery.recipient_key, error)
            _mark_failed_attempt(delivery_id, f"{type(error).__name__}: {error}")
            failed += 1
            continue
        _mark_sent(delivery_id)
        sent += 1
        done += 1
        report_progress(done, total)
    return {"sent": sent, "failed_attempts": failed, "total": total}


def deliver(delivery):
    if delivery.channel == EMAIL:
        send_email(delivery)
    elif delivery.channel == WEBHOOK:
        post_webhook(delivery)
    elif delivery.channel == FEED:
        pass  # the feed shows publications whose feed delivery is sent
    else:
        raise ValueError(f"unknown channel {delivery.channel}")


# --- e-mail ---------------------------------------------------------------------------------

SUBJECT_PARTICIPANT = _l("Results of %(title)s: your outcome")
SUBJECT_GENERAL = _l("Results of %(title)s are published")


def email_for(delivery):
    """The rendered message, in the recipient's language, with a Message-ID that stays the same
    across attempts."""
    from govchallenge.accounts.models import User
    from govchallenge.submissions.models import Submission

    publication = delivery.announcement.publication
    full, document = publication.full, publication.document
    language = delivery.language or "en"
    title = documents.title_in(document, language)
    user = db.session.get(User, delivery.user_id) if delivery.user_id else None
    address = user.email if user else delivery.recipient_key.partition(":")[2]
    link = external_url("results.show", slug=publication.challenge.slug)
    context = {
        "user": user, "title": title, "link": link, "digest": publication.digest, "document": document,
        "winners": documents.winners(full),
        "main_language": document["challenge"]["main_language"],
    }
    if delivery.role == PARTICIPANT:
        submission = db.session.get(Submission, delivery.submission_id) if delivery.submission_id else None
        context["outcome"] = documents.outcome_for(full, submission.public_id) if submission else None
        context["exclusion"] = exclusion_of(submission) if submission and context["outcome"] is None else None
        context["entries_ranked"] = document["entries_ranked"]
        context["submission"] = submission
        template, subject = "results_participant", SUBJECT_PARTICIPANT
    else:
        context["role"] = delivery.role
        template, subject = "results_announcement", SUBJECT_GENERAL
    return mail.render(template, language, address, lambda: subject % {"title": title},
                       message_id=message_id_of(delivery), **context)


def exclusion_of(submission):
    """The round in which the chair took the entry out of the judging (the latest, if several), or None: what
    the team is told instead of "did not reach the final round", which would not be true."""
    from govchallenge.jury.models import Round, RoundEntry

    return db.session.execute(
        sa.select(RoundEntry).join(Round).where(RoundEntry.submission_id == submission.id,
                                                RoundEntry.excluded_at.is_not(None))
        .order_by(Round.number.desc()).limit(1)
    ).scalar_one_or_none()


def message_id_of(delivery):
    """The delivery row is the message: every attempt, by any worker or any run of the job, carries this id."""
    return mail.stable_message_id("results", delivery.id, delivery.created_at.isoformat())


def send_email(delivery):
    mail.send(email_for(delivery))


__all__ = ["announce", "fan_out", "send_pending", "sign", "verify_signature", "feed_entries", "progress",
           "recipients", "count_states", "claim", "PUBLIC", "FOLLOWER", "JUROR"]
