import sqlalchemy as sa
from govchallenge.core.i18n import lazy_text as _l

from govchallenge.core.timeutil import UTCDateTime, utcnow
from govchallenge.extensions import db

KINDS = {
    "public_body": _l("Public body"),
    "startup": _l("Startup"),
    "sme": _l("Small or medium enterprise"),
    "ngo": _l("Non-governmental organisation"),
    "research": _l("Research or academia"),
    "other": _l("Other"),
}
OFFICER, MEMBER = "officer", "member"
ROLES = {OFFICER: _l("Officer"), MEMBER: _l("Member")}
ACTIVE, PENDING = "active", "pending"


class Organisation(db.Model):
    __tablename__ = "organisation"

    id = db.Column(db.Integer, primary_key=True)
    slug = db.Column(db.String(80), nullable=False, unique=True)
    name = db.Column(db.String(200), nullable=False)
    kind = db.Column(db.String(20), nullable=False)
    country = db.Column(db.String(2), nullable=False, index=True)
    website = db.Column(db.String(300), nullable=False, default="")
    description = db.Column(db.Text, nullable=False, default="")
    verified_at = db.Column(UTCDateTime, nullable=True)
    verified_by_id = db.Column(db.Integer, db.ForeignKey("user_account.id"), nullable=True)
    created_at = db.Column(UTCDateTime, nullable=False, default=utcnow)

    memberships = db.relationship("Membership", back_populates="organisation", cascade="all, delete-orphan")

    @property
    def is_verified(self):
        return self.verified_at is not None

    @property
    def is_public_body(self):
        return self.kind == "public_body"

    @property
    def kind_label(self):
        return KINDS.get(self.kind, self.kind)

    def __repr__(self):
        return f"<Organisation {self.slug}>"


class Membership(db.Model):
    __tablename__ = "membership"

    id = db.Column(db.Integer, primary_key=True)
    organisation_id = db.Column(db.Integer, db.ForeignKey("organisation.id", ondelete="CASCADE"), nullable=False)
    user_id = db.Column(db.Integer, db.ForeignKey("user_account.id", ondelete="CASCADE"), nullable=False, index=True)
    role = db.Column(db.String(10), nullable=False, default=MEMBER)
    state = db.Column(db.String(10), nullable=False, default=ACTIVE)
    created_at = db.Column(UTCDateTime, nullable=False, default=utcnow)

    organisation = db.relationship("Organisation", back_populates="memberships")
    user = db.relationship("User")

    __table_args__ = (sa.UniqueConstraint("organisation_id", "user_id"),)

    @property
    def is_active(self):
        return self.state == ACTIVE

    @property
    def role_label(self):
        return ROLES.get(self.role, self.role)


def by_slug(slug):
    return db.session.execute(sa.select(Organisation).where(Organisation.slug == slug)).scalar_one_or_none()


def membership_of(user, organisation):
    if not getattr(user, "is_authenticated", False):
        return None
    return db.session.execute(
        sa.select(Membership).where(Membership.organisation_id == organisation.id, Membership.user_id == user.id)
    ).scalar_one_or_none()


def active_memberships(user):
    if not getattr(user, "is_authenticated", False):
        return []
    query = (
        sa.select(Membership)
        .where(Membership.user_id == user.id, Membership.state == ACTIVE)
        .options(sa.orm.joinedload(Membership.organisation))
    )
    return db.session.execute(query).scalars().all()
