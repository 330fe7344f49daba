"""E-mails of the jury, sent by background jobs in the recipient's language. Jobs take ids and are idempotent
(an invitation already answered, or a juror with nothing left to review, gets nothing)."""
import sqlalchemy as sa
from flask_babel import gettext as _

from govchallenge.accounts.models import User, find_by_email
from govchallenge.core import mail
from govchallenge.core.languages import pick
from govchallenge.core.urls import external_url
from govchallenge.extensions import db

from .models import ACTIVE, INVITED, OPEN, SUBMITTED, Assignment, Juror, Review, Round
from .tokens import make_token


def _title(challenge, language):
    return pick(challenge.title, language, challenge.main_language).text


def send_invitation(juror_id):
    juror = db.session.get(Juror, juror_id)
    if juror is None or juror.state != INVITED:
        return "nothing to do"
    challenge = juror.challenge
    recipient = find_by_email(juror.email)
    inviter = db.session.get(User, juror.invited_by_id) if juror.invited_by_id else None
    language = (recipient or inviter).language if (recipient or inviter) else challenge.main_language
    link = external_url("jury.invitation", token=make_token(juror))
    message = mail.render(
        "jury_invitation", language, juror.email,
        lambda: _("You are invited to the jury of “%(challenge)s”", challenge=_title(challenge, language)),
        juror=juror, inviter=inviter, recipient=recipient, link=link, challenge_title=_title(challenge, language),
    )
    mail.send(message)
    return "sent"


def _pending(round_id, juror_id):
    return db.session.execute(
        sa.select(sa.func.count(Assignment.id)).outerjoin(Review, Review.assignment_id == Assignment.id)
        .where(Assignment.round_id == round_id, Assignment.juror_id == juror_id, Assignment.state == ACTIVE,
               sa.or_(Review.id.is_(None), Review.state != SUBMITTED))
    ).scalar_one()


def send_reminder(round_id, juror_id):
    rnd = db.session.get(Round, round_id)
    juror = db.session.get(Juror, juror_id)
    if rnd is None or juror is None or rnd.state != OPEN or juror.user is None:
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
        juror=juror, user=user, pending=pending, round=rnd, challenge_title=_title(challenge, language),
        link=external_url("jury.mine", slug=challenge.slug),
    )
    mail.send(message)
    return "sent"


def remind_round(round_id):
    """Scheduled before a round closes: a reminder to each juror still behind."""
    rnd = db.session.get(Round, round_id)
    if rnd is None or rnd.state != OPEN:
        return "nothing to do"
    sent = 0
    for rj in rnd.round_jurors:
        if send_reminder(round_id, rj.juror_id) == "sent":
            sent += 1
    return f"sent {sent}"
