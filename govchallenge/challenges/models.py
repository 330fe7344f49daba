"""A challenge, its hosts, timeline, rubric, prizes, attachments, clarifications and followers.

Text that a host writes is multilingual: one JSON column {"pl": ..., "en": ...} per field, read
through core.languages.pick. The workflow state is stored; the states that follow from time
(published, open, closed) are derived from the server clock on every read (see `state`).
"""
import sqlalchemy as sa
from sqlalchemy.orm import declared_attr
from govchallenge.core.i18n import lazy_text as _l

from govchallenge.core.timeutil import UTCDateTime, utcnow
from govchallenge.core.stored_files import StoredFileColumns
from govchallenge.extensions import db

DOMAINS = {
    "health": _l("Health"),
    "mobility": _l("Mobility"),
    "environment": _l("Environment"),
    "administration": _l("Public administration"),
    "education": _l("Education"),
    "finance": _l("Finance"),
    "other": _l("Other"),
}

# Stored workflow states.
DRAFT = "draft"
IN_REVIEW = "in_review"
CHANGES_REQUESTED = "changes_requested"
APPROVED = "approved"  # published from publish_at on; open/closed follow from the stages
IN_EVALUATION = "in_evaluation"
RESULTS_PUBLISHED = "results_published"
ARCHIVED = "archived"
# Derived from APPROVED and the clock.
SCHEDULED = "scheduled"  # approved, publish_at still ahead
PUBLISHED = "published"  # visible, first stage not open yet
OPEN = "open"
CLOSED = "closed"

STATE_LABELS = {
    DRAFT: _l("Draft"),
    IN_REVIEW: _l("In review"),
    CHANGES_REQUESTED: _l("Changes requested"),
    APPROVED: _l("Approved"),
    SCHEDULED: _l("Scheduled"),
    PUBLISHED: _l("Published"),
    OPEN: _l("Open"),
    CLOSED: _l("Closed"),
    IN_EVALUATION: _l("In evaluation"),
    RESULTS_PUBLISHED: _l("Results published"),
    ARCHIVED: _l("Archived"),
}
PUBLIC_STATES = (PUBLISHED, OPEN, CLOSED, IN_EVALUATION, RESULTS_PUBLISHED, ARCHIVED)

COUNTRIES_ALL, COUNTRIES_EU, COUNTRIES_LIST = "all", "eu", "list"

LEAD, COHOST = "lead", "cohost"

# Whether entries must (or are asked to) carry an open licence (submissions/licences.py says which are open).
OPEN_LICENCE_NONE, OPEN_LICENCE_ENCOURAGE, OPEN_LICENCE_REQUIRE = "none", "encourage", "require"
OPEN_LICENCE_LABELS = {
    OPEN_LICENCE_NONE: _l("No licence asked for"),
    OPEN_LICENCE_ENCOURAGE: _l("An open-source licence is encouraged"),
    OPEN_LICENCE_REQUIRE: _l("An open-source licence is required"),
}
INVITED, ACCEPTED, DECLINED = "invited", "accepted", "declined"



class ChallengePart:
    """A row that belongs to one challenge (a stage, a criterion, a prize, an attachment, a question) and is
    deleted with it."""

    id = db.Column(db.Integer, primary_key=True)

    @declared_attr
    def challenge_id(cls):
        return db.Column(db.Integer, db.ForeignKey("challenge.id", ondelete="CASCADE"), nullable=False, index=True)

