"""Every state change of the jury: they check the rules, write the audit trail, queue jobs, flush — never commit."""
import math
import random
from collections import defaultdict
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app

from govchallenge.challenges import rubric
from govchallenge.challenges.models import ARCHIVED, RESULTS_PUBLISHED
from govchallenge.core import audit
from govchallenge.core.timeutil import utcnow
from govchallenge.extensions import db
from govchallenge.jobs import outbox
from govchallenge.organisations.models import Membership
from govchallenge.submissions.models import SUBMITTED as ENTRY_SUBMITTED
from govchallenge.submissions.models import Submission
from govchallenge.teams.models import Team, TeamMember

from . import agreement
from . import assignment as algo
from .models import (
    ACCEPTED, ACTIVE, AUTO, CLOSED, CONFLICT_KINDS, DECLARED, DECLINED, DRAFT, INVITED, MANUAL, OPEN, RECUSED,
    SUBMITTED, Assignment, ConflictDeclaration, Juror, Review, Round, RoundEntry, RoundJuror, ScoreOverride,
)

# Once the results are out (or the challenge archived), no score or decision of the jury changes.
FROZEN_STATUSES = (RESULTS_PUBLISHED, ARCHIVED)


class JuryError(Exception):
    """A refused change: `code` names the rule (views map it to a translated message)."""

    def __init__(self, code, **detail):
        super().__init__(code)
        self.code = code
        self.detail = detail


# --- frozen scores ---------------------------------------------------------------------------------

def results_frozen(challenge):
    """True once the challenge's results are published or it is archived: the jury's work is final."""
    return challenge is not None and challenge.status in FROZEN_STATUSES


def _require_unfrozen(challenge):
    if results_frozen(challenge):
        raise JuryError("results_published")


def round_frozen(rnd):
    """Scores and decisions of a round change only while it is open and the results are not published."""
    return rnd.state != OPEN or results_frozen(rnd.challenge)


def _require_changeable(rnd):
    _require_unfrozen(rnd.challenge)
    if rnd.state != OPEN:
        raise JuryError("round_closed")


def _check_closes_at(closes_at):
    if closes_at is not None and closes_at <= utcnow():
        raise JuryError("closes_in_past")


# --- the jury -----------------------------------------------------------------------------------

def invite_juror(challenge, email, name, actor, organisation_id=None, is_chair=False):
    email = (email or "").strip().lower()
    existing = db.session.execute(
        sa.select(Juror).where(Juror.challenge_id == challenge.id, sa.func.lower(Juror.email) == email)
    ).scalar_one_or_none()
    if existing is not None:
        raise JuryError("already_invited")
    juror = Juror(challenge_id=challenge.id, email=email, name=(name or "").strip(), organisation_id=organisation_id,
                  invited_by_id=getattr(actor, "id", None), state=INVITED)
    db.session.add(juror)
    db.session.flush()
    if is_chair:
        set_chair(juror, actor)
    audit.record("jury.invite", juror, actor=actor, challenge_id=challenge.id, email=email, chair=bool(is_chair))
    outbox.enqueue("govchallenge.jury.jobs.send_invitation", juror.id)
    return juror


def set_chair(juror, actor):
    """One chair per jury: naming one un-names the others."""
    for other in db.session.execute(sa.select(Juror).where(Juror.challenge_id == juror.challenge_id, Juror.is_chair.is_(True))).scalars():
        if other.id != juror.id:
            other.is_chair = False
    juror.is_chair = True
    db.session.flush()
    audit.record("jury.chair", juror, actor=actor, challenge_id=juror.challenge_id)
    return juror


