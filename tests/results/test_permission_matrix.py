"""Every results rule asked for every role (tests/support/roles.py): exactly the listed roles are allowed."""
import pytest

from govchallenge.results import permissions as can
from tests.support.roles import ROLES, build_world

HOSTS = {"officer", "cohost_officer"}


@pytest.fixture
def world(app):
    return build_world()


def test_before_publication_only_the_chair_and_the_hosts_see_scores(world):
    challenge = world.challenge
    assert world.allowed(can.is_chair, challenge) == {"chair"}
    assert world.allowed(can.can_see_scores_before_publication, challenge) == HOSTS | {"chair"}
    assert world.allowed(can.can_propose, challenge) == {"chair"}
    assert world.allowed(can.can_confirm, challenge) == HOSTS
    assert world.allowed(can.can_manage_webhooks, challenge) == HOSTS
    assert world.allowed(can.can_follow_announcement, challenge) == HOSTS | {"admin"}
    assert world.allowed(can.can_see_full_results, challenge) == HOSTS | {"chair", "admin"}


def test_the_results_page_of_a_challenge_not_yet_public(world):
    assert world.allowed(can.can_see_results_page, world.challenge) == set(ROLES)
    assert world.allowed(can.can_see_results_page, world.draft) == HOSTS | {"admin"}
