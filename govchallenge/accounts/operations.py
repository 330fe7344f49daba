"""Every state change of accounts. Operations flush, never commit; the caller commits once."""
from govchallenge.core import audit
from govchallenge.core.timeutil import utcnow
from govchallenge.extensions import db
from govchallenge.jobs import enqueue

from .models import User, find_by_email, normalise_email


class AccountError(ValueError):
    def __init__(self, code):
        super().__init__(code)
        self.code = code


def register(name, email, password, country, language, timezone):
    if find_by_email(email) is not None:
        # Same answer as a new address; the owner is told by e-mail instead.
        existing = find_by_email(email)
        enqueue("govchallenge.accounts.jobs.send_already_registered", existing.id)
        return None
    user = User(
        name=name.strip(),
        email=normalise_email(email),
        country=country.upper(),
        language=language,
        timezone=timezone,
    )
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    audit.record("account.registered", user, actor=user)
    enqueue("govchallenge.accounts.jobs.send_verification", user.id)
    return user


def verify_email(user):
    if user.email_verified_at is None:
        user.email_verified_at = utcnow()
        audit.record("account.verified", user, actor=user)
    return user


def resend_verification(user):
    if not user.is_verified:
        enqueue("govchallenge.accounts.jobs.send_verification", user.id)


def request_password_reset(email):
    user = find_by_email(email)
    if user is not None:
        audit.record("account.reset_requested", user)
        enqueue("govchallenge.accounts.jobs.send_password_reset", user.id)
    return user


def reset_password(user, password):
    user.set_password(password)
    if user.email_verified_at is None:
        user.email_verified_at = utcnow()  # the link reached the mailbox, which proves the address
    audit.record("account.password_reset", user, actor=user)


def record_login(user, succeeded):
    audit.record("account.login" if succeeded else "account.login_failed", user, actor=user if succeeded else None)


def update_profile(user, name, country, language, timezone):
    user.name = name.strip()
    user.country = country.upper()
    user.language = language
    user.timezone = timezone


def make_admin(user, actor=None):
    user.is_admin = True
    audit.record("account.made_admin", user, actor=actor)
