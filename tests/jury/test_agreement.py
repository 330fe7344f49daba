"""The pure agreement module against Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability"."""
import pytest

from govchallenge.jury import agreement

N = None
DATA = {  # 4 coders × 12 units
    "A": [1, 2, 3, 3, 2, 1, 4, 1, 2, N, N, N],
    "B": [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, N, 3],
    "C": [N, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, N],
    "D": [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, N],
}
UNITS = {u: {c: values[u] for c, values in DATA.items()} for u in range(12)}


@pytest.mark.parametrize("level, expected", [("nominal", 0.743), ("ordinal", 0.815), ("interval", 0.849), ("ratio", 0.797)])
def test_published_worked_example(level, expected):
    assert round(agreement.krippendorff_alpha(UNITS, level), 3) == expected


def test_edge_cases():
    assert agreement.krippendorff_alpha({1: {"a": 3}}) is None
    # every value equal: alpha is 0/0, undefined, never "perfect agreement"
    assert agreement.krippendorff_alpha({1: {"a": 3, "b": 3}, 2: {"a": 3, "b": 3}}) is None
    assert agreement.alpha_undefined({1: {"a": 3, "b": 3}, 2: {"a": 3, "b": 3}}) == "no_variation"
    assert agreement.alpha_undefined({1: {"a": 3}, 2: {"a": 4}}) == "one_rater"
    assert agreement.alpha_undefined({1: {"a": 3}, 2: {"b": 4}}) == "too_few_values"
    assert agreement.alpha_undefined(UNITS) is None
    assert agreement.alpha_undefined({1: {"a": 1, "b": 2}}) is None  # two values are enough (alpha 0)
    with pytest.raises(ValueError):
        agreement.krippendorff_alpha(UNITS, "bogus")


def test_per_criterion_and_outliers():
    reviews = []
    for entry in range(6):
        for juror, offset in (("x", 0), ("y", 0), ("z", 5)):
            reviews.append((entry, juror, {"1": entry + offset, "2": 4}))
    alphas = agreement.per_criterion_alpha(reviews, [1, 2])
    assert alphas[2] is None and alphas[1] < 0.5  # criterion 2: everyone gave 4
    units = {e: {j: s["1"] for ee, j, s in reviews if ee == e} for e in range(6)}
    assert agreement.outlier_jurors(units) == ["z"]
    assert agreement.juror_deviations(units)["z"] > 1


def test_disagreement():
    assert agreement.strongly_disagreeing({"a": [10, 80], "b": [50, 60, 55], "c": [70]}, threshold=25) == ["a"]
