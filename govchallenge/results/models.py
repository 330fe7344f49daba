"""Results: contests and awards, the publication of a ranking (proposed by the chair, confirmed by
every host, frozen with its digest), and its announcement — one delivery row per recipient and
channel, whose UNIQUE key makes each message go out once."""
import secrets

import sqlalchemy as sa
from govchallenge.core.i18n import lazy_text as _l

from govchallenge.core.timeutil import UTCDateTime, utcnow
from govchallenge.extensions import db

# Publication states.
PROPOSED, PUBLISHED, SUPERSEDED = "proposed", "published", "superseded"
PUBLICATION_STATES = {PROPOSED: _l("Proposed"), PUBLISHED: _l("Published"), SUPERSEDED: _l("Superseded")}

# Delivery channels and states.
EMAIL, WEBHOOK, FEED = "email", "webhook", "feed"
CHANNEL_LABELS = {EMAIL: _l("E-mail"), WEBHOOK: _l("Webhook"), FEED: _l("Atom feed")}
PENDING, SENDING, SENT, FAILED = "pending", "sending", "sent", "failed"
DELIVERY_STATES = {PENDING: _l("Waiting to retry"), SENDING: _l("Sending"), SENT: _l("Sent"), FAILED: _l("Given up")}
PARTICIPANT, JUROR, FOLLOWER, HOST, PARTNER, PUBLIC = "participant", "juror", "follower", "host", "partner", "public"

contest_challenge = db.Table(
    "contest_challenge",
    db.Column("contest_id", db.Integer, db.ForeignKey("contest.id", ondelete="CASCADE"), primary_key=True),
    db.Column("challenge_id", db.Integer, db.ForeignKey("challenge.id", ondelete="CASCADE"), primary_key=True),
)


class Contest(db.Model):
    """Several challenges run together (as #EUvsVirus: many challenges in a few domains), with
    awards across challenges of one domain or of the whole contest."""

    __tablename__ = "contest"

    id = db.Column(db.Integer, primary_key=True)
    slug = db.Column(db.String(100), nullable=False, unique=True)
    name = db.Column(db.JSON, nullable=False, default=dict)
    description = db.Column(db.JSON, nullable=False, default=dict)
    created_at = db.Column(UTCDateTime, nullable=False, default=utcnow)
    # A contest that hosts joined themselves (reuse/contests.py): the body that proposed it and gives its one
    # shared award, and that award's name ({language: text}). Both empty for a contest made on the command line.
    coordinator_id = db.Column(db.Integer, db.ForeignKey("organisation.id"), nullable=True)
    shared_award = db.Column(db.JSON, nullable=False, default=dict)

    challenges = db.relationship("Challenge", secondary=contest_challenge, order_by="Challenge.id")
    coordinator = db.relationship("Organisation")
    awards = db.relationship("Award", back_populates="contest", order_by="Award.id")

    def challenges_in(self, domain):
        return [c for c in self.challenges if c.domain == domain]


class Award(db.Model):
    """A place or a special award given to an entry: of one challenge (a prize of its own), or
    domain-wide / contest-wide across the challenges of a contest."""

    __tablename__ = "award"

    id = db.Column(db.Integer, primary_key=True)
    challenge_id = db.Column(db.Integer, db.ForeignKey("challenge.id", ondelete="CASCADE"), nullable=True, index=True)
    contest_id = db.Column(db.Integer, db.ForeignKey("contest.id", ondelete="CASCADE"), nullable=True, index=True)
    domain = db.Column(db.String(20), nullable=True)  # a contest's domain-wide award
    prize_id = db.Column(db.Integer, db.ForeignKey("prize.id", ondelete="SET NULL"), nullable=True)
    publication_id = db.Column(db.Integer, db.ForeignKey("publication.id", ondelete="CASCADE"), nullable=True, index=True)
    place = db.Column(db.Integer, nullable=True)  # None: a special award
    name = db.Column(db.JSON, nullable=False, default=dict)
    reason = db.Column(db.Text, nullable=False, default="")
    submission_id = db.Column(db.Integer, db.ForeignKey("submission.id", ondelete="CASCADE"), nullable=False, index=True)
    awarded_by_id = db.Column(db.Integer, db.ForeignKey("user_account.id"), nullable=True)
    created_at = db.Column(UTCDateTime, nullable=False, default=utcnow)

    contest = db.relationship("Contest", back_populates="awards")
    prize = db.relationship("Prize")
    submission = db.relationship("Submission")

    __table_args__ = (
        sa.CheckConstraint("challenge_id IS NOT NULL OR contest_id IS NOT NULL", name="ck_award_scope"),
    )


