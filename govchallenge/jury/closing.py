"""Closing a round: no entry leaves in silence. Every entry short of reviews gets the chair's decision (reassign,
extend the round for it, or exclude it with a reason told to its team) before the round closes; the deadline of
an entry's reviews follows from it. Flush, never commit."""
import hashlib
from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa

from govchallenge.core import audit
from govchallenge.core.timeutil import utcnow
from govchallenge.extensions import db

from .conflicts import refuse_conflicted_actor
from .guards import JuryError, require_changeable, require_rubric
from .models import CLOSED, EXCLUSION_KINDS, OPEN, RoundEntry
from .progress import active_assignments, counting, progress, round_entries
from .rounds import held_jurors, move_away, run_assignment

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


def entries_of(rnd, submission_ids):
    """{submission id: RoundEntry} of these submissions in the round, looked up by key in one query: a big round
    holds thousands of entries, and loading them all to read one took ~40 % of a juror's review page at 2,150."""
    wanted = set(submission_ids)
    if not wanted:
        return {}
    found = db.session.execute(
        sa.select(RoundEntry).where(RoundEntry.round_id == rnd.id, RoundEntry.submission_id.in_(wanted))
    ).scalars()
    return {entry.submission_id: entry for entry in found}


def entry_of(rnd, submission_id):
    return entries_of(rnd, [submission_id]).get(submission_id)


def _deadline(rnd, entry):
    until = entry.review_until if entry is not None else None
    if rnd.closes_at is None or until is None:
        return rnd.closes_at
    return max(rnd.closes_at, until)


def review_deadline(rnd, submission_id):
    """When reviews of the entry lock: the round's closing moment, or the entry's own extension when later
    (None: not before the chair closes the round)."""
    return _deadline(rnd, entry_of(rnd, submission_id))


def review_deadlines(assignments):
    """{assignment id: review_deadline} for a juror's list, one query per round."""
    by_round = {}
    for assignment in assignments:
        by_round.setdefault(assignment.round, []).append(assignment)
    deadlines = {}
    for rnd, mine in by_round.items():
        entries = entries_of(rnd, [a.submission_id for a in mine])
        deadlines.update({a.id: _deadline(rnd, entries.get(a.submission_id)) for a in mine})
    return deadlines


def reviews_open(rnd, submission_id, now=None, deadline=False):
    """Reviews of the entry may still be saved: the round is open and its (or the entry's) deadline not past
    (`deadline`: its review_deadline, when the caller has read it already)."""
    if deadline is False:
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
    require_rubric(rnd)
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
