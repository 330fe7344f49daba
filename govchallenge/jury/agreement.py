"""Agreement statistics of a jury. Pure: plain data in, plain data out (no Flask, no database).

Data layout used throughout ("reliability data", units × coders):

    units = {unit_id: {coder_id: value, ...}, ...}

where a unit is an entry (or an entry × criterion) and a coder is a juror; missing values are
simply absent (or None). Public API:

- krippendorff_alpha(units, level="interval") -> float | None
    Krippendorff's alpha; level "nominal", "ordinal", "interval" or "ratio". None where it is
    undefined: nothing to compare (fewer than two pairable values) or all values equal (no
    disagreement is expected, so none can be measured: alpha is 0/0, not perfect agreement).
- alpha_undefined(units) -> None | ONE_RATER | TOO_FEW_VALUES | NO_VARIATION: why alpha is None.
- per_criterion_alpha(reviews, criterion_ids, level="interval") -> {criterion_id: alpha | None}
    reviews: iterable of (entry_id, juror_id, {str(criterion_id): score}).
- juror_deviations(units, min_units=2) -> {coder: mean deviation from the rest of the panel, in
    pooled within-unit standard deviations} (positive: scores higher than the others).
- outlier_jurors(units, threshold=1.0, min_units=2) -> sorted [coder] whose |deviation| > threshold.
- spread(values) -> max − min (0 for fewer than two values).
- strongly_disagreeing(entries, threshold=DISAGREEMENT_THRESHOLD) -> [entry_id] whose review totals
    (0–100) spread more than `threshold` points; entries: {entry_id: [total, ...]}.
"""
from __future__ import annotations

import math
from collections import Counter, defaultdict

NOMINAL, ORDINAL, INTERVAL, RATIO = "nominal", "ordinal", "interval", "ratio"
# Why an agreement statistic is undefined (shared with results/reliability.py).
ONE_RATER, TOO_FEW_VALUES, NO_VARIATION = "one_rater", "too_few_values", "no_variation"

DISAGREEMENT_THRESHOLD = 25.0
"""When the jurors of an entry "disagree strongly": the rule, in one place.

Each submitted review of an entry is turned into its total on a 0–100 scale
(`govchallenge.challenges.rubric.review_total`: every score rescaled to 0–100 on its criterion's scale,
weighted mean).
An entry is flagged when the highest and the lowest of its totals are more than this many points
apart (`spread(totals) > DISAGREEMENT_THRESHOLD`); exactly 25 points apart is not flagged, and an
entry with fewer than two submitted reviews never is. 25 points is a quarter of the whole scale:
e.g. one juror at 7/10 on every criterion and another at 4/10 (30 points apart) are flagged,
7/10 and 5/10 (20 points) are not. The chair's dashboard and the results' agreement report both
use it, so they always flag the same entries.
"""


def _pairable(units):
    out = []
    for values in units.values():
        vals = [v for v in (values.values() if isinstance(values, dict) else values) if v is not None]
        if len(vals) >= 2:
            out.append(vals)
    return out


def _midranks(counts):
    """{value: its mid-rank among all pairable values}: Krippendorff's ordinal difference between two values
    is the difference of their mid-ranks, squared (sum of the frequencies from c to k, minus half of each end)."""
    out, below = {}, 0.0
    for value in sorted(counts):
        out[value] = below + counts[value] / 2.0
        below += counts[value]
    return out


def _squared_spread(values, counts=None):
    """Σ over ordered pairs (a ≠ b) of (a − b)², as 2·N·Σ(v − mean)² (counts: multiplicities), in O(len)."""
    counts = counts or [1] * len(values)
    n = float(sum(counts))
    mean = sum(v * c for v, c in zip(values, counts)) / n
    return 2.0 * n * math.fsum(c * (v - mean) ** 2 for v, c in zip(values, counts))


def _ratio_expected(counts):
    """Σ n_c n_k ((c − k)/(c + k))² over every pair of distinct values: no closed form, so numpy, in blocks."""
    import numpy as np

    values = np.array([float(v) for v in counts], dtype=float)
    weights = np.array(list(counts.values()), dtype=float)
    total = 0.0
    for start in range(0, len(values), 1024):
        block = values[start:start + 1024, None]
        total_sum = block + values[None, :]
        with np.errstate(divide="ignore", invalid="ignore"):
            d = np.where(total_sum == 0, 0.0, (block - values[None, :]) / total_sum)
        total += float((weights[start:start + 1024, None] * weights[None, :] * d * d).sum())
    return total


