"""The team operations' rules at their edges, called directly: the moment teams freeze, the maximum size
counted with pending invitations, one team per person and challenge, names unique regardless of case,
invitations that expire, are used or belong to another address, and the lead who hands over before leaving."""
from datetime import timedelta

import pytest
import time_machine

from govchallenge.core.audit import events_for
from govchallenge.core.timeutil import utcnow
from govchallenge.extensions import db
from govchallenge.teams import operations
from govchallenge.teams.models import LEAD, MEMBER, Team, TeamInvitation
from govchallenge.teams.tokens import make_token
from govchallenge.jobs.models import OutboxJob
from tests.support.factories import make_challenge, make_organisation, make_team, make_user

import sqlalchemy as sa


def refused(code, call, *args, **kwargs):
    with pytest.raises(operations.TeamError) as error:
        call(*args, **kwargs)
    assert error.value.code == code


def last_event(team):
    event = events_for("team", team.id, limit=1)[0]
    return event.action, event.shown_detail, event.actor_id


@pytest.fixture
def challenge(app):
    return make_challenge(team_max=3)


# --- the moment teams freeze ------------------------------------------------------------------------

def test_teams_change_until_the_last_deadline_and_not_at_it(challenge):
    closes = challenge.closes_at
    with time_machine.travel(closes - timedelta(seconds=1), tick=False):
        team = operations.create_team(make_user(), challenge, "Before")
    with time_machine.travel(closes, tick=False):
        refused("closed", operations.create_team, make_user(), challenge, "At")
        refused("closed", operations.rename, team.members[0].user, team, "Renamed")
        refused("closed", operations.invite, team.members[0].user, team, "x@y.eu")
        refused("closed", operations.hand_over, team.members[0].user, team.members[0])
        refused("closed", operations.remove_member, team.members[0].user, team.members[0])


def test_a_challenge_without_a_deadline_never_freezes_its_teams(app):
    challenge = make_challenge()
    challenge.closes_at = None  # a draft without stages
    assert operations.create_team(make_user(), challenge, "Open").id is not None


# --- creating and naming ---------------------------------------------------------------------------

def test_the_creator_leads_the_new_team_for_the_organisation_given(challenge):
    actor, organisation = make_user(), make_organisation()
    team = operations.create_team(actor, challenge, "  Blue  ", organisation)
    [member] = team.members
    assert (team.name, member.user, member.role, member.organisation, member.challenge_id) == \
        ("Blue", actor, LEAD, organisation, challenge.id)
    assert last_event(team) == ("team.created", {"challenge_id": challenge.id, "organisation_id": organisation.id}, actor.id)
    other = operations.create_team(make_user(), challenge, "Green")
    assert last_event(other)[1] == {"challenge_id": challenge.id, "organisation_id": None}


def test_one_team_per_person_and_challenge(challenge):
    actor = make_user()
    operations.create_team(actor, challenge, "First")
    refused("already_in_team", operations.create_team, actor, challenge, "Second")
    assert operations.create_team(actor, make_challenge(), "Elsewhere").id is not None


def test_team_names_are_unique_per_challenge_whatever_their_case_and_spaces(challenge):
    operations.create_team(make_user(), challenge, "Blue Team")
    refused("name_taken", operations.create_team, make_user(), challenge, "  BLUE team ")
    assert operations.create_team(make_user(), make_challenge(), "Blue Team").name == "Blue Team"


def test_a_team_keeps_or_changes_its_own_name_but_not_to_another_teams(challenge):
    lead = make_user()
    team = operations.create_team(lead, challenge, "Red")
    operations.create_team(make_user(), challenge, "Green")
    operations.rename(lead, team, " red ")
    assert team.name == "red"
    assert last_event(team) == ("team.renamed", {"name": "red"}, lead.id)
    refused("name_taken", operations.rename, lead, team, "GREEN")
    assert team.name == "red"


# --- invitations ------------------------------------------------------------------------------------------

def test_an_invitation_is_valid_for_a_week_and_its_mail_is_queued(challenge):
    lead = make_user()
    team = operations.create_team(lead, challenge, "T")
    with time_machine.travel(utcnow(), tick=False):
        invitation = operations.invite(lead, team, "  New@Example.EU ")
        assert invitation.email == "new@example.eu"
        assert invitation.expires_at - invitation.created_at == timedelta(days=7)
        assert invitation.created_at == utcnow() and invitation.invited_by_id == lead.id
    assert last_event(team) == ("team.invited", {"invitation_id": invitation.id, "email": "new@example.eu"}, lead.id)
    jobs = db.session.execute(sa.select(OutboxJob.function, OutboxJob.args)).all()
    assert ("govchallenge.teams.jobs.send_invitation", [invitation.id]) in jobs


