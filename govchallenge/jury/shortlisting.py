"""The shortlist: from a closed round to the next, the entries that advance by the chosen rule (top N or every
criterion's threshold), shown to the chair to confirm before anything changes. Flush, never commit."""
import sqlalchemy as sa

from govchallenge.challenges import rubric
from govchallenge.core import audit
from govchallenge.extensions import db

from .guards import JuryError, check_closes_at, require_unfrozen
from .membership import challenge_jurors
from .models import CLOSED, OPEN, Round, RoundEntry, RoundJuror
from .progress import round_entries, submitted_scores
from .reminders import schedule_reminder
from .rounds import run_assignment


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