def accept_invitation(juror, user, agree, organisation_id=None):
    if juror.state != INVITED:
        raise JuryError("used")
    if not agree:
        raise JuryError("confidentiality")
    other = db.session.execute(
        sa.select(Juror).where(Juror.challenge_id == juror.challenge_id, Juror.user_id == user.id, Juror.id != juror.id)
    ).scalar_one_or_none()
    if other is not None:
        raise JuryError("already_juror")
    now = utcnow()
    juror.user_id = user.id
    juror.state = ACCEPTED
    juror.accepted_at = now
    juror.confidentiality_agreed_at = now
    if organisation_id is not None:
        juror.organisation_id = organisation_id
    if not juror.name:
        juror.name = user.name
    db.session.flush()
    audit.record("jury.accept", juror, actor=user, challenge_id=juror.challenge_id, confidentiality=True)
    # A juror joining an open round sits in it (an assignment run gives them work).
    for rnd in db.session.execute(sa.select(Round).where(Round.challenge_id == juror.challenge_id, Round.state == OPEN)).scalars():
        if db.session.get(RoundJuror, (rnd.id, juror.id)) is None:
            db.session.add(RoundJuror(round_id=rnd.id, juror_id=juror.id))
    db.session.flush()
    return juror


def decline_invitation(juror, user):
    if juror.state != INVITED:
        raise JuryError("used")
    juror.state = DECLINED
    juror.declined_at = utcnow()
    audit.record("jury.decline", juror, actor=user, challenge_id=juror.challenge_id)
    return juror


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


# --- conflicts and specs ------------------------------------------------------------------------

def _load_teams(submission_ids):
    if not submission_ids:
        return {}
    rows = db.session.execute(
        sa.select(Submission).where(Submission.id.in_(list(submission_ids)))
        .options(sa.orm.joinedload(Submission.team).selectinload(Team.members).joinedload(TeamMember.user))
    ).unique().scalars().all()
    return {s.id: s for s in rows}


def _entry_spec(submission):
    members = submission.team.members
    return algo.EntrySpec(
        submission.id,
        frozenset(m.organisation_id for m in members if m.organisation_id is not None),
        frozenset(d for d in (algo.email_domain(m.user.email) for m in members) if d),
        frozenset(m.user_id for m in members),
    )


def _juror_specs(jurors):
    """Specs of each juror (one per organisation they belong to, same juror id) and their main spec."""
    user_ids = [j.user_id for j in jurors if j.user_id]
    orgs = defaultdict(set)
    if user_ids:
        for m in db.session.execute(sa.select(Membership).where(Membership.user_id.in_(user_ids), Membership.state == "active")).scalars():
            orgs[m.user_id].add(m.organisation_id)
    main, extra = [], []
    for j in jurors:
        email = j.user.email if j.user is not None else j.email
        spec = algo.JurorSpec(j.id, j.organisation_id, algo.email_domain(email), j.user_id)
        main.append(spec)
        for org in orgs.get(j.user_id, ()):
            if org != j.organisation_id:
                extra.append(algo.JurorSpec(j.id, org, None, None))
        if j.email and j.user is not None and algo.email_domain(j.email) != spec.email_domain:
            extra.append(algo.JurorSpec(j.id, None, algo.email_domain(j.email), None))
    return main, extra


def challenge_jurors(challenge_id, accepted_only=True):
    query = sa.select(Juror).where(Juror.challenge_id == challenge_id).options(sa.orm.joinedload(Juror.user)).order_by(Juror.id)
    if accepted_only:
        query = query.where(Juror.state == ACCEPTED)
    return db.session.execute(query).scalars().all()


def detected_conflicts(challenge_id, submission_ids=None):
    """{(juror_id, submission_id): reason} found automatically (shared organisation, e-mail domain, membership)."""
    if submission_ids is None:
        submission_ids = db.session.execute(
            sa.select(RoundEntry.submission_id).join(Round).where(Round.challenge_id == challenge_id)
        ).scalars().all()
    submissions = _load_teams(set(submission_ids))
    jurors = challenge_jurors(challenge_id, accepted_only=False)
    main, extra = _juror_specs(jurors)
    return algo.detect_conflicts([_entry_spec(s) for s in submissions.values()], main + extra)


