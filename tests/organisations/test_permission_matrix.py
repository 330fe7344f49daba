"""Every organisation rule asked for every role (tests/support/roles.py): exactly the listed roles are allowed."""
from types import SimpleNamespace

import pytest

from govchallenge.core import permissions as core
from govchallenge.organisations import permissions as can
from tests.support import factories
from tests.support.roles import ROLES, build_world

EVERYONE = set(ROLES)
VERIFIED = EVERYONE - {"anonymous", "unverified"}
HOST_PEOPLE = {"officer", "host_member", "pending_officer"}


@pytest.fixture
def world(app):
    return build_world()


def test_who_belongs_to_and_manages_an_organisation(world):
    body = world.lead_host
    assert world.allowed(can.is_member, body) == {"officer", "host_member"}  # a pending request is not membership
    assert world.allowed(can.is_officer, body) == {"officer"}
    assert world.allowed(can.can_manage, body) == {"officer", "admin"}
    assert world.allowed(can.can_request_to_join, body) == VERIFIED - HOST_PEOPLE


def test_who_creates_and_verifies_organisations(world):
    assert world.allowed(can.can_create_organisation) == VERIFIED
    unverified_body = factories.make_public_body(verified=False, officer=world.users["outsider"])
    assert world.allowed(can.can_verify, unverified_body) == {"admin"}
    assert world.allowed(can.can_verify, world.lead_host) == set()  # verified once only


def test_only_officers_of_a_verified_public_body_publish_challenges(world):
    assert world.allowed(can.can_publish_challenges_for, world.lead_host) == {"officer"}
    unverified_body = factories.make_public_body(verified=False, officer=world.users["outsider"])
    assert world.allowed(can.can_publish_challenges_for, unverified_body) == set()
    startup = factories.make_organisation(kind="startup", verified=True, officer=world.users["outsider"])
    assert world.allowed(can.can_publish_challenges_for, startup) == set()


def test_the_shared_helpers(world):
    assert world.allowed(core.signed_in) == EVERYONE - {"anonymous"}
    assert world.allowed(core.is_admin) == {"admin"}
    assert not core.signed_in(None) and not core.is_admin(None)
    # Deny by default: whatever does not say it is signed in (or an admin) is not.
    assert not core.signed_in(SimpleNamespace()) and not core.is_admin(SimpleNamespace())
    assert not core.is_admin(SimpleNamespace(is_authenticated=True))
    assert core.is_admin(SimpleNamespace(is_authenticated=True, is_admin=True))
    from flask import current_app
    from flask_login import login_user
    from werkzeug.exceptions import Forbidden, HTTPException

    with current_app.test_request_context("/somewhere?x=1"):
        core.require(True)
        with pytest.raises(HTTPException) as refused:  # not signed in: sent to sign in and back, never a 403
            core.require(False)
        assert refused.value.response.status_code == 302
        assert refused.value.response.headers["Location"] == "/login?next=/somewhere?x%3D1"
    with current_app.test_request_context("/somewhere"):
        login_user(world.users["outsider"])
        with pytest.raises(Forbidden) as refused:  # signed in: a 403 that says why
            core.require(False, "Only the officers may.")
        assert refused.value.user_message == "Only the officers may."
