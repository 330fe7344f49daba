"""Rules of the Schulze module that its worked examples leave undefended (found by `make mutation`):
what a refused ballot says, and that the result names the candidates it ranks."""
import pytest

from govchallenge.jury import schulze
from govchallenge.jury.schulze import BallotError


@pytest.mark.parametrize("candidates, ballots, words", [
    ("ABC", [(1, [["A"], ["Z"]])], "'Z' is not a candidate"),
    ("ABC", [(1, [], {"Y"})], "'Y' is not a candidate"),
    ("ABC", [(1, [["A"], ["B", "A"]])], "'A' is named twice on one ballot (or ranked and abstained on)"),
    ("ABC", [(1, [["C"]], {"C"})], "'C' is named twice on one ballot (or ranked and abstained on)"),
    ("ABC", [(0, [["A"]])], "a ballot's count must be a positive whole number, not 0"),
    ("ABC", [(1.5, [["A"]])], "a ballot's count must be a positive whole number, not 1.5"),
    (["A", "A"], [], "the candidates must be a non-empty list without repeats"),
])
def test_a_refused_ballot_says_what_is_wrong_and_names_it(candidates, ballots, words):
    with pytest.raises(BallotError) as raised:
        schulze.schulze(candidates, ballots)
    assert str(raised.value) == words


def test_the_result_lists_the_candidates_in_the_order_given():
    result = schulze.schulze("CAB", [(1, [["A"], ["B"]])])
    assert result.candidates == ["C", "A", "B"]
    assert result.order == [["A"], ["B"], ["C"]]
