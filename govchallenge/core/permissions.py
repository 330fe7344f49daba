"""Helpers shared by every domain's permissions module: deny by default."""
from functools import wraps

from flask import abort
from flask_login import current_user


def signed_in(user):
    return bool(user) and getattr(user, "is_authenticated", False)


def is_admin(user):
    return signed_in(user) and bool(getattr(user, "is_admin", False))


def require(allowed):
    """Abort with 401-style redirect (via login_required) or 403 unless `allowed` holds."""
    if not allowed:
        abort(403)


def admin_required(view):
    @wraps(view)
    def wrapped(*args, **kwargs):
        if not signed_in(current_user):
            from govchallenge.extensions import login_manager

            return login_manager.unauthorized()
        require(is_admin(current_user))
        return view(*args, **kwargs)

    return wrapped
