"""State changes of teams, members and invitations. Flush, never commit."""
from datetime import timedelta

import sqlalchemy as sa

from govchallenge.accounts.models import normalise_email
from govchallenge.core.actions import RuleError
from govchallenge.core import audit, registry
from govchallenge.core.timeutil import utcnow
from govchallenge.extensions import db
from govchallenge.jobs import outbox

from .models import LEAD, MEMBER, Team, TeamInvitation, TeamMember
from .tokens import INVITATION_DAYS, read_token


class TeamError(RuleError):
    """A refused change of the team domain; its views word it."""


def _check_changes_allowed(challenge, now=None):
    """Teams change until the challenge's last deadline; after it they are what was entered."""
    now = now or utcnow()
    if challenge.closes_at is not None and now >= challenge.closes_at:
        raise TeamError("closed")


def _in_a_team(user, challenge):
    return db.session.execute(
        sa.select(TeamMember.id).where(TeamMember.challenge_id == challenge.id, TeamMember.user_id == user.id)
    ).first() is not None


def _name_taken(challenge, name, team=None):
    query = sa.select(Team.id).where(Team.challenge_id == challenge.id, sa.func.lower(Team.name) == name.lower())
    if team is not None:
        query = query.where(Team.id != team.id)
    return db.session.execute(query).first() is not None


def create_team(actor, challenge, name, organisation=None):
    _check_changes_allowed(challenge)
    name = name.strip()
    if _in_a_team(actor, challenge):
        raise TeamError("already_in_team")
    if _name_taken(challenge, name):
        raise TeamError("name_taken")
    team = Team(challenge=challenge, name=name)
    db.session.add(team)
    team.members.append(TeamMember(user=actor, challenge_id=challenge.id, organisation=organisation, role=LEAD))
    db.session.flush()
    audit.record("team.created", team, actor=actor, challenge_id=challenge.id,
                 organisation_id=getattr(organisation, "id", None))
    return team


def rename(actor, team, name):
    _check_changes_allowed(team.challenge)
    name = name.strip()
    if _name_taken(team.challenge, name, team):
        raise TeamError("name_taken")
    team.name = name
    audit.record("team.renamed", team, actor=actor, name=name)
    _changed(team)


def pending_invitations(team):
    return [i for i in team.invitations if not i.is_used and i.expires_at > utcnow()]


def invite(actor, team, email):
    _check_changes_allowed(team.challenge)
    email = normalise_email(email)
    if any(m.user.email == email for m in team.members):
        raise TeamError("already_member")
    if any(i.email == email for i in pending_invitations(team)):
        raise TeamError("already_invited")
    if len(team.members) + len(pending_invitations(team)) >= team.challenge.team_max:
        raise TeamError("team_full")
    now = utcnow()
    invitation = TeamInvitation(team=team, email=email, invited_by_id=actor.id, created_at=now,
                                expires_at=now + timedelta(days=INVITATION_DAYS))
    db.session.add(invitation)
    db.session.flush()
    audit.record("team.invited", team, actor=actor, invitation_id=invitation.id, email=email)
    outbox.enqueue("govchallenge.teams.jobs.send_invitation", invitation.id)
    return invitation


def revoke(actor, invitation):
    if invitation.is_used:
        raise TeamError("used")
    audit.record("team.invitation_revoked", invitation.team, actor=actor, invitation_id=invitation.id)
    db.session.delete(invitation)


def invitation_from_token(token):
    """The invitation a link points to, or TeamError("invalid" | "expired" | "used")."""
    try:
        invitation_id, nonce = read_token(token)
    except ValueError as error:
        raise TeamError(str(error)) from error
    invitation = db.session.get(TeamInvitation, invitation_id)
    if invitation is None or invitation.nonce != nonce:
        raise TeamError("invalid")
    if invitation.is_used:
        raise TeamError("used")
    if invitation.expires_at <= utcnow():
        raise TeamError("expired")
    return invitation


def _check_answerable(actor, invitation):
    if invitation.is_used:
        raise TeamError("used")
    if invitation.expires_at <= utcnow():
        raise TeamError("expired")
    if normalise_email(actor.email) != invitation.email:
        raise TeamError("other_address")


def accept(actor, invitation, organisation=None):
    team = invitation.team
    _check_answerable(actor, invitation)
    _check_changes_allowed(team.challenge)
    if _in_a_team(actor, team.challenge):
        raise TeamError("already_in_team")
    if len(team.members) >= team.challenge.team_max:
        raise TeamError("team_full")
    invitation.accepted_at = utcnow()
    member = TeamMember(team=team, user=actor, challenge_id=team.challenge_id, organisation=organisation, role=MEMBER)
    db.session.add(member)
    db.session.flush()  # the unique (challenge, user) constraint speaks here if two tabs race
    audit.record("team.joined", team, actor=actor, invitation_id=invitation.id,
                 organisation_id=getattr(organisation, "id", None))
    _changed(team)
    return member


def decline(actor, invitation):
    _check_answerable(actor, invitation)
    invitation.declined_at = utcnow()
    audit.record("team.invitation_declined", invitation.team, actor=actor, invitation_id=invitation.id)


def _changed(team):
    """Tells the domains above that who the team is changed (core/registry `team_changes`): they recompute, in
    this transaction, what they derived from it."""
    for react in registry.hook("team_changes"):
        react(team)


def _has_entries(team):
    """Asked of the domains above (submissions registers "the team has an entry" in its init_app)."""
    return any(blocker(team) for blocker in registry.hook("team_close_blockers"))


def remove_member(actor, member):
    """A lead removes a member, or a member leaves. The lead hands over first; the last one out closes the team."""
    team = member.team
    _check_changes_allowed(team.challenge)
    others = [m for m in team.members if m.id != member.id]
    if member.role == LEAD and others:
        raise TeamError("lead_must_hand_over")
    if not others and _has_entries(team):
        raise TeamError("last_member_with_entry")
    audit.record("team.member_left" if member.user_id == actor.id else "team.member_removed", team,
                 actor=actor, user_id=member.user_id)
    if not others:
        audit.record("team.closed", team, actor=actor)
        db.session.delete(team)
        return None
    team.members.remove(member)
    db.session.flush()
    _changed(team)
    return team


def hand_over(actor, member):
    team = member.team
    _check_changes_allowed(team.challenge)
    for other in team.members:
        if other.role == LEAD:
            other.role = MEMBER
    member.role = LEAD
    audit.record("team.lead_handed_over", team, actor=actor, user_id=member.user_id)
