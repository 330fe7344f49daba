"""The agreement statistics (jury/agreement.py) at their edges, against values worked out by hand and against a
second implementation of Krippendorff's alpha written here from its pairwise definition (no coincidence matrix):

    D_o = 1/n · Σ_units 1/(m_u − 1) · Σ_{i≠j in the unit} δ²(v_i, v_j)
    D_e = 1/(n(n − 1)) · Σ_{i≠j among all pairable values} δ²(v_i, v_j)
    alpha = 1 − D_o / D_e
"""
import math
from itertools import permutations

import pytest
from hypothesis import given, settings, strategies as st

from govchallenge.jury import agreement


def pairwise_alpha(units, level):
    groups = [[v for v in (u.values() if isinstance(u, dict) else u) if v is not None] for u in units.values()]
    groups = [g for g in groups if len(g) >= 2]
    values = [v for g in groups for v in g]
    n = len(values)
    if n < 2:
        return None
    counts = {v: values.count(v) for v in set(values)}
    ordered = sorted(counts)

    def delta2(c, k):
        if level == "nominal":
            return 0.0 if c == k else 1.0
        if level == "interval":
            return float(c - k) ** 2
        if level == "ratio":
            return 0.0 if c == k else ((c - k) / (c + k)) ** 2
        lo, hi = sorted((ordered.index(c), ordered.index(k)))  # ordinal
        return (sum(counts[ordered[g]] for g in range(lo, hi + 1)) - (counts[c] + counts[k]) / 2) ** 2

    observed = sum(delta2(a, b) / (len(g) - 1) for g in groups for a, b in permutations(g, 2)) / n
    expected = sum(delta2(a, b) for a, b in permutations(values, 2)) / (n * (n - 1))
    return None if expected == 0 else 1 - observed / expected  # no variation: alpha is 0/0, undefined


reliability_data = st.dictionaries(
    st.integers(0, 6),
    st.one_of(
        st.dictionaries(st.sampled_from("ABCD"), st.one_of(st.none(), st.integers(0, 4)), max_size=4),
        st.lists(st.one_of(st.none(), st.integers(0, 4)), max_size=4),  # {unit: [values]} is accepted too
    ),
    max_size=6,
)


@given(reliability_data, st.sampled_from(["nominal", "ordinal", "interval", "ratio"]))
@settings(max_examples=300, deadline=None)
def test_alpha_agrees_with_the_pairwise_definition(units, level):
    expected = pairwise_alpha(units, level)
    found = agreement.krippendorff_alpha(units, level)
    assert found == (None if expected is None else pytest.approx(expected, abs=1e-9))


def test_ratio_alpha_with_zeros_by_hand():
    # values 0, 0 | 1, 3: ratio delta^2(1, 3) = (2/4)^2 = 1/4, delta(0, 0) = 0, delta^2(0, x) = 1.
    # observed: 2 x 1/4 = 1/2; expected over the ordered pairs of {0, 0, 1, 3}: 2 x (4 x 1 + 1/4) = 8.5
    # alpha = 1 - 3 x (1/2) / 8.5 = 14/17
    units = {"u1": {"a": 0, "b": 0}, "u2": {"a": 1, "b": 3}}
    assert agreement.krippendorff_alpha(units, "ratio") == pytest.approx(14 / 17)


def test_two_values_are_enough_to_compare():
    assert agreement.krippendorff_alpha({1: {"a": 1, "b": 2}}) == 0.0  # 1 - 1 x 2 / 2
    assert agreement.krippendorff_alpha({1: {"a": 1, "b": 1}}) is None  # no variation: undefined
    # 1,1 | 1,2: observed 2 (the pair 1-2 both ways), expected 3 x 1 + 1 x 3 = 6: 1 - 3 x 2 / 6 = 0
    assert agreement.krippendorff_alpha({1: {"a": 1, "b": 1}, 2: {"a": 1, "b": 2}}) == 0.0
    assert agreement.krippendorff_alpha({1: {"a": 1, "b": None}, 2: [3]}) is None
    with pytest.raises(ValueError, match="unknown level of measurement"):
        agreement.krippendorff_alpha({1: [1, 2]}, "cardinal")


