"""The edges of the scoring rules (results/scoring.py), each against a value worked out by hand: thresholds
met up to float noise, the bounds of a scale, the trimming of the trimmed mean, what is refused."""
import hashlib
import statistics

import pytest
import rfc8785
from hypothesis import given, settings, strategies as st

from govchallenge.results import scoring
from govchallenge.results.scoring import ChairDecision, Criterion, Review

UNIT = Criterion(id="q", scale_min=0, scale_max=1, threshold=None)


def ranking_with_threshold(values, threshold, scale=(0, 1)):
    """One entry reviewed by one juror per value on a criterion with a threshold, plus a second criterion."""
    criteria = [Criterion(id="q", scale_min=scale[0], scale_max=scale[1], threshold=threshold), Criterion(id="other")]
    reviews = [Review("e", f"j{n}", {"q": value, "other": 5}) for n, value in enumerate(values)]
    return scoring.rank(reviews, criteria).entry("e")


@pytest.mark.parametrize("values, threshold", [
    ([0.7, 0.1], 0.4),         # (0.7 + 0.1) / 2 is 0.39999999999999997 in floats: the threshold is met
    ([0.2, 0.3, 0.1], 0.2),    # 0.19999999999999998
    ([0.1, 0.2], 0.15),        # 0.15000000000000002: above, as it should be
    ([0.5], 0.5),              # exactly
])
def test_a_mean_equal_to_the_threshold_up_to_float_noise_passes(values, threshold):
    entry = ranking_with_threshold(values, threshold)
    assert entry.passed_thresholds and entry.failed_criteria == [] and entry.place == 1


@pytest.mark.parametrize("values, threshold, scale", [
    ([4.5], 5, (0, 10)),               # half a point below
    ([0.39999], 0.4, (0, 1)),          # a real shortfall, however small, still fails
    ([4, 5], 4.5 + 1e-6, (0, 10)),
])
def test_a_mean_below_the_threshold_fails(values, threshold, scale):
    entry = ranking_with_threshold(values, threshold, scale)
    assert not entry.passed_thresholds and entry.failed_criteria == ["q"] and entry.place is None


def test_a_threshold_on_a_criterion_nobody_scored_fails_and_unscored_criteria_have_no_mean():
    criteria = [Criterion(id="q", threshold=2, informational=True), Criterion(id="other")]
    ranking = scoring.rank([Review("e", "j", {"other": 5})], criteria)
    entry = ranking.entry("e")
    assert entry.breakdown == {"q": None, "other": 5.0}
    assert entry.failed_criteria == ["q"] and entry.place is None and ranking.ranked == []


def test_failing_entries_come_after_the_placed_ones_best_first():
    criteria = [Criterion(id="q", scale_max=10, threshold=5)]
    reviews = [Review(name, "j", {"q": value}) for name, value in (("b", 3), ("a", 4), ("c", 9), ("d", 4))]
    ranking = scoring.rank(reviews, criteria)
    assert [(e.entry_id, e.place) for e in ranking.entries] == [("c", 1), ("a", None), ("d", None), ("b", None)]


@pytest.mark.parametrize("value, total", [(1, 0.0), (5, 100.0), (2, 25.0)])
def test_a_scale_from_its_minimum_to_its_maximum_maps_to_0_to_100(value, total):
    assert scoring.review_total(Review("e", "j", {"c": value}), [Criterion(id="c", scale_min=1, scale_max=5)]) == total


@pytest.mark.parametrize("value", [0.999, 5.001])
def test_a_score_just_outside_the_scale_is_refused(value):
    with pytest.raises(scoring.ScoringError, match="outside"):
        scoring.review_total(Review("e", "j", {"c": value}), [Criterion(id="c", scale_min=1, scale_max=5)])


