"""Every team rule asked for every role (tests/support/roles.py): exactly the listed roles are allowed."""
import pytest

from govchallenge.core.timeutil import utcnow
from govchallenge.extensions import db
from govchallenge.teams import permissions as can
from tests.support.roles import ROLES, build_world

EVERYONE = set(ROLES)
VERIFIED = EVERYONE - {"anonymous", "unverified"}
HOSTS = {"officer", "cohost_officer"}


@pytest.fixture
def world(app):
    return build_world()


def test_members_and_the_lead(world):
    team = world.team
    assert world.allowed(can.is_member, team) == {"lead", "member"}
    assert world.allowed(can.can_view_team, team) == {"lead", "member"}
    assert world.allowed(can.is_lead, team) == {"lead"}
    assert world.allowed(can.can_manage_team, team) == {"lead"}
    assert can.membership_in(world.users["member"], team).user_id == world.users["member"].id
    assert {role for role in EVERYONE if can.team_of(world.users[role], world.challenge) == team} == {"lead", "member"}


def test_who_may_enter(world):
    # verified, not a host, not yet in a team of this challenge
    assert world.allowed(can.can_enter, world.challenge) == VERIFIED - HOSTS - {"lead", "member"}
    assert world.allowed(can.can_enter, world.draft) == set()
    world.challenge.opens_at = world.challenge.closes_at  # published, not open yet
    db.session.flush()
    assert world.challenge.state == "published"
    assert world.allowed(can.can_enter, world.challenge) == VERIFIED - HOSTS - {"lead", "member"}
    world.challenge.opens_at = world.challenge.closes_at = utcnow()  # closed: nobody enters any more
    db.session.flush()
    assert world.challenge.state == "closed" and world.allowed(can.can_enter, world.challenge) == set()


def test_who_may_answer_an_invitation_and_join(world):
    assert world.allowed(can.can_answer_invitation) == VERIFIED
    assert world.allowed(can.can_join, world.team) == VERIFIED - HOSTS


def test_a_team_in_one_challenge_does_not_stop_entering_another(world):
    from tests.support import factories

    other = factories.make_challenge(host=world.lead_host)
    assert can.team_of(world.users["lead"], other) is None
    assert world.allowed(can.can_enter, other) == VERIFIED - {"officer"}  # the cohost does not host this one
