"""The contest-scale solver's edges that the comparison with the reference does not reach: the sample of
candidates, the progress a job reports, the default of three reviews, mixed kinds of ids, pairs naming
someone no longer in the jury, and balance winning over chance on the smallest juries."""
import numpy as np
import pytest

from govchallenge.jury.assignment import EntrySpec, JurorSpec
from govchallenge.jury.flow_assignment import _sample, assign


def entries(n):
    return [EntrySpec(f"e{i}") for i in range(n)]


def jurors(n):
    return [JurorSpec(f"j{k}") for k in range(n)]


@pytest.mark.parametrize("width, size", [(9, 1), (9, 3), (9, 8), (300, 1), (300, 7), (300, 150), (300, 299)])
def test_the_sample_holds_only_eligible_jurors_and_as_many_as_asked(width, size):
    for seed in range(40):
        rng = np.random.default_rng(seed)
        eligible = rng.random((12, width)) < 0.6
        eligible[0, :] = False  # no eligible juror
        eligible[1, :] = True  # every juror
        eligible[2, :] = False
        eligible[2, :size] = True  # exactly `size`
        sampled = _sample(eligible, size, np.random.default_rng(seed + 1000))
        assert sampled.dtype == bool and sampled.shape == eligible.shape
        assert not (sampled & ~eligible).any(), seed  # never a pair that is not eligible
        expected = np.minimum(eligible.sum(axis=1), size)
        assert sampled.sum(axis=1).tolist() == expected.tolist(), seed


def test_the_sample_is_drawn_at_random_from_the_eligible():
    eligible = np.ones((1, 10), dtype=bool)
    drawn = {tuple(np.nonzero(_sample(eligible, 3, np.random.default_rng(seed))[0])[0]) for seed in range(30)}
    assert len(drawn) > 15


def record():
    calls = []
    return calls, lambda done, total: calls.append((done, total))


def test_progress_counts_one_attempt_per_doubling_of_the_sample_up_to_the_whole_jury():
    """41 jurors, 4 candidates first: samples of 4, 8, 16, 32, then the whole jury = at most 5 attempts. A jury
    with nothing to balance is done after the first."""
    calls, progress = record()
    result = assign(entries(41), jurors(41), 1, seed=1, candidates=4, progress=progress)
    assert result.short == {} and set(result.loads().values()) == {1}
    assert calls == [(0, 5), (5, 5)]


def test_progress_goes_up_one_attempt_at_a_time_while_the_sample_widens():
    """Only j0 may review e0, so the loads balance only once e0's sample holds j0 (see the test of widening)."""
    conflicts = {("j0", f"e{i}") for i in range(1, 41)}
    widened = 0
    for seed in range(6):
        calls, progress = record()
        assign(entries(41), jurors(41), 1, conflicts, seed=seed, candidates=4, progress=progress)
        done = [d for d, _ in calls]
        assert {t for _, t in calls} == {5}, seed
        assert done[:-1] == list(range(len(done) - 1)) and done[-1] == 5, seed
        widened += len(done) > 2
    assert widened >= 3  # the first sample of 4 rarely holds j0 for e0


@pytest.mark.parametrize("candidates", [None, 0])
def test_without_a_sample_the_whole_jury_is_one_attempt(candidates):
    calls, progress = record()
    result = assign(entries(5), jurors(3), 2, seed=1, candidates=candidates, progress=progress)
    assert result.short == {} and sorted(result.loads().values()) == [3, 3, 4]
    assert calls == [(0, 1), (1, 1)]


def test_a_jury_smaller_than_the_sample_is_one_attempt_even_with_entries_short():
    calls, progress = record()
    result = assign(entries(3), jurors(2), 3, seed=1, progress=progress)
    assert result.short == {"e0": 1, "e1": 1, "e2": 1}
    assert calls == [(0, 1), (1, 1)]


@pytest.mark.parametrize("candidates", [None, 4])
def test_no_jurors_is_one_attempt_with_every_entry_short(candidates):
    calls, progress = record()
    result = assign(entries(2), [], 2, seed=1, candidates=candidates, progress=progress)
    assert result.short == {"e0": 2, "e1": 2}
    assert calls == [(0, 1), (1, 1)]


def test_three_reviews_per_entry_unless_told_otherwise():
    result = assign(entries(4), jurors(5), seed=2)
    assert result.reviews() == {f"e{i}": 3 for i in range(4)} and result.reviews_per_entry == 3


def test_one_entry_and_one_juror_are_paired_rather_than_left_short():
    result = assign(entries(1), jurors(1), 1, seed=0)
    assert result.pairs == [("j0", "e0")] and result.short == {}


def test_balance_beats_chance_on_the_smallest_juries():
    """With two or three entries and jurors the random costs add up to most of one unit of imbalance: over many
    seeds, a juror never takes two entries while another has none."""
    for n in (2, 3):
        for seed in range(150):
            result = assign(entries(n), jurors(n), 1, seed=seed)
            assert set(result.loads().values()) == {1}, (n, seed)


def test_conflicts_and_kept_pairs_of_people_no_longer_in_the_jury_are_ignored():
    result = assign(entries(2), jurors(2), 1, conflicts={("gone", "e0"), ("j0", "gone")},
                    keep=[("gone", "e1"), ("j1", "gone")], forbid={("gone", "e1")}, seed=3)
    assert result.short == {} and sorted(result.loads().values()) == [1, 1]
    assert all(j in {"j0", "j1"} and e in {"e0", "e1"} for j, e in result.pairs)


def test_ids_of_different_kinds_are_put_in_one_order_whatever_the_input_order():
    """An entry 1 and an entry "1" print alike: their canonical order must still not depend on the input's."""
    pair = [EntrySpec(1), EntrySpec("1")]
    two = [JurorSpec(2), JurorSpec("2")]
    for seed in range(20):
        first = assign(pair, two, 1, seed=seed)
        again = assign(pair[::-1], two[::-1], 1, seed=seed)
        assert first.pairs == again.pairs, seed


def test_loads_one_apart_are_balanced_enough_for_the_first_sample():
    """83 entries for 41 jurors: one juror reviews three, the others two; 8 candidates per entry leave no juror
    idle, so the first sample is kept (samples of 8, 16, 32, then all 41: four attempts at most)."""
    for seed in range(5):
        calls, progress = record()
        result = assign(entries(83), jurors(41), 1, seed=seed, candidates=8, progress=progress)
        assert sorted(result.loads().values()) == [2] * 40 + [3], seed
        assert calls == [(0, 4), (4, 4)], seed


def test_an_entry_no_one_may_review_makes_every_attempt_up_to_the_whole_jury():
    """The sample doubles (4, 8, 16, 32, then all 41) and still leaves e0 short: five attempts, all reported."""
    conflicts = {(f"j{k}", "e0") for k in range(41)}
    calls, progress = record()
    result = assign(entries(41), jurors(41), 1, conflicts, seed=5, candidates=4, progress=progress)
    assert result.short == {"e0": 1}
    assert calls == [(0, 5), (1, 5), (2, 5), (3, 5), (4, 5), (5, 5)]


def test_the_result_says_how_many_reviews_each_entry_was_to_get():
    for reviews in (1, 2, 4):
        assert assign(entries(3), jurors(5), reviews, seed=1).reviews_per_entry == reviews
