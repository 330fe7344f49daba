"""E-mails of the jury, sent by background jobs in the recipient's language. Jobs take ids and are idempotent
(an invitation already answered, or a juror with nothing left to review, gets nothing)."""
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask_babel import gettext as _

from govchallenge.accounts.models import invitation_parties
from govchallenge.core import audit, mail
from govchallenge.core.languages import pick
from govchallenge.core.timeutil import utcnow
from govchallenge.core.urls import external_url
from govchallenge.extensions import db
from govchallenge.jobs import message_id

from .models import ACTIVE, INVITED, OPEN, SUBMITTED, Assignment, Juror, Review, Round, RoundEntry
from .operations import reminder_due_at, results_frozen, schedule_reminder
from .tokens import make_token


def _title(challenge, language):
    return pick(challenge.title, language, challenge.main_language).text


def send_invitation(juror_id):
    juror = db.session.get(Juror, juror_id)
    if juror is None or juror.state != INVITED:
        return "nothing to do"
    challenge = juror.challenge
    recipient, inviter, language = invitation_parties(juror.email, juror.invited_by_id, challenge.main_language)
    link = external_url("jury.invitation", token=make_token(juror))
    message = mail.render(
        "jury_invitation", language, juror.email,
        lambda: _("You are invited to the jury of “%(challenge)s”", challenge=_title(challenge, language)),
        message_id=message_id("jury_invitation", juror.id),
        juror=juror, inviter=inviter, recipient=recipient, link=link, challenge_title=_title(challenge, language),
    )
    mail.send(message)
    return "sent"


def _pending(round_id, juror_id):
    """Active assignments of the juror in the round, on entries not excluded, without a submitted review."""
    return db.session.execute(
        sa.select(sa.func.count(Assignment.id)).outerjoin(Review, Review.assignment_id == Assignment.id)
        .join(RoundEntry, sa.and_(RoundEntry.round_id == Assignment.round_id,
                                  RoundEntry.submission_id == Assignment.submission_id))
        .where(Assignment.round_id == round_id, Assignment.juror_id == juror_id, Assignment.state == ACTIVE,
               RoundEntry.excluded_at.is_(None), sa.or_(Review.id.is_(None), Review.state != SUBMITTED))
    ).scalar_one()


def send_reminder(round_id, juror_id):
    rnd = db.session.get(Round, round_id)
    juror = db.session.get(Juror, juror_id)
    if rnd is None or juror is None or rnd.state != OPEN or juror.user is None or results_frozen(rnd.challenge):
        return "nothing to do"
    pending = _pending(round_id, juror_id)
    if not pending:
        return "nothing to do"
    challenge = rnd.challenge
    user = juror.user
    language = user.language
    message = mail.render(
        "jury_reminder", language, user.email,
        lambda: _("Reviews waiting for you: %(challenge)s", challenge=_title(challenge, language)),
        message_id=message_id("jury_reminder", round_id, juror_id),
        juror=juror, user=user, pending=pending, round=rnd, challenge_title=_title(challenge, language),
        link=external_url("jury.mine", slug=challenge.slug),
    )
    mail.send(message)
    return "sent"


SCHEDULED_REMINDER = "jury.reminder_scheduled_sent"
# A queue may hand a delayed job on a little early; never more than this.
EARLY_TOLERANCE = timedelta(minutes=5)


def _same_moment(iso, moment):
    try:
        scheduled = datetime.fromisoformat(iso)
    except (TypeError, ValueError):
        return False
    if scheduled.tzinfo is None or moment is None:
        return False
    return abs(scheduled - moment) < timedelta(seconds=1)


def _already_sent(rnd):
    events = db.session.execute(
        sa.select(audit.AuditEvent.detail).where(audit.AuditEvent.action == SCHEDULED_REMINDER,
                                                 audit.AuditEvent.object_type == "round",
                                                 audit.AuditEvent.object_id == str(rnd.id))
    ).scalars().all()
    return any(_same_moment((detail or {}).get("closes_at"), rnd.closes_at) for detail in events)


def remind_round(round_id, closes_at=None):
    """Scheduled (by operations.schedule_reminder) some hours before a round closes: a reminder to each
    juror of the round still behind. Does nothing when the round is closed, its results published, its
    closing moment moved since (`closes_at` is the moment it was scheduled for; a newer job exists), after
    the round's closing moment, or when it already ran for this moment. Run before it is due (the lead time
    was changed since), it asks to run again at the right moment."""
    rnd = db.session.get(Round, round_id)
    if rnd is None or rnd.state != OPEN or rnd.closes_at is None or results_frozen(rnd.challenge):
        return "nothing to do"
    if closes_at is not None and not _same_moment(closes_at, rnd.closes_at):
        return "superseded"
    now = utcnow()
    if now >= rnd.closes_at:
        return "too late"
    if now + EARLY_TOLERANCE < reminder_due_at(rnd):  # the lead time was changed since: ask again for then
        schedule_reminder(rnd)
        return "not due"
    if _already_sent(rnd):
        return "nothing to do"
    sent = 0
    for rj in sorted(rnd.round_jurors, key=lambda rj: rj.juror_id):
        if send_reminder(round_id, rj.juror_id) == "sent":
            sent += 1
    audit.record(SCHEDULED_REMINDER, rnd, closes_at=rnd.closes_at.isoformat(), sent=sent)
    return f"sent {sent}"
