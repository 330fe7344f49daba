"""Rounds: opening the first one, the assignment (automatic and by hand) and handing held lists back. Closing
is in closing.py, the shortlist to the next round in shortlisting.py, the closing moment and its reminder in
reminders.py, what the reviews add up to in progress.py. Flush, never commit."""
import random
from collections import defaultdict

import sqlalchemy as sa

from govchallenge.core import audit
from govchallenge.core.timeutil import utcnow
from govchallenge.extensions import db
from govchallenge.submissions.models import SUBMITTED as ENTRY_SUBMITTED
from govchallenge.submissions.models import Submission

from . import assignment as algo
from . import flow_assignment
from .conflicts import conflict_pairs, entries_to_move, entry_spec, juror_specs, load_teams
from .guards import JuryError, check_closes_at, require_changeable, require_rubric, require_unfrozen
from .membership import challenge_jurors
from .models import ACCEPTED, ACTIVE, AUTO, MANUAL, OPEN, RECUSED, Assignment, Round, RoundEntry, RoundJuror
from .progress import round_entries
from .reminders import schedule_reminder


def last_closed_stage(challenge, now=None):
    now = now or utcnow()
    closed = [s for s in challenge.stages if s.has_closed_at(now)]
    return closed[-1] if closed else None


def open_first_round(challenge, actor, reviews_per_entry=3, closes_at=None, stage=None, seed=None, assign=True):
    """Round 1 over every submitted entry of a closed stage, with every accepted juror; then assigns (unless
    `assign` is false: the chair's opening leaves a big round to a job, see assigning.py)."""
    require_unfrozen(challenge)
    if db.session.execute(sa.select(Round).where(Round.challenge_id == challenge.id)).first():
        raise JuryError("round_exists")
    check_closes_at(closes_at)
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
    result = run_assignment(rnd, actor, seed=seed) if assign else None
    if closes_at is not None:
        schedule_reminder(rnd)
    return rnd, result



def round_jurors(rnd, jurors=None):
    """The round's active jurors; `jurors` (the challenge's, any state) spares the query when the caller has them."""
    ids = {rj.juror_id for rj in rnd.round_jurors}
    jurors = challenge_jurors(rnd.challenge_id) if jurors is None else [j for j in jurors if j.state == ACCEPTED]
    return [j for j in jurors if j.id in ids and j.is_active]


def held_jurors(rnd, jurors=None):
    """The round's jurors whose list is held after a declared conflict, waiting for the chair's reassignment."""
    return [j for j in round_jurors(rnd, jurors) if j.list_held_since is not None]


def move_away(assignment, reason, now):
    assignment.state, assignment.recused_at, assignment.recusal_reason = RECUSED, now, reason


def hand_back_lists(rnd, actor):
    """The chair's reassignment hands every held list of the round back: the entries in conflict leave (most
    left at the declaration already), together with others not yet started (conflicts.entries_to_move: at least
    COVER_MOVES in all, and as many unrelated ones as conflicted when more are); the assignment then refills the
    list. Returns {juror id: moved}."""
    now = utcnow()
    conflicts = conflict_pairs(rnd.challenge_id)
    mine = defaultdict(list)
    for a in db.session.execute(sa.select(Assignment).where(Assignment.round_id == rnd.id)).scalars():
        mine[a.juror_id].append(a)
    moved = {}
    for juror in held_jurors(rnd):
        rows = mine[juror.id]
        by_id = {a.id: a for a in rows}
        gone = [a.id for a in rows if a.state == RECUSED and a.recusal_reason == "conflict"
                and a.recused_at is not None and a.recused_at >= juror.list_held_since]
        active = [a for a in rows if a.state == ACTIVE]
        conflicted = gone + [a.id for a in active if (juror.id, a.submission_id) in conflicts]
        unstarted = [a.id for a in active if a.review is None]
        chosen = entries_to_move(conflicted, unstarted)
        for assignment_id in chosen:
            if by_id[assignment_id].state == ACTIVE:
                move_away(by_id[assignment_id], "moved at the chair's reassignment", now)
        juror.list_held_since = None
        juror.list_changed_at = now
        moved[juror.id] = len(chosen)
        audit.record("jury.list_handed_back", juror, actor=actor, round_id=rnd.id,
                     moved=[by_id[i].public_id for i in chosen], conflicted=len(conflicted))
    db.session.flush()
    return moved