class Publication(db.Model):
    """A ranking proposed by the chair; published (scores frozen, digest taken) on the last host's
    confirmation. `document` is what the public sees and the digest covers; `full` keeps what
    only the jury, chair, hosts — and each team for itself — may see."""

    __tablename__ = "publication"

    id = db.Column(db.Integer, primary_key=True)
    challenge_id = db.Column(db.Integer, db.ForeignKey("challenge.id", ondelete="CASCADE"), nullable=False, index=True)
    state = db.Column(db.String(12), nullable=False, default=PROPOSED, index=True)
    proposed_by_id = db.Column(db.Integer, db.ForeignKey("user_account.id"), nullable=True)
    proposed_at = db.Column(UTCDateTime, nullable=False, default=utcnow)
    chair_decisions = db.Column(db.JSON, nullable=False, default=list)  # [{"order": [public ids], "reason": str}]
    priority_criterion_id = db.Column(db.Integer, nullable=True)
    full = db.Column(db.JSON, nullable=False, default=dict)
    document = db.Column(db.JSON, nullable=True)  # frozen on publication
    digest = db.Column(db.String(64), nullable=True)
    # The rule the digest was taken by (results/digests.py), set with it: RFC 8785 from revision 0008 on;
    # publications made before keep the rule they were published with.
    digest_scheme = db.Column(db.String(32), nullable=True)
    published_at = db.Column(UTCDateTime, nullable=True)

    challenge = db.relationship("Challenge")
    proposed_by = db.relationship("User")
    confirmations = db.relationship("HostConfirmation", back_populates="publication", cascade="all, delete-orphan",
                                    order_by="HostConfirmation.id")
    announcement = db.relationship("Announcement", back_populates="publication", uselist=False)

    @property
    def is_published(self):
        return self.state == PUBLISHED


class HostConfirmation(db.Model):
    __tablename__ = "host_confirmation"

    id = db.Column(db.Integer, primary_key=True)
    publication_id = db.Column(db.Integer, db.ForeignKey("publication.id", ondelete="CASCADE"), nullable=False)
    organisation_id = db.Column(db.Integer, db.ForeignKey("organisation.id"), nullable=False)
    confirmed_by_id = db.Column(db.Integer, db.ForeignKey("user_account.id"), nullable=True)
    confirmed_at = db.Column(UTCDateTime, nullable=False, default=utcnow)

    publication = db.relationship("Publication", back_populates="confirmations")
    organisation = db.relationship("Organisation")
    confirmed_by = db.relationship("User")

    __table_args__ = (sa.UniqueConstraint("publication_id", "organisation_id"),)


class Announcement(db.Model):
    """One per publication: the fan-out job's bookkeeping."""

    __tablename__ = "announcement"

    id = db.Column(db.Integer, primary_key=True)
    publication_id = db.Column(db.Integer, db.ForeignKey("publication.id", ondelete="CASCADE"), nullable=False, unique=True)
    created_at = db.Column(UTCDateTime, nullable=False, default=utcnow)
    fanned_out_at = db.Column(UTCDateTime, nullable=True)
    finished_at = db.Column(UTCDateTime, nullable=True)

    publication = db.relationship("Publication", back_populates="announcement")
    deliveries = db.relationship("Delivery", back_populates="announcement", cascade="all, delete-orphan",
                                 lazy="dynamic")


