"""The stable pseudonym an erased account keeps where the competition record still names it.

Derived from the account's id with SECRET_KEY, so the same account always gets the same pseudonym (a review
and the jury list agree) and nobody without the key can tell which id it was.
"""
import hashlib
import hmac

from flask import current_app

LABEL = b"govchallenge.erased-account.v1:"


def pseudonym_key(user_id):
    key = current_app.config["SECRET_KEY"].encode("utf-8")
    return hmac.new(key, LABEL + str(user_id).encode(), hashlib.sha256).hexdigest()[:10]


def pseudonym_name(user_id):
    # Stored in the database and shown to everyone, so not translated: a label, not a sentence.
    return f"Erased participant {pseudonym_key(user_id)}"


def pseudonym_email(user_id):
    """An address that can never receive mail (.invalid, RFC 2606) and is unique per account."""
    return f"erased-{pseudonym_key(user_id)}@erased.invalid"
