"""Who may do what with teams: one function per question, deny by default."""
from govchallenge.core.i18n import lazy_text as _l
import sqlalchemy as sa

from govchallenge.challenges.models import OPEN, PUBLISHED
from govchallenge.challenges.permissions import is_host_officer
from govchallenge.core.permissions import signed_in
from govchallenge.extensions import db

from .models import LEAD, Team, TeamMember


def membership_in(user, team):
    if not signed_in(user):
        return None
    return next((m for m in team.members if m.user_id == user.id), None)


def team_of(user, challenge):
    """The user's team in this challenge, or None."""
    if not signed_in(user):
        return None
    return db.session.execute(
        sa.select(Team).join(TeamMember, TeamMember.team_id == Team.id)
        .where(TeamMember.challenge_id == challenge.id, TeamMember.user_id == user.id)
    ).scalar_one_or_none()


def is_member(user, team):
    return membership_in(user, team) is not None


def is_lead(user, team):
    membership = membership_in(user, team)
    return membership is not None and membership.role == LEAD


def can_view_team(user, team):
    return is_member(user, team)


def can_manage_team(user, team):
    """Invite, remove members, hand over the lead."""
    return is_lead(user, team)


def can_enter(user, challenge):
    """Create a team (or enter alone): a verified person, not a host, while entries are accepted."""
    return (
        signed_in(user) and user.is_verified
        and challenge.state in (PUBLISHED, OPEN)
        and not is_host_officer(user, challenge)
        and team_of(user, challenge) is None
    )


def can_answer_invitation(user):
    return signed_in(user) and user.is_verified


def can_join(user, team):
    """Accept an invitation into the team: hosts never enter their own challenge."""
    return can_answer_invitation(user) and not is_host_officer(user, team.challenge)


# What a signed-in person refused by a rule is told (the 403 page adds what they can do).
REFUSALS = {
    "can_answer_invitation": _l('Confirm your e-mail address before you answer a team invitation.'),
    "can_enter": _l('This challenge does not take an entry from you now: it may not be open (yet or any more), your body may host it, you may already be in a team for it, or your e-mail address is not confirmed yet.'),
    "can_manage_team": _l('Only the lead of this team may change it.'),
    "can_view_team": _l('Only the members of this team may see it.'),
}
