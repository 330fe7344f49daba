"""How the scoring engine combines one entry's reviews and calibrates the jurors (pure: no Flask, no database).

Aggregations: mean, median, trimmed mean. Calibrations: none, per-juror standardisation, an additive
juror-offset model fitted by least squares, or the recommended additive model with the jurors' effects shrunk
towards zero (`ranking_model`; it combines reviews by their mean).
"""
import math
import statistics

from govchallenge.challenges import rubric

from . import ranking_model

MEAN, MEDIAN, TRIMMED_MEAN = "mean", "median", "trimmed_mean"
AGGREGATIONS = (MEAN, MEDIAN, TRIMMED_MEAN)
NO_CALIBRATION, STANDARDISE, OFFSET, MODEL = "none", "standardise", "offset", "model"
CALIBRATIONS = (NO_CALIBRATION, STANDARDISE, OFFSET, MODEL)
RECOMMENDED_AGGREGATION, RECOMMENDED_CALIBRATION = MEAN, MODEL  # the default of a new challenge
# Scores equal to this many decimals are a tie (float noise never decides a place): the rubric's rule.
PRECISION = rubric.PRECISION
FLOAT_FORMAT = "%.6f"


class ScoringError(rubric.RubricError):
    """A refusal; `code` names the rule for a translated message ("invalid" for the rubric's own refusals)."""

    def __init__(self, message, code="invalid"):
        super().__init__(message)
        self.code = code


# --- aggregation ----------------------------------------------------------------------------

def trimmed_mean(values, proportion=0.2):
    """Drops floor(n × proportion) values at each end, and at least one from three values on."""
    values = sorted(values)
    n = len(values)
    cut = max(1, int(n * proportion)) if n >= 3 else 0
    kept = values[cut:n - cut] if cut else values
    return sum(kept) / len(kept)


def aggregate(values, method=MEAN):
    if not values:
        raise ScoringError("no reviews to aggregate")
    if method == MEAN:
        return sum(values) / len(values)
    if method == MEDIAN:
        return float(statistics.median(values))
    if method == TRIMMED_MEAN:
        return trimmed_mean(values)
    raise ScoringError(f"unknown aggregation {method!r}")


# --- calibration ----------------------------------------------------------------------------

def _population_sd(values):
    if len(values) < 2:
        return 0.0
    mean = sum(values) / len(values)
    return math.sqrt(sum((v - mean) ** 2 for v in values) / len(values))


def standardise(totals):
    """totals: {(entry, juror): total}. Each juror's totals become z-scores, rescaled to the panel's
    mean and standard deviation. A juror with one review, or all reviews equal, is only shifted to
    the panel mean (no spread to scale by)."""
    if not totals:
        return {}
    panel = list(totals.values())
    panel_mean, panel_sd = sum(panel) / len(panel), _population_sd(panel)
    by_juror = {}
    for (entry, juror), value in totals.items():
        by_juror.setdefault(juror, []).append(value)
    calibrated = {}
    for (entry, juror), value in totals.items():
        own = by_juror[juror]
        mean, sd = sum(own) / len(own), _population_sd(own)
        if sd > 1e-12:
            calibrated[(entry, juror)] = panel_mean + panel_sd * (value - mean) / sd
        else:
            calibrated[(entry, juror)] = panel_mean + (value - mean)
    return calibrated


def juror_offsets(totals, iterations=500, tolerance=1e-10):
    """The additive model total = entry quality + juror offset, fitted by alternating least
    squares with the review-weighted offsets summing to zero. Returns {juror: offset}."""
    if not totals:
        return {}
    entries, jurors = {}, {}
    for (entry, juror), value in totals.items():
        entries.setdefault(entry, []).append((juror, value))
        jurors.setdefault(juror, []).append((entry, value))
    quality = {e: sum(v for _, v in rows) / len(rows) for e, rows in entries.items()}
    offset = {j: 0.0 for j in jurors}
    for _ in range(iterations):
        new_offset = {j: sum(v - quality[e] for e, v in rows) / len(rows) for j, rows in jurors.items()}
        centre = sum(new_offset[j] * len(rows) for j, rows in jurors.items()) / len(totals)
        new_offset = {j: o - centre for j, o in new_offset.items()}
        new_quality = {e: sum(v - new_offset[j] for j, v in rows) / len(rows) for e, rows in entries.items()}
        change = max(
            max(abs(new_offset[j] - offset[j]) for j in jurors),
            max(abs(new_quality[e] - quality[e]) for e in entries),
        )
        offset, quality = new_offset, new_quality
        if change < tolerance:
            break
    return offset


def calibrate(totals, method=NO_CALIBRATION):
    if method == NO_CALIBRATION:
        return dict(totals)
    if method == STANDARDISE:
        return standardise(totals)
    if method == OFFSET:
        offsets = juror_offsets(totals)
        return {(entry, juror): value - offsets[juror] for (entry, juror), value in totals.items()}
    if method == MODEL:
        return fit_model(totals).calibrated if totals else {}
    raise ScoringError(f"unknown calibration {method!r}")


def fit_model(values):
    """The recommended model fitted to {(entry, juror): value}; the model's refusals as ScoringError."""
    try:
        return ranking_model.fit(values)
    except ranking_model.ModelError as error:
        raise ScoringError(str(error), code=error.code) from error


# --- thresholds and breakdowns --------------------------------------------------------------

