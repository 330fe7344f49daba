"""Rounds: opening, assignment (automatic and by hand, handing held lists back), progress, closing with a
decision for every entry short of reviews, the shortlist to the next round, the closing moment and its
reminder. Flush, never commit."""
import hashlib
import math
import random
from collections import defaultdict
from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app

from govchallenge.challenges import rubric
from govchallenge.core import audit
from govchallenge.core.timeutil import utcnow
from govchallenge.extensions import db
from govchallenge.jobs import outbox
from govchallenge.submissions.models import SUBMITTED as ENTRY_SUBMITTED
from govchallenge.submissions.models import Submission

from . import agreement
from . import assignment as algo
from .conflicts import conflict_pairs, entries_to_move, entry_spec, juror_specs, load_teams, refuse_conflicted_actor
from .guards import JuryError, check_closes_at, require_changeable, require_unfrozen
from .membership import challenge_jurors
from .models import (
    ACTIVE, AUTO, CLOSED, EXCLUSION_KINDS, MANUAL, OPEN, RECUSED, SUBMITTED, Assignment, Juror, Round, RoundEntry,
    RoundJuror,
)


def last_closed_stage(challenge, now=None):
    now = now or utcnow()
    closed = [s for s in challenge.stages if s.has_closed_at(now)]
    return closed[-1] if closed else None


def open_first_round(challenge, actor, reviews_per_entry=3, closes_at=None, stage=None, seed=None):
    """Round 1 over every submitted entry of a closed stage, with every accepted juror; then assigns."""
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


def held_jurors(rnd):
    """The round's jurors whose list is held after a declared conflict, waiting for the chair's reassignment."""
    return [j for j in round_jurors(rnd) if j.list_held_since is not None]


def move_away(assignment, reason, now):
    assignment.state, assignment.recused_at, assignment.recusal_reason = RECUSED, now, reason


def hand_back_lists(rnd, actor):
    """The chair's reassignment hands every held list of the round back: the entries in conflict leave (most
    left at the declaration already), together with others not yet started, so that at least
    conflicts.COVER_MOVES entries leave each list; the assignment then refills it. Returns {juror id: moved}."""
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


def run_assignment(rnd, actor, seed=None, reviews_per_entry=None, release=False):
    """(Re)assigns a round: every active assignment is kept; new ones fill the gaps. With `release` (the chair's
    run), held lists are handed back first (hand_back_lists). Returns AssignmentResult."""
    require_changeable(rnd)
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
    result = algo.assign(entries, main, rnd.reviews_per_entry, conflicts, keep=keep, forbid=forbid, seed=seed)
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


def active_assignments(rnd):
    return db.session.execute(
        sa.select(Assignment).where(Assignment.round_id == rnd.id, Assignment.state == ACTIVE)
        .options(sa.orm.joinedload(Assignment.review), sa.orm.joinedload(Assignment.juror).joinedload(Juror.user))
    ).unique().scalars().all()


def counting(assignment):
    """A review the scores read: submitted, not excluded (a conflict declared after it), of an active assignment."""
    return assignment.state == ACTIVE and assignment.review is not None and assignment.review.counts


def submitted_scores(rnd, assignments=None):
    """{submission_id: [scores of each counting review]} of the round's entries that are not excluded."""
    out = defaultdict(list)
    excluded = {e.submission_id for e in rnd.entries if e.excluded_at is not None}
    for a in assignments if assignments is not None else active_assignments(rnd):
        if a.submission_id not in excluded and counting(a):
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
        done = counting(a)
        per_juror[a.juror_id][1] += 1
        per_juror[a.juror_id][0] += done
        row = per_entry.setdefault(a.submission_id, [0, 0])
        row[1] += 1
        row[0] += done
    totals = entry_totals(rnd, assignments)
    flagged = set(agreement.strongly_disagreeing(totals))
    return {"jurors": dict(per_juror), "entries": per_entry, "flagged": flagged, "totals": totals,
            "assignments": assignments}


# --- closing: no entry leaves in silence -----------------------------------------------------------------

REASSIGN, EXTEND, EXCLUDE = "reassign", "extend", "exclude"
DECISIONS = (REASSIGN, EXTEND, EXCLUDE)
MAX_EXTENSION = timedelta(days=60)
"""The furthest a per-entry extension may reach: further is a typo (a year for a day), not a plan."""


