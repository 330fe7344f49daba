"""Agreement statistics for the results documents, from the jury domain's pure module
(govchallenge.jury.agreement): Krippendorff's alpha (interval) per criterion and on the review
totals, and the jurors whose scores stand far from the panel."""
from . import scoring


def _units(data, value_of):
    """{entry: {juror label: value}} — the reliability data layout (units × coders)."""
    units = {}
    for review in data.reviews:
        value = value_of(review)
        if value is not None:
            units.setdefault(review.entry_id, {})[review.juror_id] = value
    return units


def disagreeing(agreement, data):
    """Entries whose review totals spread widely (the jury module's rule)."""
    rule = getattr(agreement, "strongly_disagreeing", None)
    if rule is None:
        return []
    from .documents import scoring_criteria

    counting = scoring_criteria(data.criteria)
    totals = {}
    for review in data.reviews:
        totals.setdefault(review.entry_id, []).append(scoring.review_total(review, counting))
    try:
        return sorted(str(e) for e in rule(totals))
    except Exception:  # noqa: BLE001
        return []


def summarise(agreement, data):
    alpha = getattr(agreement, "krippendorff_alpha", None)
    outliers_of = getattr(agreement, "outlier_jurors", None)
    per_criterion = {}
    if alpha is None:
        return per_criterion, []
    criteria = [c for c in data.criteria]
    for criterion in criteria:
        units = _units(data, lambda r, cid=str(criterion.id): r.scores.get(cid))
        per_criterion[str(criterion.id)] = _safe(alpha, units)
    from .documents import scoring_criteria

    counting = scoring_criteria(data.criteria)
    totals = _units(data, lambda r: scoring.review_total(r, counting))
    per_criterion["total"] = _safe(alpha, totals)
    outliers = []
    if outliers_of is not None:
        try:
            outliers = sorted(str(j) for j in outliers_of(totals))
        except Exception:  # noqa: BLE001 - a statistic that cannot be computed is left out
            outliers = []
    return per_criterion, outliers


def _safe(alpha, units):
    try:
        value = alpha(units, "interval")
    except Exception:  # noqa: BLE001 - too little data: no alpha
        return None
    if value is None:
        return None
    value = float(value)
    return None if value != value else round(value, scoring.PRECISION)
