"""Every challenge rule asked for every role (tests/support/roles.py): exactly the listed roles are allowed."""
import pytest

from govchallenge.challenges import permissions as can
from govchallenge.extensions import db
from tests.support.roles import ROLES, build_world

EVERYONE = set(ROLES)
SIGNED_IN = EVERYONE - {"anonymous"}
HOSTS = {"officer", "cohost_officer"}


@pytest.fixture
def world(app):
    return build_world()


def test_hosts_are_the_officers_of_accepted_hosts(world):
    for challenge in (world.challenge, world.draft):
        assert world.allowed(can.is_host_officer, challenge) == HOSTS
        assert world.allowed(can.is_invited_officer, challenge) == {"invited_officer"}
        for rule in (can.can_edit, can.can_manage_hosts, can.can_submit_for_review, can.can_answer):
            assert world.allowed(rule, challenge) == HOSTS, rule.__name__
        assert world.allowed(can.can_move_workflow, challenge) == HOSTS | {"admin"}
        assert world.allowed(can.can_see_audit, challenge) == HOSTS | {"admin"}


def test_a_draft_is_seen_by_its_hosts_invited_bodies_and_admins_only(world):
    assert world.allowed(can.can_view, world.draft) == HOSTS | {"invited_officer", "admin"}
    assert world.allowed(can.can_view, world.challenge) == EVERYONE


def test_challenges_are_led_by_officers_of_verified_public_bodies(world):
    assert world.allowed(can.can_create_challenge) == HOSTS | {"invited_officer"}
    assert [o.name for o in can.authoring_organisations(world.users["officer"])] == ["Lead Ministry"]
    world.lead_host.verified_at = None
    db.session.flush()
    assert world.allowed(can.can_create_challenge) == {"cohost_officer", "invited_officer"}


def test_only_the_invited_bodys_officers_answer_its_invitation(world):
    assert world.allowed(can.can_respond_invitation, world.invited_row) == {"invited_officer"}
    accepted = next(h for h in world.challenge.hosts if h.organisation_id == world.cohost.id)
    assert world.allowed(can.can_respond_invitation, accepted) == set()


def test_review_questions_and_following_by_state(world):
    assert world.allowed(can.can_see_review_queue) == {"admin"}
    assert world.allowed(can.can_review, world.challenge) == set()
    world.draft.status = "in_review"
    db.session.flush()
    assert world.allowed(can.can_review, world.draft) == {"admin"}
    assert world.allowed(can.can_ask, world.challenge) == SIGNED_IN
    assert world.allowed(can.can_follow, world.challenge) == SIGNED_IN
    assert world.allowed(can.can_ask, world.draft) == set() and world.allowed(can.can_follow, world.draft) == set()
    world.challenge.closes_at = world.challenge.opens_at  # closed: no more questions
    db.session.flush()
    assert world.challenge.state == "closed"
    assert world.allowed(can.can_ask, world.challenge) == set()
    assert world.allowed(can.can_follow, world.challenge) == SIGNED_IN


def test_outside_a_request_a_changed_membership_counts_at_once(world):
    """Memberships are read once per request; outside one (jobs, the command line) nothing is kept."""
    from govchallenge.organisations.models import membership_of

    officer = world.users["officer"]
    assert can.is_host_officer(officer, world.challenge)
    db.session.delete(membership_of(officer, world.lead_host))
    db.session.flush()
    assert not can.is_host_officer(officer, world.challenge)
    assert can.authoring_organisations(officer) == []


def test_within_a_request_memberships_are_read_once(app, world):
    from sqlalchemy import event

    statements = []
    officer = world.users["officer"]
    with app.test_request_context("/"):
        listener = lambda *args: statements.append(args[2])  # noqa: E731
        event.listen(db.engine, "before_cursor_execute", listener)
        try:
            for _ in range(5):
                assert can.is_host_officer(officer, world.challenge) and can.can_create_challenge(officer)
        finally:
            event.remove(db.engine, "before_cursor_execute", listener)
    assert sum("membership" in s for s in statements) == 1
