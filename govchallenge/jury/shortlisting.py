"""The shortlist: from a closed round to the next, the entries that advance by the chosen rule (top N or every
criterion's threshold), shown to the chair to confirm before anything changes. Flush, never commit.

The round is ranked by the rule the results publish (the challenge's method and calibration, thresholds on the
calibrated criterion means): the results domain lends it through the registry (core/registry.RoundScoring), so
that an entry is never cut here that the published ranking would have placed above one that advances."""
from dataclasses import dataclass, field

import sqlalchemy as sa

from govchallenge.core import audit
from govchallenge.extensions import db

from .guards import JuryError, check_closes_at, require_unfrozen
from .membership import challenge_jurors
from .models import CLOSED, OPEN, Round, RoundEntry, RoundJuror
from .progress import complete_reviews, round_entries, round_scoring
from .reminders import schedule_reminder
from .rounds import run_assignment


@dataclass
class RoundRanking:
    """A round ranked by the results' rule: what the shortlist reads and the confirmation page shows."""

    places: dict  # {submission id: place}, of the entries that have one (shared places repeat)
    scores: dict  # {submission id: score 0-100 as ranked (calibrated)}
    failed: list  # submission ids under a criterion's threshold: no place
    aggregation: str
    calibration: str
    warnings: list = field(default_factory=list)  # translated texts about the review design

    def top(self, n):
        """The entries placed n-th or better, best first: every entry sharing the n-th place goes along."""
        return [sid for sid in self.ordered() if self.places[sid] <= n]

    def ordered(self):
        return sorted(self.places, key=lambda sid: (self.places[sid], str(sid)))


def rank_round(rnd, use_thresholds=True):
    """The round's counting, complete reviews ranked as the results would rank them."""
    return round_scoring().rank(rnd, complete_reviews(rnd), use_thresholds)


def shortlist_split(rnd, top_n=None, use_thresholds=False):
    """(advancing, not advancing, ranking): the submission ids the rule takes to the next round, best first, and
    the round's other entries (excluded ones aside), in the round's order; the ranking they come from. What the
    chair confirms before it is applied."""
    if not use_thresholds and not top_n:
        raise JuryError("shortlist_rule")
    ranking = rank_round(rnd, use_thresholds)
    chosen = ranking.ordered() if use_thresholds else ranking.top(int(top_n))
    taken = set(chosen)
    return chosen, [e.submission_id for e in round_entries(rnd) if e.submission_id not in taken], ranking


def shortlist_plan(rnd, top_n=None, use_thresholds=False, closes_at=None, juror_ids=None):
    """Every check of the shortlist and nothing it changes: (advancing, not advancing, jurors of the next round,
    the ranking). The confirmation page shows it; `shortlist` applies it."""
    require_unfrozen(rnd.challenge)
    if rnd.state != CLOSED:
        raise JuryError("round_open")
    if db.session.execute(sa.select(Round).where(Round.challenge_id == rnd.challenge_id, Round.number == rnd.number + 1)).first():
        raise JuryError("round_exists")
    chosen, others, ranking = shortlist_split(rnd, top_n, use_thresholds)
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
    return chosen, others, eligible, ranking


def shortlist(rnd, actor, top_n=None, use_thresholds=False, reviews_per_entry=3, closes_at=None, juror_ids=None, seed=None,
              expected=None):
    """Round n+1 from a closed round: the top N of the round's ranking, or every entry meeting every criterion's
    threshold (on its calibrated mean), ranked and thresholded as the published results would be.

    juror_ids: the accepted jurors who sit in the new round (None: all of them); any other id is refused.
    expected: the advancing submission ids the chair confirmed (shortlist_plan); a different list is refused."""
    chosen, _others, eligible, ranking = shortlist_plan(rnd, top_n, use_thresholds, closes_at, juror_ids)
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
                 rule="thresholds" if use_thresholds else f"top {top_n}", jurors=[j.id for j in eligible],
                 aggregation=ranking.aggregation, calibration=ranking.calibration)
    result = run_assignment(nxt, actor, seed=seed)
    if closes_at is not None:
        schedule_reminder(nxt)
    return nxt, result
