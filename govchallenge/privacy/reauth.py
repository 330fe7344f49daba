"""Re-authentication for what only the person may do (download their data, erase their account): the
password typed again, or a sign-in (by password or through an identity provider) within REAUTH_SECONDS."""
import time

from flask import current_app, session

SIGNED_IN_AT = "signed_in_at"


def remember_sign_in(sender, user, **extra):
    """flask_login's user_logged_in signal: every way of signing in passes here."""
    session[SIGNED_IN_AT] = time.time()


def signed_in_recently():
    moment = session.get(SIGNED_IN_AT)
    return isinstance(moment, (int, float)) and 0 <= time.time() - moment <= current_app.config["REAUTH_SECONDS"]


def reauthenticated(user, password):
    """True when the person proved again who they are; a wrong password never counts, even after a
    recent sign-in (someone typing a wrong one is not the owner at an unlocked screen)."""
    if password:
        return user.check_password(password)
    return signed_in_recently()