@dataclass(frozen=True)
class EntryDecision:
    """The chair's decision for one entry short of reviews when the round closes: `until` for reassign and
    extend (the entry's own review deadline), `kind` and `reason` for exclude."""
    action: str
    until: object = None
    kind: str = ""
    reason: str = ""


@dataclass
class CloseOutcome:
    closed: bool
    excluded: list
    extended: list  # [(RoundEntry, until)] of entries reassigned or extended: the round stays open for them


def entry_of(rnd, submission_id):
    return next((e for e in rnd.entries if e.submission_id == submission_id), None)


def review_deadline(rnd, submission_id):
    """When reviews of the entry lock: the round's closing moment, or the entry's own extension when later
    (None: not before the chair closes the round)."""
    entry = entry_of(rnd, submission_id)
    until = entry.review_until if entry is not None else None
    if rnd.closes_at is None or until is None:
        return rnd.closes_at
    return max(rnd.closes_at, until)


def reviews_open(rnd, submission_id, now=None):
    """Reviews of the entry may still be saved: the round is open and its (or the entry's) deadline not past."""
    deadline = review_deadline(rnd, submission_id)
    return rnd.state == OPEN and (deadline is None or (now or utcnow()) < deadline)


def short_entries(rnd, info=None):
    """[(RoundEntry, counting reviews)] of the entries still in the round with fewer counting reviews than it asks."""
    info = info or progress(rnd)
    rows = []
    for entry in round_entries(rnd):
        done = info["entries"].get(entry.submission_id, [0, 0])[0]
        if done < rnd.reviews_per_entry:
            rows.append((entry, done))
    return rows


def closing_state(rnd, short):
    """A fingerprint of what the close form showed (the entries short, their reviews and extensions, the held
    lists): a form sent after any of it changed is refused as stale instead of deciding on an old picture."""
    parts = [f"{e.id}:{done}:{e.review_until.isoformat() if e.review_until else '-'}" for e, done in short]
    parts += [f"held:{j.id}" for j in held_jurors(rnd)]
    return hashlib.sha256("|".join(sorted(parts)).encode()).hexdigest()[:20]


def _check_decision(entry, decision, now):
    if decision.action not in DECISIONS:
        raise JuryError("decision_missing", entry=entry.id)
    if decision.action == EXCLUDE:
        if decision.kind not in EXCLUSION_KINDS:
            raise JuryError("exclusion_kind", entry=entry.id)
        if not (decision.reason or "").strip():
            raise JuryError("exclusion_reason", entry=entry.id)
        return
    if decision.until is None:
        raise JuryError("extension_missing", entry=entry.id)
    if decision.until <= now:
        raise JuryError("extension_past", entry=entry.id)
    if decision.until > now + MAX_EXTENSION:
        raise JuryError("extension_far", entry=entry.id, days=MAX_EXTENSION.days)


def exclude_round_entry(entry, kind, reason, actor, now=None):
    """Takes an entry out of the round's ranking, with a kind of reason (told to its team in its language) and
    the chair's words: stored and audited. Never by a chair conflicted with the entry."""
    refuse_conflicted_actor(entry.round.challenge_id, actor, entry.submission_id)
    entry.excluded_at = now or utcnow()
    entry.exclusion_kind = kind
    entry.exclusion_reason = reason.strip()
    db.session.flush()
    audit.record("jury.exclude", entry, actor=actor, round_id=entry.round_id, submission_id=entry.submission_id,
                 kind=kind, reason=entry.exclusion_reason)
    return entry


def _extend(entry, until, actor, reassign, assignments):
    """The entry's reviews may be submitted until `until`; reassigning first moves its late reviews away."""
    moved = []
    if reassign:
        now = utcnow()
        for a in assignments:
            if a.submission_id == entry.submission_id and not counting(a):
                move_away(a, "reassigned by the chair at closing", now)
                moved.append(a.public_id)
    before = entry.review_until
    entry.review_until = until
    db.session.flush()
    audit.record("jury.extend", entry, actor=actor, round_id=entry.round_id, submission_id=entry.submission_id,
                 until=until.isoformat(), before=before.isoformat() if before else None,
                 reassigned=moved if reassign else None)


