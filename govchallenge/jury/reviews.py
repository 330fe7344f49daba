"""Reviews: a juror's drafts and submission, stepping back (by choice or for a conflict declared), the chair's
overrides and exclusions. Flush, never commit."""
import sqlalchemy as sa

from govchallenge.challenges import rubric
from govchallenge.core import audit
from govchallenge.core.timeutil import utcnow
from govchallenge.extensions import db
from govchallenge.organisations.models import Organisation

from .conflicts import conflict_pairs, parse_people, person_key, refuse_conflicted_actor
from .guards import JuryError, require_changeable, require_unfrozen, results_frozen
from .models import (
    ACTIVE, CONFLICT_KINDS, DECLARED, DRAFT, EXCLUDED_OTHER, OPEN, RECUSED, SUBMITTED, Assignment, ConflictDeclaration,
    Review, Round, ScoreOverride,
)
from .closing import exclude_round_entry, reviews_open
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
    if getattr(actor, "id", None) != assignment.juror.user_id:
        assignment.juror.list_changed_at = assignment.recused_at  # moved by the chair: the juror's list changed
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
    if not reviews_open(rnd, assignment.submission_id):
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


def exclude_entry(entry, reason, actor, kind=EXCLUDED_OTHER):
    """The chair excludes an entry (e.g. ineligible), with a written reason: same limits as override_score."""
    rnd = entry.round
    require_changeable(rnd)
    refuse_conflicted_actor(rnd.challenge_id, actor, entry.submission_id)
    if not (reason or "").strip():
        raise JuryError("justification")
    if entry.excluded_at is not None:
        raise JuryError("already_excluded")
    return exclude_round_entry(entry, kind, reason, actor)


def _organisations(ids):
    """The organisations chosen (any on the platform), or a refusal naming none of them if one is unknown."""
    ids = list(dict.fromkeys(int(i) for i in ids or ()))
    found = {o.id: o for o in db.session.execute(sa.select(Organisation).where(Organisation.id.in_(ids))).scalars()} if ids else {}
    if len(found) != len(ids):
        raise JuryError("conflict_target_unknown")
    return [found[i] for i in ids]


def declare_conflicts(juror, actor, kind, note="", organisation_ids=(), people="", source=DECLARED):
    """Conflicts with organisations (any on the platform, taking part or not) and people (one a line: an e-mail
    address or a full name), all saved or none: a refusal names what is wrong and stores nothing.

    Nothing the juror can see tells whether a declaration touched an entry of theirs. When they hold assignments
    in an open round, the whole list is held (`Juror.list_held_since`) whatever the declaration matched; the
    assignments it touches leave at once (so the scores never read them) and a review already submitted on one
    is kept, marked excluded with the reason, for the chair to see on the dashboard. The chair's next run of the
    assignment moves them, with others (conflicts.entries_to_move), and hands the list back.
    Returns (rows added, how many were declared already)."""
    if kind not in CONFLICT_KINDS:
        raise JuryError("bad_kind")
    organisations = _organisations(organisation_ids)
    persons = parse_people(people)
    if not organisations and not persons:
        raise JuryError("conflict_target")
    known_orgs = {c.organisation_id for c in juror.conflicts if c.organisation_id is not None}
    known_people = {person_key(c.person) for c in juror.conflicts if c.person}
    note = (note or "").strip()
    made, already = [], 0
    targets = [("organisation_id", o.id, o.id in known_orgs) for o in organisations]
    targets += [("person", p, person_key(p) in known_people) for p in persons]
    for column, value, known in targets:
        if known:
            already += 1
            continue
        conflict = ConflictDeclaration(juror_id=juror.id, kind=kind, note=note, source=source,
                                       created_by_id=getattr(actor, "id", None), **{column: value})
        db.session.add(conflict)
        made.append(conflict)
    db.session.flush()
    for conflict in made:
        audit.record("jury.conflict", conflict, actor=actor, juror_id=juror.id, organisation_id=conflict.organisation_id,
                     person=conflict.person, kind=kind, source=source)
    if not results_frozen(juror.challenge):  # else recorded for the trail; the published results are not reopened
        hold_list(juror, actor, reason=f"conflict:{kind}")
    return made, already


def hold_list(juror, actor, reason):
    """Holds the juror's list after a declaration (when they have assignments in an open round) and takes away at
    once the assignments now in conflict; a submitted review among them is kept and excluded, with `reason`
    ("conflict:<kind>", worded for the chair by the dashboard)."""
    active = db.session.execute(
        sa.select(Assignment).join(Round).where(Assignment.juror_id == juror.id, Assignment.state == ACTIVE,
                                                Round.state == OPEN)
    ).scalars().all()
    if not active:
        return []
    now = utcnow()
    if juror.list_held_since is None:
        juror.list_held_since = now
    conflicted = conflict_pairs(juror.challenge_id)
    touched = [a for a in active if (a.juror_id, a.submission_id) in conflicted]
    for a in touched:
        a.state, a.recused_at, a.recusal_reason = RECUSED, now, "conflict"
        if a.review is not None and a.review.state == SUBMITTED and a.review.excluded_at is None:
            a.review.excluded_at = now
            a.review.exclusion_reason = str(reason)
            audit.record("jury.review_excluded", a.review, actor=actor, assignment=a.public_id, round_id=a.round_id,
                         juror_id=juror.id, submission_id=a.submission_id, reason=a.review.exclusion_reason)
    db.session.flush()
    audit.record("jury.list_held", juror, actor=actor, challenge_id=juror.challenge_id,
                 moved=[a.public_id for a in touched])
    return touched
