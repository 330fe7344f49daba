"""The jury of a challenge: jurors, their conflicts, rounds, assignments, reviews and overrides.

Scores are stored per review as JSON {str(criterion_id): number}; the criteria of a round are the
challenge's criteria whose `round_number` equals `Round.number` (challenges/models.py).
"""
import secrets

import sqlalchemy as sa
from govchallenge.core.i18n import lazy_text as _l

from govchallenge.core.slugs import new_public_id
from govchallenge.core.timeutil import UTCDateTime, utcnow
from govchallenge.extensions import db

# Juror states
INVITED, ACCEPTED, DECLINED = "invited", "accepted", "declined"
JUROR_STATES = {INVITED: _l("Invited"), ACCEPTED: _l("Accepted"), DECLINED: _l("Declined")}

# Conflict kinds and sources
CONFLICT_KINDS = {
    "same_organisation": _l("Same organisation"),
    "collaborator": _l("Collaborator"),
    "personal": _l("Personal relationship"),
    "financial": _l("Financial interest"),
    "other": _l("Other"),
}
DECLARED, DETECTED, CHAIR = "declared", "detected", "chair"
CONFLICT_SOURCES = {DECLARED: _l("Declared by the juror"), DETECTED: _l("Detected"), CHAIR: _l("Added by the chair")}

# Round states
OPEN, CLOSED = "open", "closed"
ROUND_STATES = {OPEN: _l("Open"), CLOSED: _l("Closed")}

# Round kinds: scored on the rubric (assignments and reviews), judged in pairs on a demo day (one finalist
# shown at a time, "previous or current: which was better?", Crowd-BT), or a ranked vote (Schulze method).
RUBRIC, PAIRWISE, RANKED = "rubric", "pairwise", "ranked"
ROUND_KINDS = {RUBRIC: _l("Rubric scores"), PAIRWISE: _l("Pairwise comparison (demo day)"),
               RANKED: _l("Ranked vote (Schulze method)")}
FINAL_KINDS = (PAIRWISE, RANKED)

# The answer of a pairwise comparison: the finalist shown before was better, or the one shown now.
PREVIOUS, CURRENT = "previous", "current"

# Assignment states and sources
ACTIVE, RECUSED = "active", "recused"
AUTO, MANUAL = "auto", "manual"

# Review states
DRAFT, SUBMITTED = "draft", "submitted"
REVIEW_STATES = {DRAFT: _l("Draft"), SUBMITTED: _l("Submitted")}

# Why an entry leaves a round unranked. The chair picks one (and writes a reason in their own words); the team
# is told the kind in its own language. The first two say the entry was *not reviewed*, and why.
NO_REVIEWER, REVIEWS_LATE, EXCLUDED_OTHER = "no_reviewer", "reviews_late", "other"
EXCLUSION_KINDS = {
    NO_REVIEWER: _l("no juror free of a conflict of interest could review it"),
    REVIEWS_LATE: _l("the jurors assigned to it did not submit their reviews in time"),
    EXCLUDED_OTHER: _l("the chair excluded it"),
}
NOT_REVIEWED_KINDS = (NO_REVIEWER, REVIEWS_LATE)


def round_label(number):
    return _l("Round %(n)s", n=number)


class Juror(db.Model):
    """A person invited to the jury of a challenge; `user_id` is set when they accept."""

    __tablename__ = "juror"

    id = db.Column(db.Integer, primary_key=True)
    challenge_id = db.Column(db.Integer, db.ForeignKey("challenge.id", ondelete="CASCADE"), nullable=False, index=True)
    user_id = db.Column(db.Integer, db.ForeignKey("user_account.id", ondelete="SET NULL"), nullable=True, index=True)
    email = db.Column(db.String(320), nullable=False)
    name = db.Column(db.String(200), nullable=False, default="")
    organisation_id = db.Column(db.Integer, db.ForeignKey("organisation.id"), nullable=True)
    is_chair = db.Column(db.Boolean, nullable=False, default=False)
    state = db.Column(db.String(10), nullable=False, default=INVITED)
    nonce = db.Column(db.String(32), nullable=False, default=lambda: secrets.token_hex(16))
    invited_by_id = db.Column(db.Integer, db.ForeignKey("user_account.id"), nullable=True)
    confidentiality_agreed_at = db.Column(UTCDateTime, nullable=True)
    invited_at = db.Column(UTCDateTime, nullable=False, default=utcnow)
    accepted_at = db.Column(UTCDateTime, nullable=True)
    declined_at = db.Column(UTCDateTime, nullable=True)
    # Set when the juror (or the chair for them) declares a conflict while they hold assignments: their list is
    # held until the chair's next reassignment, so no entry leaves it the moment the declaration is made.
    list_held_since = db.Column(UTCDateTime, nullable=True)
    list_changed_at = db.Column(UTCDateTime, nullable=True)

    challenge = db.relationship("Challenge")
    user = db.relationship("User", foreign_keys=[user_id])
    organisation = db.relationship("Organisation")
    conflicts = db.relationship("ConflictDeclaration", back_populates="juror", cascade="all, delete-orphan",
                                order_by="ConflictDeclaration.id")

    __table_args__ = (sa.UniqueConstraint("challenge_id", "email"),)

    @property
    def state_label(self):
        return JUROR_STATES.get(self.state, self.state)

    @property
    def display_name(self):
        if self.user is not None:
            return self.user.name or self.email
        return self.name or self.email

    @property
    def is_active(self):
        return self.state == ACCEPTED and self.confidentiality_agreed_at is not None

    def __repr__(self):
        return f"<Juror {self.email} of {self.challenge_id}>"