class Challenge(db.Model):
    __tablename__ = "challenge"

    id = db.Column(db.Integer, primary_key=True)
    slug = db.Column(db.String(100), nullable=False, unique=True)
    main_language = db.Column(db.String(8), nullable=False)
    title = db.Column(db.JSON, nullable=False, default=dict)
    summary = db.Column(db.JSON, nullable=False, default=dict)
    description = db.Column(db.JSON, nullable=False, default=dict)
    expected_outcome = db.Column(db.JSON, nullable=False, default=dict)
    terms = db.Column(db.JSON, nullable=False, default=dict)
    # Lower-cased text of every language, for word search in any language of the content.
    search_text = db.Column(db.Text, nullable=False, default="")
    domain = db.Column(db.String(20), nullable=False, default="other", index=True)
    tags = db.Column(db.JSON, nullable=False, default=list)
    timezone = db.Column(db.String(64), nullable=False, default="UTC")

    status = db.Column(db.String(20), nullable=False, default=DRAFT, index=True)
    publish_at = db.Column(UTCDateTime, nullable=True)
    # Kept equal to the first stage's opening and the last stage's closing by the operations.
    opens_at = db.Column(UTCDateTime, nullable=True)
    closes_at = db.Column(UTCDateTime, nullable=True, index=True)
    results_at = db.Column(UTCDateTime, nullable=True)

    countries_mode = db.Column(db.String(4), nullable=False, default=COUNTRIES_ALL)
    countries = db.Column(db.JSON, nullable=False, default=list)
    entrant_kinds = db.Column(db.JSON, nullable=False, default=list)  # empty: every kind
    team_min = db.Column(db.Integer, nullable=False, default=1)
    team_max = db.Column(db.Integer, nullable=False, default=5)

    anonymous_review = db.Column(db.Boolean, nullable=False, default=True)
    review_comment = db.Column(db.String(20), nullable=False, default="overall")  # none | overall | per_criterion
    jurors_see_others = db.Column(db.Boolean, nullable=False, default=False)
    aggregation = db.Column(db.String(20), nullable=False, default="mean")  # mean | median | trimmed_mean
    # model (the recommended default of a new challenge: results/ranking_model.py) | none | standardise | offset.
    # Only the application sets this default: existing challenges keep the method they were created with.
    calibration = db.Column(db.String(20), nullable=False, default="model")
    publish_ranking = db.Column(db.String(10), nullable=False, default="all")  # winners | all
    open_licence = db.Column(db.String(10), nullable=False, default=OPEN_LICENCE_NONE, server_default=OPEN_LICENCE_NONE)
    # The published challenge this one was copied from by another public body (reuse/copying.py).
    based_on_id = db.Column(db.Integer, db.ForeignKey("challenge.id", ondelete="SET NULL"), nullable=True, index=True)

    created_by_id = db.Column(db.Integer, db.ForeignKey("user_account.id"), nullable=True)
    created_at = db.Column(UTCDateTime, nullable=False, default=utcnow)
    updated_at = db.Column(UTCDateTime, nullable=False, default=utcnow, onupdate=utcnow)
    # Raised on every edit; forms carry it so a stale edit is refused instead of overwriting.
    version = db.Column(db.Integer, nullable=False, default=1)

    hosts = db.relationship("ChallengeHost", back_populates="challenge", cascade="all, delete-orphan", order_by="ChallengeHost.id")
    stages = db.relationship("Stage", back_populates="challenge", cascade="all, delete-orphan", order_by="Stage.position")
    criteria = db.relationship("Criterion", back_populates="challenge", cascade="all, delete-orphan", order_by="Criterion.position")
    prizes = db.relationship("Prize", back_populates="challenge", cascade="all, delete-orphan", order_by="Prize.position")
    attachments = db.relationship("ChallengeAttachment", back_populates="challenge", cascade="all, delete-orphan")
    based_on = db.relationship("Challenge", remote_side="Challenge.id", foreign_keys=[based_on_id])

    def state_at(self, now):
        """The state a visitor sees at `now`: stored workflow state, refined by the clock."""
        if self.status != APPROVED:
            return self.status
        if self.publish_at is not None and now < self.publish_at:
            return SCHEDULED
        if self.opens_at is None or now < self.opens_at:
            return PUBLISHED
        if self.closes_at is None or now < self.closes_at:
            return OPEN
        return CLOSED

    @property
    def state(self):
        return self.state_at(utcnow())

    @property
    def state_label(self):
        return STATE_LABELS.get(self.state, self.state)

    @property
    def languages(self):
        codes = {self.main_language} | {code for code, text in (self.title or {}).items() if text}
        return [self.main_language] + sorted(codes - {self.main_language})

    @property
    def is_public(self):
        return self.state in PUBLIC_STATES

    @property
    def lead_host(self):
        return next((h for h in self.hosts if h.role == LEAD), None)

    @property
    def accepted_hosts(self):
        return [h for h in self.hosts if h.state == ACCEPTED]

    def stage_open_at(self, now):
        return next((s for s in self.stages if s.opens_at <= now < s.closes_at), None)

    def __repr__(self):
        return f"<Challenge {self.slug}>"


