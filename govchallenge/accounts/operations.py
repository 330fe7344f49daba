"""Every state change of accounts. Operations flush, never commit; the caller commits once."""
from werkzeug.security import generate_password_hash

from govchallenge.core import audit
from govchallenge.core.timeutil import utcnow
from govchallenge.extensions import db
from govchallenge.jobs import enqueue

from . import throttle
from .models import User, find_by_email, normalise_email

REGISTRATION_NOTICE = "registration"


def register(name, email, password, country, language, timezone):
    """A new, unconfirmed account and its confirmation mail; for a known address, the same page and the same
    work (a password hashed, a mail queued), and the owner is warned instead, so neither the answer nor its
    timing tells whether the address has an account. Both paths use up the address's notice allowance, so a
    second try looks alike too: a new account's second registration finds it existing and throttled."""
    existing = find_by_email(email)
    if existing is not None:
        generate_password_hash(password)  # the work a new account's password costs; the result is not kept
        if throttle.notice_allowed(REGISTRATION_NOTICE, email):
            enqueue("govchallenge.accounts.jobs.send_already_registered", existing.id)
        return None
    throttle.notice_allowed(REGISTRATION_NOTICE, email)
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


def change_password(user, password):
    """The new password; every other session ends (the caller signs this one in again)."""
    user.set_password(password)
    audit.record("account.password_changed", user, actor=user)


def sign_out_everywhere(user):
    """Sign-out revokes, not only forgets: a copied session or remember-me cookie stops working too."""
    user.end_sessions()


LOGIN_CEILING_NOTICE = "login-ceiling"


def warn_of_login_ceiling(email):
    """Sign-in for this account is paused for everyone (too many wrong passwords from many places): tell the
    owner once per notice period, with the way out (a password reset still works)."""
    user = find_by_email(email)
    if user is None or not throttle.notice_allowed(LOGIN_CEILING_NOTICE, email):
        return None
    audit.record("account.login_paused", user)
    enqueue("govchallenge.accounts.jobs.send_login_paused", user.id)
    return user


def record_login(user, succeeded, **detail):
    """`detail` says how, for sign-ins that are not by password (method, issuer)."""
    audit.record("account.login" if succeeded else "account.login_failed", user, actor=user if succeeded else None,
                 **detail)


def update_profile(user, name, country, language, timezone):
    user.name = name.strip()
    user.country = country.upper()
    user.language = language
    user.timezone = timezone


def make_admin(user, actor=None):
    user.is_admin = True
    audit.record("account.made_admin", user, actor=actor)
