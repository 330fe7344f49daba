"""Teams entering a challenge: members across organisations and borders, and invitations."""
import secrets

import sqlalchemy as sa
from govchallenge.core.i18n import lazy_text as _l

from govchallenge.core.slugs import new_public_id
from govchallenge.core.timeutil import UTCDateTime, utcnow
from govchallenge.extensions import db

LEAD, MEMBER = "lead", "member"
ROLES = {LEAD: _l("Lead"), MEMBER: _l("Member")}


class Team(db.Model):
    __tablename__ = "team"

    id = db.Column(db.Integer, primary_key=True)
    public_id = db.Column(db.String(24), nullable=False, unique=True, default=new_public_id)
    challenge_id = db.Column(db.Integer, db.ForeignKey("challenge.id", ondelete="CASCADE"), nullable=False, index=True)
    name = db.Column(db.String(120), nullable=False)
    created_at = db.Column(UTCDateTime, nullable=False, default=utcnow)

    challenge = db.relationship("Challenge")
    members = db.relationship("TeamMember", back_populates="team", cascade="all, delete-orphan", order_by="TeamMember.id")
    invitations = db.relationship("TeamInvitation", back_populates="team", cascade="all, delete-orphan")

    __table_args__ = (sa.UniqueConstraint("challenge_id", "name"),)

    @property
    def lead(self):
        return next((m for m in self.members if m.role == LEAD), None)

    @property
    def countries(self):
        return sorted({m.user.country for m in self.members})


class TeamMember(db.Model):
    """A person in a team. `challenge_id` is repeated so the database itself keeps one team per person per challenge."""

    __tablename__ = "team_member"

    id = db.Column(db.Integer, primary_key=True)
    team_id = db.Column(db.Integer, db.ForeignKey("team.id", ondelete="CASCADE"), nullable=False, index=True)
    challenge_id = db.Column(db.Integer, db.ForeignKey("challenge.id", ondelete="CASCADE"), nullable=False)
    user_id = db.Column(db.Integer, db.ForeignKey("user_account.id", ondelete="CASCADE"), nullable=False, index=True)
    # The organisation the member enters for (eligibility by entrant kind, jury conflicts); None for an individual.
    organisation_id = db.Column(db.Integer, db.ForeignKey("organisation.id"), nullable=True, index=True)
    role = db.Column(db.String(10), nullable=False, default=MEMBER)
    joined_at = db.Column(UTCDateTime, nullable=False, default=utcnow)

    team = db.relationship("Team", back_populates="members")
    user = db.relationship("User")
    organisation = db.relationship("Organisation")

    __table_args__ = (sa.UniqueConstraint("challenge_id", "user_id"),)


class TeamInvitation(db.Model):
    """An invitation by e-mail; the signed link carries the id and nonce, so it works before sign-up."""

    __tablename__ = "team_invitation"

    id = db.Column(db.Integer, primary_key=True)
    team_id = db.Column(db.Integer, db.ForeignKey("team.id", ondelete="CASCADE"), nullable=False, index=True)
    email = db.Column(db.String(320), nullable=False)
    nonce = db.Column(db.String(32), nullable=False, default=lambda: secrets.token_hex(16))
    invited_by_id = db.Column(db.Integer, db.ForeignKey("user_account.id"), nullable=True)
    created_at = db.Column(UTCDateTime, nullable=False, default=utcnow)
    expires_at = db.Column(UTCDateTime, nullable=False)
    accepted_at = db.Column(UTCDateTime, nullable=True)
    declined_at = db.Column(UTCDateTime, nullable=True)

    team = db.relationship("Team", back_populates="invitations")

    @property
    def is_used(self):
        return self.accepted_at is not None or self.declined_at is not None
