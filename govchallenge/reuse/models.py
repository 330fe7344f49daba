"""A catalogue listing per entry, and the adoptions and interests public bodies record on it.

A listing is visible to everyone when the team has not declined it and a host has approved it (`is_public`).
Winners are proposed by default; any other team proposes its own. What the page shows is copied from the
entry when the listing is made or refreshed (name, descriptions per language, licence, repository), so a later
draft of the entry never changes the catalogue behind the hosts' back.
"""
import sqlalchemy as sa
from govchallenge.core.i18n import lazy_text as _l

from govchallenge.core.slugs import new_public_id
from govchallenge.core.timeutil import UTCDateTime, utcnow
from govchallenge.extensions import db

# The team's choice: not yet made (winners are then listed by default), listed, declined.
UNDECIDED, OPTED_IN, DECLINED = "undecided", "in", "out"
# The hosts' decision.
PENDING, APPROVED = "pending", "approved"

MATURITIES = {
    "concept": _l("Concept"),
    "development": _l("In development"),
    "beta": _l("Beta"),
    "stable": _l("Stable"),
    "obsolete": _l("Obsolete"),
}
USE, WANT = "use", "want"
ADOPTION_KINDS = {USE: _l("We use this"), WANT: _l("We want this")}


class Listing(db.Model):
    __tablename__ = "reuse_listing"

    id = db.Column(db.Integer, primary_key=True)
    slug = db.Column(db.String(24), nullable=False, unique=True, default=new_public_id)
    submission_id = db.Column(db.Integer, db.ForeignKey("submission.id", ondelete="CASCADE"), nullable=False, unique=True)
    challenge_id = db.Column(db.Integer, db.ForeignKey("challenge.id", ondelete="CASCADE"), nullable=False, index=True)
    team_choice = db.Column(db.String(10), nullable=False, default=UNDECIDED)
    state = db.Column(db.String(10), nullable=False, default=PENDING, index=True)
    is_winner = db.Column(db.Boolean, nullable=False, default=False)

    name = db.Column(db.String(200), nullable=False, default="")
    descriptions = db.Column(db.JSON, nullable=False, default=dict)  # {"en": {"short", "long", "features"}}
    languages = db.Column(db.JSON, nullable=False, default=list)  # the solution's own interface languages
    # ",en,el," and the lower-cased name and descriptions: what the filters and the search read in SQL.
    language_codes = db.Column(db.String(200), nullable=False, default="")
    search_text = db.Column(db.Text, nullable=False, default="")
    licence = db.Column(db.String(300), nullable=False, default="")
    permissive = db.Column(db.Boolean, nullable=False, default=False)
    copyleft = db.Column(db.Boolean, nullable=False, default=False)
    eupl_compatible = db.Column(db.Boolean, nullable=False, default=False)
    repository_url = db.Column(db.String(500), nullable=False, default="")
    maturity = db.Column(db.String(12), nullable=False, default="development")
    contact_name = db.Column(db.String(200), nullable=False, default="")
    contact_email = db.Column(db.String(254), nullable=False, default="")

    decided_by_id = db.Column(db.Integer, db.ForeignKey("user_account.id"), nullable=True)
    approved_by_id = db.Column(db.Integer, db.ForeignKey("user_account.id"), nullable=True)
    approved_at = db.Column(UTCDateTime, nullable=True)
    created_at = db.Column(UTCDateTime, nullable=False, default=utcnow)
    updated_at = db.Column(UTCDateTime, nullable=False, default=utcnow)

    submission = db.relationship("Submission")
    challenge = db.relationship("Challenge")
    adoptions = db.relationship("Adoption", back_populates="listing", order_by="Adoption.id")

    @property
    def is_public(self):
        return self.state == APPROVED and self.team_choice != DECLINED

    @property
    def active_adoptions(self):
        return [a for a in self.adoptions if a.withdrawn_at is None]

    @property
    def maturity_label(self):
        return MATURITIES.get(self.maturity, self.maturity)


class Adoption(db.Model):
    """A public body's "we use this" or "we want this", public and audited; withdrawn, never deleted."""

    __tablename__ = "reuse_adoption"

    id = db.Column(db.Integer, primary_key=True)
    listing_id = db.Column(db.Integer, db.ForeignKey("reuse_listing.id", ondelete="CASCADE"), nullable=False, index=True)
    organisation_id = db.Column(db.Integer, db.ForeignKey("organisation.id"), nullable=False, index=True)
    kind = db.Column(db.String(4), nullable=False)
    note = db.Column(db.Text, nullable=False, default="")
    recorded_by_id = db.Column(db.Integer, db.ForeignKey("user_account.id"), nullable=True)
    created_at = db.Column(UTCDateTime, nullable=False, default=utcnow)
    withdrawn_at = db.Column(UTCDateTime, nullable=True)
    withdrawn_by_id = db.Column(db.Integer, db.ForeignKey("user_account.id"), nullable=True)

    listing = db.relationship("Listing", back_populates="adoptions")
    organisation = db.relationship("Organisation")

    @property
    def kind_label(self):
        return ADOPTION_KINDS.get(self.kind, self.kind)


def listing_by_slug(slug):
    return db.session.execute(sa.select(Listing).where(Listing.slug == slug)).scalar_one_or_none()


class StoredDataset(db.Model):
    """The catalogue's open dataset as last generated (one row, id 1): the JSON bytes, the CSV and the SHA-256
    of the JSON, written together by one job so the three always match."""

    __tablename__ = "reuse_dataset"

    id = db.Column(db.Integer, primary_key=True)
    json_bytes = db.Column(db.LargeBinary, nullable=False)
    csv_text = db.Column(db.Text, nullable=False)
    sha256 = db.Column(db.String(64), nullable=False)
    generated_at = db.Column(UTCDateTime, nullable=False, default=utcnow)


# An invitation of a challenge into a cross-border contest (reuse/contests.py).
INVITED, JOINED, REFUSED = "invited", "joined", "refused"
INVITATION_STATES = {INVITED: _l("Invited"), JOINED: _l("Joined"), REFUSED: _l("Declined")}


class ContestInvitation(db.Model):
    """A challenge of the same family (the original and the copies run again) asked to join a contest; an officer
    of one of its own host bodies answers for it. Answered, never deleted: the record says who agreed."""

    __tablename__ = "reuse_contest_invitation"

    id = db.Column(db.Integer, primary_key=True)
    contest_id = db.Column(db.Integer, db.ForeignKey("contest.id", ondelete="CASCADE"), nullable=False, index=True)
    challenge_id = db.Column(db.Integer, db.ForeignKey("challenge.id", ondelete="CASCADE"), nullable=False, index=True)
    state = db.Column(db.String(10), nullable=False, default=INVITED)
    invited_by_id = db.Column(db.Integer, db.ForeignKey("user_account.id"), nullable=True)
    created_at = db.Column(UTCDateTime, nullable=False, default=utcnow)
    answered_by_id = db.Column(db.Integer, db.ForeignKey("user_account.id"), nullable=True)
    answered_at = db.Column(UTCDateTime, nullable=True)

    contest = db.relationship("Contest")
    challenge = db.relationship("Challenge")

    __table_args__ = (sa.UniqueConstraint("contest_id", "challenge_id", name="uq_contest_invitation"),)

    @property
    def state_label(self):
        return INVITATION_STATES.get(self.state, self.state)
