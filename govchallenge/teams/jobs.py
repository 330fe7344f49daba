"""E-mails of teams, sent by background jobs in the recipient's language."""
from flask_babel import gettext as _

from govchallenge.accounts.models import invitation_parties
from govchallenge.core import mail
from govchallenge.core.languages import pick
from govchallenge.core.urls import external_url
from govchallenge.extensions import db
from govchallenge.jobs import message_id

from .models import TeamInvitation
from .tokens import make_token


def send_invitation(invitation_id):
    invitation = db.session.get(TeamInvitation, invitation_id)
    if invitation is None or invitation.is_used:
        return "nothing to do"
    team = invitation.team
    challenge = team.challenge
    recipient, inviter, language = invitation_parties(invitation.email, invitation.invited_by_id, challenge.main_language)
    link = external_url("teams.invitation", token=make_token(invitation))
    message = mail.render(
        "team_invitation", language, invitation.email,
        lambda: _("%(name)s invites you to the team %(team)s", name=inviter.name if inviter else "govchallenge", team=team.name),
        message_id=message_id("team_invitation", invitation.id),
        team=team, inviter=inviter, recipient=recipient, link=link, expires_at=invitation.expires_at,
        challenge_title=pick(challenge.title, language, challenge.main_language).text,
    )
    mail.send(message)
    return "sent"
