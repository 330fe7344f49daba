"""Who may download a person's data and who may erase an account, asked for every role (tests/support/roles.py):
only the person downloads their export; the person or a platform admin erases a live account, nobody an
erased one."""
import pytest

from govchallenge.core.timeutil import utcnow
from govchallenge.extensions import db
from govchallenge.privacy import permissions as can
from govchallenge.privacy.models import DataExport
from tests.support.roles import ROLES, build_world


@pytest.fixture
def world(app):
    return build_world()


def test_only_the_person_downloads_their_export(world):
    export = DataExport(user_id=world.users["member"].id)
    assert world.allowed(can.can_download, export) == {"member"}
    assert world.allowed(can.can_download, None) == set()


def test_an_export_of_the_anonymous_visitor_is_nobodys():
    """A visitor who is not signed in has no id to match, even an export without an owner."""
    from flask_login import AnonymousUserMixin

    assert can.can_download(AnonymousUserMixin(), DataExport(user_id=None)) is False


def test_the_person_or_an_admin_erases_an_account(world):
    account = world.users["member"]
    assert world.allowed(can.can_erase, account) == {"member", "admin"}
    assert world.allowed(can.can_erase, world.users["admin"]) == {"admin"}
    assert world.allowed(can.can_erase, None) == set()


def test_nobody_erases_an_account_twice(world):
    account = world.users["member"]
    account.erased_at = utcnow()
    db.session.flush()
    assert world.allowed(can.can_erase, account) == set()
    assert set(ROLES) >= {"member", "admin"}