def close_round(rnd, actor, decisions=None, state=None):
    """Closes the round, once every entry has the reviews it asks for or the chair's decision for it.

    decisions: {RoundEntry.id: EntryDecision} for each entry short of reviews (short_entries), all checked before
    any is applied; `state`: the closing_state the chair's form showed (a different one is refused as stale).
    Excluded entries leave the ranking with their reason; reassigned and extended ones keep the round open for
    them alone: the other entries' reviews lock now (the closing moment becomes now), and the chair closes the
    round again once they are reviewed (or decides again). Held lists must be handed back first."""
    require_changeable(rnd)
    held = held_jurors(rnd)
    if held:
        raise JuryError("lists_held", count=len(held))
    assignments = active_assignments(rnd)
    short = short_entries(rnd)
    if state is not None and state != closing_state(rnd, short):
        raise JuryError("close_stale")
    decisions = dict(decisions or {})
    short_ids = {e.id for e, _done in short}
    if set(decisions) - short_ids:
        raise JuryError("close_stale")
    missing = [e.id for e, _done in short if e.id not in decisions]
    if missing:
        raise JuryError("decision_missing", entries=missing, count=len(missing))
    now = utcnow()
    for entry, _done in short:
        _check_decision(entry, decisions[entry.id], now)
    excluded, extended = [], []
    for entry, _done in short:
        decision = decisions[entry.id]
        if decision.action == EXCLUDE:
            excluded.append(exclude_round_entry(entry, decision.kind, decision.reason, actor, now))
        else:
            _extend(entry, decision.until, actor, decision.action == REASSIGN, assignments)
            extended.append((entry, decision.until))
    if any(decisions[e.id].action == REASSIGN for e, _d in short):
        run_assignment(rnd, actor)
    if extended:
        if rnd.closes_at is None or rnd.closes_at > now:
            rnd.closes_at = now
        db.session.flush()
        audit.record("jury.round_close_deferred", rnd, actor=actor, closes_at=now.isoformat(),
                     entries={str(e.submission_id): until.isoformat() for e, until in extended})
        return CloseOutcome(False, excluded, extended)
    rnd.state = CLOSED
    rnd.closed_at = now
    rnd.closed_reason = None
    rnd.closed_by_id = getattr(actor, "id", None)
    db.session.flush()
    audit.record("jury.round_close", rnd, actor=actor, excluded=[e.submission_id for e in excluded])
    return CloseOutcome(True, excluded, extended)


# --- the shortlist -------------------------------------------------------------------------------------

def shortlist_split(rnd, top_n=None, use_thresholds=False):
    """(advancing, not advancing): the submission ids the rule takes to the next round, best first, and the
    round's other entries (excluded ones aside), in the round's order. What the chair confirms before it is
    applied."""
    if not use_thresholds and not top_n:
        raise JuryError("shortlist_rule")
    chosen = rubric.shortlist(submitted_scores(rnd), rnd.criteria, n=int(top_n or 0), use_thresholds=use_thresholds)
    taken = set(chosen)
    return list(chosen), [e.submission_id for e in round_entries(rnd) if e.submission_id not in taken]


def shortlist_plan(rnd, top_n=None, use_thresholds=False, closes_at=None, juror_ids=None):
    """Every check of the shortlist and nothing it changes: (advancing, not advancing, jurors of the next round).
    The confirmation page shows it; `shortlist` applies it."""
    require_unfrozen(rnd.challenge)
    if rnd.state != CLOSED:
        raise JuryError("round_open")
    if db.session.execute(sa.select(Round).where(Round.challenge_id == rnd.challenge_id, Round.number == rnd.number + 1)).first():
        raise JuryError("round_exists")
    chosen, others = shortlist_split(rnd, top_n, use_thresholds)
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
    check_closes_at(closes_at)
    return chosen, others, eligible


def shortlist(rnd, actor, top_n=None, use_thresholds=False, reviews_per_entry=3, closes_at=None, juror_ids=None, seed=None,
              expected=None):
    """Round n+1 from a closed round: the top N by mean total, or every entry meeting every criterion's threshold.

    juror_ids: the accepted jurors who sit in the new round (None: all of them); any other id is refused.
    expected: the advancing submission ids the chair confirmed (shortlist_plan); a different list is refused."""
    chosen, _others, eligible = shortlist_plan(rnd, top_n, use_thresholds, closes_at, juror_ids)
    if expected is not None and sorted(expected) != sorted(chosen):
        raise JuryError("shortlist_stale")
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
    require_changeable(rnd)
    if closes_at is None:
        raise JuryError("closes_missing")
    check_closes_at(closes_at)
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
    require_changeable(rnd)
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
