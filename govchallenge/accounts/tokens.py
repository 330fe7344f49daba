"""Signed, expiring links. A reset token is bound to the current password, so it works once."""
import hashlib

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

VERIFY, RESET = "verify-email", "reset-password"


class TokenInvalid(ValueError):
    def __init__(self, reason):
        super().__init__(reason)
        self.reason = reason  # "expired" or "invalid"


def _serializer(purpose):
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=f"govchallenge.{purpose}")


def _fingerprint(user, purpose):
    basis = user.email if purpose == VERIFY else user.password_hash
    return hashlib.sha256(basis.encode()).hexdigest()[:16]


def make_token(user, purpose):
    return _serializer(purpose).dumps({"u": user.id, "f": _fingerprint(user, purpose)})


def read_token(token, purpose, load_user, max_age=None):
    max_age = max_age or current_app.config["TOKEN_MAX_AGE_SECONDS"]
    try:
        data = _serializer(purpose).loads(token, max_age=max_age)
    except SignatureExpired as error:
        raise TokenInvalid("expired") from error
    except BadSignature as error:
        raise TokenInvalid("invalid") from error
    user = load_user(data.get("u")) if isinstance(data, dict) else None
    if user is None or data.get("f") != _fingerprint(user, purpose):
        raise TokenInvalid("invalid")
    return user