def conflict_pairs(challenge_id, submission_ids=None):
    """Every (juror_id, submission_id) that must not be paired: detected plus declared/chair conflicts."""
    pairs = dict(detected_conflicts(challenge_id, submission_ids))
    declared = db.session.execute(
        sa.select(ConflictDeclaration).join(Juror).where(Juror.challenge_id == challenge_id)
    ).scalars().all()
    if declared:
        subs = db.session.execute(
            sa.select(Submission.id, Submission.team_id).join(RoundEntry, RoundEntry.submission_id == Submission.id)
            .join(Round).where(Round.challenge_id == challenge_id)
        ).all()
        org_teams = defaultdict(set)
        for team_id, org_id in db.session.execute(
            sa.select(TeamMember.team_id, TeamMember.organisation_id).where(TeamMember.challenge_id == challenge_id)
        ).all():
            if org_id is not None:
                org_teams[org_id].add(team_id)
        for c in declared:
            for sid, team_id in subs:
                if c.team_id == team_id or (c.organisation_id is not None and team_id in org_teams[c.organisation_id]):
                    pairs[(c.juror_id, sid)] = c.kind
    return pairs


def juror_of_user(challenge_id, user):
    """The Juror row of `user` in the challenge (any state), or None."""
    if getattr(user, "id", None) is None:
        return None
    return db.session.execute(
        sa.select(Juror).where(Juror.challenge_id == challenge_id, Juror.user_id == user.id)
    ).scalar_one_or_none()


def conflicted_entries(juror, submission_ids=None):
    """The submission ids (of the challenge's rounds, or of `submission_ids`) the juror is conflicted with,
    by the same rules as the assignment: detected, declared or added by the chair."""
    if juror is None:
        return set()
    return {sid for (jid, sid) in conflict_pairs(juror.challenge_id, submission_ids) if jid == juror.id}


def is_conflicted(juror, submission_id):
    return submission_id in conflicted_entries(juror, [submission_id])


def _refuse_conflicted_actor(challenge_id, actor, submission_id):
    """A chair (or anyone on the jury) never changes the scores of an entry they are conflicted with."""
    if is_conflicted(juror_of_user(challenge_id, actor), submission_id):
        raise JuryError("chair_conflict")


# --- rounds and assignment ------------------------------------------------------------------------

def last_closed_stage(challenge, now=None):
    now = now or utcnow()
    closed = [s for s in challenge.stages if s.has_closed_at(now)]
    return closed[-1] if closed else None


def open_first_round(challenge, actor, reviews_per_entry=3, closes_at=None, stage=None, seed=None):
    """Round 1 over every submitted entry of a closed stage, with every accepted juror; then assigns."""
    _require_unfrozen(challenge)
    if db.session.execute(sa.select(Round).where(Round.challenge_id == challenge.id)).first():
        raise JuryError("round_exists")
    _check_closes_at(closes_at)
    stage = stage or last_closed_stage(challenge)
    if stage is None:
        raise JuryError("stage_open")
    submissions = db.session.execute(
        sa.select(Submission.id).where(Submission.stage_id == stage.id, Submission.state == ENTRY_SUBMITTED).order_by(Submission.id)
    ).scalars().all()
    if not submissions:
        raise JuryError("no_entries")
    rnd = Round(challenge_id=challenge.id, number=1, name={}, stage_id=stage.id,
                reviews_per_entry=reviews_per_entry, closes_at=closes_at, state=OPEN)
    db.session.add(rnd)
    db.session.flush()
    for sid in submissions:
        db.session.add(RoundEntry(round_id=rnd.id, submission_id=sid))
    for j in challenge_jurors(challenge.id):
        db.session.add(RoundJuror(round_id=rnd.id, juror_id=j.id))
    db.session.flush()
    audit.record("jury.round_open", rnd, actor=actor, challenge_id=challenge.id, number=1, entries=len(submissions),
                 reviews_per_entry=reviews_per_entry)
    result = run_assignment(rnd, actor, seed=seed)
    if closes_at is not None:
        schedule_reminder(rnd)
    return rnd, result


def round_entries(rnd, include_excluded=False):
    entries = [e for e in rnd.entries if include_excluded or e.excluded_at is None]
    return entries


def round_jurors(rnd):
    ids = [rj.juror_id for rj in rnd.round_jurors]
    jurors = challenge_jurors(rnd.challenge_id)
    return [j for j in jurors if j.id in ids and j.is_active]