def test_per_criterion_alpha_uses_the_level_asked_for():
    reviews = [("e1", "a", {"1": 1}), ("e1", "b", {"1": 2}), ("e2", "a", {"1": 3}), ("e2", "b", {"1": 3}),
               ("e3", "a", {"1": 1}), ("e3", "b", {}), ("e3", "c", None)]
    units = {"e1": [1, 2], "e2": [3, 3]}
    for level in ("nominal", "interval"):
        assert agreement.per_criterion_alpha(reviews, [1], level)[1] == pytest.approx(pairwise_alpha(units, level))
    assert agreement.per_criterion_alpha(reviews, [1], "nominal") != agreement.per_criterion_alpha(reviews, [1])


# --- deviations and outliers ----------------------------------------------------------------

SPREAD_ONE = {1: {"a": 0, "b": 1, "c": 2}, 2: {"a": 0, "b": 1, "c": 2}}  # pooled within-unit SD exactly 1


def test_deviations_in_pooled_standard_deviations_by_hand():
    # SD: each unit's squares 1 + 0 + 1 over 2 degrees of freedom: 1. a is 1.5 below the mean of b and c.
    assert agreement.juror_deviations(SPREAD_ONE) == {"a": -1.5, "b": 0.0, "c": 1.5}
    # two units (1, 3) and (2, 4): SD sqrt((2 + 2) / 2); a is 2 below b in each
    two = {1: {"a": 1, "b": 3}, 2: {"a": 2, "b": 4}}
    assert agreement.juror_deviations(two) == pytest.approx({"a": -math.sqrt(2), "b": math.sqrt(2)})


def test_a_unit_with_one_value_is_skipped_not_the_end():
    units = {0: {"a": 5}, 1: {"a": 1, "b": 3, "c": None}, 2: {"a": 2, "b": 4}}
    assert agreement.juror_deviations(units) == pytest.approx({"a": -math.sqrt(2), "b": math.sqrt(2)})


def test_a_juror_needs_min_units_shared_units():
    one_unit = {1: {"a": 1, "b": 3}}  # SD sqrt(2 / 1)
    assert agreement.juror_deviations(one_unit) == {}
    assert agreement.juror_deviations(one_unit, min_units=1) == pytest.approx({"a": -math.sqrt(2), "b": math.sqrt(2)})
    assert agreement.outlier_jurors(one_unit, min_units=1) == ["a", "b"]
    assert agreement.outlier_jurors(one_unit) == []
    assert agreement.juror_deviations({1: {"a": 4, "b": 4}, 2: {"a": 4, "b": 4}}) == {}  # nobody varies


def test_an_outlier_is_strictly_beyond_the_threshold_and_listed_in_text_order():
    assert agreement.outlier_jurors(SPREAD_ONE) == ["a", "c"]
    assert agreement.outlier_jurors(SPREAD_ONE, threshold=1.5) == []
    units = {u: {9: 0, 10: 2, "x": 1} for u in (1, 2)}
    assert agreement.outlier_jurors(units, threshold=1.4) == [10, 9]  # "10" < "9"


# --- totals and disagreement -------------------------------------------------------------------

# A review's total is the rubric's (govchallenge/challenges/rubric.py): its edges are in tests/challenges/test_rubric.py.


def test_spread_and_strong_disagreement_at_exactly_the_threshold():
    assert agreement.spread([]) == 0.0 and agreement.spread([None, 7]) == 0.0 and agreement.spread([4]) == 0.0
    assert agreement.spread([3, None, 10]) == 7
    entries = {"exactly": [50, 75], "over": [50, 75.001], "alone": [0], "none": []}
    assert agreement.strongly_disagreeing(entries) == ["over"]  # the default threshold: 25 points
    assert agreement.strongly_disagreeing(entries, threshold=24.9) == ["exactly", "over"]
