import sqlalchemy as sa

from govchallenge.core.timeutil import UTCDateTime, utcnow
from govchallenge.extensions import db


class IdentityProvider(db.Model):
    """A public body's own OpenID Connect provider, set by a platform admin. At most one per organisation."""

    __tablename__ = "identity_provider"

    id = db.Column(db.Integer, primary_key=True)
    organisation_id = db.Column(db.Integer, db.ForeignKey("organisation.id", ondelete="CASCADE"), nullable=False, unique=True)
    issuer = db.Column(db.String(300), nullable=False)
    client_id = db.Column(db.String(200), nullable=False)
    client_secret = db.Column(db.String(300), nullable=False, default="")
    scopes = db.Column(db.String(300), nullable=False, default="openid email profile")
    # The addresses this provider may vouch for (space-separated domains): it finds or creates accounts only
    # for those, so a body's provider can never speak for someone else's mailbox.
    email_domains = db.Column(db.String(500), nullable=False)
    # Officers of the body sign in only through it (their password no longer opens the account).
    required_for_officers = db.Column(db.Boolean, nullable=False, default=False)
    updated_at = db.Column(UTCDateTime, nullable=False, default=utcnow, onupdate=utcnow)

    organisation = db.relationship("Organisation")

    @property
    def domains(self):
        return self.email_domains.split()


class IdentityLink(db.Model):
    """An account's identity at a provider: (issuer, subject) signs the same person in, whatever e-mail
    address the provider gives later. One subject per issuer and account."""

    __tablename__ = "identity_link"

    id = db.Column(db.Integer, primary_key=True)
    user_id = db.Column(db.Integer, db.ForeignKey("user_account.id", ondelete="CASCADE"), nullable=False, index=True)
    issuer = db.Column(db.String(300), nullable=False)
    subject = db.Column(db.String(255), nullable=False)
    created_at = db.Column(UTCDateTime, nullable=False, default=utcnow)
    last_used_at = db.Column(UTCDateTime, nullable=True)

    user = db.relationship("User")

    __table_args__ = (
        sa.UniqueConstraint("issuer", "subject", name="uq_identity_link_subject"),
        sa.UniqueConstraint("user_id", "issuer", name="uq_identity_link_account"),
    )


def link_for(issuer, subject):
    return db.session.execute(
        sa.select(IdentityLink).where(IdentityLink.issuer == issuer, IdentityLink.subject == subject)
    ).scalar_one_or_none()


def account_link(user, issuer):
    return db.session.execute(
        sa.select(IdentityLink).where(IdentityLink.user_id == user.id, IdentityLink.issuer == issuer)
    ).scalar_one_or_none()
