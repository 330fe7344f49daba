"""The People's Choice award of a challenge, its shortlist, the teams' choice of what is public, and the votes.

A vote holds no network address: only a keyed digest of it (`address_key`), enough to see many votes come from
one place, useless to learn the place. The e-mail domain and the account's creation time are copied onto the
vote when it is cast, so the burst rule (bursts.py) reads the vote alone.
"""
import sqlalchemy as sa

from govchallenge.core.timeutil import UTCDateTime, utcnow
from govchallenge.extensions import db

IMAGE_TYPES = ("image/png", "image/jpeg")


class PeoplesChoiceAward(db.Model):
    __tablename__ = "pchoice_award"

    id = db.Column(db.Integer, primary_key=True)
    challenge_id = db.Column(db.Integer, db.ForeignKey("challenge.id", ondelete="CASCADE"), nullable=False, unique=True)
    opens_at = db.Column(UTCDateTime, nullable=False)
    closes_at = db.Column(UTCDateTime, nullable=False)
    opened_by_id = db.Column(db.Integer, db.ForeignKey("user_account.id"), nullable=True)
    created_at = db.Column(UTCDateTime, nullable=False, default=utcnow)
    # The published count: the document, its digest and the rule of that digest (results/digests.py).
    published_at = db.Column(UTCDateTime, nullable=True)
    published_by_id = db.Column(db.Integer, db.ForeignKey("user_account.id"), nullable=True)
    document = db.Column(db.JSON, nullable=True)
    digest = db.Column(db.String(64), nullable=True)
    digest_scheme = db.Column(db.String(32), nullable=True)

    challenge = db.relationship("Challenge")
    entries = db.relationship("PeoplesChoiceEntry", back_populates="award", order_by="PeoplesChoiceEntry.id",
                              cascade="all, delete-orphan")

    def is_open(self, now):
        return self.opens_at <= now < self.closes_at

    def has_closed(self, now):
        return now >= self.closes_at

    @property
    def is_published(self):
        return self.published_at is not None


class PeoplesChoiceEntry(db.Model):
    """An entry on the award's shortlist."""

    __tablename__ = "pchoice_entry"
    __table_args__ = (sa.UniqueConstraint("award_id", "submission_id"),)

    id = db.Column(db.Integer, primary_key=True)
    award_id = db.Column(db.Integer, db.ForeignKey("pchoice_award.id", ondelete="CASCADE"), nullable=False)
    submission_id = db.Column(db.Integer, db.ForeignKey("submission.id", ondelete="CASCADE"), nullable=False)

    award = db.relationship("PeoplesChoiceAward", back_populates="entries")
    submission = db.relationship("Submission")


class PublicRelease(db.Model):
    """What a team releases of its entry to the public: the title, the summary, and the images it marks
    public (by the SHA-256 of the file, so a new version without that image no longer shows it)."""

    __tablename__ = "pchoice_release"

    id = db.Column(db.Integer, primary_key=True)
    submission_id = db.Column(db.Integer, db.ForeignKey("submission.id", ondelete="CASCADE"), nullable=False, unique=True)
    show_title = db.Column(db.Boolean, nullable=False, default=False)
    show_summary = db.Column(db.Boolean, nullable=False, default=False)
    images = db.Column(db.JSON, nullable=False, default=list)  # [sha256, ...] of image files of the entry
    decided_by_id = db.Column(db.Integer, db.ForeignKey("user_account.id"), nullable=True)
    decided_at = db.Column(UTCDateTime, nullable=False, default=utcnow)


class PeoplesChoiceVote(db.Model):
    """One account's vote in one award (changeable while the window is open: `version` counts the changes,
    and a vote form carries the version it was made from, so a replayed form is refused)."""

    __tablename__ = "pchoice_vote"
    __table_args__ = (sa.UniqueConstraint("award_id", "user_id"),)

    id = db.Column(db.Integer, primary_key=True)
    award_id = db.Column(db.Integer, db.ForeignKey("pchoice_award.id", ondelete="CASCADE"), nullable=False, index=True)
    user_id = db.Column(db.Integer, db.ForeignKey("user_account.id"), nullable=False)
    submission_id = db.Column(db.Integer, db.ForeignKey("submission.id", ondelete="CASCADE"), nullable=False)
    version = db.Column(db.Integer, nullable=False, default=1)
    address_key = db.Column(db.String(64), nullable=False, default="")
    email_domain = db.Column(db.String(255), nullable=False, default="")
    account_created_at = db.Column(UTCDateTime, nullable=False)
    cast_at = db.Column(UTCDateTime, nullable=False, default=utcnow)
    changed_at = db.Column(UTCDateTime, nullable=False, default=utcnow)
    flagged_at = db.Column(UTCDateTime, nullable=True)
    flag_reasons = db.Column(db.JSON, nullable=False, default=list)  # bursts.ADDRESS, bursts.DOMAIN
    discounted_at = db.Column(UTCDateTime, nullable=True)
    discounted_by_id = db.Column(db.Integer, db.ForeignKey("user_account.id"), nullable=True)
    discount_reason = db.Column(db.Text, nullable=True)

    submission = db.relationship("Submission")

    @property
    def counts(self):
        return self.discounted_at is None


def award_of(challenge_id):
    return db.session.execute(
        sa.select(PeoplesChoiceAward).where(PeoplesChoiceAward.challenge_id == challenge_id)).scalar_one_or_none()


def release_of(submission_id):
    return db.session.execute(
        sa.select(PublicRelease).where(PublicRelease.submission_id == submission_id)).scalar_one_or_none()
