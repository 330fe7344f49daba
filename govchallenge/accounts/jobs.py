"""E-mails of the account life cycle, sent by background jobs in the recipient's language."""
from flask import current_app
from flask_babel import gettext as _
from limits import parse

from govchallenge.core import mail
from govchallenge.core.urls import external_url
from govchallenge.extensions import db
from govchallenge.jobs import message_id

from .models import User
from .tokens import RESET, VERIFY, make_token


def _send(user, template, subject, **context):
    message = mail.render(template, user.language, user.email, subject, message_id=message_id(template, user.id),
                          user=user, **context)
    mail.send(message)


def send_verification(user_id):
    user = db.session.get(User, user_id)
    if user is None or user.is_verified:
        return "nothing to do"
    link = external_url("accounts.verify", token=make_token(user, VERIFY))
    _send(user, "verify_email", lambda: _("Confirm your e-mail address for govchallenge"), link=link)
    return "sent"


def send_password_reset(user_id):
    user = db.session.get(User, user_id)
    if user is None:
        return "nothing to do"
    link = external_url("accounts.reset_password", token=make_token(user, RESET))
    _send(user, "reset_password", lambda: _("Reset your govchallenge password"), link=link)
    return "sent"


def send_already_registered(user_id):
    user = db.session.get(User, user_id)
    if user is None:
        return "nothing to do"
    link = external_url("accounts.request_reset")
    _send(user, "already_registered", lambda: _("Someone tried to register with your address"), link=link)
    return "sent"


def send_login_paused(user_id):
    """The owner's notice that the per-account sign-in ceiling tripped (many wrong passwords, many places)."""
    user = db.session.get(User, user_id)
    if user is None:
        return "nothing to do"
    window = parse(current_app.config["LOGIN_ACCOUNT_LIMIT"])
    link = external_url("accounts.request_reset")
    _send(user, "login_paused", lambda: _("Sign-in to your govchallenge account is paused"), link=link,
          minutes=max(1, window.get_expiry() // 60))
    return "sent"