def krippendorff_alpha(units, level=INTERVAL):
    """Krippendorff's alpha of `units` ({unit: {coder: value}}, or {unit: [values]}) at `level`.

    alpha = 1 − (n − 1) · Σ o_ck δ²_ck / Σ n_c n_k δ²_ck (Krippendorff 2011, "Computing
    Krippendorff's Alpha-Reliability"). Returns None when fewer than two pairable values exist,
    and when there is no variation at all (expected disagreement 0): see `alpha_undefined`.

    Computed from the counts of distinct values, never over every pair of them, so a 0–100 scale with
    thousands of distinct totals stays well under a second: the nominal, interval and ordinal (interval on
    mid-ranks) sums have closed forms in O(values); only the ratio level pairs distinct values, in numpy."""
    if level not in (NOMINAL, ORDINAL, INTERVAL, RATIO):
        raise ValueError(f"unknown level of measurement: {level}")
    pairable = _pairable(units)
    counts = Counter(v for vals in pairable for v in vals)
    n = float(sum(counts.values()))
    if n < 2:
        return None
    if level == ORDINAL:
        rank = _midranks(counts)
        pairable = [[rank[v] for v in vals] for vals in pairable]
        counts = Counter({rank[v]: c for v, c in counts.items()})
    if level == NOMINAL:
        observed = math.fsum((len(vals) * (len(vals) - 1) - sum(c * (c - 1) for c in Counter(vals).values()))
                             / (len(vals) - 1) for vals in pairable)
        expected = n * n - math.fsum(c * c for c in counts.values())
    elif level == RATIO:
        def ratio(c, k):
            return 0.0 if c + k == 0 else ((float(c) - float(k)) / (float(c) + float(k))) ** 2
        observed = math.fsum(sum(ratio(a, b) for i, a in enumerate(vals) for j, b in enumerate(vals) if i != j)
                             / (len(vals) - 1) for vals in pairable)
        expected = _ratio_expected(counts)
    else:
        observed = math.fsum(_squared_spread([float(v) for v in vals]) / (len(vals) - 1) for vals in pairable)
        expected = _squared_spread([float(v) for v in counts], list(counts.values()))
    if len(counts) < 2 or expected == 0:
        return None  # no variation: no disagreement is expected, so none can be measured
    return 1.0 - (n - 1) * observed / expected


def alpha_undefined(units):
    """Why `krippendorff_alpha(units)` is None, or None when it has a value: a single rater, fewer than two
    pairable values, or no variation among them."""
    coders = {c for values in units.values() if isinstance(values, dict) for c, v in values.items() if v is not None}
    if len(coders) == 1:
        return ONE_RATER
    pairable = _pairable(units)
    if sum(len(vals) for vals in pairable) < 2:
        return TOO_FEW_VALUES
    if len({float(v) for vals in pairable for v in vals}) == 1:
        return NO_VARIATION
    return None


def per_criterion_alpha(reviews, criterion_ids, level=INTERVAL):
    """{criterion_id: alpha} over reviews [(entry_id, juror_id, {str(criterion_id): score})]."""
    out = {}
    reviews = list(reviews)
    for cid in criterion_ids:
        key = str(cid)
        units = defaultdict(dict)
        for entry_id, juror_id, scores in reviews:
            value = (scores or {}).get(key)
            if value is not None:
                units[entry_id][juror_id] = value
        out[cid] = krippendorff_alpha(units, level)
    return out


def _pooled_sd(units):
    ss, df = 0.0, 0
    for vals in _pairable(units):
        mean = sum(vals) / len(vals)
        ss += sum((v - mean) ** 2 for v in vals)
        df += len(vals) - 1
    if df == 0:
        return 0.0
    return math.sqrt(ss / df)


def juror_deviations(units, min_units=2):
    """{coder: mean of (value − mean of the other coders on the unit) / pooled within-unit SD}.

    Coders with fewer than `min_units` shared units are left out; {} when the panel never varies."""
    sd = _pooled_sd(units)
    if sd == 0:
        return {}
    diffs = defaultdict(list)
    for values in units.values():
        present = {c: v for c, v in values.items() if v is not None}
        if len(present) < 2:
            continue
        total = sum(present.values())
        for coder, value in present.items():
            others = (total - value) / (len(present) - 1)
            diffs[coder].append((value - others) / sd)
    return {c: sum(d) / len(d) for c, d in diffs.items() if len(d) >= min_units}


def outlier_jurors(units, threshold=1.0, min_units=2):
    """Coders whose mean deviation from the panel exceeds `threshold` panel SDs (either way)."""
    return sorted((c for c, d in juror_deviations(units, min_units).items() if abs(d) > threshold), key=str)


def spread(values):
    values = [v for v in values if v is not None]
    return (max(values) - min(values)) if len(values) >= 2 else 0.0


def strongly_disagreeing(entries, threshold=DISAGREEMENT_THRESHOLD):
    """Entry ids whose review totals (0–100) spread over more than `threshold` points
    (default: DISAGREEMENT_THRESHOLD, see there for the rule)."""
    return [e for e, totals in entries.items() if spread(totals) > threshold]
