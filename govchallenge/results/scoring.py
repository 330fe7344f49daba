"""The scoring engine: from the jury's reviews to a ranking anyone can check. Pure: plain data in,
plain data out; no Flask, no database.

A review's total rescales each criterion to 0-100 and takes the weighted mean of the criteria that
count (informational ones are left out). An entry's score aggregates its reviews' calibrated totals
(mean, median or trimmed mean). Calibration of the jurors: none, per-juror standardisation, an
additive juror-offset model fitted by least squares, or the recommended additive model with the
jurors' effects shrunk towards zero (`ranking_model`; it combines reviews by their mean).
Thresholds are minimum means per criterion on the criterion's own scale, of the same calibrated
values the ranking uses (each criterion calibrated like the totals); entries failing one are listed
but get no place. Ties go through a deterministic cascade: the priority criterion, then the median
review total, then the chair's decision with a reason; what is left shares a place and is reported.
Rank intervals: posterior simulation of the model for the recommended method, a seeded bootstrap of
each entry's reviews for the others; either way an entry's interval contains its published place, and
an entry whose place a tie decided (or that shares its place) is a close call.

Refused (ScoringError, with a `code`): a score off its scale or not a finite number, a weight that is not
a finite number above zero, a scale with no span, a threshold that is not a finite number, two reviews of
one entry by one juror, the recommended model with another aggregation than the mean. Reported (`Ranking.warnings`, the engine goes on): a review design in
disconnected groups, a single juror, entries with fewer reviews than asked or with a single review,
reviews that are all equal.

Aggregation and calibration live in `aggregation`; the canonical form of publications made before RFC 8785
in `six_decimals` (both re-exported here).
"""
import math
import random
import statistics
from dataclasses import dataclass, field

from govchallenge.challenges import rubric

from . import ranking_model

from .aggregation import (  # noqa: F401 -- the engine's vocabulary, re-exported for its callers
    AGGREGATIONS, CALIBRATIONS, FLOAT_FORMAT, MEAN, MEDIAN, MODEL, NO_CALIBRATION, OFFSET, PRECISION,
    RECOMMENDED_AGGREGATION, RECOMMENDED_CALIBRATION, STANDARDISE, TRIMMED_MEAN, ScoringError, aggregate,
    calibrate, fit_model, juror_offsets, standardise, trimmed_mean,
)
from .six_decimals import canonical_json, digest  # noqa: F401 -- the rule of publications made before RFC 8785


@dataclass(frozen=True)
class Criterion:
    id: object
    weight: float = 1.0
    scale_min: float = 0.0
    scale_max: float = 10.0
    threshold: float = None  # minimum mean on the criterion's own scale
    informational: bool = False

    def rescale(self, value):
        try:
            return rubric.rescale(self, value)
        except rubric.RubricError as error:
            raise ScoringError(str(error)) from error


@dataclass(frozen=True)
class Review:
    entry_id: object
    juror_id: object
    scores: dict  # {criterion id: value on the criterion's scale}


@dataclass(frozen=True)
class ChairDecision:
    """The chair's order for entries the cascade could not separate, and why."""

    order: tuple
    reason: str


@dataclass
class RankedEntry:
    entry_id: object
    place: int  # None when a threshold was not met
    score: float  # after calibration (equal to raw_score without calibration)
    raw_score: float
    breakdown: dict  # {criterion id: mean calibrated score on the criterion's scale}: thresholds read it
    passed_thresholds: bool
    failed_criteria: list = field(default_factory=list)
    review_totals: list = field(default_factory=list)  # raw, sorted
    median: float = 0.0
    interval: tuple = None  # (best, worst) place, always containing `place`
    raw_breakdown: dict = field(default_factory=dict)  # {criterion id: mean raw score}
    tie: str = None  # None: not tied; "shared": shares its place; else what decided: TIE_STEPS or "chair"


@dataclass
class Tie:
    entry_ids: list
    resolved_by: str  # "priority_criterion" | "median" | "chair" | None (unresolved: the place is shared)
    reason: str = ""