def test_what_the_engine_refuses():
    with pytest.raises(scoring.ScoringError, match="empty scale"):
        Criterion(id="flat", scale_min=3, scale_max=3).rescale(3)
    with pytest.raises(scoring.ScoringError, match="weight must be a finite number above zero"):
        scoring.review_total(Review("e", "j", {"a": 1}), [Criterion(id="a", weight=0)])
    with pytest.raises(scoring.ScoringError, match="positive weight"):
        scoring.review_total(Review("e", "j", {"a": 1}), [Criterion(id="a", informational=True)])
    with pytest.raises(scoring.ScoringError, match="two reviews"):
        scoring.rank([Review("e", "j", {"q": 1}), Review("e", "j", {"q": 0})], [UNIT])
    with pytest.raises(scoring.ScoringError, match="no reviews"):
        scoring.aggregate([], "mean")
    for kwargs in ({"aggregation": "mode"}, {"calibration": "magic"}):
        with pytest.raises(scoring.ScoringError, match="unknown"):
            scoring.rank([Review("e", "j", {"q": 1})], [UNIT], **kwargs)
    with pytest.raises(scoring.ScoringError, match="unknown aggregation"):
        scoring.aggregate([1], "mode")
    with pytest.raises(scoring.ScoringError, match="unknown calibration"):
        scoring.calibrate({("e", "j"): 1.0}, "magic")
    with pytest.raises(scoring.ScoringError, match="missing"):
        scoring.review_total(Review("e", "j", {}), [UNIT])


def test_a_score_of_zero_is_a_score_not_a_missing_one():
    assert scoring.review_total(Review("e", "j", {"q": 0}), [UNIT]) == 0.0
    assert scoring.review_total(Review("e", "j", {"q": "0.5"}), [UNIT]) == 50.0  # stored JSON may hold text


@pytest.mark.parametrize("values, expected", [
    ([7], 7), ([2, 9], 5.5),             # fewer than three: nothing trimmed
    ([1, 5, 100], 5),                    # three: one cut at each end
    ([1, 2, 3, 4, 100], 3),              # five x 0.2 = 1 at each end
    ([0, 10, 10, 10, 10, 10, 10, 10, 10, 90], 10),  # ten x 0.2 = 2 at each end
])
def test_trimmed_mean_cuts(values, expected):
    assert scoring.trimmed_mean(values) == expected


def test_standardisation_of_a_juror_without_spread_only_shifts():
    # j1 gives 50 and 50 (no spread), j2 gives 20 and 80. Panel mean 50, sd sqrt(450).
    totals = {("a", "j1"): 50.0, ("b", "j1"): 50.0, ("a", "j2"): 20.0, ("b", "j2"): 80.0}
    calibrated = scoring.standardise(totals)
    assert calibrated[("a", "j1")] == pytest.approx(50) and calibrated[("b", "j1")] == pytest.approx(50)
    assert calibrated[("a", "j2")] == pytest.approx(50 - 450 ** 0.5)
    assert calibrated[("b", "j2")] == pytest.approx(50 + 450 ** 0.5)
    assert scoring.standardise({}) == {} and scoring.juror_offsets({}) == {}
    assert scoring.standardise({("a", "j"): 70.0}) == {("a", "j"): 70.0}


def test_standardise_then_rank_by_hand():
    # j1: a 60, b 80 -> z -1, +1; j2: a 70, b 30 -> z +1, -1. Panel 60, 80, 70, 30: mean 60, sd sqrt(350).
    table = [Review("a", "j1", {"q": 0.6}), Review("b", "j1", {"q": 0.8}), Review("a", "j2", {"q": 0.7}),
             Review("b", "j2", {"q": 0.3})]
    ranking = scoring.rank(table, [UNIT], calibration="standardise")
    assert ranking.entry("a").score == pytest.approx(60) and ranking.entry("b").score == pytest.approx(60)
    assert ranking.entry("a").raw_score == pytest.approx(65) and ranking.entry("b").raw_score == pytest.approx(55)
    assert ranking.calibration == "standardise" and ranking.aggregation == "mean"


def test_the_chair_decision_must_cover_the_whole_tied_group():
    reviews = [Review(name, "j", {"q": 0.5}) for name in ("a", "b", "c")]
    partial = scoring.rank(reviews, [UNIT], chair_decisions=[ChairDecision(("b", "a"), "only two")])
    assert [e.place for e in partial.ranked] == [1, 1, 1] and partial.unresolved_ties[0].entry_ids == ["a", "b", "c"]
    assert partial.ties[0].reason == ""
    whole = scoring.rank(reviews, [UNIT], chair_decisions=[ChairDecision(("x", "b", "a"), "no"),
                                                          ChairDecision(("c", "b", "a", "z"), "pilot plan")])
    assert [(e.entry_id, e.place) for e in whole.ranked] == [("c", 1), ("b", 2), ("a", 3)]


