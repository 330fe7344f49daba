"""The scoring engine against hand-computed worked examples, and properties that must always hold."""
import hashlib
import json
import math

import pytest
from hypothesis import given, settings, strategies as st

from govchallenge.results import scoring
from govchallenge.results.scoring import ChairDecision, Criterion, Review

ONE = [Criterion(id=1, weight=1, scale_min=0, scale_max=100)]


def reviews_from(table, criterion_id=1):
    """{entry: {juror: score}} on one 0-100 criterion."""
    return [Review(entry, juror, {criterion_id: score}) for entry, row in table.items() for juror, score in row.items()]


# --- a review's total ----------------------------------------------------------------------

def test_review_total_rescales_weights_and_leaves_out_informational_criteria():
    criteria = [
        Criterion(id=1, weight=2, scale_min=0, scale_max=10),
        Criterion(id=2, weight=1, scale_min=1, scale_max=5),
        Criterion(id=3, weight=5, scale_min=0, scale_max=10, informational=True),
    ]
    review = Review("e", "j", {"1": 7, "2": 4, "3": 0})  # JSON keys are strings
    # 7/10 -> 70; (4-1)/(5-1) -> 75; weighted (2*70 + 1*75) / 3
    assert scoring.review_total(review, criteria) == pytest.approx(215 / 3)


def test_review_total_refuses_missing_or_out_of_scale_scores():
    criteria = [Criterion(id=1), Criterion(id=2)]
    with pytest.raises(scoring.ScoringError):
        scoring.review_total(Review("e", "j", {1: 5}), criteria)
    with pytest.raises(scoring.ScoringError):
        scoring.review_total(Review("e", "j", {1: 5, 2: 11}), criteria)


# --- aggregation ---------------------------------------------------------------------------

def test_mean_median_trimmed_mean():
    values = [10, 20, 30, 100]
    assert scoring.aggregate(values, "mean") == 40
    assert scoring.aggregate(values, "median") == 25
    assert scoring.aggregate(values, "trimmed_mean") == 25  # drops 10 and 100
    assert scoring.trimmed_mean(list(range(1, 11))) == 5.5  # drops two at each end
    assert scoring.trimmed_mean([3, 9]) == 6  # too few to trim


def test_aggregation_chosen_per_challenge_changes_the_winner():
    table = {"a": {"j1": 90, "j2": 10, "j3": 50}, "b": {"j1": 55, "j2": 55, "j3": 55}}
    assert scoring.rank(reviews_from(table), ONE, aggregation="mean").ranked[0].entry_id == "b"  # 50 < 55
    assert scoring.rank(reviews_from(table), ONE, aggregation="median").ranked[0].entry_id == "b"
    table["a"]["j2"] = 60  # a: mean 66.7, median 60
    assert scoring.rank(reviews_from(table), ONE, aggregation="median").ranked[0].entry_id == "a"


# --- calibration ---------------------------------------------------------------------------

def test_standardisation_maps_each_juror_to_the_panel_mean_and_spread():
    totals = {("e1", "j1"): 40, ("e2", "j1"): 60, ("e1", "j2"): 70, ("e2", "j2"): 90}
    calibrated = scoring.standardise(totals)
    panel_sd = math.sqrt(325)  # panel 40, 60, 70, 90: mean 65
    assert calibrated[("e1", "j1")] == pytest.approx(65 - panel_sd)
    assert calibrated[("e1", "j2")] == pytest.approx(65 - panel_sd)
    assert calibrated[("e2", "j1")] == pytest.approx(65 + panel_sd)


def test_offset_model_complete_design():
    totals = {("e1", "j1"): 60, ("e1", "j2"): 80, ("e2", "j1"): 40, ("e2", "j2"): 60}
    offsets = scoring.juror_offsets(totals)
    assert offsets["j1"] == pytest.approx(-10) and offsets["j2"] == pytest.approx(10)


def test_offset_model_incomplete_design_hand_solved():
    # e1 by j1 (50) and j2 (70); e2 by j2 only (80). Exact fit with b1 + 2 b2 = 0:
    # b1 - b2 = -20 -> b2 = 20/3, b1 = -40/3; e1 = 63.33, e2 = 73.33.
    table = {"e1": {"j1": 50, "j2": 70}, "e2": {"j2": 80}}
    ranking = scoring.rank(reviews_from(table), ONE, calibration="offset")
    assert ranking.entry("e1").score == pytest.approx(50 + 40 / 3)
    assert ranking.entry("e2").score == pytest.approx(80 - 20 / 3)
    assert ranking.entry("e1").raw_score == pytest.approx(60)  # raw kept side by side


