"""The account operations' rules, called directly: what registration, verification, resets and the
sign-in notices leave in the rows, the outbox and the audit trail, and the once-per-period notices."""
from datetime import timedelta

import pytest
import sqlalchemy as sa

from govchallenge.accounts import operations
from govchallenge.accounts.models import User, find_by_email
from govchallenge.core.audit import AuditEvent
from govchallenge.core.timeutil import utcnow
from govchallenge.extensions import db
from govchallenge.jobs.models import OutboxJob
from tests.support.factories import PASSWORD, make_user

NEW_PASSWORD = "Another-long-passphrase-42"


def queued():
    db.session.flush()
    return [tuple([function, *args]) for function, args in
            db.session.execute(sa.select(OutboxJob.function, OutboxJob.args).order_by(OutboxJob.id)).all()]


def events(user):
    db.session.flush()
    rows = db.session.execute(
        sa.select(AuditEvent.action, AuditEvent.actor_id)
        .where(AuditEvent.object_type == "user", AuditEvent.object_id == str(user.id)).order_by(AuditEvent.id)
    ).all()
    return [tuple(r) for r in rows]


def job(name, *args):
    return (f"govchallenge.accounts.jobs.{name}", *args)


def test_a_new_account_is_unconfirmed_with_cleaned_fields_and_its_confirmation_mail_queued(app):
    user = operations.register("  Zoë Nowak  ", "  Zoe@Example.EU ", NEW_PASSWORD, "pl", "pl", "Europe/Warsaw")
    assert (user.name, user.email, user.country, user.language, user.timezone) == \
        ("Zoë Nowak", "zoe@example.eu", "PL", "pl", "Europe/Warsaw")
    assert user.check_password(NEW_PASSWORD) and not user.is_verified
    assert queued() == [job("send_verification", user.id)]
    assert events(user) == [("account.registered", user.id)]


def test_registering_a_known_address_warns_its_owner_once_per_period_and_creates_nothing(app):
    owner = make_user(email="owner@example.eu")
    assert operations.register("Someone", "OWNER@example.eu", NEW_PASSWORD, "DE", "de", "UTC") is None
    assert operations.register("Someone", "owner@example.eu", NEW_PASSWORD, "DE", "de", "UTC") is None
    assert queued() == [job("send_already_registered", owner.id)]
    assert db.session.execute(sa.select(sa.func.count(User.id))).scalar() == 1
    assert owner.check_password(PASSWORD)


def test_a_new_account_uses_up_the_notice_of_its_address(app):
    user = operations.register("New", "new@example.eu", NEW_PASSWORD, "PL", "en", "UTC")
    db.session.flush()
    assert operations.register("New", "new@example.eu", NEW_PASSWORD, "PL", "en", "UTC") is None
    assert queued() == [job("send_verification", user.id)]


def test_verifying_sets_the_moment_once(app):
    user = make_user(verified=False)
    operations.verify_email(user)
    first = user.email_verified_at
    assert first is not None and abs(first - utcnow()) < timedelta(seconds=5)
    operations.verify_email(user)
    assert user.email_verified_at == first
    assert events(user) == [("account.verified", user.id)]


def test_a_new_confirmation_mail_only_for_an_unconfirmed_account(app):
    unconfirmed, confirmed = make_user(verified=False), make_user()
    operations.resend_verification(confirmed)
    operations.resend_verification(unconfirmed)
    assert queued() == [job("send_verification", unconfirmed.id)]


def test_a_reset_is_mailed_to_a_known_address_only(app):
    user = make_user(email="known@example.eu")
    assert operations.request_password_reset("nobody@example.eu") is None
    assert operations.request_password_reset("Known@Example.eu") is user
    assert queued() == [job("send_password_reset", user.id)]
    assert events(user) == [("account.reset_requested", None)]


def test_a_reset_sets_the_password_and_proves_the_address(app):
    user = make_user(verified=False)
    operations.reset_password(user, NEW_PASSWORD)
    assert user.check_password(NEW_PASSWORD) and user.is_verified
    assert events(user) == [("account.password_reset", user.id)]


def test_a_reset_keeps_the_moment_an_address_was_confirmed(app):
    user = make_user()
    confirmed = user.email_verified_at
    operations.reset_password(user, NEW_PASSWORD)
    assert user.email_verified_at == confirmed


def test_a_changed_password_is_audited(app):
    user = make_user()
    operations.change_password(user, NEW_PASSWORD)
    assert user.check_password(NEW_PASSWORD) and not user.check_password(PASSWORD)
    assert events(user) == [("account.password_changed", user.id)]


def test_signing_out_everywhere_ends_every_session(app):
    user = make_user()
    before = user.get_id()
    operations.sign_out_everywhere(user)
    assert user.get_id() != before


def test_the_owner_is_told_once_per_period_that_sign_in_is_paused(app):
    user = make_user(email="paused@example.eu")
    assert operations.warn_of_login_ceiling("nobody@example.eu") is None
    assert operations.warn_of_login_ceiling("Paused@example.eu") is user
    assert operations.warn_of_login_ceiling("paused@example.eu") is None
    assert queued() == [job("send_login_paused", user.id)]
    assert events(user) == [("account.login_paused", None)]


def test_sign_ins_are_audited_and_a_failed_one_names_no_actor(app):
    user = make_user()
    operations.record_login(user, True)
    operations.record_login(user, False)
    assert events(user) == [("account.login", user.id), ("account.login_failed", None)]


def test_a_profile_is_saved_cleaned(app):
    user = make_user()
    operations.update_profile(user, "  Ana  ", "gr", "el", "Europe/Athens")
    assert (user.name, user.country, user.language, user.timezone) == ("Ana", "GR", "el", "Europe/Athens")


@pytest.mark.parametrize("actor", [None, "admin"])
def test_making_an_administrator_is_audited_with_who_did_it(app, actor):
    user, admin = make_user(), make_user(admin=True)
    operations.make_admin(user, actor=admin if actor else None)
    assert user.is_admin is True
    assert events(user) == [("account.made_admin", admin.id if actor else None)]
    assert find_by_email(user.email).is_admin