def test_the_median_of_the_calibrated_totals_breaks_the_tie_and_a_priority_criterion_comes_first():
    criteria = [Criterion(id="x", scale_max=10), Criterion(id="y", scale_max=10)]
    # a: totals 50, 50, 80 (mean 60, median 50); b: 40, 70, 70 (mean 60, median 70); b first by median.
    reviews = [Review("a", j, {"x": v, "y": v}) for j, v in (("j1", 5), ("j2", 5), ("j3", 8))] + \
              [Review("b", j, {"x": v, "y": v}) for j, v in (("j1", 4), ("j2", 7), ("j3", 7))]
    by_median = scoring.rank(reviews, criteria)
    assert [e.entry_id for e in by_median.ranked] == ["b", "a"] and by_median.ties[0].resolved_by == "median"
    assert by_median.entry("a").median == 50 and by_median.entry("b").review_totals == [40, 70, 70]


def test_bootstrap_intervals_of_a_clear_ranking_are_single_places():
    reviews = [Review(e, j, {"q": v}) for e, v in (("a", 0.9), ("b", 0.5), ("c", 0.1)) for j in ("j1", "j2")]
    ranking = scoring.rank(reviews, [UNIT], bootstrap=50, seed=3)
    assert [e.interval for e in ranking.ranked] == [(1, 1), (2, 2), (3, 3)]
    assert not any(scoring.is_close_call(e) for e in ranking.ranked)
    assert not scoring.is_close_call(scoring.rank(reviews, [UNIT]).entries[0])  # no bootstrap: no interval


def test_bootstrap_tied_entries_share_their_best_place():
    reviews = [Review(e, "j1", {"q": 0.5}) for e in ("a", "b")]
    ranking = scoring.rank(reviews, [UNIT], bootstrap=20, seed=1)
    assert [e.interval for e in ranking.ranked] == [(1, 1), (1, 1)]


# --- the digest, against an independent canonicaliser ---------------------------------------

bmp_text = st.text(alphabet=st.characters(max_codepoint=0xFFFF, exclude_categories=("Cs",)), max_size=8)
float_free = st.recursive(
    st.none() | st.booleans() | st.integers(-(2 ** 53) + 1, 2 ** 53 - 1) | bmp_text,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(bmp_text, children, max_size=4),
    max_leaves=20,
)


@given(float_free)
@settings(max_examples=200, deadline=None)
def test_without_floats_the_digest_is_the_sha256_of_rfc_8785(document):
    """Without numbers with a decimal point the rule is RFC 8785's (JSON Canonicalization Scheme): checked
    against the `rfc8785` package, which shares no code with the engine (keys of the Basic Multilingual Plane
    only: RFC 8785 sorts by UTF-16 code units)."""
    assert scoring.digest(document) == hashlib.sha256(rfc8785.dumps(document)).hexdigest()


def test_the_digest_of_a_results_document_worked_out_by_hand():
    document = {"score": 61.25, "place": 1, "title": "Łódź bus", "ok": True, "interval": [1, 2], "none": None, "z": -0.0}
    text = '{"interval":[1,2],"none":null,"ok":true,"place":1,"score":61.250000,"title":"Łódź bus","z":0.000000}'
    assert scoring.canonical_json(document) == text
    assert scoring.digest(document) == hashlib.sha256(text.encode("utf-8")).hexdigest()
    for bad in ({1: "x"}, {"x": float("inf")}, {"x": object()}):
        with pytest.raises(scoring.ScoringError):
            scoring.canonical_json(bad)


# --- what the first mutation run found undefended ---------------------------------------------

def test_refusals_say_why():
    cases = [
        (lambda: scoring.canonical_json({"x": float("inf")}), "NaN and infinity have no canonical form"),
        (lambda: scoring.canonical_json({1: "x"}), "canonical JSON keys must be strings"),
        (lambda: scoring.canonical_json({"x": object()}), "no canonical form for object"),
        (lambda: scoring.aggregate([], "mean"), "no reviews to aggregate"),
        (lambda: scoring.review_total(Review("e", "j", {"a": 1}), [Criterion(id="a", weight=0)]),
         "review of e by j: criterion a: the weight must be a finite number above zero"),
        (lambda: scoring.review_total(Review("e", "j", {"a": 1}), [Criterion(id="a", informational=True)]),
         "review of e by j: no criterion with a positive weight counts"),
    ]
    for action, message in cases:
        with pytest.raises(scoring.ScoringError) as refused:
            action()
        assert str(refused.value) == message


