"""Who may try how often, for the account forms. Counters live in the rate-limit storage (Redis, or memory).

- Sign-in failures are counted per account *and* address (LOGIN_LIMIT): five wrong passwords from one place
  pause that place, not the owner signing in from another. A slower ceiling per account across all addresses
  (LOGIN_ACCOUNT_LIMIT) stops a guesser who spreads out; when it trips the owner gets one notice mail.
- Registrations are counted per address (REGISTER_LIMIT) and per address registered (REGISTER_EMAIL_LIMIT),
  only once accepted, so a mistyped form costs nothing.
- Mails a stranger can cause (the "someone registered with your address" warning, the ceiling notice) leave
  at most once per account and period (ACCOUNT_NOTICE_LIMIT), whatever the number of attempts.
"""
from flask import current_app, request
from flask_limiter.util import get_remote_address
from limits import parse

from govchallenge.extensions import limiter

from .models import normalise_email


def setting(name):
    """A limit read from the settings at each request, so tests and operators can change it."""
    return lambda: current_app.config[name]


def submitted_email():
    return normalise_email(request.form.get("email"))


def account_key():
    return "account:" + submitted_email()


def account_and_address_key():
    return f"account:{submitted_email()}|{get_remote_address()}"


def signed_in_account_key():
    from flask_login import current_user

    return f"user:{current_user.get_id()}"


def failed(response):
    """A sign-in or password check that was refused (wrong password, unconfirmed address): it counts."""
    return response.status_code == 400


def accepted(response):
    """A registration form that was accepted (the "check your e-mail" page): it counts."""
    return response.status_code == 200


def notice_allowed(kind, email):
    """True at most once per ACCOUNT_NOTICE_LIMIT period for this kind of notice and address, so no stranger
    can fill someone's mailbox. When the storage cannot answer, the notice goes: the request limits still hold."""
    try:
        return limiter.limiter.hit(parse(current_app.config["ACCOUNT_NOTICE_LIMIT"]), "notice", kind, normalise_email(email))
    except Exception:  # noqa: BLE001 - any storage failure; the limiter itself swallows them the same way
        current_app.logger.warning("rate-limit storage unavailable: a notice mail goes unthrottled", exc_info=True)
        return True
