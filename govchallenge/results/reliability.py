"""How far the ranked scores can be trusted: intraclass correlations (Shrout & Fleiss 1979). Pure: plain data
in, plain data out (no Flask, no database).

    icc(units) -> Reliability;  units = {target (entry): {rater (juror): value}}

The six forms of Shrout & Fleiss, for single ratings (x,1) and for the mean of k ratings (x,k):
- ICC(1,·): each target rated by its own raters (one-way layout: rater differences are part of the error).
  This is the design of a jury — every entry gets its own jurors — so ICC(1,k) is the reliability of the
  averaged score that ranks the entries.
- ICC(2,·): raters a random sample, absolute agreement (two-way, rater effects are error).
- ICC(3,·): these raters only, consistency (two-way, rater effects removed).

Unbalanced and incomplete designs (jurors see different entries, entries get different numbers of reviews):
- ICC(1,1) = (MSB − MSW) / (MSB + (n₀ − 1) MSW), the one-way ANOVA estimate with n₀ = (N − Σ nᵢ² / N) / (n − 1),
  the usual mean group size for unequal groups (equal to k when balanced).
- ICC(2,1) = σ_t² / (σ_t² + σ_r² + σ²) and ICC(3,1) = σ_t² / (σ_t² + σ²), with the variance components of
  targets, raters and error estimated by Henderson's method III (`ranking_model.variance_components`), which
  in a complete balanced design are Shrout & Fleiss's (BMS − EMS)/k, (JMS − EMS)/n and EMS: the formulas agree.
- The k-rater forms apply the Spearman–Brown formula kρ / (1 + (k − 1)ρ) to the single-rater value with k the
  mean number of ratings per target (N / n). In a balanced design this is exactly Shrout & Fleiss's (x,k).
Estimates are not truncated at zero: a negative value says the raters agree less than chance would suggest.

Undefined (value None, with a reason, never a made-up 1.0): every value equal (no variation to explain:
"no_variation"), fewer than two raters ("one_rater"), fewer than two targets or no target rated twice
("too_few_values"); ICC(2) and ICC(3) also when the two-way residual has no degree of freedom left.
"""
from dataclasses import dataclass, field

from govchallenge.jury.agreement import NO_VARIATION, ONE_RATER, TOO_FEW_VALUES

from . import ranking_model

FORMS = ("1_1", "2_1", "3_1", "1_k", "2_k", "3_k")


@dataclass
class Reliability:
    values: dict = field(default_factory=dict)  # {form: value or None}
    undefined: dict = field(default_factory=dict)  # {form: reason} for each form without a value
    raters: float = None  # k: mean number of ratings per target

    def __getitem__(self, form):
        return self.values.get(form)


def spearman_brown(single, k):
    """The reliability of the mean of k ratings from that of one; None at single = −1/(k − 1), where the
    targets do not vary at all (the formula is 0/0 there)."""
    denominator = 1 + (k - 1) * single
    return None if abs(denominator) < 1e-12 else k * single / denominator


def _flatten(units):
    values = {}
    for target, ratings in units.items():
        for rater, value in (ratings or {}).items():
            if value is not None:
                values[(target, rater)] = float(value)
    return values


def _undefined(reason):
    return Reliability({form: None for form in FORMS}, {form: reason for form in FORMS})


def icc(units):
    """The six intraclass correlations of `units` ({target: {rater: value}}); see the module's docstring."""
    values = _flatten(units)
    targets = {t for t, _ in values}
    raters = {r for _, r in values}
    if len(raters) < 2:
        return _undefined(ONE_RATER)
    if len(targets) < 2 or len(values) <= len(targets):
        return _undefined(TOO_FEW_VALUES)
    if len(set(values.values())) == 1:
        return _undefined(NO_VARIATION)
    k = len(values) / len(targets)
    result = Reliability(raters=k)
    single = {"1": _one_way(values)}
    single.update(_two_way(values))
    for kind, value in single.items():
        if isinstance(value, str):
            result.values[f"{kind}_1"] = result.values[f"{kind}_k"] = None
            result.undefined[f"{kind}_1"] = result.undefined[f"{kind}_k"] = value
        else:
            result.values[f"{kind}_1"], result.values[f"{kind}_k"] = value, spearman_brown(value, k)
            if result.values[f"{kind}_k"] is None:
                result.undefined[f"{kind}_k"] = NO_VARIATION
    return result


def _one_way(values):
    by_target = {}
    for (target, _), value in values.items():
        by_target.setdefault(target, []).append(value)
    n, count = len(values), len(by_target)
    grand = sum(values.values()) / n
    between = sum(len(v) * (sum(v) / len(v) - grand) ** 2 for v in by_target.values()) / (count - 1)
    within = sum((x - sum(v) / len(v)) ** 2 for v in by_target.values() for x in v) / (n - count)
    n0 = (n - sum(len(v) ** 2 for v in by_target.values()) / n) / (count - 1)
    return (between - within) / (between + (n0 - 1) * within)


def _two_way(values):
    """{"2": ICC(2,1), "3": ICC(3,1)} from the variance components, or the reason they are undefined."""
    try:
        v = ranking_model.variance_components(ranking_model.sums_of_squares(ranking_model.Design.of(values)))
    except ranking_model.ModelError:
        return {"2": TOO_FEW_VALUES, "3": TOO_FEW_VALUES}
    return {"2": _share(v.entry, v.entry + v.juror + v.noise), "3": _share(v.entry, v.entry + v.noise)}


def _share(part, whole):
    """part / whole; a whole of zero (BMS = EMS = 0: the parts do not vary) has no share."""
    return part / whole if whole > 0 else NO_VARIATION
