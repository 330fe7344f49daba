"""Signed, expiring invitation links: the id and a nonce, signed with the app's SECRET_KEY."""
from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

INVITATION_DAYS = 7
SALT = "govchallenge.team-invitation"


def _serializer():
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=SALT)


def make_token(invitation):
    return _serializer().dumps({"i": invitation.id, "n": invitation.nonce})


def read_token(token):
    """(invitation id, nonce), or raises ValueError("expired" | "invalid")."""
    try:
        data = _serializer().loads(token, max_age=INVITATION_DAYS * 24 * 3600)
    except SignatureExpired as error:
        raise ValueError("expired") from error
    except BadSignature as error:
        raise ValueError("invalid") from error
    if not isinstance(data, dict) or not isinstance(data.get("i"), int) or not isinstance(data.get("n"), str):
        raise ValueError("invalid")
    return data["i"], data["n"]