@dataclass
class Ranking:
    entries: list
    ties: list
    aggregation: str
    calibration: str
    calibrated: dict = field(default_factory=dict)  # {(entry, juror): calibrated review total}
    juror_effects: dict = field(default_factory=dict)  # the model's {juror: effect}; {} for other calibrations
    warnings: list = field(default_factory=list)  # [{"code": ..., ...}], see `design_warnings`

    @property
    def ranked(self):
        return [e for e in self.entries if e.place is not None]

    @property
    def unresolved_ties(self):
        return [t for t in self.ties if t.resolved_by is None]

    def entry(self, entry_id):
        return next(e for e in self.entries if e.entry_id == entry_id)


# --- one review -----------------------------------------------------------------------------

counting = rubric.counting


def review_total(review, criteria):
    """The rubric's total of one review (weighted mean of the counting criteria on 0-100); missing scores refused."""
    try:
        return rubric.review_total(review.scores, criteria)
    except rubric.RubricError as error:
        raise ScoringError(f"review of {review.entry_id} by {review.juror_id}: {error}") from error


def breakdown(reviews, criteria):
    """{criterion id: mean score on its own scale} over the reviews of one entry (informational too)."""
    return rubric.criterion_means([r.scores for r in reviews], criteria)


def calibrated_scores(reviews, criteria, calibration=NO_CALIBRATION):
    """{criterion id: {(entry, juror): score calibrated by the same method as the totals}}, on the
    criterion's own scale (an optional criterion over the reviews that scored it)."""
    out = {}
    for criterion in criteria:
        scores = {(r.entry_id, r.juror_id): rubric.score_of(r.scores, criterion.id) for r in reviews}
        out[criterion.id] = calibrate({key: value for key, value in scores.items() if value is not None}, calibration)
    return out


def calibrated_breakdowns(reviews, criteria, calibration=NO_CALIBRATION):
    """{entry: {criterion id: mean calibrated score on the criterion's own scale, or None}}: a threshold
    reads the values the ranking uses."""
    per_criterion = calibrated_scores(reviews, criteria, calibration)
    out = {}
    for review in reviews:
        own = out.setdefault(review.entry_id, {c.id: [] for c in criteria})
        for criterion in criteria:
            value = per_criterion[criterion.id].get((review.entry_id, review.juror_id))
            if value is not None:
                own[criterion.id].append(value)
    return {entry: {cid: (sum(v) / len(v) if v else None) for cid, v in means.items()} for entry, means in out.items()}


def check_scores(reviews, criteria):
    """Every score given, informational ones included, is a finite number on its criterion's scale."""
    for review in reviews:
        for criterion in criteria:
            value = rubric.score_of(review.scores, criterion.id)
            if value is not None and not (math.isfinite(value) and rubric.on_scale(criterion, value)):
                raise ScoringError(f"review of {review.entry_id} by {review.juror_id}: criterion {criterion.id}: "
                                   f"{value} outside {criterion.scale_min}..{criterion.scale_max}")


failed_thresholds = rubric.failed_thresholds


# --- ranking --------------------------------------------------------------------------------

def _key(value):
    return rubric.same_score(value) if value is not None else float("-inf")


def _split(group, key):
    """Groups of `group` sharing key(entry), best (highest) first."""
    buckets = {}
    for entry in group:
        buckets.setdefault(key(entry), []).append(entry)
    return [buckets[k] for k in sorted(buckets, reverse=True)]


def _cascade(group, priority_criterion, decisions, ties):
    """Orders a group tied on the score. Returns a list of groups still sharing a place; marks each entry's
    `tie` with what placed it ("shared" when nothing did)."""
    steps = []
    if priority_criterion is not None:
        steps.append(("priority_criterion", lambda e: _key(e.breakdown.get(priority_criterion))))
    steps.append(("median", lambda e: _key(e.median)))
    ids = sorted(e.entry_id for e in group)
    pending = [group]
    resolved_by = None
    for name, key in steps:
        next_pending = []
        for sub in pending:
            if len(sub) == 1:
                next_pending.append(sub)
                continue
            parts = _split(sub, key)
            if len(parts) > 1:
                resolved_by = resolved_by or name
                for part in parts:
                    for entry in part:
                        entry.tie = name
            next_pending.extend(parts)
        pending = next_pending
    final, reason = [], ""
    for sub in pending:
        if len(sub) == 1:
            final.append(sub)
            continue
        by_id = {e.entry_id: e for e in sub}
        groups, decision = decide_tie(list(by_id), decisions)
        for entry in sub:
            entry.tie = "shared" if decision is None else "chair"
        final.extend([[by_id[i] for i in group] for group in groups])
        if decision is not None:
            resolved_by, reason = resolved_by or "chair", decision.reason
    unresolved = any(len(sub) > 1 for sub in final)
    ties.append(Tie(entry_ids=ids, resolved_by=None if unresolved else resolved_by, reason=reason))
    return final


