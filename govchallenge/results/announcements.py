"""The announcement job: fan out one delivery per recipient and channel, then send each pending one.

Exactly once per recipient and channel:
- the fan-out inserts rows under the UNIQUE key (announcement_id, channel, recipient_key), so
  running it again adds nothing;
- a delivery is claimed by one UPDATE … WHERE state = 'pending' (only one worker's UPDATE matches),
  committed, sent, and marked sent right after the send, in the commit that claims the worker's next delivery
  (or its own, after the last one): one commit per message;
- a worker killed between deliveries leaves only sent and pending rows: running the job again sends
  the pending ones. A worker killed in the middle of one send leaves that row 'sending'; it is taken
  again only after STALE_CLAIM, with the same Message-ID / delivery id, so the receiving side can
  recognise the repeat. The Message-ID comes from the delivery row, never from the attempt.
Failures (SMTP refusal, a webhook timing out or answering 500) put the row back to pending with the
back-off of jobs/retry.py (30 s doubling to 30 min); the job asks the outbox to run it again when the
first of them is due (RunLater: not a failure of the job). After MAIL_RETRY_HOURS of waits the row is
'failed' (given up) and listed for the hosts, who may try it again. One failing recipient never stops
the others.

Throughput: an announcement bigger than ANNOUNCE_CHUNK_SIZE deliveries is split by the announce job into chunk
jobs (runs of delivery ids) that any number of workers take side by side; each chunk reads the publication
once (`Letters`) and keeps one SMTP connection for its messages (`mail.Postbox`). The claim above is what
keeps it exactly once, whoever runs which chunk; the last chunk to find nothing waiting marks the
announcement finished.
"""
import logging
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app

from govchallenge.core import mail
from govchallenge.core.timeutil import utcnow
from govchallenge.extensions import db
from govchallenge.jobs import RunLater, ThrottledProgress, enqueue
from govchallenge.jobs.retry import mail_attempts, retry_hours, wait_after

from . import documents
from .feed import feed_entries
from .letters import Letters, send_email
from .webhooks import post_webhook
from .models import (
    EMAIL, FAILED, FEED, FOLLOWER, JUROR, PARTICIPANT, PARTNER, PENDING, PUBLIC, SENDING, SENT, WEBHOOK,
    Announcement, Delivery, WebhookEndpoint,
)

log = logging.getLogger(__name__)
STALE_CLAIM = timedelta(minutes=10)
CHUNK_JOB = "govchallenge.results.announcements.send_chunk"
CHANNEL_ORDER = {FEED: 0, EMAIL: 1, WEBHOOK: 2}


# --- the job --------------------------------------------------------------------------------

def announce(announcement_id):
    """Fans out, then sends: itself when the announcement is small, else through chunk jobs that several
    workers run side by side (ANNOUNCE_CHUNK_SIZE deliveries each)."""
    announcement = db.session.get(Announcement, announcement_id)
    if announcement is None:
        return "nothing to do"
    created = fan_out(announcement)
    db.session.commit()
    chunks = chunk_ranges(_due_ids(announcement_id), current_app.config.get("ANNOUNCE_CHUNK_SIZE", 500))
    if len(chunks) <= 1:
        return send_chunk(announcement_id) | {"created": created}
    for first_id, last_id in chunks:
        enqueue(CHUNK_JOB, announcement_id, first_id, last_id, max_attempts=12)
    db.session.commit()
    return {"created": created, "chunks": len(chunks)}


def send_chunk(announcement_id, first_id=None, last_id=None):
    """Sends the due deliveries with ids from first_id to last_id (all, without them); runs again later while
    some of them wait for a retry; the last chunk to finish marks the announcement finished."""
    ids = (first_id, last_id) if first_id is not None else None
    outcome = send_pending(announcement_id, ids)
    waiting = count_waiting(announcement_id, ids)
    if waiting:
        raise RunLater(next_attempt_at(announcement_id, ids) or utcnow(), f"{waiting} deliveries wait for another attempt")
    finish_if_all_sent(announcement_id)
    return outcome


def chunk_ranges(delivery_ids, size):
    """[(first id, last id)] covering `delivery_ids` in runs of at most `size` of them."""
    ordered = sorted(delivery_ids)
    return [(ordered[n], ordered[min(n + size, len(ordered)) - 1]) for n in range(0, len(ordered), max(1, size))]


def finish_if_all_sent(announcement_id):
    """Sets finished_at once nothing waits any more (a concurrent chunk may have done it already)."""
    if count_waiting(announcement_id):
        return
    db.session.execute(
        sa.update(Announcement).where(Announcement.id == announcement_id, Announcement.finished_at.is_(None))
        .values(finished_at=utcnow())
    )
    db.session.commit()


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

def _of(announcement_id, ids=None):
    """The WHERE of an announcement's deliveries, or of those with ids in the range `ids` (first, last)."""
    condition = Delivery.announcement_id == announcement_id
    if ids is not None:
        condition = sa.and_(condition, Delivery.id.between(*ids))
    return condition


