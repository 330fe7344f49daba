import secrets
from functools import lru_cache

import sqlalchemy as sa
from flask_login import UserMixin
from werkzeug.security import check_password_hash, generate_password_hash

from govchallenge.core.timeutil import UTCDateTime, utcnow
from govchallenge.extensions import db


class User(UserMixin, db.Model):
    __tablename__ = "user_account"

    id = db.Column(db.Integer, primary_key=True)
    email = db.Column(db.String(320), nullable=False, unique=True)
    name = db.Column(db.String(120), nullable=False)
    password_hash = db.Column(db.String(256), nullable=False)
    country = db.Column(db.String(2), nullable=False)
    language = db.Column(db.String(8), nullable=False, default="en")
    timezone = db.Column(db.String(64), nullable=False, default="UTC")
    is_admin = db.Column(db.Boolean, nullable=False, default=False)
    email_verified_at = db.Column(UTCDateTime, nullable=True)
    # The session generation, part of the id in session and remember-me cookies (get_id): raised on
    # sign-out, password reset and password change, so every cookie issued before stops working.
    session_version = db.Column(db.Integer, nullable=False, default=1)
    created_at = db.Column(UTCDateTime, nullable=False, default=utcnow)
    # Set when the account was erased (privacy/erasure.py): the row stays, as a pseudonym, where the
    # competition record needs it; nothing of the person is left in it.
    erased_at = db.Column(UTCDateTime, nullable=True)

    def set_password(self, password):
        self.password_hash = generate_password_hash(password)
        self.end_sessions()

    def end_sessions(self):
        """Every session and remember-me cookie of the account, on every device, stops working."""
        self.session_version = (self.session_version or 0) + 1

    def check_password(self, password):
        return check_password_hash(self.password_hash, password)

    @property
    def is_verified(self):
        return self.email_verified_at is not None

    def get_id(self):
        return f"{self.id}:{self.session_version}"

    @property
    def email_domain(self):
        return self.email.rsplit("@", 1)[-1].lower()

    def __repr__(self):
        return f"<User {self.id} {self.email}>"


def find_by_email(email):
    return db.session.execute(sa.select(User).where(User.email == normalise_email(email))).scalar_one_or_none()


def invitation_parties(email, invited_by_id, fallback_language):
    """(recipient account or None, inviter or None, the language to write in): the recipient's own language;
    someone not registered yet reads it in the inviter's; failing both, in `fallback_language`."""
    recipient = find_by_email(email)
    inviter = db.session.get(User, invited_by_id) if invited_by_id else None
    known = recipient or inviter
    return recipient, inviter, known.language if known else fallback_language


@lru_cache(maxsize=1)
def _unknown_account_hash():
    """A hash made the way real ones are, of a password nobody knows."""
    return generate_password_hash(secrets.token_urlsafe(24))


def password_matches(user, password):
    """Whether `password` is the account's. For an unknown address (user None) a hash is checked all the same:
    a sign-in must take as long for an address without an account as with one, or timing tells them apart."""
    if user is None:
        check_password_hash(_unknown_account_hash(), password)
        return False
    return user.check_password(password)


def normalise_email(email):
    return (email or "").strip().lower()


def load_session_user(session_id):
    user_id, _, version = (session_id or "").partition(":")
    if not user_id.isdigit() or not version.isdigit():
        return None
    user = db.session.get(User, int(user_id))
    if user is None or user.session_version != int(version):
        return None
    return user