class ConflictDeclaration(db.Model):
    """A conflict of a juror with an organisation or a person (an e-mail address or a full name, as typed), declared
    by the juror or added by the chair. `team_id` is read for rows made before conflicts named people."""

    __tablename__ = "conflict_declaration"

    id = db.Column(db.Integer, primary_key=True)
    juror_id = db.Column(db.Integer, db.ForeignKey("juror.id", ondelete="CASCADE"), nullable=False, index=True)
    team_id = db.Column(db.Integer, db.ForeignKey("team.id", ondelete="CASCADE"), nullable=True)
    organisation_id = db.Column(db.Integer, db.ForeignKey("organisation.id"), nullable=True)
    person = db.Column(db.String(320), nullable=True)
    kind = db.Column(db.String(20), nullable=False, default="other")
    note = db.Column(db.Text, nullable=False, default="")
    source = db.Column(db.String(10), nullable=False, default=DECLARED)
    created_by_id = db.Column(db.Integer, db.ForeignKey("user_account.id"), nullable=True)
    created_at = db.Column(UTCDateTime, nullable=False, default=utcnow)

    juror = db.relationship("Juror", back_populates="conflicts")
    team = db.relationship("Team")
    organisation = db.relationship("Organisation")

    @property
    def kind_label(self):
        return CONFLICT_KINDS.get(self.kind, self.kind)

    @property
    def source_label(self):
        return CONFLICT_SOURCES.get(self.source, self.source)


class Round(db.Model):
    """One round of scoring (1: every submitted entry of a stage; 2: the shortlist…)."""

    __tablename__ = "jury_round"

    id = db.Column(db.Integer, primary_key=True)
    challenge_id = db.Column(db.Integer, db.ForeignKey("challenge.id", ondelete="CASCADE"), nullable=False, index=True)
    number = db.Column(db.Integer, nullable=False, default=1)
    # Unused: kept so the schema need not change. Rounds are named at display time (`label`), in the viewer's language.
    name = db.Column(db.JSON, nullable=False, default=dict)
    stage_id = db.Column(db.Integer, db.ForeignKey("stage.id", ondelete="SET NULL"), nullable=True)
    reviews_per_entry = db.Column(db.Integer, nullable=False, default=3)
    state = db.Column(db.String(10), nullable=False, default=OPEN)
    closes_at = db.Column(UTCDateTime, nullable=True)
    closed_at = db.Column(UTCDateTime, nullable=True)
    closed_reason = db.Column(db.Text, nullable=True)
    closed_by_id = db.Column(db.Integer, db.ForeignKey("user_account.id"), nullable=True)
    seed = db.Column(db.BigInteger, nullable=True)
    assigned_at = db.Column(UTCDateTime, nullable=True)
    created_at = db.Column(UTCDateTime, nullable=False, default=utcnow)
    kind = db.Column(db.String(10), nullable=False, default=RUBRIC, server_default=RUBRIC)

    challenge = db.relationship("Challenge")
    entries = db.relationship("RoundEntry", back_populates="round", cascade="all, delete-orphan", order_by="RoundEntry.id")
    round_jurors = db.relationship("RoundJuror", back_populates="round", cascade="all, delete-orphan")
    assignments = db.relationship("Assignment", back_populates="round", cascade="all, delete-orphan", order_by="Assignment.id")

    __table_args__ = (sa.UniqueConstraint("challenge_id", "number"),)

    @property
    def is_open(self):
        return self.state == OPEN

    @property
    def state_label(self):
        return ROUND_STATES.get(self.state, self.state)

    @property
    def kind_label(self):
        return ROUND_KINDS.get(self.kind, self.kind)

    @property
    def is_final_kind(self):
        return self.kind in FINAL_KINDS

    @property
    def label(self):
        """"Round 2", translated when shown: nothing language-specific is stored."""
        return round_label(self.number)

    @property
    def criteria(self):
        """The rubric of this round: the criteria with its number, else (no own rubric) round 1's."""
        own = [c for c in self.challenge.criteria if c.round_number == self.number]
        return own or [c for c in self.challenge.criteria if c.round_number == 1]


