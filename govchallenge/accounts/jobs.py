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


def _mail_account(user_id, template, subject, link, wanted=lambda user: True, **context):
    """One account e-mail, if the account still exists and still wants it; `link(user)` is its one link."""
    user = db.session.get(User, user_id)
    if user is None or not wanted(user):
        return "nothing to do"
    _send(user, template, subject, link=link(user), **context)
    return "sent"


def send_verification(user_id):
    return _mail_account(user_id, "verify_email", lambda: _("Confirm your e-mail address for govchallenge"),
                         lambda user: external_url("accounts.verify", token=make_token(user, VERIFY)),
                         wanted=lambda user: not user.is_verified)


def send_password_reset(user_id):
    return _mail_account(user_id, "reset_password", lambda: _("Reset your govchallenge password"),
                         lambda user: external_url("accounts.reset_password", token=make_token(user, RESET)))


def send_already_registered(user_id):
    return _mail_account(user_id, "already_registered", lambda: _("Someone tried to register with your address"),
                         lambda user: external_url("accounts.request_reset"))


def send_login_paused(user_id):
    """The owner's notice that the per-account sign-in ceiling tripped (many wrong passwords, many places)."""
    window = parse(current_app.config["LOGIN_ACCOUNT_LIMIT"])
    return _mail_account(user_id, "login_paused", lambda: _("Sign-in to your govchallenge account is paused"),
                         lambda user: external_url("accounts.request_reset"), minutes=max(1, window.get_expiry() // 60))
