"""Signed, expiring invitation links: an object's id and a nonce, signed with the app's SECRET_KEY.
The nonce lives on the row; changing it revokes every link sent before."""
from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer


class InvitationLinks:
    def __init__(self, purpose, days, key="i"):
        self.salt = f"govchallenge.{purpose}"
        self.days = days
        self.key = key  # the name of the id in the signed payload; links already sent keep working

    def _serializer(self):
        return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=self.salt)

    def make_token(self, row):
        return self._serializer().dumps({self.key: row.id, "n": row.nonce})

    def read_token(self, token):
        """(id, nonce), or raises ValueError("expired" | "invalid")."""
        try:
            data = self._serializer().loads(token, max_age=self.days * 24 * 3600)
        except SignatureExpired as error:
            raise ValueError("expired") from error
        except BadSignature as error:
            raise ValueError("invalid") from error
        if not isinstance(data, dict) or not isinstance(data.get(self.key), int) or not isinstance(data.get("n"), str):
            raise ValueError("invalid")
        return data[self.key], data["n"]
