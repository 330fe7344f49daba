"""Helpers shared by every domain's permissions module: deny by default.

Two refusals, never confused: a visitor who is not signed in is sent to sign in and back (the page may well
be theirs once they are); a signed-in person who may not is told so on a 403 page that says why and what to do."""
from functools import wraps

from flask import abort, flash, redirect, request, url_for
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


def page_to_come_back_to():
    """Where sign-in should bring the visitor back: this page for a GET; for a form sent while signed out
    (a POST has no page to come back to), the page the form was on, when it is on this site."""
    from urllib.parse import urlsplit

    from .urls import local_target

    if request.method in ("GET", "HEAD"):
        return local_target(request.full_path.rstrip("?"))
    referrer = urlsplit(request.referrer or "")
    if referrer.netloc != request.host:
        return None
    return local_target(referrer.path + (f"?{referrer.query}" if referrer.query else ""))


def sign_in_redirect():
    """Flask-Login's answer to a visitor who must sign in: the sign-in page, with `next` (checked again by the
    sign-in view) and the message that says why."""
    from govchallenge.extensions import login_manager

    flash(str(login_manager.login_message), login_manager.login_message_category)
    target = page_to_come_back_to()
    return redirect(url_for(login_manager.login_view, **({"next": target} if target else {})))


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
