"""Every jury rule asked for every role (tests/support/roles.py): exactly the listed roles are allowed."""
import pytest

from govchallenge.extensions import db
from govchallenge.jury import permissions as can
from govchallenge.jury.models import ConflictDeclaration
from tests.support.roles import build_world

HOSTS = {"officer", "cohost_officer"}


@pytest.fixture
def world(app):
    return build_world()


def test_the_jury_and_its_chair(world):
    accepted = {"juror", "chair", "unsworn_juror"}
    assert {role for role in world.users if can.juror_of(world.users[role], world.challenge) is not None} == accepted
    assert can.juror_of(world.users["juror"], None) is None
    assert world.allowed(can.is_chair, world.challenge) == {"chair"}
    assert world.allowed(can.can_chair, world.challenge) == {"chair"}
    assert world.allowed(can.is_chair, world.draft) == set()
    assert world.allowed(can.can_manage_jury, world.challenge) == HOSTS | {"admin"}
    assert world.allowed(can.can_see_progress, world.challenge) == HOSTS | {"admin", "chair"}


def test_the_jury_of_a_blind_evaluation_is_kept_from_who_entered_what(world):
    """Accepted or invited (by the address, in any case), sworn or not, chair or juror; until the results are
    out or the challenge archived; never where the jury sees the teams by design; not after declining."""
    challenge = world.challenge
    jury = {"juror", "chair", "unsworn_juror", "invitee"}
    assert world.allowed(can.kept_blind, challenge) == jury
    assert world.allowed(can.kept_blind, world.draft) == set()  # no jury there
    assert world.allowed(can.kept_blind, None) == set()
    world.jurors["invitee"].state = "declined"
    db.session.flush()
    assert world.allowed(can.kept_blind, challenge) == jury - {"invitee"}
    for status in ("results_published", "archived"):
        challenge.status = status
        assert world.allowed(can.kept_blind, challenge) == set()
    challenge.status = "in_evaluation"
    assert world.allowed(can.kept_blind, challenge) == jury - {"invitee"}
    challenge.anonymous_review = False
    assert world.allowed(can.kept_blind, challenge) == set()


def test_only_the_sworn_juror_of_an_active_assignment_scores(world):
    assert world.allowed(can.can_score, world.assignments["juror"]) == {"juror"}
    assert world.allowed(can.can_view_entry, world.assignments["juror"]) == {"juror"}
    assert world.allowed(can.can_score, world.assignments["unsworn_juror"]) == set()  # no confidentiality agreement
    assert world.allowed(can.can_score, None) == set()
    world.assignments["juror"].state = "recused"
    db.session.flush()
    assert world.allowed(can.can_score, world.assignments["juror"]) == set()


def test_a_conflict_closes_the_entry_to_its_juror_and_to_the_chair(world):
    assert world.allowed(can.can_change_entry, world.challenge, world.submission.id) == {"chair"}
    for role in ("juror", "chair"):
        db.session.add(ConflictDeclaration(juror_id=world.jurors[role].id, team_id=world.team.id, kind="other"))
    db.session.flush()
    assert world.allowed(can.can_score, world.assignments["juror"]) == {"juror"}
    assert world.allowed(can.can_view_entry, world.assignments["juror"]) == set()
    assert world.allowed(can.can_change_entry, world.challenge, world.submission.id) == set()


def test_an_invitation_is_answered_by_its_addressee_in_any_case_of_the_address(world):
    assert world.allowed(can.can_respond_invitation, world.jurors["invitee"]) == {"invitee"}
    assert world.allowed(can.can_respond_invitation, world.jurors["juror"]) == {"juror"}  # linked: that person only
    assert world.allowed(can.can_respond_invitation, None) == set()


def test_conflicts_are_declared_by_the_accepted_juror_themselves(world):
    for role in ("juror", "chair", "unsworn_juror"):
        assert world.allowed(can.can_declare_conflicts, world.jurors[role]) == {role}
    assert world.allowed(can.can_declare_conflicts, world.jurors["invitee"]) == set()
    assert world.allowed(can.can_declare_conflicts, None) == set()


def test_a_juror_who_is_no_longer_accepted_is_not_on_the_jury(world):
    world.jurors["chair"].state = "declined"  # linked to the account, but not (or no longer) accepted
    db.session.flush()
    assert can.juror_of(world.users["chair"], world.challenge) is None
    assert world.allowed(can.is_chair, world.challenge) == set()
    assert world.allowed(can.can_see_progress, world.challenge) == HOSTS | {"admin"}
    assert world.allowed(can.can_score, world.assignments["chair"]) == set()
