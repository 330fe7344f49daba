"""The published rubric's arithmetic, in one place. Pure: plain data in, plain data out (no Flask, no database).

The review form, the chair's dashboard, agreement statistics and the published ranking (which the jury's
shortlist borrows: results/round_ranking.py) all compute a review's total, a criterion's mean and a threshold
here, so they cannot disagree at the edges.

A criterion is any object with `id`, `weight`, `scale_min`, `scale_max`, `threshold` (or None) and
`informational`: the challenge's Criterion rows and the scoring engine's plain Criterion alike. Scores are
{criterion id (int or its str, as stored in JSON): value on the criterion's own scale}.

The rules:
- A score is on the scale when scale_min <= value <= scale_max; a scale with no span (min >= max) or with an
  end that is not a finite number is refused, and so is a score that is not a finite number.
- A counted criterion's weight is a finite number above zero; anything else is refused (never read as zero).
- A review's total rescales each counting (not informational) criterion to 0–100 and takes their weighted
  mean. A missing counted score is refused, never read as zero: a total is only ever made of a complete review.
- A criterion's threshold is a minimum mean on its own scale. A mean that equals the threshold up to float
  noise (THRESHOLD_TOLERANCE) meets it: (0.1 + 0.2) meets a threshold of 0.3.
- Two scores equal to PRECISION decimals are equal: float noise never decides a place.
"""

import math

THRESHOLD_TOLERANCE = 1e-9
PRECISION = 6  # scores equal to this many decimals are equal (float noise never decides)


class RubricError(ValueError):
    """The data breaks a rule of the rubric (a missing or off-scale score, an empty scale, no weight)."""


def score_of(scores, criterion_id):
    """The score for `criterion_id` as a float, whether the key was stored as int or str; None if absent."""
    scores = scores or {}
    value = scores.get(criterion_id, scores.get(str(criterion_id)))
    return None if value is None else float(value)


def on_scale(criterion, value):
    return criterion.scale_min <= value <= criterion.scale_max


def rescale(criterion, value):
    """`value` on the criterion's scale as a point on 0–100."""
    if not (math.isfinite(criterion.scale_min) and math.isfinite(criterion.scale_max)):
        raise RubricError(f"criterion {criterion.id}: the ends of the scale must be finite numbers")
    span = criterion.scale_max - criterion.scale_min
    if span <= 0:
        raise RubricError(f"criterion {criterion.id}: empty scale")
    if not on_scale(criterion, value):
        raise RubricError(f"criterion {criterion.id}: {value} outside {criterion.scale_min}..{criterion.scale_max}")
    return 100.0 * (value - criterion.scale_min) / span


def weight_of(criterion):
    """A counted criterion's weight: a finite number above zero, or refused."""
    weight = float(criterion.weight)
    if not math.isfinite(weight) or weight <= 0:
        raise RubricError(f"criterion {criterion.id}: the weight must be a finite number above zero")
    return weight


def counting(criteria):
    """The criteria that count towards totals (informational ones are shown, never counted)."""
    return [c for c in criteria if not c.informational]


def review_total(scores, criteria):
    """The weighted mean of the counting criteria, each rescaled to 0–100."""
    weighted = weights = 0.0
    for criterion in counting(criteria):
        value = score_of(scores, criterion.id)
        if value is None:
            raise RubricError(f"criterion {criterion.id}: score missing")
        weight = weight_of(criterion)
        weighted += weight * rescale(criterion, value)
        weights += weight
    if weights <= 0:
        raise RubricError("no criterion with a positive weight counts")
    return weighted / weights


def criterion_means(score_sets, criteria):
    """{criterion id: mean score on its own scale over `score_sets`, or None without any score}."""
    means = {}
    for criterion in criteria:
        values = [v for v in (score_of(s, criterion.id) for s in score_sets) if v is not None]
        means[criterion.id] = sum(values) / len(values) if values else None
    return means


def meets_threshold(mean, threshold):
    if threshold is None:
        return True
    if not math.isfinite(float(threshold)):
        raise RubricError(f"the threshold {threshold!r} is not a finite number")
    return mean is not None and mean >= threshold - THRESHOLD_TOLERANCE


def failed_thresholds(means, criteria):
    """Ids of the criteria whose threshold the means do not meet."""
    return [c.id for c in criteria if not meets_threshold(means.get(c.id), c.threshold)]


def same_score(value):
    """The key under which two scores count as equal."""
    return round(value, PRECISION)


def complete_totals(score_sets, criteria):
    """The totals of the reviews in `score_sets` that are complete on the rubric; an incomplete one (a
    criterion added after it was submitted) has no total and is left out, never read as zero."""
    out = []
    for scores in score_sets:
        try:
            out.append(review_total(scores, criteria))
        except RubricError:
            continue
    return out
