"""Every reuse-catalogue rule asked for every role (tests/support/roles.py): exactly the listed roles are allowed.

The world's challenge is hosted by the lead ministry and the cohost city (accepted) with a third body only
invited; all three are verified public bodies, and their officers are `officer`, `cohost_officer` and
`invited_officer`. `lead` and `member` are the team of the world's entry."""
from datetime import timedelta

import pytest

from govchallenge.challenges.models import ARCHIVED, RESULTS_PUBLISHED
from govchallenge.core.timeutil import utcnow
from govchallenge.extensions import db
from govchallenge.reuse import permissions as can
from govchallenge.reuse.models import APPROVED, DECLINED, OPTED_IN, PENDING, USE, Adoption, Listing
from tests.support import factories
from tests.support.roles import ROLES, build_world

HOSTS = {"officer", "cohost_officer"}
TEAM = {"lead", "member"}
OFFICERS_OF_VERIFIED_BODIES = HOSTS | {"invited_officer"}


@pytest.fixture
def world(app):
    return build_world()


def _listing(world, state=APPROVED, team_choice=OPTED_IN):
    listing = Listing(submission=world.submission, challenge=world.challenge, state=state, team_choice=team_choice)
    db.session.add(listing)
    db.session.flush()
    return listing


@pytest.mark.parametrize("status, out", [("open", False), ("judging", False), (RESULTS_PUBLISHED, True), (ARCHIVED, True)])
def test_results_are_out_once_published_or_archived(world, status, out):
    world.challenge.status = status
    assert can.results_out(world.challenge) is out


def test_the_team_decides_its_listing_once_the_results_are_out(world):
    assert world.allowed(can.can_decide_listing, world.submission) == set()  # results not out yet
    world.challenge.status = RESULTS_PUBLISHED
    assert world.allowed(can.can_decide_listing, world.submission) == TEAM


def test_the_hosts_approve_listings_once_the_results_are_out(world):
    assert world.allowed(can.can_approve_listings, world.challenge) == set()
    world.challenge.status = ARCHIVED
    assert world.allowed(can.can_approve_listings, world.challenge) == HOSTS


def test_a_public_listing_is_seen_by_everyone(world):
    assert world.allowed(can.can_view_listing, _listing(world)) == set(ROLES)


@pytest.mark.parametrize("state, team_choice", [(PENDING, OPTED_IN), (APPROVED, DECLINED), (PENDING, DECLINED)])
def test_a_listing_not_public_is_seen_by_its_team_its_hosts_and_admins_only(world, state, team_choice):
    listing = _listing(world, state, team_choice)
    assert not listing.is_public
    assert world.allowed(can.can_view_listing, listing) == TEAM | HOSTS | {"admin"}


def test_adoption_is_recorded_by_officers_of_verified_public_bodies_on_public_listings_only(world):
    listing = _listing(world)
    assert world.allowed(can.can_record_adoption, listing) == OFFICERS_OF_VERIFIED_BODIES
    listing.state = PENDING
    assert world.allowed(can.can_record_adoption, listing) == set()


def test_an_unverified_body_records_no_adoption(world):
    officer = factories.make_user()
    factories.make_organisation(kind="public_body", verified=False, officer=officer, name="Unverified Office")
    db.session.commit()
    assert can.adopting_bodies(officer) == []
    assert not can.can_record_adoption(officer, _listing(world))


def test_only_the_recording_body_withdraws_an_adoption_and_only_once(world):
    adoption = Adoption(listing=_listing(world), organisation_id=world.cohost.id, kind=USE)
    db.session.add(adoption)
    db.session.flush()
    assert world.allowed(can.can_withdraw_adoption, adoption) == {"cohost_officer"}
    adoption.withdrawn_at = utcnow() - timedelta(minutes=1)
    assert world.allowed(can.can_withdraw_adoption, adoption) == set()


def test_a_published_challenge_is_run_again_by_officers_of_other_bodies_only(world):
    assert [o.id for o in can.reusing_bodies(world.users["invited_officer"], world.challenge)] == [world.invited_host.id]
    assert can.reusing_bodies(world.users["officer"], world.challenge) == []
    assert world.allowed(can.can_run_again, world.challenge) == {"invited_officer"}
    assert world.allowed(can.can_run_again, world.draft) == set()  # not public


def test_who_ran_a_challenge_again_is_seen_by_its_hosts_and_admins(world):
    assert world.allowed(can.can_see_reuses, world.challenge) == HOSTS | {"admin"}