class RoundEntry(db.Model):
    """An entry (submission) taking part in a round. `excluded_at`: the chair took it out of the ranking, for a
    kind of reason (EXCLUSION_KINDS) and in their words; `review_until`: its reviews may still be submitted
    until then, past the round's closing moment (a per-entry extension)."""

    __tablename__ = "round_entry"

    id = db.Column(db.Integer, primary_key=True)
    round_id = db.Column(db.Integer, db.ForeignKey("jury_round.id", ondelete="CASCADE"), nullable=False, index=True)
    submission_id = db.Column(db.Integer, db.ForeignKey("submission.id", ondelete="CASCADE"), nullable=False)
    excluded_at = db.Column(UTCDateTime, nullable=True)
    exclusion_reason = db.Column(db.Text, nullable=True)
    exclusion_kind = db.Column(db.String(20), nullable=True)
    review_until = db.Column(UTCDateTime, nullable=True)

    round = db.relationship("Round", back_populates="entries")

    @property
    def exclusion_kind_label(self):
        return EXCLUSION_KINDS.get(self.exclusion_kind or EXCLUDED_OTHER)

    @property
    def not_reviewed(self):
        return self.excluded_at is not None and self.exclusion_kind in NOT_REVIEWED_KINDS
    submission = db.relationship("Submission")

    __table_args__ = (sa.UniqueConstraint("round_id", "submission_id"),)


class RoundJuror(db.Model):
    """A juror sitting in a round."""

    __tablename__ = "round_juror"

    round_id = db.Column(db.Integer, db.ForeignKey("jury_round.id", ondelete="CASCADE"), primary_key=True)
    juror_id = db.Column(db.Integer, db.ForeignKey("juror.id", ondelete="CASCADE"), primary_key=True)

    round = db.relationship("Round", back_populates="round_jurors")
    juror = db.relationship("Juror")


class Assignment(db.Model):
    """A juror asked to review an entry in a round. Addressed in URLs by its opaque `public_id`."""

    __tablename__ = "assignment"

    id = db.Column(db.Integer, primary_key=True)
    public_id = db.Column(db.String(24), nullable=False, unique=True, default=new_public_id)
    round_id = db.Column(db.Integer, db.ForeignKey("jury_round.id", ondelete="CASCADE"), nullable=False, index=True)
    juror_id = db.Column(db.Integer, db.ForeignKey("juror.id", ondelete="CASCADE"), nullable=False, index=True)
    submission_id = db.Column(db.Integer, db.ForeignKey("submission.id", ondelete="CASCADE"), nullable=False, index=True)
    state = db.Column(db.String(10), nullable=False, default=ACTIVE)
    source = db.Column(db.String(10), nullable=False, default=AUTO)
    recused_at = db.Column(UTCDateTime, nullable=True)
    recusal_reason = db.Column(db.Text, nullable=True)
    created_at = db.Column(UTCDateTime, nullable=False, default=utcnow)

    round = db.relationship("Round", back_populates="assignments")
    juror = db.relationship("Juror")
    submission = db.relationship("Submission")
    review = db.relationship("Review", back_populates="assignment", uselist=False, cascade="all, delete-orphan")

    __table_args__ = (sa.UniqueConstraint("round_id", "juror_id", "submission_id"),)

    @property
    def is_active(self):
        return self.state == ACTIVE

    @property
    def is_submitted(self):
        return self.review is not None and self.review.state == SUBMITTED


