"""Intraclass correlations (results/reliability.py) against Shrout & Fleiss (1979) and values worked out by hand."""
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from govchallenge.results import reliability

# Shrout, P. E. & Fleiss, J. L. (1979). Intraclass correlations: uses in assessing rater reliability.
# Psychological Bulletin 86(2), 420-428. Table 2: four judges rate six targets.
SHROUT_FLEISS = [
    # judge 1, 2, 3, 4
    (9, 2, 5, 8),
    (6, 1, 3, 2),
    (8, 4, 6, 8),
    (7, 1, 2, 6),
    (10, 5, 6, 9),
    (6, 2, 4, 7),
]
# The paper's Table 4 (two decimals).
PUBLISHED = {"1_1": 0.17, "2_1": 0.29, "3_1": 0.71, "1_k": 0.44, "2_k": 0.62, "3_k": 0.91}


def as_units(rows):
    return {f"t{t}": {f"judge{j}": value for j, value in enumerate(row, 1)} for t, row in enumerate(rows, 1)}


@pytest.mark.parametrize("form", sorted(PUBLISHED))
def test_the_six_forms_match_shrout_and_fleiss(form):
    result = reliability.icc(as_units(SHROUT_FLEISS))
    assert round(result[form], 2) == PUBLISHED[form]
    assert result.raters == 4 and result.undefined == {}


def test_the_forms_do_not_depend_on_the_unit_of_the_scores():
    # a tenth of the paper's scores: every variance a hundredth, every ratio the same
    tenths = reliability.icc(as_units([tuple(v / 10 for v in row) for row in SHROUT_FLEISS]))
    for form, value in PUBLISHED.items():
        assert round(tenths[form], 2) == value


def test_the_paper_mean_squares_give_the_same_values_to_many_decimals():
    # The paper's ANOVA (Table 3): BMS = 11.24, WMS = 6.26, JMS = 32.49, EMS = 1.02, k = 4, n = 6
    # (rounded there; recomputed exactly here from the sums of squares of the matrix above).
    bms, wms, jms, ems, k, n = 56.2083 / 5, 112.75 / 18, 97.4583 / 3, 15.2917 / 15, 4, 6
    result = reliability.icc(as_units(SHROUT_FLEISS))
    assert result["1_1"] == pytest.approx((bms - wms) / (bms + (k - 1) * wms), abs=1e-4)
    assert result["2_1"] == pytest.approx((bms - ems) / (bms + (k - 1) * ems + k * (jms - ems) / n), abs=1e-4)
    assert result["3_1"] == pytest.approx((bms - ems) / (bms + (k - 1) * ems), abs=1e-4)
    assert result["2_k"] == pytest.approx((bms - ems) / (bms + (jms - ems) / n), abs=1e-4)


def test_unbalanced_one_way_worked_by_hand():
    # A: 2, 4 | B: 6, 8, 10 | C: 1. N = 6, three targets, grand mean 31/6.
    # MSB = (2·9 + 3·64 + 1 − 961/6) / 2 = 305/12; MSW = (1 + 1 + 4 + 0 + 4) / 3 = 10/3;
    # n0 = (6 − 14/6) / 2 = 11/6; ICC(1,1) = (305/12 − 40/12) / (305/12 + (5/6)(10/3)) = 159/203.
    # k = 6/3 = 2: ICC(1,k) = 2 (159/203) / (1 + 159/203) = 159/181.
    units = {"A": {"j1": 2, "j2": 4}, "B": {"j1": 6, "j2": 8, "j3": 10}, "C": {"j3": 1}}
    result = reliability.icc(units)
    assert result["1_1"] == pytest.approx(159 / 203)
    assert result["1_k"] == pytest.approx(159 / 181)
    assert result.raters == 2


def test_spearman_brown():
    assert reliability.spearman_brown(0.5, 3) == pytest.approx(0.75)  # 1.5 / 2
    assert reliability.spearman_brown(0.2, 1) == pytest.approx(0.2)
    assert reliability.spearman_brown(-0.5, 3) is None  # 1 + 2 x (-0.5) = 0: the targets do not vary


def test_targets_that_do_not_vary_leave_the_k_rater_form_undefined():
    # every target 0, 0, 1 across three judges: one-way ICC(1,1) = (0 − MSW) / (0 + 2 MSW) = −1/2, and the
    # mean of three ratings has no variance to be reliable about; the two-way fit is exact (no error either).
    result = reliability.icc(as_units([(1, 0, 0)] * 3))
    assert result["1_1"] == pytest.approx(-0.5)
    assert result["1_k"] is None and result.undefined["1_k"] == "no_variation"
    assert result["3_1"] is None and result.undefined["3_1"] == "no_variation"


@pytest.mark.parametrize("units, reason", [
    ({"a": {"j1": 5, "j2": 5}, "b": {"j1": 5, "j2": 5}}, "no_variation"),
    ({"a": {"j1": 5}, "b": {"j1": 7}}, "one_rater"),
    ({"a": {"j1": 5, "j2": 7}}, "too_few_values"),
    ({"a": {"j1": 5}, "b": {"j2": 7}}, "too_few_values"),
    ({}, "one_rater"),
])
def test_undefined_cases_say_why_and_never_claim_full_agreement(units, reason):
    result = reliability.icc(units)
    assert all(result[form] is None for form in reliability.FORMS)
    assert result.undefined == {form: reason for form in reliability.FORMS}
    assert result.raters is None


def test_two_way_forms_undefined_when_no_residual_is_left():
    # Two raters each seeing two targets in a chain: one-way is defined, the two-way residual has no df.
    units = {"a": {"j1": 1, "j2": 3}, "b": {"j2": 6, "j3": 2}}
    result = reliability.icc(units)
    assert result["1_1"] is not None
    assert result["2_1"] is None and result["3_1"] is None
    assert [result.undefined[f] for f in ("2_1", "2_k", "3_1", "3_k")] == ["too_few_values"] * 4
    assert result.raters == 2


complete = st.lists(st.tuples(*[st.integers(0, 10)] * 3), min_size=3, max_size=6)


@given(complete, st.integers(1, 5))
@settings(max_examples=60, deadline=None)
def test_consistency_ignores_a_rater_shifting_every_score(rows, shift):
    units = as_units(rows)
    before = reliability.icc(units)
    shifted = {t: {j: v + (shift if j == "judge1" else 0) for j, v in r.items()} for t, r in units.items()}
    after = reliability.icc(shifted)
    for form in ("3_1", "3_k"):
        assert after[form] == (None if before[form] is None else pytest.approx(before[form], abs=1e-9))


def test_absolute_agreement_counts_a_lenient_rater_as_disagreement():
    lenient = as_units([(a + 5, b, c, d) for a, b, c, d in SHROUT_FLEISS])  # judge 1 is already the most lenient
    assert reliability.icc(lenient)["2_1"] < reliability.icc(as_units(SHROUT_FLEISS))["2_1"] - 0.05
    assert reliability.icc(lenient)["3_1"] == pytest.approx(PUBLISHED["3_1"], abs=0.005)
