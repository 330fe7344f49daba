"""Rounds: opening, assignment (automatic and by hand), progress, closing, the shortlist to the next round,
the closing moment and its reminder. Flush, never commit."""
import math
import random
from collections import defaultdict
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
from .conflicts import conflict_pairs, entry_spec, juror_specs, load_teams
from .guards import JuryError, check_closes_at, require_changeable, require_unfrozen
from .membership import challenge_jurors
from .models import ACTIVE, AUTO, CLOSED, MANUAL, OPEN, SUBMITTED, Assignment, Juror, Round, RoundEntry, RoundJuror


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


def run_assignment(rnd, actor, seed=None, reviews_per_entry=None):
    """(Re)assigns a round: every active assignment is kept; new ones fill the gaps. Returns AssignmentResult."""
    require_changeable(rnd)
    if reviews_per_entry is not None:
        rnd.reviews_per_entry = int(reviews_per_entry)
    if seed is None:
        seed = random.SystemRandom().randrange(2**31)
    rnd.seed = seed
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
    require_changeable(rnd)
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
    require_unfrozen(rnd.challenge)
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
    check_closes_at(closes_at)
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
