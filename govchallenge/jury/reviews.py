"""Reviews: a juror's drafts and submission, stepping back (by choice or for a conflict declared), the chair's
overrides and exclusions. Flush, never commit."""
import sqlalchemy as sa

from govchallenge.challenges import rubric
from govchallenge.core import audit
from govchallenge.core.timeutil import utcnow
from govchallenge.extensions import db
from govchallenge.teams.models import Team

from .conflicts import conflict_pairs, refuse_conflicted_actor
from .guards import JuryError, require_changeable, require_unfrozen, results_frozen
from .models import (
    ACTIVE, CONFLICT_KINDS, DECLARED, DRAFT, OPEN, RECUSED, SUBMITTED, Assignment, ConflictDeclaration, Review, Round,
    ScoreOverride,
)
from .rounds import run_assignment


def recuse(assignment, actor, reason=""):
    """The juror steps back from an entry (any time); the entry is reassigned to keep its R reviews."""
    if assignment.state != ACTIVE:
        raise JuryError("already_recused")
    rnd = assignment.round
    require_changeable(rnd)
    assignment.state = RECUSED
    assignment.recused_at = utcnow()
    assignment.recusal_reason = (reason or "").strip()
    db.session.flush()
    audit.record("jury.recuse", assignment, actor=actor, round_id=rnd.id, juror_id=assignment.juror_id,
                 submission_id=assignment.submission_id, reason=assignment.recusal_reason)
    return run_assignment(rnd, actor)


def review_of(assignment):
    return assignment.review


def save_review(assignment, actor, scores, comments, lock_version, submit=False):
    """Saves the draft (or submits). Refuses with JuryError and changes nothing when a rule is broken.

    scores: {criterion_id(int): number | None}; comments: {"overall" | criterion_id: text}."""
    rnd = assignment.round
    challenge = rnd.challenge
    if assignment.state != ACTIVE:
        raise JuryError("recused")
    require_unfrozen(challenge)
    if rnd.state != OPEN or (rnd.closes_at is not None and utcnow() >= rnd.closes_at):
        raise JuryError("round_closed")
    review = assignment.review
    current_version = review.lock_version if review is not None else 0
    if lock_version != current_version:
        raise JuryError("stale")
    criteria = {c.id: c for c in rnd.criteria}
    errors = {}
    clean_scores = {}
    for cid, value in (scores or {}).items():
        if cid not in criteria:
            raise JuryError("tampered")
        if value is None:
            continue
        c = criteria[cid]
        if not rubric.on_scale(c, value):
            errors[f"score_{cid}"] = ("out_of_scale", {"min": c.scale_min, "max": c.scale_max})
        else:
            clean_scores[str(cid)] = value
    clean_comments = {}
    for key, text in (comments or {}).items():
        if key != "overall" and key not in criteria:
            raise JuryError("tampered")
        if text and text.strip():
            clean_comments[str(key)] = text.strip()
    if submit:
        for cid, c in criteria.items():
            if str(cid) not in clean_scores and f"score_{cid}" not in errors:
                errors[f"score_{cid}"] = ("score_required", {})
        mode = challenge.review_comment
        if mode == "overall" and not clean_comments.get("overall"):
            errors["comment_overall"] = ("comment_required", {})
        elif mode == "per_criterion":
            for cid in criteria:
                if not clean_comments.get(str(cid)):
                    errors[f"comment_{cid}"] = ("comment_required", {})
    if errors:
        raise JuryError("invalid", fields=errors)
    now = utcnow()
    if review is None:
        review = Review(assignment=assignment, state=DRAFT, lock_version=0)
        db.session.add(review)
    before = {"scores": dict(review.scores or {}), "state": review.state}
    review.scores = clean_scores
    review.comments = clean_comments
    review.lock_version = current_version + 1
    review.updated_at = now
    if submit:
        if review.state != SUBMITTED:
            review.submitted_at = now
        review.state = SUBMITTED
    db.session.flush()
    audit.record("jury.review_submit" if submit else "jury.review_save", review, actor=actor,
                 assignment=assignment.public_id, round_id=rnd.id, before=before, scores=clean_scores,
                 state=review.state)
    return review


def override_score(review, criterion, new_value, justification, actor):
    """The chair changes one score, with a written justification: only while the round is open and the
    results unpublished, and never on an entry the chair is conflicted with."""
    rnd = review.assignment.round
    require_changeable(rnd)
    if criterion.challenge_id != rnd.challenge_id or criterion.id not in {c.id for c in rnd.criteria}:
        raise JuryError("tampered")
    refuse_conflicted_actor(rnd.challenge_id, actor, review.assignment.submission_id)
    if not (justification or "").strip():
        raise JuryError("justification")
    if not (criterion.scale_min <= new_value <= criterion.scale_max):
        raise JuryError("out_of_scale", min=criterion.scale_min, max=criterion.scale_max)
    old = (review.scores or {}).get(str(criterion.id))
    scores = dict(review.scores or {})
    scores[str(criterion.id)] = new_value
    review.scores = scores
    review.lock_version += 1
    o = ScoreOverride(review_id=review.id, criterion_id=criterion.id, old_value=old, new_value=new_value,
                      justification=justification.strip(), by_id=actor.id)
    db.session.add(o)
    db.session.flush()
    audit.record("jury.override", o, actor=actor, review_id=review.id, criterion_id=criterion.id, old=old,
                 new=new_value, justification=o.justification)
    return o


def exclude_entry(entry, reason, actor):
    """The chair excludes an entry (e.g. ineligible), with a written reason: same limits as override_score."""
    rnd = entry.round
    require_changeable(rnd)
    refuse_conflicted_actor(rnd.challenge_id, actor, entry.submission_id)
    if not (reason or "").strip():
        raise JuryError("justification")
    if entry.excluded_at is not None:
        raise JuryError("already_excluded")
    entry.excluded_at = utcnow()
    entry.exclusion_reason = reason.strip()
    db.session.flush()
    audit.record("jury.exclude", entry, actor=actor, round_id=entry.round_id, submission_id=entry.submission_id,
                 reason=entry.exclusion_reason)
    return entry


def declare_conflict(juror, actor, kind, note="", team_id=None, organisation_id=None, source=DECLARED):
    """A conflict with a team or an organisation; any active assignment it touches is recused and reassigned."""
    if kind not in CONFLICT_KINDS:
        raise JuryError("bad_kind")
    if team_id is None and organisation_id is None:
        raise JuryError("conflict_target")
    if team_id is not None:
        team = db.session.get(Team, team_id)
        if team is None or team.challenge_id != juror.challenge_id:
            raise JuryError("conflict_target")
    conflict = ConflictDeclaration(juror_id=juror.id, team_id=team_id, organisation_id=organisation_id, kind=kind,
                                   note=(note or "").strip(), source=source, created_by_id=getattr(actor, "id", None))
    db.session.add(conflict)
    db.session.flush()
    audit.record("jury.conflict", conflict, actor=actor, juror_id=juror.id, team_id=team_id,
                 organisation_id=organisation_id, kind=kind, source=source)
    if results_frozen(juror.challenge):
        return conflict  # recorded for the trail; the published results are not reopened
    conflicted = conflict_pairs(juror.challenge_id)
    touched = db.session.execute(
        sa.select(Assignment).join(Round).where(Assignment.juror_id == juror.id, Assignment.state == ACTIVE, Round.state == OPEN)
    ).scalars().all()
    for a in touched:
        if (a.juror_id, a.submission_id) in conflicted:
            recuse(a, actor, reason="conflict")
    return conflict