def test_an_invitation_expires_exactly_a_week_after_the_moment_it_was_made(challenge):
    lead = make_user()
    team = operations.create_team(lead, challenge, "T")
    invitation = operations.invite(lead, team, "x@team.eu")  # the clock runs: one moment for both
    assert invitation.expires_at - invitation.created_at == timedelta(days=7)


def test_members_and_pending_invitations_are_not_invited_twice(challenge):
    lead = make_user(email="lead@team.eu")
    team = operations.create_team(lead, challenge, "T")
    refused("already_member", operations.invite, lead, team, "LEAD@team.eu")
    operations.invite(lead, team, "x@team.eu")
    refused("already_invited", operations.invite, lead, team, "X@team.eu")


def test_an_expired_or_used_invitation_does_not_block_a_new_one(challenge):
    lead = make_user()
    team = operations.create_team(lead, challenge, "T")
    old = operations.invite(lead, team, "x@team.eu")
    old.expires_at = utcnow() - timedelta(seconds=1)
    assert operations.pending_invitations(team) == []
    renewed = operations.invite(lead, team, "x@team.eu")
    renewed.declined_at = utcnow()
    assert operations.pending_invitations(team) == []
    assert operations.invite(lead, team, "x@team.eu").id is not None


def test_an_invitation_stops_being_pending_at_the_moment_it_expires(challenge):
    lead = make_user()
    team = operations.create_team(lead, challenge, "T")
    invitation = operations.invite(lead, team, "x@team.eu")
    with time_machine.travel(invitation.expires_at - timedelta(seconds=1), tick=False):
        assert operations.pending_invitations(team) == [invitation]
    with time_machine.travel(invitation.expires_at, tick=False):
        assert operations.pending_invitations(team) == []
        assert operations.invite(lead, team, "x@team.eu").id != invitation.id


def test_pending_invitations_count_towards_the_maximum(challenge):  # team_max 3
    lead = make_user()
    team = operations.create_team(lead, challenge, "T")
    operations.invite(lead, team, "a@team.eu")
    operations.invite(lead, team, "b@team.eu")  # 1 member + 2 invited = 3: full
    refused("team_full", operations.invite, lead, team, "c@team.eu")


def test_a_team_one_short_of_the_maximum_may_invite(challenge):
    team = make_team(challenge, members=[make_user(), make_user()])
    assert operations.invite(team.members[0].user, team, "c@team.eu").id is not None


def test_an_unused_invitation_is_revoked_and_a_used_one_is_not(challenge):
    lead = make_user()
    team = operations.create_team(lead, challenge, "T")
    invitation = operations.invite(lead, team, "a@team.eu")
    invitation_id = invitation.id
    operations.revoke(lead, invitation)
    db.session.flush()
    assert db.session.get(TeamInvitation, invitation_id) is None
    assert last_event(team) == ("team.invitation_revoked", {"invitation_id": invitation_id}, lead.id)
    used = operations.invite(lead, team, "b@team.eu")
    used.accepted_at = utcnow()
    refused("used", operations.revoke, lead, used)


# --- following a link --------------------------------------------------------------------------------------

def invitation_for(challenge, email="guest@team.eu"):
    lead = make_user()
    team = operations.create_team(lead, challenge, f"Team of {lead.id}")
    return operations.invite(lead, team, email)


def test_a_link_leads_to_its_invitation_until_the_moment_it_expires(challenge):
    invitation = invitation_for(challenge)
    token = make_token(invitation)
    assert operations.invitation_from_token(token) is invitation
    with time_machine.travel(invitation.expires_at - timedelta(seconds=1), tick=False):
        assert operations.invitation_from_token(token) is invitation
    with time_machine.travel(invitation.expires_at, tick=False):
        refused("expired", operations.invitation_from_token, token)  # the moment itself is past


def test_a_link_with_another_nonce_or_to_no_invitation_is_invalid(challenge):
    invitation = invitation_for(challenge)
    refused("invalid", operations.invitation_from_token, make_token(TeamInvitation(id=invitation.id, nonce="0" * 32)))
    refused("invalid", operations.invitation_from_token, make_token(TeamInvitation(id=invitation.id + 1000, nonce=invitation.nonce)))
    refused("invalid", operations.invitation_from_token, "not-a-token")


def test_a_link_to_an_answered_invitation_is_used(challenge):
    invitation = invitation_for(challenge)
    invitation.declined_at = utcnow()
    refused("used", operations.invitation_from_token, make_token(invitation))


# --- answering -------------------------------------------------------------------------------------------------