def decide_tie(entry_ids, decisions):
    """The chair's reasoned decision on entries that nothing else separates — the one rule for every way of
    judging (what the rubric's cascade leaves tied, a Schulze tie between equally strong paths, equal Crowd-BT
    estimates). The first decision whose order names every one of them orders them, each alone at its place;
    without one they share the place, listed by id. Returns (groups best first, the decision or None)."""
    wanted = set(entry_ids)
    for decision in decisions or ():
        if wanted <= set(decision.order):
            order = {entry_id: index for index, entry_id in enumerate(decision.order)}
            return [[e] for e in sorted(wanted, key=lambda e: order[e])], decision
    return [sorted(wanted, key=str)], None


def rank(reviews, criteria, aggregation=MEAN, calibration=NO_CALIBRATION, priority_criterion=None,
         chair_decisions=(), bootstrap=0, seed=0, reviews_asked=None):
    """The ranking of every entry that has reviews. `bootstrap` > 0 adds rank intervals from that many
    draws; `reviews_asked` (the round's reviews per entry) lets the warnings name entries that got fewer."""
    if aggregation not in AGGREGATIONS:
        raise ScoringError(f"unknown aggregation {aggregation!r}")
    if calibration not in CALIBRATIONS:
        raise ScoringError(f"unknown calibration {calibration!r}")
    if calibration == MODEL and aggregation != MEAN:
        raise ScoringError("the additive model combines reviews by their mean", code="model_needs_mean")
    check_scores(reviews, criteria)
    by_entry = {}
    totals = {}
    for review in reviews:
        key = (review.entry_id, review.juror_id)
        if key in totals:
            raise ScoringError(f"two reviews of {review.entry_id} by {review.juror_id}")
        totals[key] = review_total(review, criteria)
        by_entry.setdefault(review.entry_id, []).append(review)
    model = fit_model(totals) if calibration == MODEL and totals else None
    calibrated = model.calibrated if model else calibrate(totals, calibration)
    calibrated_means = calibrated_breakdowns(reviews, criteria, calibration)

    entries = []
    for entry_id, entry_reviews in by_entry.items():
        raw = [totals[(entry_id, r.juror_id)] for r in entry_reviews]
        cal = [calibrated[(entry_id, r.juror_id)] for r in entry_reviews]
        means = calibrated_means[entry_id]
        failed = failed_thresholds(means, criteria)
        entries.append(RankedEntry(
            entry_id=entry_id, place=None, score=aggregate(cal, aggregation), raw_score=aggregate(raw, aggregation),
            breakdown=means, passed_thresholds=not failed, failed_criteria=failed,
            review_totals=sorted(raw), median=float(statistics.median(cal)),
            raw_breakdown=breakdown(entry_reviews, criteria),
        ))

    ties = []
    ordered = []
    passing = [e for e in entries if e.passed_thresholds]
    place = 1
    for group in _split(passing, lambda e: _key(e.score)):
        parts = [group] if len(group) == 1 else _cascade(group, priority_criterion, chair_decisions, ties)
        for part in parts:
            for entry in part:
                entry.place = place
            ordered.extend(part)
            place += len(part)
    failing = sorted((e for e in entries if not e.passed_thresholds), key=lambda e: (-_key(e.score), str(e.entry_id)))
    warnings = design_warnings(totals, reviews_asked)
    if model is not None and not model.separable:
        warnings.append({"code": "not_separable"})
    ranking = Ranking(entries=ordered + failing, ties=ties, aggregation=aggregation, calibration=calibration,
                      calibrated=calibrated, juror_effects=dict(model.juror_effects) if model else {},
                      warnings=warnings)
    if bootstrap:
        if model is not None:
            intervals = ranking_model.rank_intervals(model, [e.entry_id for e in ranking.ranked], bootstrap, seed)
            for entry in ranking.ranked:
                entry.interval = intervals[entry.entry_id]
        else:
            add_rank_intervals(ranking, calibrated, aggregation, bootstrap, seed)
        contain_places(ranking)
    return ranking