def count_states(announcement_id, ids=None):
    rows = db.session.execute(
        sa.select(Delivery.state, sa.func.count()).where(_of(announcement_id, ids)).group_by(Delivery.state)
    ).all()
    return {state: count for state, count in rows}


def count_waiting(announcement_id, ids=None):
    states = count_states(announcement_id, ids)
    return states.get(PENDING, 0) + states.get(SENDING, 0)


def progress(announcement_id):
    """What hosts and operators see: sent, waiting to retry (and when the next attempt is), given up."""
    states = count_states(announcement_id)
    return {"total": sum(states.values()), "sent": states.get(SENT, 0), "failed": states.get(FAILED, 0),
            "waiting": states.get(PENDING, 0) + states.get(SENDING, 0),
            "next_attempt_at": next_attempt_at(announcement_id), "retry_hours": f"{retry_hours():g}"}


def next_attempt_at(announcement_id, ids=None):
    """The moment the first waiting delivery may go: its retry time (now, if one has none), or when a
    claim left by a dead worker turns stale. None when nothing waits."""
    def earliest(column, state):
        """(earliest value, rows in the state, rows with a value)"""
        return db.session.execute(
            sa.select(sa.func.min(column), sa.func.count(), sa.func.count(column))
            .where(_of(announcement_id, ids), Delivery.state == state)
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


DUE_COLUMNS = (Delivery.id, Delivery.channel, Delivery.recipient_key, Delivery.role, Delivery.language,
               Delivery.user_id, Delivery.submission_id, Delivery.created_at)


def _due_rows(announcement_id, ids=None):
    """The due deliveries (feed first, then e-mail, then webhooks), as rows of what a message needs: these
    columns never change after the fan-out, so a worker reads them once, not again after every commit."""
    rows = db.session.execute(sa.select(*DUE_COLUMNS).where(_of(announcement_id, ids), _due(utcnow()))).all()
    return sorted(rows, key=lambda r: (CHANNEL_ORDER.get(r.channel, 9), r.id))


def _due_ids(announcement_id, ids=None):
    return [row.id for row in _due_rows(announcement_id, ids)]


def claim(delivery_id, sent_before=None):
    """pending -> sending for exactly one worker (the UPDATE's WHERE is the lock). `sent_before`, the delivery this
    worker handed over just before, is marked sent in the same commit: one commit per message instead of two, and
    a worker that dies leaves the same states as before (at most the message it was sending is 'sending')."""
    now = utcnow()
    if sent_before is not None:
        _record_sent(sent_before)
    result = db.session.execute(
        sa.update(Delivery).where(Delivery.id == delivery_id, _due(now))
        .values(state=SENDING, claimed_at=now, attempts=Delivery.attempts + 1)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return result.rowcount == 1


def _record_sent(delivery_id):
    """sending -> sent, in the caller's transaction."""
    db.session.execute(
        sa.update(Delivery).where(Delivery.id == delivery_id, Delivery.state == SENDING)
        .values(state=SENT, sent_at=utcnow(), last_error="")
        .execution_options(synchronize_session=False)
    )


def _mark_sent(delivery_id):
    _record_sent(delivery_id)
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


def send_pending(announcement_id, ids=None):
    """Sends every due delivery (of the range `ids`, or all) once, over one SMTP connection, the publication
    read once. Returns counts of this run."""
    sent = failed = 0
    states = count_states(announcement_id, ids)
    total = sum(states.values())
    progress_of_run = ThrottledProgress(states.get(SENT, 0), total)
    due = _due_rows(announcement_id, ids)
    letters = Letters.of(db.session.get(Announcement, announcement_id).publication, due)
    handed_over = None  # the delivery sent last, marked sent with the next claim's commit
    with mail.Postbox() as postbox:
        for row in due:
            claimed = claim(row.id, sent_before=handed_over)
            handed_over = None
            if not claimed:
                continue  # another worker has it
            try:
                deliver(row if row.channel == EMAIL else db.session.get(Delivery, row.id), letters, postbox)
            except Exception as error:  # noqa: BLE001 - every failure is recorded and retried
                log.warning("delivery %s (%s %s) failed: %s", row.id, row.channel, row.recipient_key, error)
                _mark_failed_attempt(row.id, f"{type(error).__name__}: {error}")
                failed += 1
                continue
            handed_over = row.id
            sent += 1
            progress_of_run.advance()
        if handed_over is not None:
            _mark_sent(handed_over)
    progress_of_run.report()
    return {"sent": sent, "failed_attempts": failed, "total": total}


def deliver(delivery, letters=None, postbox=None):
    if delivery.channel == EMAIL:
        send_email(delivery, letters, postbox)
    elif delivery.channel == WEBHOOK:
        post_webhook(delivery)
    elif delivery.channel == FEED:
        pass  # the feed shows publications whose feed delivery is sent
    else:
        raise ValueError(f"unknown channel {delivery.channel}")


__all__ = ["announce", "fan_out", "send_pending", "feed_entries", "progress", "recipients", "count_states", "claim",
           "PUBLIC", "FOLLOWER", "JUROR"]