def run_assignment(rnd, actor, seed=None, reviews_per_entry=None):
    """(Re)assigns a round: every active assignment is kept; new ones fill the gaps. Returns AssignmentResult."""
    _require_changeable(rnd)
    if reviews_per_entry is not None:
        rnd.reviews_per_entry = int(reviews_per_entry)
    if seed is None:
        seed = random.SystemRandom().randrange(2**31)
    rnd.seed = seed
    entry_ids = [e.submission_id for e in round_entries(rnd)]
    jurors = round_jurors(rnd)
    submissions = _load_teams(entry_ids)
    entries = [_entry_spec(submissions[sid]) for sid in entry_ids]
    main, _extra = _juror_specs(jurors)
    conflicts = conflict_pairs(rnd.challenge_id, entry_ids)
    existing = db.session.execute(sa.select(Assignment).where(Assignment.round_id == rnd.id)).scalars().all()
    keep = [(a.juror_id, a.submission_id) for a in existing if a.state == ACTIVE and a.submission_id in submissions]
    forbid = [(a.juror_id, a.submission_id) for a in existing if a.state != ACTIVE]
    result = algo.assign(entries, main, rnd.reviews_per_entry, conflicts, keep=keep, forbid=forbid, seed=seed)
    kept = set(keep)
    added = 0
    for juror_id, sid in result.pairs:
        if (juror_id, sid) not in kept:
            db.session.add(Assignment(round_id=rnd.id, juror_id=juror_id, submission_id=sid, source=AUTO))
            added += 1
    rnd.assigned_at = utcnow()
    db.session.flush()
    # The juror-entry pairs already kept may have broken a conflict declared later: count them too.
    result.conflicts_broken = sum(1 for p in result.pairs if p in conflicts)
    audit.record("jury.assign", rnd, actor=actor, seed=seed, added=added, stats=result.stats(),
                 short={str(k): v for k, v in result.short.items()})
    return result


def add_assignment(rnd, juror, submission_id, actor):
    """The chair's manual assignment, within the same rules (no conflict, one juror per organisation)."""
    _require_changeable(rnd)
    entry_ids = [e.submission_id for e in round_entries(rnd)]
    if submission_id not in entry_ids or juror.id not in {j.id for j in round_jurors(rnd)}:
        raise JuryError("not_in_round")
    existing = db.session.execute(sa.select(Assignment).where(Assignment.round_id == rnd.id)).scalars().all()
    if any(a.juror_id == juror.id and a.submission_id == submission_id for a in existing):
        raise JuryError("duplicate")
    pairs = [(a.juror_id, a.submission_id) for a in existing if a.state == ACTIVE] + [(juror.id, submission_id)]
    submissions = _load_teams(entry_ids)
    main, _extra = _juror_specs(round_jurors(rnd))
    problems = [p for p in algo.check_assignment([_entry_spec(s) for s in submissions.values()], main, pairs,
                                                 conflicts=conflict_pairs(rnd.challenge_id, entry_ids))
                if p.blocking and p.juror_id == juror.id and p.entry_id == submission_id]
    if problems:
        raise JuryError(problems[0].code)
    a = Assignment(round_id=rnd.id, juror_id=juror.id, submission_id=submission_id, source=MANUAL)
    db.session.add(a)
    db.session.flush()
    audit.record("jury.assign_manual", a, actor=actor, round_id=rnd.id, juror_id=juror.id, submission_id=submission_id)
    return a


def recuse(assignment, actor, reason=""):
    """The juror steps back from an entry (any time); the entry is reassigned to keep its R reviews."""
    if assignment.state != ACTIVE:
        raise JuryError("already_recused")
    rnd = assignment.round
    _require_changeable(rnd)
    assignment.state = RECUSED
    assignment.recused_at = utcnow()
    assignment.recusal_reason = (reason or "").strip()
    db.session.flush()
    audit.record("jury.recuse", assignment, actor=actor, round_id=rnd.id, juror_id=assignment.juror_id,
                 submission_id=assignment.submission_id, reason=assignment.recusal_reason)
    return run_assignment(rnd, actor)


# --- reviews ----------------------------------------------------------------------------------------

def review_of(assignment):
    return assignment.review