def design_warnings(totals, reviews_asked=None, entries=()):
    """What the chair should know about the review design {(entry, juror): total}, in a stable order
    (`entries`: entries of the round that may have no review at all, counted as having none):
    - "disconnected": jurors and entries fall into groups that share no juror: the jurors' effects are not
      comparable across groups (calibration can only centre each group);
    - "single_juror": one juror reviewed everything: nothing to compare a review with;
    - "fewer_reviews": entries with fewer reviews than the round asked for (`reviews_asked`);
    - "one_review": entries with a single review: no spread to measure their uncertainty by;
    - "no_variation": every review total is the same: the order is left to the tie cascade."""
    if not totals and not entries:
        return []
    warnings = []
    groups = ranking_model.connected_groups(totals)
    if len(groups) > 1:
        warnings.append({"code": "disconnected", "groups": len(groups), "entries": [len(g[0]) for g in groups]})
    if len({juror for _, juror in totals}) == 1:
        warnings.append({"code": "single_juror"})
    count = {entry: 0 for entry in entries}
    for entry, _ in totals:
        count[entry] = count.get(entry, 0) + 1
    if reviews_asked:
        fewer = sorted((e for e, n in count.items() if n < reviews_asked), key=str)
        if fewer:
            warnings.append({"code": "fewer_reviews", "asked": int(reviews_asked), "entries": fewer})
    single = sorted((e for e, n in count.items() if n == 1), key=str)
    if single:
        warnings.append({"code": "one_review", "entries": single})
    if totals and len({rubric.same_score(v) for v in totals.values()}) == 1:
        warnings.append({"code": "no_variation"})
    return warnings


def contain_places(ranking):
    """Widens each placed entry's interval to contain its published place: a tie decided by the cascade or
    the chair (or a shared place) can put an entry where no draw did."""
    for entry in ranking.ranked:
        low, high = entry.interval or (entry.place, entry.place)
        entry.interval = (min(low, entry.place), max(high, entry.place))
    return ranking


# --- bootstrap rank intervals ---------------------------------------------------------------

def add_rank_intervals(ranking, calibrated, aggregation=MEAN, samples=1000, seed=0, level=0.95):
    """Resamples each ranked entry's (calibrated) review totals with replacement, ranks the
    resampled scores, and keeps the central `level` interval of each entry's places."""
    ranked = ranking.ranked
    if not ranked:
        return ranking
    rng = random.Random(seed)
    by_entry = {}
    for (entry, juror), value in sorted(calibrated.items(), key=lambda kv: (str(kv[0][0]), str(kv[0][1]))):
        by_entry.setdefault(entry, []).append(value)
    values = {e.entry_id: by_entry[e.entry_id] for e in ranked}
    places = {e.entry_id: [] for e in ranked}
    ids = [e.entry_id for e in ranked]
    for _ in range(samples):
        scores = {}
        for entry_id in ids:
            own = values[entry_id]
            scores[entry_id] = round(aggregate([own[rng.randrange(len(own))] for _ in own], aggregation), PRECISION)
        first_place = {}
        for position, value in enumerate(sorted(scores.values(), reverse=True), 1):
            first_place.setdefault(value, position)  # competition ranking: ties share the best place
        for entry_id in ids:
            places[entry_id].append(first_place[scores[entry_id]])
    first, last = ranking_model.interval_indexes(samples, level)
    for entry in ranked:
        drawn = sorted(places[entry.entry_id])
        entry.interval = (drawn[first], drawn[last])
    return ranking


def is_close_call(entry):
    """A place the data do not settle: a rank interval wider than that place, or a place a tie decided
    (the priority criterion, the median, the chair) or shared."""
    if entry.place is None:
        return False
    return entry.tie is not None or (entry.interval is not None and entry.interval[0] != entry.interval[1])
