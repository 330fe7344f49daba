"""E-mails of the challenges domain, sent by outbox jobs in each recipient's language."""
import sqlalchemy as sa
from flask_babel import gettext as _

from govchallenge.accounts.models import User
from govchallenge.core import mail
from govchallenge.core.languages import pick
from govchallenge.core.urls import external_url
from govchallenge.extensions import db
from govchallenge.jobs import message_id
from govchallenge.organisations.models import ACTIVE, OFFICER, Membership

from .models import INVITED, Challenge, ChallengeHost, Clarification, Follow


def _title(challenge, language):
    return str(pick(challenge.title, language, challenge.main_language))


def email_follower(user_id, challenge_id, kind, reference=""):
    """One follower, one event: an update, an answered question, a change of state."""
    user = db.session.get(User, user_id)
    challenge = db.session.get(Challenge, challenge_id)
    if user is None or challenge is None:
        return "nothing to do"
    still_following = db.session.execute(
        sa.select(Follow.id).where(Follow.user_id == user_id, Follow.challenge_id == challenge_id)
    ).first()
    if still_following is None:
        return "no longer following"
    clarification = None
    if kind == "clarification":
        clarification = db.session.get(Clarification, int(reference)) if str(reference).isdigit() else None
        if clarification is None or clarification.answer is None:
            return "nothing to do"
    title = _title(challenge, user.language)
    subjects = {
        "clarification": lambda: _("New answer on “%(title)s”", title=title),
        "update": lambda: _("“%(title)s” has changed", title=title),
    }
    message = mail.render(
        "challenge_follower", user.language, user.email,
        subjects.get(kind, lambda: _("News about “%(title)s”", title=title)),
        message_id=message_id("challenge_follower", user.id, challenge.id, kind, reference),
        user=user, challenge=challenge, title=title, kind=kind, what=reference, clarification=clarification,
        link=external_url("challenges.show", slug=challenge.slug),
    )
    mail.send(message)
    return "sent"


def email_cohost_invitation(host_id):
    """Tells every officer of the invited body, each in their language."""
    host = db.session.get(ChallengeHost, host_id)
    if host is None or host.state != INVITED:
        return "nothing to do"
    challenge = host.challenge
    officers = db.session.execute(
        sa.select(User).join(Membership, Membership.user_id == User.id)
        .where(Membership.organisation_id == host.organisation_id, Membership.role == OFFICER, Membership.state == ACTIVE)
    ).scalars().all()
    for officer in officers:
        title = _title(challenge, officer.language)
        message = mail.render(
            "challenge_invitation", officer.language, officer.email,
            lambda: _("Invitation to co-host “%(title)s”", title=title),
            message_id=message_id("challenge_invitation", host.id, officer.id),
            user=officer, challenge=challenge, title=title, organisation=host.organisation,
            lead=challenge.lead_host.organisation if challenge.lead_host else None,
            link=external_url("challenges.show", slug=challenge.slug),
        )
        mail.send(message)
    return f"sent {len(officers)}"


def email_admins_review_waiting(challenge_id):
    """Every administrator hears, in their language, that a challenge waits for approval. Nothing when the
    challenge left the review before the job ran (withdrawn, already decided)."""
    from .models import IN_REVIEW

    challenge = db.session.get(Challenge, challenge_id)
    if challenge is None or challenge.status != IN_REVIEW:
        return "nothing to do"
    admins = db.session.execute(sa.select(User).where(User.is_admin.is_(True)).order_by(User.id)).scalars().all()
    waiting = db.session.execute(sa.select(sa.func.count(Challenge.id)).where(Challenge.status == IN_REVIEW)).scalar()
    lead = challenge.lead_host.organisation.name if challenge.lead_host else "govchallenge"
    for admin in admins:
        title = _title(challenge, admin.language)
        message = mail.render(
            "challenge_review_waiting", admin.language, admin.email,
            lambda: _("A challenge awaits your approval: “%(title)s”", title=title),
            message_id=message_id("challenge_review_waiting", challenge.id, admin.id),
            user=admin, challenge=challenge, title=title, body=lead, waiting=waiting,
            link=external_url("challenges.show", slug=challenge.slug),
        )
        mail.send(message)
    return f"sent {len(admins)}"