def test_calibration_corrects_a_harsh_juror():
    # j3 is 30 points harsher and reviews only entry b: raw ranking favours a, calibrated b.
    table = {
        "a": {"j1": 70, "j2": 70},
        "b": {"j1": 75, "j3": 45},
        "c": {"j2": 50, "j3": 20},
    }
    raw = scoring.rank(reviews_from(table), ONE)
    calibrated = scoring.rank(reviews_from(table), ONE, calibration="offset")
    assert raw.ranked[0].entry_id == "a"
    assert calibrated.ranked[0].entry_id == "b"


# --- thresholds and ties -------------------------------------------------------------------

def test_an_entry_below_a_threshold_gets_no_place():
    criteria = [Criterion(id=1, scale_max=10, threshold=5), Criterion(id=2, scale_max=10)]
    reviews = [Review("low", "j", {1: 4, 2: 10}), Review("ok", "j", {1: 5, 2: 1})]
    ranking = scoring.rank(reviews, criteria)
    assert ranking.entry("low").place is None and ranking.entry("low").failed_criteria == [1]
    assert ranking.entry("ok").place == 1 and ranking.entries[-1].entry_id == "low"


def test_priority_criterion_breaks_a_tie():
    criteria = [Criterion(id=1, scale_max=10), Criterion(id=2, scale_max=10)]
    reviews = [Review("a", "j", {1: 4, 2: 8}), Review("b", "j", {1: 8, 2: 4})]
    ranking = scoring.rank(reviews, criteria, priority_criterion=1)
    assert [e.entry_id for e in ranking.ranked] == ["b", "a"] and [e.place for e in ranking.ranked] == [1, 2]
    assert ranking.ties[0].resolved_by == "priority_criterion"


def test_median_breaks_a_tie_left_by_the_priority_criterion():
    table = {"a": {"j1": 50, "j2": 50, "j3": 80}, "b": {"j1": 40, "j2": 70, "j3": 70}}  # both mean 60
    ranking = scoring.rank(reviews_from(table), ONE, priority_criterion=1)
    assert [e.entry_id for e in ranking.ranked] == ["b", "a"]
    assert ranking.ties[0].resolved_by == "median"


def test_chair_decides_what_is_left_and_unresolved_ties_share_a_place():
    table = {"a": {"j1": 60}, "b": {"j1": 60}, "c": {"j1": 10}}
    tied = scoring.rank(reviews_from(table), ONE)
    assert [e.place for e in tied.ranked] == [1, 1, 3]
    assert tied.unresolved_ties and tied.unresolved_ties[0].entry_ids == ["a", "b"]
    decided = scoring.rank(reviews_from(table), ONE, chair_decisions=[ChairDecision(("b", "a"), "Stronger pilot plan")])
    assert [(e.entry_id, e.place) for e in decided.ranked] == [("b", 1), ("a", 2), ("c", 3)]
    assert decided.ties[0].resolved_by == "chair" and decided.ties[0].reason == "Stronger pilot plan"
    assert not decided.unresolved_ties


def test_float_noise_never_decides_a_place():
    criteria = [Criterion(id=1, weight=0.1, scale_max=3), Criterion(id=2, weight=0.2, scale_max=3)]
    reviews = [Review("a", "j", {1: 1, 2: 2}), Review("b", "j", {1: 2, 2: 1.5})]
    ranking = scoring.rank(reviews, criteria)
    assert [e.place for e in ranking.ranked] == [1, 1]


# --- bootstrap -----------------------------------------------------------------------------

def test_bootstrap_shows_close_calls_as_close_and_is_seeded():
    table = {
        "clear": {"j1": 95, "j2": 96, "j3": 94},
        "x": {"j1": 60, "j2": 40, "j3": 51},
        "y": {"j1": 50, "j2": 55, "j3": 48},
    }
    ranking = scoring.rank(reviews_from(table), ONE, bootstrap=400, seed=7)
    assert ranking.entry("clear").interval == (1, 1)
    assert ranking.entry("x").interval == (2, 3) and scoring.is_close_call(ranking.entry("x"))
    again = scoring.rank(reviews_from(table), ONE, bootstrap=400, seed=7)
    assert [e.interval for e in again.entries] == [e.interval for e in ranking.entries]


# --- canonical JSON ------------------------------------------------------------------------