def test_scores_are_compared_to_six_decimals_not_to_whole_points():
    reviews = [Review("a", "j", {"q": 0.6025}), Review("b", "j", {"q": 0.6050})]
    ranking = scoring.rank(reviews, [UNIT])
    assert [(e.entry_id, e.place) for e in ranking.entries] == [("b", 1), ("a", 2)]


def test_a_priority_criterion_nobody_scored_for_an_entry_ranks_it_last_in_the_tie():
    criteria = [Criterion(id="q", scale_max=10), Criterion(id="p", scale_max=10, informational=True)]
    reviews = [Review("b", "j", {"q": 5}), Review("a", "j", {"q": 5, "p": 1})]
    ranking = scoring.rank(reviews, criteria, priority_criterion="p")
    assert [(e.entry_id, e.place) for e in ranking.ranked] == [("a", 1), ("b", 2)]
    assert ranking.ties[0].resolved_by == "priority_criterion"


def test_a_tie_the_priority_criterion_only_partly_breaks_stays_unresolved_and_nobody_is_lost():
    criteria = [Criterion(id="q", scale_max=10), Criterion(id="p", scale_max=10, informational=True)]
    reviews = [Review(e, "j", {"q": 5, "p": p}) for e, p in (("z", 9), ("c", 2), ("m", 9))]
    ranking = scoring.rank(reviews, criteria, priority_criterion="p")
    assert [(e.entry_id, e.place) for e in ranking.ranked] == [("m", 1), ("z", 1), ("c", 3)]
    assert ranking.ties[0].entry_ids == ["c", "m", "z"] and ranking.ties[0].resolved_by is None


def test_entries_sharing_a_place_or_failing_alike_are_listed_by_id():
    shared = scoring.rank([Review(e, "j", {"q": 0.5}) for e in ("z", "a", "m")], [UNIT])
    assert [e.entry_id for e in shared.ranked] == ["a", "m", "z"]
    criteria = [Criterion(id="q", scale_max=10, threshold=5)]
    failing = scoring.rank([Review(e, "j", {"q": 2}) for e in ("d", "b")], criteria)
    assert [e.entry_id for e in failing.entries] == ["b", "d"]


def test_the_median_aggregation_applies_to_the_score_and_the_raw_score():
    reviews = [Review("a", j, {"q": v}) for j, v in (("j1", 0.1), ("j2", 0.2), ("j3", 0.9))]
    entry = scoring.rank(reviews, [UNIT], aggregation="median").entry("a")
    assert entry.score == pytest.approx(20) and entry.raw_score == pytest.approx(20)  # the mean would be 40


def test_a_mean_exactly_at_the_tolerated_edge_passes():
    # 0.25 + 1e-9 - 1e-9 is exactly 0.25 in floats: a mean of 0.25 meets a threshold of 0.25 + 1e-9
    entry = ranking_with_threshold([0.25], 0.25 + 1e-9)
    assert entry.passed_thresholds


def test_standardisation_scales_a_juror_with_a_small_spread_too():
    # j1: 50 and 51 (SD 0.5) is as much a spread as j2's 20 and 80: both become panel mean -/+ panel SD.
    totals = {("a", "j1"): 50.0, ("b", "j1"): 51.0, ("a", "j2"): 20.0, ("b", "j2"): 80.0}
    panel_mean, panel_sd = 50.25, statistics.pstdev([50.0, 51.0, 20.0, 80.0])
    calibrated = scoring.standardise(totals)
    assert calibrated[("a", "j1")] == pytest.approx(panel_mean - panel_sd)
    assert calibrated[("b", "j1")] == pytest.approx(panel_mean + panel_sd)