class Delivery(db.Model):
    """One message to one recipient on one channel. The UNIQUE key is the exactly-once guarantee:
    the fan-out can run any number of times; a row is claimed (pending -> sending) by one worker
    only, and marked sent right after the send."""

    __tablename__ = "delivery"

    id = db.Column(db.Integer, primary_key=True)
    announcement_id = db.Column(db.Integer, db.ForeignKey("announcement.id", ondelete="CASCADE"), nullable=False)
    channel = db.Column(db.String(10), nullable=False)
    recipient_key = db.Column(db.String(120), nullable=False)  # "user:12", "endpoint:3", "feed"
    role = db.Column(db.String(12), nullable=False, default=PUBLIC)
    user_id = db.Column(db.Integer, db.ForeignKey("user_account.id", ondelete="SET NULL"), nullable=True)
    endpoint_id = db.Column(db.Integer, db.ForeignKey("webhook_endpoint.id", ondelete="SET NULL"), nullable=True)
    submission_id = db.Column(db.Integer, nullable=True)  # the participant's own entry
    language = db.Column(db.String(8), nullable=False, default="en")
    state = db.Column(db.String(10), nullable=False, default=PENDING, index=True)
    attempts = db.Column(db.Integer, nullable=False, default=0)
    max_attempts = db.Column(db.Integer, nullable=False, default=5)
    last_error = db.Column(db.Text, nullable=False, default="")
    next_attempt_at = db.Column(UTCDateTime, nullable=True)
    claimed_at = db.Column(UTCDateTime, nullable=True)
    sent_at = db.Column(UTCDateTime, nullable=True)
    created_at = db.Column(UTCDateTime, nullable=False, default=utcnow)

    announcement = db.relationship("Announcement", back_populates="deliveries")
    user = db.relationship("User")
    endpoint = db.relationship("WebhookEndpoint")

    __table_args__ = (
        sa.UniqueConstraint("announcement_id", "channel", "recipient_key", name="uq_delivery_once"),
        sa.Index("ix_delivery_progress", "announcement_id", "state"),
    )

    @property
    def state_label(self):
        return DELIVERY_STATES.get(self.state, self.state)

    @property
    def channel_label(self):
        return CHANNEL_LABELS.get(self.channel, self.channel)


def new_secret():
    return secrets.token_hex(32)


class WebhookEndpoint(db.Model):
    """A partner endpoint (a national GovTech portal…) registered by a host organisation; results
    of that organisation's challenges are POSTed to it, signed with the shared secret."""

    __tablename__ = "webhook_endpoint"

    id = db.Column(db.Integer, primary_key=True)
    organisation_id = db.Column(db.Integer, db.ForeignKey("organisation.id", ondelete="CASCADE"), nullable=False, index=True)
    url = db.Column(db.String(500), nullable=False)
    secret = db.Column(db.String(128), nullable=False, default=new_secret)
    active = db.Column(db.Boolean, nullable=False, default=True)
    created_by_id = db.Column(db.Integer, db.ForeignKey("user_account.id"), nullable=True)
    created_at = db.Column(UTCDateTime, nullable=False, default=utcnow)

    organisation = db.relationship("Organisation")


def published_for(challenge_id):
    return db.session.execute(
        sa.select(Publication).where(Publication.challenge_id == challenge_id, Publication.state == PUBLISHED)
    ).scalar_one_or_none()


def proposed_for(challenge_id):
    return db.session.execute(
        sa.select(Publication).where(Publication.challenge_id == challenge_id, Publication.state == PROPOSED)
        .order_by(Publication.id.desc()).limit(1)
    ).scalar_one_or_none()


class StoredComputation(db.Model):
    """The ranking and agreement of a challenge's results, computed once for exactly these inputs (`key`: the
    SHA-256 of their canonical JSON, results/computations.py) and read by every later page and proposal."""

    __tablename__ = "results_computation"

    key = db.Column(db.String(64), primary_key=True)
    challenge_id = db.Column(db.Integer, db.ForeignKey("challenge.id", ondelete="CASCADE"), nullable=False, index=True)
    result = db.Column(db.JSON, nullable=False)
    computed_at = db.Column(UTCDateTime, nullable=False, default=utcnow)
