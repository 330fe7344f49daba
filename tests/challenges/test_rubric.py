"""The rubric's arithmetic against hand-computed values. (The shortlist ranks by the results' own rule:
tests/jury/test_shortlist_ranking.py.)"""
from dataclasses import dataclass

import pytest

from govchallenge.challenges import rubric


@dataclass(frozen=True)
class C:
    id: int
    weight: float = 1.0
    scale_min: int = 0
    scale_max: int = 10
    threshold: float = None
    informational: bool = False


MIXED = [C(1, weight=2), C(2, weight=1, scale_min=1, scale_max=5), C(3, weight=5, scale_max=1, informational=True)]


def test_a_reviews_total_rescales_weights_and_leaves_out_informational_criteria():
    # 10/10 -> 100 (weight 2); (1-1)/(5-1) -> 0 (weight 1): (200 + 0) / 3
    assert rubric.review_total({"1": 10, "2": 1}, MIXED) == pytest.approx(200 / 3)
    assert rubric.review_total({1: 5, 2: 3, 3: 0}, MIXED) == pytest.approx((2 * 50 + 50) / 3)


@pytest.mark.parametrize("scores, message", [
    ({"1": 10}, "criterion 2: score missing"),
    ({"1": 11, "2": 1}, "11.0 outside 0..10"),
    ({"1": -1, "2": 1}, "outside"),
])
def test_a_review_with_a_missing_or_off_scale_score_has_no_total(scores, message):
    with pytest.raises(rubric.RubricError, match=message):
        rubric.review_total(scores, MIXED)


def test_informational_criteria_never_count_and_a_review_without_scores_has_no_total():
    assert rubric.review_total({"1": 2}, [C(9, informational=True), C(1)]) == 20.0
    with pytest.raises(rubric.RubricError, match="positive weight"):
        rubric.review_total({"1": 3}, [C(1, informational=True)])
    with pytest.raises(rubric.RubricError, match="score missing"):
        rubric.review_total(None, [C(1)])
    assert rubric.complete_totals([{"1": 5}, {}, None], [C(1)]) == [50.0]


def test_an_empty_scale_and_a_rubric_without_weight_are_refused():
    with pytest.raises(rubric.RubricError, match="empty scale"):
        rubric.review_total({"1": 3}, [C(1, scale_min=3, scale_max=3)])
    with pytest.raises(rubric.RubricError, match="positive weight"):
        rubric.review_total({"1": 3}, [C(1, informational=True)])


@pytest.mark.parametrize("weight", [0, -1, float("nan"), float("inf"), float("-inf")])
def test_a_weight_that_is_not_a_finite_number_above_zero_is_refused(weight):
    with pytest.raises(rubric.RubricError, match="criterion 2: the weight must be a finite number above zero"):
        rubric.review_total({"1": 3, "2": 3}, [C(1), C(2, weight=weight)])


@pytest.mark.parametrize("low, high", [(float("-inf"), 10), (0, float("inf")), (float("nan"), 10), (0, float("nan"))])
def test_a_scale_whose_ends_are_not_finite_numbers_is_refused(low, high):
    with pytest.raises(rubric.RubricError):
        rubric.rescale(C(1, scale_min=low, scale_max=high), 5)


@pytest.mark.parametrize("threshold", [float("nan"), float("inf")])
def test_a_threshold_that_is_not_a_finite_number_is_refused(threshold):
    with pytest.raises(rubric.RubricError, match="not a finite number"):
        rubric.meets_threshold(50.0, threshold)


@pytest.mark.parametrize("value, inside", [(0, True), (10, True), (-0.001, False), (10.001, False)])
def test_the_scale_includes_both_ends(value, inside):
    assert rubric.on_scale(C(1), value) is inside


@pytest.mark.parametrize("mean, threshold, meets", [
    (0.1 + 0.2, 0.3, True),  # 0.30000000000000004: float noise never fails an entry
    (0.3 - 1e-12, 0.3, True),
    (0.3 - 1e-6, 0.3, False),
    (7, 7, True), (6.99, 7, False), (None, 7, False), (None, None, True), (0, None, True),
])
def test_a_threshold_is_met_up_to_float_noise(mean, threshold, meets):
    assert rubric.meets_threshold(mean, threshold) is meets


def test_criterion_means_and_failed_thresholds():
    criteria = [C(1, threshold=5), C(2, threshold=2), C(3)]
    means = rubric.criterion_means([{"1": 4, "2": 2}, {"1": 6}], criteria)
    assert means == {1: 5.0, 2: 2.0, 3: None}
    assert rubric.failed_thresholds(means, criteria) == []
    assert rubric.failed_thresholds({1: 4.9, 2: None, 3: None}, criteria) == [1, 2]


def test_an_incomplete_review_is_left_out_and_the_reviews_after_it_still_count():
    criteria = [C(1), C(2)]
    assert rubric.complete_totals([{"1": 10}, {"1": 10, "2": 0}, {"1": 5, "2": 5}], criteria) == [50.0, 50.0]
