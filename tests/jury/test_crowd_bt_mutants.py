"""Rules of the Crowd-BT module the reference comparisons leave undefended (found by `make mutation`): the
digamma function against its published values, and the choice of the next finalist (never the one shown now,
finalists nobody was shown yet count as seen 0 times, equal gains go to the first in order, reproducible from
the seed), and that replaying a stream gives the model that recorded it."""
import math

import pytest

from govchallenge.jury import crowd_bt
from govchallenge.jury.crowd_bt import CrowdBT, Parameters

EULER_GAMMA = 0.5772156649015329


@pytest.mark.parametrize("x, value", [
    (1.0, -EULER_GAMMA),  # ψ(1) = −γ
    (0.5, -EULER_GAMMA - 2 * math.log(2)),  # ψ(1/2) = −γ − 2 ln 2
    (6.0, 1 + 1 / 2 + 1 / 3 + 1 / 4 + 1 / 5 - EULER_GAMMA),  # ψ(n) = H(n−1) − γ
    (10.0, sum(1 / k for k in range(1, 10)) - EULER_GAMMA),
    (25.0, sum(1 / k for k in range(1, 25)) - EULER_GAMMA),
])
def test_digamma_matches_its_published_values(x, value):
    assert crowd_bt._digamma(x) == pytest.approx(value, abs=1e-10)


def test_the_next_finalist_is_never_the_one_shown_now():
    model = CrowdBT(["A", "B", "C"])
    for juror in range(60):  # `seen` left empty: the finalist shown now is excluded all the same
        assert model.choose_next(juror, previous="A") in {"B", "C"}


def test_a_finalist_missing_from_the_counts_was_shown_zero_times():
    model = CrowdBT(["A", "B", "C"])
    for juror in range(60):
        assert model.choose_next(juror, shown_counts={"A": 1}) in {"B", "C"}  # the least shown first


def test_a_finalist_missing_from_the_counts_is_shown_before_the_seen_ones():
    model = CrowdBT(["A", "B", "C", "D"], Parameters(min_views=1, epsilon=0.5))
    for juror in range(80):  # A was shown once (min_views 1): only B and C, never shown, may follow D
        assert model.choose_next(juror, previous="D", seen=["D"], shown_counts={"A": 1, "D": 1}) in {"B", "C"}


def test_equal_gains_go_to_the_first_finalist_in_order():
    model = CrowdBT(["A", "B", "C", "D"], Parameters(epsilon=0.0))  # every finalist at the prior: equal gains
    assert model.choose_next("j", previous="A", seen=["A"]) == "B"
    assert model.choose_next("j", previous="B", seen=["B"]) == "A"


def test_the_choice_is_reproducible_from_the_seed():
    first, second = CrowdBT(list(range(10)), seed=5), CrowdBT(list(range(10)), seed=5)
    picks = [first.choose_next(juror) for juror in range(40)]
    assert picks == [second.choose_next(juror) for juror in range(40)]
    assert len(set(picks)) > 3  # the first showing is drawn among the least seen, not always the same


@pytest.mark.parametrize("seed", [None, 0, 7, "round-3"])
def test_replaying_a_stream_gives_the_model_that_recorded_it(seed):
    items = list(range(8))
    votes = [("x", 1, 2), ("y", 3, 1), ("x", 4, 5), ("z", 2, 6)]
    live = CrowdBT(items) if seed is None else CrowdBT(items, seed=seed)
    for vote in votes:
        live.record(*vote)
    replayed = crowd_bt.estimate(items, votes) if seed is None else crowd_bt.estimate(items, votes, seed=seed)
    assert replayed.finalists == live.finalists and replayed.jurors == live.jurors
    assert [replayed.choose_next(j) for j in range(30)] == [live.choose_next(j) for j in range(30)]
    assert [replayed.choose_next(j, 7, [7]) for j in range(30)] == [live.choose_next(j, 7, [7]) for j in range(30)]