def test_standardisation_leaves_a_spread_of_float_noise_unscaled():
    # j1's totals differ by 2e-12 (SD exactly 1e-12, the noise limit): no spread, so shifted to the panel mean,
    # not stretched to the panel's spread as j2's real one is.
    totals = {("a", "j1"): 0.0, ("b", "j1"): 2e-12, ("a", "j2"): 20.0, ("b", "j2"): 80.0}
    panel_mean = sum(totals.values()) / 4
    calibrated = scoring.standardise(totals)
    assert calibrated[("a", "j1")] == pytest.approx(panel_mean, abs=1e-9)
    assert calibrated[("b", "j1")] == pytest.approx(panel_mean, abs=1e-9)


def test_jurors_who_share_no_entry_get_no_offset_against_each_other():
    # j2 gives 10 points more than j1 on the same entries (a, b), j4 10 more than j3 (on c, d): -5/+5 in each pair.
    # Nothing compares the pairs (no entry in common): the fit moves neither pair against the other.
    totals = {("a", "j1"): 60.0, ("a", "j2"): 70.0, ("b", "j1"): 80.0, ("b", "j2"): 90.0,
              ("c", "j3"): 40.0, ("c", "j4"): 50.0, ("d", "j3"): 60.0, ("d", "j4"): 70.0}
    assert scoring.juror_offsets(totals) == pytest.approx({"j1": -5.0, "j2": 5.0, "j3": -5.0, "j4": 5.0})


NOISY = [Review(e, f"j{n}", {"q": v}) for e, values in
         (("a", (0.50, 0.62, 0.41)), ("b", (0.55, 0.47, 0.52)), ("c", (0.49, 0.58, 0.45))) for n, v in enumerate(values)]


def intervals(ranking):
    return {e.entry_id: e.interval for e in ranking.entries}


def test_the_bootstrap_is_seeded_zero_by_default_and_repeatable():
    by_seed = {seed: intervals(scoring.rank(NOISY, [UNIT], bootstrap=3, seed=seed)) for seed in (0, 1, 7)}
    assert len({repr(v) for v in by_seed.values()}) == 3  # three small samples: the seed shows
    assert intervals(scoring.rank(NOISY, [UNIT], bootstrap=3)) == by_seed[0]
    assert intervals(scoring.rank(NOISY, [UNIT], bootstrap=3, seed=7)) == by_seed[7]
    for seed in (1, 7):  # the order the reviews come in changes nothing
        assert intervals(scoring.rank(list(reversed(NOISY)), [UNIT], bootstrap=3, seed=seed)) == by_seed[seed]
    ranking = scoring.rank(NOISY, [UNIT])
    assert all(e.interval is None for e in ranking.entries)  # no bootstrap asked, none made
    calibrated = {(r.entry_id, r.juror_id): 100 * r.scores["q"] for r in NOISY}
    assert intervals(scoring.add_rank_intervals(ranking, calibrated, "mean", 3)) == by_seed[0]


def test_bootstrap_scores_keep_six_decimals():
    reviews = [Review(e, j, {"q": v}) for e, v in (("a", 0.603), ("b", 0.600)) for j in ("j1", "j2")]
    ranking = scoring.rank(reviews, [UNIT], bootstrap=20)
    assert intervals(ranking) == {"a": (1, 1), "b": (2, 2)}  # 60.3 and 60.0 never tie


def test_the_interval_is_the_central_share_of_the_places_drawn():
    # a: totals 0, 0, 90 against b: 20, 20, 20. A resampled mean of a beats 20 whenever a 90 is drawn
    # (19 times in 27), a resampled median only when two are (7 in 27).
    reviews = [Review("a", j, {"q": v}) for j, v in (("j1", 0), ("j2", 0), ("j3", 0.9))] + \
              [Review("b", j, {"q": 0.2}) for j in ("j1", "j2", "j3")]
    calibrated = {(r.entry_id, r.juror_id): 100 * r.scores["q"] for r in reviews}
    for aggregation, a_place in (("mean", 1), ("median", 2)):
        ranking = scoring.rank(reviews, [UNIT], aggregation=aggregation)
        scoring.add_rank_intervals(ranking, calibrated, aggregation, samples=2000, level=0.2)
        assert ranking.entry("a").interval == (a_place, a_place), aggregation
        wide = scoring.rank(reviews, [UNIT], aggregation=aggregation)
        scoring.add_rank_intervals(wide, calibrated, aggregation, samples=2000)
        assert wide.entry("a").interval == (1, 2), aggregation