class Review(db.Model):
    """The scores and comments of one assignment: a draft until submitted; editable while the round is open.
    `excluded_at`: kept but not counted (a conflict declared after it was submitted), with the reason."""

    __tablename__ = "review"

    id = db.Column(db.Integer, primary_key=True)
    assignment_id = db.Column(db.Integer, db.ForeignKey("assignment.id", ondelete="CASCADE"), nullable=False, unique=True)
    state = db.Column(db.String(10), nullable=False, default=DRAFT)
    scores = db.Column(db.JSON, nullable=False, default=dict)  # {str(criterion_id): number}
    comments = db.Column(db.JSON, nullable=False, default=dict)  # {"overall": text, str(criterion_id): text}
    lock_version = db.Column(db.Integer, nullable=False, default=1)
    created_at = db.Column(UTCDateTime, nullable=False, default=utcnow)
    updated_at = db.Column(UTCDateTime, nullable=False, default=utcnow)
    submitted_at = db.Column(UTCDateTime, nullable=True)
    excluded_at = db.Column(UTCDateTime, nullable=True)
    exclusion_reason = db.Column(db.Text, nullable=True)

    assignment = db.relationship("Assignment", back_populates="review")
    overrides = db.relationship("ScoreOverride", back_populates="review", cascade="all, delete-orphan", order_by="ScoreOverride.id")

    @property
    def is_submitted(self):
        return self.state == SUBMITTED

    @property
    def counts(self):
        """Submitted and not excluded: a review the scores read."""
        return self.state == SUBMITTED and self.excluded_at is None

    @property
    def state_label(self):
        return REVIEW_STATES.get(self.state, self.state)


class ScoreOverride(db.Model):
    """A chair's change of one score, with its justification."""

    __tablename__ = "score_override"

    id = db.Column(db.Integer, primary_key=True)
    review_id = db.Column(db.Integer, db.ForeignKey("review.id", ondelete="CASCADE"), nullable=False, index=True)
    criterion_id = db.Column(db.Integer, db.ForeignKey("criterion.id", ondelete="CASCADE"), nullable=False)
    old_value = db.Column(db.Float, nullable=True)
    new_value = db.Column(db.Float, nullable=False)
    justification = db.Column(db.Text, nullable=False)
    by_id = db.Column(db.Integer, db.ForeignKey("user_account.id"), nullable=True)
    created_at = db.Column(UTCDateTime, nullable=False, default=utcnow)

    review = db.relationship("Review", back_populates="overrides")
    by = db.relationship("User")


class PairwiseShowing(db.Model):
    """A finalist shown to a juror in a pairwise round, the `position`-th they were shown. From the second on, the
    juror answers on it whether the previous finalist or this one was better (`choice`, once: `voted_at`).
    The vote form names the showing by its opaque `public_id`, so a vote is for what the juror was shown."""

    __tablename__ = "pairwise_showing"

    id = db.Column(db.Integer, primary_key=True)
    public_id = db.Column(db.String(24), nullable=False, unique=True, default=new_public_id)
    round_id = db.Column(db.Integer, db.ForeignKey("jury_round.id", ondelete="CASCADE"), nullable=False, index=True)
    juror_id = db.Column(db.Integer, db.ForeignKey("juror.id", ondelete="CASCADE"), nullable=False)
    submission_id = db.Column(db.Integer, db.ForeignKey("submission.id", ondelete="CASCADE"), nullable=False)
    position = db.Column(db.Integer, nullable=False)
    shown_at = db.Column(UTCDateTime, nullable=False, default=utcnow)
    choice = db.Column(db.String(10), nullable=True)
    voted_at = db.Column(UTCDateTime, nullable=True)

    juror = db.relationship("Juror")
    submission = db.relationship("Submission")

    __table_args__ = (sa.UniqueConstraint("round_id", "juror_id", "submission_id"),
                      sa.UniqueConstraint("round_id", "juror_id", "position"))


class RankedBallot(db.Model):
    """A juror's ballot in a ranked round: the finalists' submission ids best first, in groups of equals
    ([[3], [7, 9], [4]]); finalists left out rank below all those named. Changeable while the round is open."""

    __tablename__ = "ranked_ballot"

    id = db.Column(db.Integer, primary_key=True)
    round_id = db.Column(db.Integer, db.ForeignKey("jury_round.id", ondelete="CASCADE"), nullable=False, index=True)
    juror_id = db.Column(db.Integer, db.ForeignKey("juror.id", ondelete="CASCADE"), nullable=False)
    ranking = db.Column(db.JSON, nullable=False, default=list)
    submitted_at = db.Column(UTCDateTime, nullable=False, default=utcnow)
    updated_at = db.Column(UTCDateTime, nullable=False, default=utcnow)

    juror = db.relationship("Juror")

    __table_args__ = (sa.UniqueConstraint("round_id", "juror_id"),)