def test_the_invited_address_joins_as_a_member_in_any_case(challenge):
    invitation = invitation_for(challenge)
    guest, organisation = make_user(email="Guest@Team.EU"), make_organisation()
    member = operations.accept(guest, invitation, organisation)
    assert (member.user, member.role, member.organisation, member.challenge_id) == (guest, MEMBER, organisation, challenge.id)
    assert invitation.accepted_at is not None
    assert last_event(invitation.team) == ("team.joined", {"invitation_id": invitation.id, "organisation_id": organisation.id}, guest.id)


def test_another_address_cannot_answer(challenge):
    invitation = invitation_for(challenge)
    refused("other_address", operations.accept, make_user(email="other@team.eu"), invitation)
    refused("other_address", operations.decline, make_user(email="other2@team.eu"), invitation)


def test_an_invitation_is_answered_until_the_moment_it_expires(challenge):
    invitation = invitation_for(challenge)
    guest = make_user(email="guest@team.eu")
    with time_machine.travel(invitation.expires_at, tick=False):
        refused("expired", operations.accept, guest, invitation)
        refused("expired", operations.decline, guest, invitation)
    with time_machine.travel(invitation.expires_at - timedelta(seconds=1), tick=False):
        operations.decline(guest, invitation)
    assert invitation.declined_at is not None and invitation.accepted_at is None
    assert last_event(invitation.team) == ("team.invitation_declined", {"invitation_id": invitation.id}, guest.id)
    refused("used", operations.accept, guest, invitation)
    refused("used", operations.decline, guest, invitation)


def test_accepting_is_refused_after_the_deadline_in_another_team_or_when_full(challenge):
    guest = make_user(email="guest@team.eu")
    invitation = invitation_for(challenge)
    with time_machine.travel(challenge.closes_at, tick=False):
        invitation.expires_at = challenge.closes_at + timedelta(days=1)
        refused("closed", operations.accept, guest, invitation)
    operations.create_team(guest, make_challenge(), "Elsewhere")  # another challenge does not count
    make_team(challenge, members=[guest])
    refused("already_in_team", operations.accept, guest, invitation)


def test_the_last_place_is_taken_and_then_the_team_is_full(challenge):  # team_max 3
    team = make_team(challenge, members=[make_user(), make_user()])
    lead = team.members[0].user
    first, second = operations.invite(lead, team, "a@team.eu"), TeamInvitation(
        team=team, email="b@team.eu", expires_at=utcnow() + timedelta(days=1))
    db.session.add(second)
    db.session.flush()
    operations.accept(make_user(email="a@team.eu"), first)
    db.session.refresh(team)
    assert len(team.members) == 3
    refused("team_full", operations.accept, make_user(email="b@team.eu"), second)


# --- leaving, removing, handing over ------------------------------------------------------------------------------

def test_a_member_leaves_and_a_lead_removes_a_member(challenge):
    lead, member, other = make_user(), make_user(), make_user()
    team = make_team(challenge, members=[lead, member, other])
    assert operations.remove_member(member, team.members[1]) is team
    assert last_event(team) == ("team.member_left", {"user_id": member.id}, member.id)
    operations.remove_member(lead, team.members[1])
    assert last_event(team) == ("team.member_removed", {"user_id": other.id}, lead.id)
    assert [m.user for m in team.members] == [lead]


def test_the_lead_hands_over_before_leaving_others_behind(challenge):
    lead, member = make_user(), make_user()
    team = make_team(challenge, members=[lead, member])
    refused("lead_must_hand_over", operations.remove_member, lead, team.members[0])
    operations.hand_over(lead, team.members[1])
    assert [(m.user, m.role) for m in team.members] == [(lead, MEMBER), (member, LEAD)]
    assert last_event(team) == ("team.lead_handed_over", {"user_id": member.id}, lead.id)
    operations.remove_member(lead, team.members[0])
    assert [m.user for m in team.members] == [member]


def test_the_last_one_out_closes_the_team(challenge):
    lead = make_user()
    team = make_team(challenge, members=[lead])
    team_id = team.id
    assert operations.remove_member(lead, team.members[0]) is None
    db.session.flush()
    assert db.session.get(Team, team_id) is None
    events = [(e.action, e.actor_id) for e in events_for("team", team_id)]
    assert events[:2] == [("team.closed", lead.id), ("team.member_left", lead.id)]  # who closed it, too


def test_a_team_with_an_entry_keeps_its_last_member(challenge):
    from tests.support.factories import make_submission

    lead = make_user()
    team = make_team(challenge, members=[lead])
    make_submission(team, state="withdrawn")
    refused("last_member_with_entry", operations.remove_member, lead, team.members[0])
    assert db.session.get(Team, team.id) is not None
