"""Edges of the account operations that `make mutation` found undefended: the notices are limited per address
(one address's warning never uses up another's), and a sign-in that is not by password says how it was made."""
import sqlalchemy as sa

from govchallenge.accounts import operations
from govchallenge.core.audit import AuditEvent
from govchallenge.extensions import db
from govchallenge.jobs.models import OutboxJob
from tests.support.factories import make_user


def paused_mails():
    db.session.flush()
    return sorted(args[0] for (args,) in db.session.execute(
        sa.select(OutboxJob.args).where(OutboxJob.function == "govchallenge.accounts.jobs.send_login_paused")))


def test_the_sign_in_paused_notice_is_counted_per_address(app):
    first, second = make_user(email="first@example.eu"), make_user(email="second@example.eu")
    assert operations.warn_of_login_ceiling("first@example.eu") is first
    assert operations.warn_of_login_ceiling("second@example.eu") is second  # not used up by the first address
    assert operations.warn_of_login_ceiling("second@example.eu") is None
    assert paused_mails() == sorted([first.id, second.id])


def test_a_registration_attempt_does_not_use_up_the_sign_in_paused_notice(app):
    owner = make_user(email="owner@example.eu")
    assert operations.register("Someone", "owner@example.eu", "Another-long-passphrase-42", "DE", "de", "UTC") is None
    assert operations.warn_of_login_ceiling("owner@example.eu") is owner
    assert paused_mails() == [owner.id]


def test_a_sign_in_by_another_method_is_audited_with_how_it_was_made(app):
    user = make_user()
    operations.record_login(user, True, method="oidc", issuer="https://id.example.eu")
    db.session.flush()
    event = db.session.execute(sa.select(AuditEvent).where(AuditEvent.action == "account.login")).scalar_one()
    assert (event.actor_id, event.detail) == (user.id, {"method": "oidc", "issuer": "https://id.example.eu"})