class ChallengeHost(db.Model):
    """A public body hosting a challenge: the lead (accepted from the start) or an invited co-host."""

    __tablename__ = "challenge_host"

    id = db.Column(db.Integer, primary_key=True)
    challenge_id = db.Column(db.Integer, db.ForeignKey("challenge.id", ondelete="CASCADE"), nullable=False)
    organisation_id = db.Column(db.Integer, db.ForeignKey("organisation.id"), nullable=False, index=True)
    role = db.Column(db.String(10), nullable=False, default=COHOST)
    state = db.Column(db.String(10), nullable=False, default=INVITED)
    invited_by_id = db.Column(db.Integer, db.ForeignKey("user_account.id"), nullable=True)
    invited_at = db.Column(UTCDateTime, nullable=False, default=utcnow)
    responded_at = db.Column(UTCDateTime, nullable=True)

    challenge = db.relationship("Challenge", back_populates="hosts")
    organisation = db.relationship("Organisation")

    __table_args__ = (sa.UniqueConstraint("challenge_id", "organisation_id"),)


class Stage(ChallengePart, db.Model):
    """One step of the timeline (Application, Prototype, Final…), each with its own window."""

    __tablename__ = "stage"

    position = db.Column(db.Integer, nullable=False, default=1)
    name = db.Column(db.JSON, nullable=False, default=dict)
    description = db.Column(db.JSON, nullable=False, default=dict)
    opens_at = db.Column(UTCDateTime, nullable=False)
    closes_at = db.Column(UTCDateTime, nullable=False)

    challenge = db.relationship("Challenge", back_populates="stages")

    def is_open_at(self, now):
        return self.opens_at <= now < self.closes_at

    def has_closed_at(self, now):
        return now >= self.closes_at


class Criterion(ChallengePart, db.Model):
    """One line of the published rubric. `round_number` lets a later jury round have its own criteria."""

    __tablename__ = "criterion"

    round_number = db.Column(db.Integer, nullable=False, default=1)
    position = db.Column(db.Integer, nullable=False, default=1)
    name = db.Column(db.JSON, nullable=False, default=dict)
    description = db.Column(db.JSON, nullable=False, default=dict)
    weight = db.Column(db.Float, nullable=False, default=1.0)
    scale_min = db.Column(db.Integer, nullable=False, default=0)
    scale_max = db.Column(db.Integer, nullable=False, default=10)
    anchors = db.Column(db.JSON, nullable=False, default=dict)  # {"0": {"en": "Absent"}, "10": {...}}
    threshold = db.Column(db.Float, nullable=True)  # minimum mean score on the criterion's own scale
    informational = db.Column(db.Boolean, nullable=False, default=False)

    challenge = db.relationship("Challenge", back_populates="criteria")


class Prize(ChallengePart, db.Model):
    """A place (1, 2, 3…) or, with place None, a special award."""

    __tablename__ = "prize"

    position = db.Column(db.Integer, nullable=False, default=1)
    place = db.Column(db.Integer, nullable=True)
    name = db.Column(db.JSON, nullable=False, default=dict)
    description = db.Column(db.JSON, nullable=False, default=dict)
    amount = db.Column(db.Numeric(14, 2), nullable=True)
    currency = db.Column(db.String(3), nullable=True)

    challenge = db.relationship("Challenge", back_populates="prizes")


class ChallengeAttachment(ChallengePart, StoredFileColumns, db.Model):
    __tablename__ = "challenge_attachment"

    title = db.Column(db.JSON, nullable=False, default=dict)

    challenge = db.relationship("Challenge", back_populates="attachments")


class Clarification(ChallengePart, db.Model):
    """A question asked in public, and the hosts' answer."""

    __tablename__ = "clarification"

    asked_by_id = db.Column(db.Integer, db.ForeignKey("user_account.id"), nullable=True)
    question = db.Column(db.Text, nullable=False)
    language = db.Column(db.String(8), nullable=False, default="en")
    answer = db.Column(db.Text, nullable=True)
    answered_by_id = db.Column(db.Integer, db.ForeignKey("user_account.id"), nullable=True)
    asked_at = db.Column(UTCDateTime, nullable=False, default=utcnow)
    answered_at = db.Column(UTCDateTime, nullable=True)


class Follow(db.Model):
    __tablename__ = "challenge_follow"

    id = db.Column(db.Integer, primary_key=True)
    challenge_id = db.Column(db.Integer, db.ForeignKey("challenge.id", ondelete="CASCADE"), nullable=False)
    user_id = db.Column(db.Integer, db.ForeignKey("user_account.id", ondelete="CASCADE"), nullable=False, index=True)
    created_at = db.Column(UTCDateTime, nullable=False, default=utcnow)

    __table_args__ = (sa.UniqueConstraint("challenge_id", "user_id"),)


def by_slug(slug):
    return db.session.execute(sa.select(Challenge).where(Challenge.slug == slug)).scalar_one_or_none()