def save_review(assignment, actor, scores, comments, lock_version, submit=False):
    """Saves the draft (or submits). Refuses with JuryError and changes nothing when a rule is broken.

    scores: {criterion_id(int): number | None}; comments: {"overall" | criterion_id: text}."""
    rnd = assignment.round
    challenge = rnd.challenge
    if assignment.state != ACTIVE:
        raise JuryError("recused")
    _require_unfrozen(challenge)
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
    _require_changeable(rnd)
    if criterion.challenge_id != rnd.challenge_id or criterion.id not in {c.id for c in rnd.criteria}:
        raise JuryError("tampered")
    _refuse_conflicted_actor(rnd.challenge_id, actor, review.assignment.submission_id)
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
    _require_changeable(rnd)
    _refuse_conflicted_actor(rnd.challenge_id, actor, entry.submission_id)
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


# --- progress, totals, closing, shortlist --------------------------------------------------------------

def active_assignments(rnd):
    return db.session.execute(
        sa.select(Assignment).where(Assignment.round_id == rnd.id, Assignment.state == ACTIVE)
        .options(sa.orm.joinedload(Assignment.review), sa.orm.joinedload(Assignment.juror).joinedload(Juror.user))
    ).unique().scalars().all()


def submitted_scores(rnd, assignments=None):
    """{submission_id: [scores of each submitted review]} of the round's entries that are not excluded."""
    out = defaultdict(list)
    excluded = {e.submission_id for e in rnd.entries if e.excluded_at is not None}
    for a in assignments if assignments is not None else active_assignments(rnd):
        if a.submission_id not in excluded and a.review is not None and a.review.state == SUBMITTED:
            out[a.submission_id].append(a.review.scores)
    return dict(out)


def entry_totals(rnd, assignments=None):
    """{submission_id: [total 0–100 of each submitted review complete on the round's criteria]}."""
    criteria = rnd.criteria
    totals = {sid: rubric.complete_totals(sets, criteria) for sid, sets in submitted_scores(rnd, assignments).items()}
    return {sid: values for sid, values in totals.items() if values}


def progress(rnd):
    """Per juror and per entry: (submitted, assigned); flagged entries whose totals disagree strongly."""
    assignments = active_assignments(rnd)
    excluded = {e.submission_id for e in rnd.entries if e.excluded_at is not None}
    per_juror = defaultdict(lambda: [0, 0])
    per_entry = {e.submission_id: [0, 0] for e in round_entries(rnd)}
    for a in assignments:
        if a.submission_id in excluded:
            continue
        done = a.review is not None and a.review.state == SUBMITTED
        per_juror[a.juror_id][1] += 1
        per_juror[a.juror_id][0] += done
        row = per_entry.setdefault(a.submission_id, [0, 0])
        row[1] += 1
        row[0] += done
    totals = entry_totals(rnd, assignments)
    flagged = set(agreement.strongly_disagreeing(totals))
    return {"jurors": dict(per_juror), "entries": per_entry, "flagged": flagged, "totals": totals,
            "assignments": assignments}


def close_round(rnd, actor, reason=None):
    _require_changeable(rnd)
    info = progress(rnd)
    missing = sum(t - d for d, t in info["jurors"].values())
    reason = (reason or "").strip()
    if missing and not reason:
        raise JuryError("reviews_missing", missing=missing)
    rnd.state = CLOSED
    rnd.closed_at = utcnow()
    rnd.closed_reason = reason or None
    rnd.closed_by_id = getattr(actor, "id", None)
    db.session.flush()
    audit.record("jury.round_close", rnd, actor=actor, missing=missing, reason=reason)
    return rnd


