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
from collections import defaultdict
from itertools import permutations

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


def _coincidences(units):
    """The coincidence matrix o[c][k] and the value frequencies n_c."""
    o = defaultdict(float)
    for vals in _pairable(units):
        m = len(vals)
        for a, b in permutations(range(m), 2):
            o[(vals[a], vals[b])] += 1.0 / (m - 1)
    n_c = defaultdict(float)
    for (c, _k), w in o.items():
        n_c[c] += w
    return o, n_c


def _delta(level, n_c):
    if level == NOMINAL:
        return lambda c, k: 0.0 if c == k else 1.0
    if level == INTERVAL:
        return lambda c, k: (float(c) - float(k)) ** 2
    if level == RATIO:
        return lambda c, k: 0.0 if c == k == 0 else ((float(c) - float(k)) / (float(c) + float(k))) ** 2
    if level == ORDINAL:
        values = sorted(n_c)
        rank = {v: i for i, v in enumerate(values)}

        def ordinal(c, k):
            if c == k:
                return 0.0
            lo, hi = sorted((rank[c], rank[k]))
            s = sum(n_c[values[g]] for g in range(lo, hi + 1)) - (n_c[values[lo]] + n_c[values[hi]]) / 2.0
            return s * s

        return ordinal
    raise ValueError(f"unknown level of measurement: {level}")


def krippendorff_alpha(units, level=INTERVAL):
    """Krippendorff's alpha of `units` ({unit: {coder: value}}, or {unit: [values]}) at `level`.

    alpha = 1 − (n − 1) · Σ o_ck δ²_ck / Σ n_c n_k δ²_ck (Krippendorff 2011, "Computing
    Krippendorff's Alpha-Reliability"). Returns None when fewer than two pairable values exist,
    and when there is no variation at all (expected disagreement 0): see `alpha_undefined`."""
    o, n_c = _coincidences(units)
    n = sum(n_c.values())
    if n < 2:
        return None
    delta = _delta(level, n_c)
    observed = sum(w * delta(c, k) for (c, k), w in o.items())
    values = list(n_c)
    expected = sum(n_c[c] * n_c[k] * delta(c, k) for c in values for k in values)
    if expected == 0:
        return None
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
