"""Helpers shared by every domain's permissions module: deny by default.

Two refusals, never confused: a visitor who is not signed in is sent to sign in and back (the page may well
be theirs once they are); a signed-in person who may not is told so on a 403 page that says why and what to do."""
from functools import wraps

from flask import abort
from flask_login import current_user
from werkzeug.exceptions import Forbidden


def signed_in(user):
    return bool(user) and getattr(user, "is_authenticated", False)


def is_admin(user):
    return signed_in(user) and bool(getattr(user, "is_admin", False))


def send_to_sign_in():
    """Ends the request with the redirect to the sign-in page, `next` naming this page."""
    from govchallenge.extensions import login_manager

    abort(login_manager.unauthorized())


def forbid(why=None):
    """A 403 whose page says `why` (a translated sentence); without one, the page's general explanation."""
    error = Forbidden()
    if why:
        error.user_message = str(why)
    raise error


def require(allowed, why=None):
    """Go on when `allowed` holds; else send an anonymous visitor to sign in, and refuse anyone else (403,
    saying `why` when the caller knows it better than the general words of the error page)."""
    if allowed:
        return
    if not signed_in(current_user):
        send_to_sign_in()
    forbid(why)


def admin_required(view):
    @wraps(view)
    def wrapped(*args, **kwargs):
        from govchallenge.core.i18n import lazy_text as _l

        require(is_admin(current_user), _l("Only the platform's administrators may open this page."))
        return view(*args, **kwargs)

    return wrapped
