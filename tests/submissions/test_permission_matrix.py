"""Every entry rule asked for every role (tests/support/roles.py): exactly the listed roles are allowed; hosts
read entries only once the stage has closed, to the microsecond."""
import pytest

from govchallenge.extensions import db
from govchallenge.submissions import permissions as can
from tests.support.roles import after_close, before_close, build_world

HOSTS = {"officer", "cohost_officer"}
TEAM = {"lead", "member"}


@pytest.fixture
def world(app):
    return build_world()


def test_the_team_works_on_its_entry(world):
    assert world.allowed(can.can_work_on, world.team) == TEAM
    assert world.allowed(can.can_see_receipt, world.submission) == TEAM
    assert world.allowed(can.can_view_entry, world.submission) == TEAM  # the stage is still open
    assert world.allowed(can.can_download, world.submission) == TEAM


def test_hosts_read_entries_from_the_moment_the_stage_closes(world):
    stage = world.submission.stage
    assert world.allowed(can.host_may_read, world.submission, now=before_close(stage)) == set()
    assert world.allowed(can.host_may_read, world.submission, now=stage.closes_at) == HOSTS
    assert world.allowed(can.can_list_entries, stage, now=before_close(stage)) == set()
    assert world.allowed(can.can_list_entries, stage, now=stage.closes_at) == HOSTS
    stage.closes_at = stage.opens_at  # closed by the clock (no `now` given)
    db.session.flush()
    assert world.allowed(can.host_may_read, world.submission) == HOSTS
    assert world.allowed(can.can_view_entry, world.submission) == HOSTS | TEAM
    assert world.allowed(can.can_download, world.submission) == HOSTS | TEAM
    assert world.allowed(can.can_list_entries, stage) == HOSTS


def test_hosts_never_read_a_draft(world):
    world.submission.state = "draft"
    db.session.flush()
    stage = world.submission.stage
    assert world.allowed(can.host_may_read, world.submission, now=after_close(stage)) == set()


def test_host_views(world):
    assert world.allowed(can.can_see_host_view, world.challenge) == HOSTS
    assert world.allowed(can.can_grant_late_entry, world.challenge) == HOSTS


def test_a_host_on_the_blind_jury_loses_sight_of_who_entered_what(world):
    """The world's jury holds no host; seated on it, a host officer no longer reads entries, lists or exports
    them, nor grants late entries — the other host still does; the team keeps its own entry."""
    from tests.support.jury_factories import make_juror

    stage = world.submission.stage
    jury = {"juror", "chair", "unsworn_juror", "invitee"}
    assert world.allowed(can.can_see_entrants, world.challenge) == set(world.users) - jury
    make_juror(world.challenge, world.users["cohost_officer"])
    assert world.allowed(can.can_see_entrants, world.challenge) == set(world.users) - jury - {"cohost_officer"}
    assert world.allowed(can.host_may_read, world.submission, now=stage.closes_at) == {"officer"}
    assert world.allowed(can.can_view_entry, world.submission) == TEAM
    assert world.allowed(can.can_list_entries, stage, now=stage.closes_at) == {"officer"}
    assert world.allowed(can.can_grant_late_entry, world.challenge) == {"officer"}
    assert world.allowed(can.can_see_host_view, world.challenge) == HOSTS  # the page stays, without the names
