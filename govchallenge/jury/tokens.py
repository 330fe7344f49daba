"""Signed, expiring jury invitation links: the juror id and a nonce, signed with the app's SECRET_KEY."""
from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

INVITATION_DAYS = 21
SALT = "govchallenge.jury-invitation"


def _serializer():
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=SALT)


def make_token(juror):
    return _serializer().dumps({"j": juror.id, "n": juror.nonce})


def read_token(token):
    """(juror id, nonce), or raises ValueError("expired" | "invalid")."""
    try:
        data = _serializer().loads(token, max_age=INVITATION_DAYS * 24 * 3600)
    except SignatureExpired as error:
        raise ValueError("expired") from error
    except BadSignature as error:
        raise ValueError("invalid") from error
    if not isinstance(data, dict) or not isinstance(data.get("j"), int) or not isinstance(data.get("n"), str):
        raise ValueError("invalid")
    return data["j"], data["n"]