def shortlist(rnd, actor, top_n=None, use_thresholds=False, reviews_per_entry=3, closes_at=None, juror_ids=None, seed=None):
    """Round n+1 from a closed round: the top N by mean total, or every entry meeting every criterion's threshold.

    juror_ids: the accepted jurors who sit in the new round (None: all of them); any other id is refused."""
    _require_unfrozen(rnd.challenge)
    if rnd.state != CLOSED:
        raise JuryError("round_open")
    if db.session.execute(sa.select(Round).where(Round.challenge_id == rnd.challenge_id, Round.number == rnd.number + 1)).first():
        raise JuryError("round_exists")
    if not use_thresholds and not top_n:
        raise JuryError("shortlist_rule")
    chosen = rubric.shortlist(submitted_scores(rnd), rnd.criteria, n=int(top_n or 0), use_thresholds=use_thresholds)
    if not chosen:
        raise JuryError("no_entries")
    eligible = [j for j in challenge_jurors(rnd.challenge_id) if j.is_active]
    if juror_ids is not None:
        wanted = {int(i) for i in juror_ids}
        if not wanted:
            raise JuryError("no_jurors")
        if not wanted <= {j.id for j in eligible}:
            raise JuryError("bad_jurors")
        eligible = [j for j in eligible if j.id in wanted]
    _check_closes_at(closes_at)
    nxt = Round(challenge_id=rnd.challenge_id, number=rnd.number + 1, name={},
                stage_id=rnd.stage_id, reviews_per_entry=reviews_per_entry, closes_at=closes_at, state=OPEN)
    db.session.add(nxt)
    db.session.flush()
    for sid in chosen:
        db.session.add(RoundEntry(round_id=nxt.id, submission_id=sid))
    for j in eligible:
        db.session.add(RoundJuror(round_id=nxt.id, juror_id=j.id))
    db.session.flush()
    audit.record("jury.shortlist", nxt, actor=actor, from_round=rnd.number, entries=chosen,
                 rule="thresholds" if use_thresholds else f"top {top_n}", jurors=[j.id for j in eligible])
    result = run_assignment(nxt, actor, seed=seed)
    if closes_at is not None:
        schedule_reminder(nxt)
    return nxt, result


# --- closing moment and reminders ------------------------------------------------------------------------

REMINDER_HOURS_BEFORE = 48
"""Default lead time of the scheduled reminder; the setting JURY_REMINDER_HOURS_BEFORE overrides it."""


def reminder_hours_before():
    """Hours between the scheduled reminder and the round's closing moment (a whole number where it is one)."""
    try:
        hours = float(current_app.config.get("JURY_REMINDER_HOURS_BEFORE", REMINDER_HOURS_BEFORE))
    except (TypeError, ValueError):
        hours = float(REMINDER_HOURS_BEFORE)
    if not math.isfinite(hours) or hours < 0:
        hours = float(REMINDER_HOURS_BEFORE)
    return int(hours) if hours.is_integer() else hours


def reminder_due_at(rnd, hours_before=None):
    """When the scheduled reminder of a round is due: `hours_before` its closing moment (None without one)."""
    if rnd.closes_at is None:
        return None
    return rnd.closes_at - timedelta(hours=reminder_hours_before() if hours_before is None else hours_before)


def set_closing_time(rnd, closes_at, actor):
    """The chair sets or moves the moment the round closes; the reminder is scheduled again for it
    (a reminder queued for the former moment sees the change and does nothing)."""
    _require_changeable(rnd)
    if closes_at is None:
        raise JuryError("closes_missing")
    _check_closes_at(closes_at)
    before = rnd.closes_at
    if before == closes_at:
        return None
    rnd.closes_at = closes_at
    db.session.flush()
    audit.record("jury.round_closing", rnd, actor=actor, before=before.isoformat() if before else None,
                 after=closes_at.isoformat())
    return schedule_reminder(rnd)


def send_reminders(rnd, actor):
    """Queues a reminder for every juror with reviews still to submit; returns how many."""
    _require_changeable(rnd)
    info = progress(rnd)
    pending = [jid for jid, (done, total) in info["jurors"].items() if done < total]
    for jid in pending:
        outbox.enqueue("govchallenge.jury.jobs.send_reminder", rnd.id, jid)
    audit.record("jury.remind", rnd, actor=actor, jurors=pending)
    return len(pending)


def schedule_reminder(rnd, hours_before=None):
    """A job that, `hours_before` the round closes (default: reminder_hours_before()), reminds every juror
    still behind. It carries the closing moment it was scheduled for, so moving the moment supersedes it."""
    due = reminder_due_at(rnd, hours_before)
    if due is None:
        return None
    delay = max(0, math.ceil((due - utcnow()).total_seconds()))
    return outbox.enqueue("govchallenge.jury.jobs.remind_round", rnd.id, rnd.closes_at.isoformat(),
                          delay_seconds=delay)