def run_assignment(rnd, actor, seed=None, reviews_per_entry=None, release=False, progress=None):
    """(Re)assigns a round: every active assignment is kept; new ones fill the gaps. With `release` (the chair's
    run), held lists are handed back first (hand_back_lists). `progress(done, total)` follows the solver (a
    job reports it). Returns AssignmentResult."""
    require_changeable(rnd)
    require_rubric(rnd)
    if reviews_per_entry is not None:
        rnd.reviews_per_entry = int(reviews_per_entry)
    if seed is None:
        seed = random.SystemRandom().randrange(2**31)
    rnd.seed = seed
    if release:
        hand_back_lists(rnd, actor)
    entry_ids = [e.submission_id for e in round_entries(rnd)]
    jurors = round_jurors(rnd)
    submissions = load_teams(entry_ids)
    entries = [entry_spec(submissions[sid]) for sid in entry_ids]
    main, _extra = juror_specs(jurors)
    conflicts = conflict_pairs(rnd.challenge_id, entry_ids)
    existing = db.session.execute(sa.select(Assignment).where(Assignment.round_id == rnd.id)).scalars().all()
    keep = [(a.juror_id, a.submission_id) for a in existing if a.state == ACTIVE and a.submission_id in submissions]
    forbid = [(a.juror_id, a.submission_id) for a in existing if a.state != ACTIVE]
    result = flow_assignment.assign(entries, main, rnd.reviews_per_entry, conflicts, keep=keep, forbid=forbid, seed=seed,
                                    progress=progress)
    kept = set(keep)
    added = 0
    now = utcnow()
    by_id = {j.id: j for j in jurors}
    for juror_id, sid in result.pairs:
        if (juror_id, sid) not in kept:
            db.session.add(Assignment(round_id=rnd.id, juror_id=juror_id, submission_id=sid, source=AUTO))
            by_id[juror_id].list_changed_at = now
            added += 1
    rnd.assigned_at = now
    db.session.flush()
    # The juror-entry pairs already kept may have broken a conflict declared later: count them too.
    result.conflicts_broken = sum(1 for p in result.pairs if p in conflicts)
    audit.record("jury.assign", rnd, actor=actor, seed=seed, added=added, stats=result.stats(),
                 short={str(k): v for k, v in result.short.items()})
    return result


def add_assignment(rnd, juror, submission_id, actor):
    """The chair's manual assignment, within the same rules (no conflict, one juror per organisation)."""
    require_changeable(rnd)
    require_rubric(rnd)
    entry_ids = [e.submission_id for e in round_entries(rnd)]
    if submission_id not in entry_ids or juror.id not in {j.id for j in round_jurors(rnd)}:
        raise JuryError("not_in_round")
    existing = db.session.execute(sa.select(Assignment).where(Assignment.round_id == rnd.id)).scalars().all()
    if any(a.juror_id == juror.id and a.submission_id == submission_id for a in existing):
        raise JuryError("duplicate")
    pairs = [(a.juror_id, a.submission_id) for a in existing if a.state == ACTIVE] + [(juror.id, submission_id)]
    submissions = load_teams(entry_ids)
    main, _extra = juror_specs(round_jurors(rnd))
    problems = [p for p in algo.check_assignment([entry_spec(s) for s in submissions.values()], main, pairs,
                                                 conflicts=conflict_pairs(rnd.challenge_id, entry_ids))
                if p.blocking and p.juror_id == juror.id and p.entry_id == submission_id]
    if problems:
        raise JuryError(problems[0].code)
    a = Assignment(round_id=rnd.id, juror_id=juror.id, submission_id=submission_id, source=MANUAL)
    db.session.add(a)
    db.session.flush()
    audit.record("jury.assign_manual", a, actor=actor, round_id=rnd.id, juror_id=juror.id, submission_id=submission_id)
    return a