def test_canonical_json_is_one_fixed_text():
    text = scoring.canonical_json({"b": 1, "a": [1.5, None, "łódź", True, -0.0], "c": {"z": 2.0, "y": 1e-9}})
    assert text == '{"a":[1.500000,null,"łódź",true,0.000000],"b":1,"c":{"y":0.000000,"z":2.000000}}'
    assert scoring.digest({"b": 1, "a": [1.5, None, "łódź", True, -0.0], "c": {"z": 2.0, "y": 1e-9}}) == \
        hashlib.sha256(text.encode("utf-8")).hexdigest()
    with pytest.raises(scoring.ScoringError):
        scoring.canonical_json({"x": float("nan")})


# --- properties ----------------------------------------------------------------------------

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-10**9, 10**9) | st.floats(-1e6, 1e6, allow_nan=False) | st.text(max_size=8),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=6), children, max_size=4),
    max_leaves=20,
)


@given(json_values)
@settings(max_examples=150, deadline=None)
def test_the_digest_survives_a_round_trip_through_the_export(document):
    exported = scoring.canonical_json(document)
    assert scoring.digest(json.loads(exported)) == scoring.digest(document)


score_tables = st.dictionaries(
    st.sampled_from(["a", "b", "c", "d", "e"]),
    st.dictionaries(st.sampled_from(["j1", "j2", "j3", "j4"]), st.integers(0, 100), min_size=1),
    min_size=1,
)


@given(score_tables, st.sampled_from(scoring.AGGREGATIONS), st.sampled_from(scoring.CALIBRATIONS))
@settings(max_examples=80, deadline=None)
def test_places_are_consistent_with_scores(table, aggregation, calibration):
    try:
        ranking = scoring.rank(reviews_from(table), ONE, aggregation=aggregation, calibration=calibration,
                               bootstrap=40, seed=1)
    except scoring.ScoringError as refused:  # the model with a median or trimmed mean, and only that
        assert calibration == "model" and aggregation != "mean" and refused.code == "model_needs_mean"
        return
    ranked = ranking.ranked
    assert len(ranking.entries) == len(table)
    assert ranked[0].place == 1
    for before, after in zip(ranked, ranked[1:]):
        assert round(before.score, 6) >= round(after.score, 6)
        assert before.place <= after.place
    for entry in ranked:
        assert 0 <= entry.raw_score <= 100
        # competition ranking: a place is 1 + the number of entries placed strictly before
        assert entry.place == 1 + sum(1 for other in ranked if other.place < entry.place)
        # the interval always contains the published place, and a tie always makes a close call
        assert entry.interval[0] <= entry.place <= entry.interval[1]
        assert math.isfinite(entry.score)
        sharing = sum(1 for other in ranked if other.place == entry.place) > 1
        assert not sharing or (entry.tie == "shared" and scoring.is_close_call(entry))


complete_tables = st.lists(st.tuples(st.integers(0, 100), st.integers(0, 100), st.integers(0, 100)), min_size=2, max_size=5).map(
    lambda rows: {f"e{i}": dict(zip(("j1", "j2", "j3"), row)) for i, row in enumerate(rows)})


@given(complete_tables, st.integers(-20, 20))
@settings(max_examples=60, deadline=None)
def test_offset_model_ignores_a_juror_shifting_all_scores(table, shift):
    """In a complete design (every juror reviews every entry) a juror's leniency is removed exactly."""
    shifted = {e: {j: s + (shift if j == "j1" else 0) for j, s in row.items()} for e, row in table.items()}
    before = scoring.rank(reviews_from(table), ONE, calibration="offset")
    after = scoring.rank(reviews_from(shifted), [Criterion(id=1, scale_min=-20, scale_max=120)], calibration="offset")
    span = 140 / 100
    ids = sorted(table)
    diffs_before = [before.entry(i).score - before.entry(ids[0]).score for i in ids]
    diffs_after = [(after.entry(i).score - after.entry(ids[0]).score) * span for i in ids]
    assert diffs_after == pytest.approx(diffs_before, abs=1e-5)


def test_published_examples_of_the_aggregations():
    # scipy.stats.trim_mean documentation: trim_mean(np.arange(20), 0.1) == 9.5 (two cut at each end)
    assert scoring.trimmed_mean(range(20), 0.1) == 9.5
    # Python's statistics.median documentation: median([1, 3, 5]) == 3, median([1, 3, 5, 7]) == 4.0
    assert scoring.aggregate([1, 3, 5], "median") == 3 and scoring.aggregate([1, 3, 5, 7], "median") == 4.0
