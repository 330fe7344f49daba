"""The recommended ranking model (results/ranking_model.py and its use in results/scoring.py): variance
components and juror effects against values worked out by hand, the true order recovered from a harsh juror,
rank intervals that cover the true place on a seeded simulation, and what the engine refuses or reports."""
import math
import random

import pytest

from govchallenge.results import ranking_model, scoring
from govchallenge.results.scoring import ChairDecision, Criterion, Review
from tests.support.simulation import balanced_panels

TEN = [Criterion(id="q", scale_min=0, scale_max=10)]


def reviews_of(table):
    return [Review(entry, juror, {"q": score}) for entry, row in table.items() for juror, score in row.items()]


# --- the true order behind a harsh juror ------------------------------------------------------

QUALITY = {f"e{n}": 9.5 - 0.5 * n for n in range(8)}  # e0 best … e7 worst, half a point apart
# Three reviews an entry, four jurors in a chain of overlaps; j4 reviews the three best entries.
PANELS = {"e0": ("j1", "j2", "j4"), "e1": ("j2", "j3", "j4"), "e2": ("j1", "j3", "j4"), "e3": ("j1", "j2", "j3"),
          "e4": ("j1", "j2", "j3"), "e5": ("j1", "j2", "j4"), "e6": ("j2", "j3", "j4"), "e7": ("j1", "j3", "j4")}


def harsh_table(harshness=2.0, lenient=0.0):
    severity = {"j1": lenient, "j2": 0.0, "j3": 0.0, "j4": -harshness}
    return {e: {j: QUALITY[e] + severity[j] for j in PANELS[e]} for e in QUALITY}


def test_a_juror_harsher_by_two_points_does_not_change_the_true_order():
    reviews = reviews_of(harsh_table())
    raw = scoring.rank(reviews, TEN)
    assert [e.entry_id for e in raw.ranked][:4] != ["e0", "e1", "e2", "e3"]  # raw means put e3 above e2
    model = scoring.rank(reviews, TEN, calibration="model")
    assert [e.entry_id for e in model.ranked] == sorted(QUALITY, key=lambda e: -QUALITY[e])
    # 2 points on 0–10 = 20 on 0–100, centred in the group (j1–j3 +5): without noise nothing is shrunk
    assert model.juror_effects["j4"] == pytest.approx(-15, abs=1e-3)
    assert model.juror_effects["j4"] < min(v for j, v in model.juror_effects.items() if j != "j4") - 19


def test_juror_effects_of_a_connected_group_sum_to_zero_and_shrink_with_little_evidence():
    model = ranking_model.fit({(e, j): 10 * v for e, row in harsh_table().items() for j, v in row.items()})
    assert sum(model.juror_effects.values()) == pytest.approx(0, abs=1e-9)
    # the estimate with shrinkage is smaller than the exact least-squares offsets (−15 for j4), never larger
    assert abs(model.juror_effects["j4"]) <= 15 + 1e-9


# --- variance components by hand ------------------------------------------------------------

def test_variance_components_of_a_complete_two_by_two_design():
    # y = [[60, 80], [40, 60]]: entries differ by 20, jurors by 20, no residual.
    # within entries: (10² × 2) × 2 = 400; within jurors: 400; residual 0, df = 4 − 3 = 1.
    # τ² = (400 − 0 − 1 × 0) / (4 − 2) = 200; σ_a² = 200; σ² = 0.
    values = {("e1", "j1"): 60, ("e1", "j2"): 80, ("e2", "j1"): 40, ("e2", "j2"): 60}
    ss = ranking_model.sums_of_squares(ranking_model.Design.of(values))
    assert (ss.within_entries, ss.within_jurors, ss.residual_df) == (400, 400, 1)
    assert ss.residual == pytest.approx(0, abs=1e-9)
    v = ranking_model.variance_components(ss)
    assert v.noise == pytest.approx(0, abs=1e-9) and v.juror == pytest.approx(200) and v.entry == pytest.approx(200)


def test_variance_components_with_noise_worked_by_hand():
    # complete 2 × 3 (2 entries, 3 jurors): e1: 10, 20, 60; e2: 30, 20, 40.
    # entry means 30, 30; juror means 20, 20, 50; grand 30.
    # within entries: 400 + 100 + 900 + 0 + 100 + 100 = 1600; within jurors: 100+100+0+0+100+100 = 400.
    # two-way residuals (y − entry − juror + grand): e1: 10−30−20+30 = −10, 20−30−20+30 = 0, 60−30−50+30 = 10;
    # e2: +10, 0, −10 -> residual 400 on df 6 − 4 = 2: σ² = 200.
    # τ² = (1600 − 400 − 2 × 200) / (6 − 2) = 200; σ_a² = (400 − 400 − 1 × 200) / (6 − 3) = −200/3 (untruncated).
    values = {("e1", "j1"): 10, ("e1", "j2"): 20, ("e1", "j3"): 60, ("e2", "j1"): 30, ("e2", "j2"): 20, ("e2", "j3"): 40}
    v = ranking_model.variance_components(ranking_model.sums_of_squares(ranking_model.Design.of(values)))
    assert (v.noise, v.juror, v.entry) == (pytest.approx(200), pytest.approx(200), pytest.approx(-200 / 3))
    model = ranking_model.fit(values)
    # ridge with penalty σ²/τ² = 1 on a complete design: b = (juror mean − grand) × m / (m + 1) = (−10, −10, 20) × 2/3
    assert [model.juror_effects[j] for j in ("j1", "j2", "j3")] == pytest.approx([-20 / 3, -20 / 3, 40 / 3])
    assert model.scores == pytest.approx({"e1": 30.0, "e2": 30.0})
    assert model.variances.entry > 0  # floored for the simulation: a variance is never negative there


def test_no_juror_variance_means_no_correction():
    # jurors agree on average (τ² estimate ≤ 0): the calibrated values are the raw ones
    values = {("a", "j1"): 70, ("a", "j2"): 50, ("b", "j1"): 30, ("b", "j2"): 50}
    model = ranking_model.fit(values)
    assert model.variances.juror == 0
    assert model.calibrated == values


# --- refusals and reports -------------------------------------------------------------------

@pytest.mark.parametrize("bad", [float("nan"), float("inf"), "7", None])
def test_values_that_are_not_finite_numbers_are_refused(bad):
    with pytest.raises(ranking_model.ModelError) as refused:
        ranking_model.fit({("a", "j1"): 50, ("a", "j2"): bad, ("b", "j1"): 40, ("b", "j2"): 40})
    assert refused.value.code == "not_finite"


def test_a_single_juror_leaves_the_noise_unmeasured_every_place_possible():
    ranking = scoring.rank(reviews_of({"a": {"j1": 5}, "b": {"j1": 7}, "c": {"j1": 2}}), TEN, calibration="model",
                           bootstrap=100, seed=1)
    assert [(e.entry_id, e.place, e.interval) for e in ranking.ranked] == [("b", 1, (1, 3)), ("a", 2, (1, 3)), ("c", 3, (1, 3))]
    assert ranking.juror_effects == {"j1": 0.0}
    assert [w["code"] for w in ranking.warnings] == ["single_juror", "one_review", "not_separable"]


def test_a_design_without_residual_falls_back_to_no_correction_with_the_spread_as_noise():
    # a: j1 50, j2 70; b: j2 40, j3 60. N = 4 = 2 entries + 3 jurors − 1: severity cannot be told from noise.
    # The noise is the spread about each entry's mean: (100 + 100 + 100 + 100) / (4 − 2) = 200.
    values = {("a", "j1"): 50, ("a", "j2"): 70, ("b", "j2"): 40, ("b", "j3"): 60}
    model = ranking_model.fit(values)
    assert not model.separable and model.measured
    assert model.variances.noise == pytest.approx(200) and model.variances.juror == 0
    assert model.calibrated == values and model.scores == {"a": 60.0, "b": 50.0}
    # the entries' variance: means 60, 50 vary by 50 (n − 1 = 1), less the noise each mean carries (200 / 2)
    assert model.variances.entry == pytest.approx(200 * ranking_model.ENTRY_VARIANCE_FLOOR)
    ranking = scoring.rank(reviews_of({"a": {"j1": 5, "j2": 7}, "b": {"j2": 4, "j3": 6}}), TEN, calibration="model",
                           bootstrap=400, seed=2)
    assert {"code": "not_separable"} in ranking.warnings
    assert [e.interval for e in ranking.ranked] == [(1, 2), (1, 2)]


def test_the_fallback_with_two_entries_and_with_one():
    # a: 80, 100 | b: 20, 40, jurors in a chain: noise (4 × 100) / 2 = 200; means 90, 30: variance 1800,
    # less 200 × mean(1/2, 1/2) = 100: 1700.
    model = ranking_model.fit({("a", "j1"): 80, ("a", "j2"): 100, ("b", "j2"): 20, ("b", "j3"): 40})
    assert not model.separable and model.variances.entry == pytest.approx(1700)
    # one entry: no spread of entries to measure, the floor
    alone = ranking_model.fit({("a", "j1"): 50, ("a", "j2"): 70})
    assert alone.variances.noise == pytest.approx(200)
    assert alone.variances.entry == pytest.approx(200 * ranking_model.ENTRY_VARIANCE_FLOOR)


def test_the_model_uses_the_estimated_entry_variance_when_it_can():
    values = {(e, j): 10 * v for e, row in harsh_table().items() for j, v in row.items()}
    ss = ranking_model.sums_of_squares(ranking_model.Design.of(values))
    assert ranking_model.fit(values).variances.entry == pytest.approx(ranking_model.variance_components(ss).entry)
    assert ranking_model.variance_components(ss).entry > 100


def test_refusals_say_why():
    with pytest.raises(ranking_model.ModelError) as refused:
        ranking_model.fit({("a", "j1"): float("nan")})
    assert str(refused.value) == "value of ('a', 'j1') is not a finite number: nan"
    ss = ranking_model.sums_of_squares(ranking_model.Design.of({("a", "j1"): 5, ("b", "j1"): 7}))
    with pytest.raises(ranking_model.ModelError) as refused:
        ranking_model.variance_components(ss)
    assert refused.value.code == "too_few_reviews"
    assert str(refused.value) == ("too few reviews to estimate the noise: no review repeats what the others "
                                  "already say about an entry and its jurors")


def test_the_entries_variance_of_the_fallback_worked_by_hand():
    # a: 80, 100 | b: 20, 40 | c: 50 (one review), jurors in a chain, no residual left:
    # noise = (100 + 100 + 100 + 100) / (5 − 3) = 200; entry means 90, 30, 50: variance (ddof 1) = 933.33;
    # each mean carries noise/n: 200 × mean(1/2, 1/2, 1) = 133.33; entries' variance 800.
    values = {("a", "j1"): 80, ("a", "j2"): 100, ("b", "j2"): 20, ("b", "j3"): 40, ("c", "j4"): 50}
    model = ranking_model.fit(values)
    assert not model.separable and model.variances.entry == pytest.approx(800)


def test_the_model_combines_reviews_by_their_mean_only():
    with pytest.raises(scoring.ScoringError) as refused:
        scoring.rank(reviews_of(harsh_table()), TEN, aggregation="median", calibration="model")
    assert refused.value.code == "model_needs_mean"


def test_all_equal_scores_share_the_first_place_with_the_widest_interval_and_no_nan():
    table = {e: {j: 6 for j in PANELS[e]} for e in QUALITY}
    ranking = scoring.rank(reviews_of(table), TEN, calibration="model", bootstrap=200, seed=1)
    assert all(e.place == 1 and e.tie == "shared" and scoring.is_close_call(e) for e in ranking.ranked)
    assert all(math.isfinite(e.score) and e.score == pytest.approx(60) for e in ranking.ranked)
    assert {e.interval for e in ranking.ranked} == {(1, 8)}
    assert {"code": "no_variation"} in ranking.warnings


def test_disconnected_designs_and_missing_reviews_are_reported():
    table = {"a": {"j1": 6, "j2": 7}, "b": {"j1": 5, "j2": 4}, "c": {"j3": 8, "j4": 6}, "d": {"j3": 3}}
    ranking = scoring.rank(reviews_of(table), TEN, calibration="model", reviews_asked=2)
    assert ranking.warnings == [
        {"code": "disconnected", "groups": 2, "entries": [2, 2]},
        {"code": "fewer_reviews", "asked": 2, "entries": ["d"]},
        {"code": "one_review", "entries": ["d"]},
    ]
    # within each group the juror effects sum to zero: a group's level is not compared with the other's
    effects = ranking.juror_effects
    assert effects["j1"] + effects["j2"] == pytest.approx(0, abs=1e-9)
    assert effects["j3"] + effects["j4"] == pytest.approx(0, abs=1e-9)


def test_a_single_juror_is_reported_by_the_other_methods():
    ranking = scoring.rank(reviews_of({"a": {"j1": 5}, "b": {"j1": 7}}), TEN)
    assert {"code": "single_juror"} in ranking.warnings
    assert [w["code"] for w in ranking.warnings] == ["single_juror", "one_review"]


def test_connected_groups_largest_first():
    groups = ranking_model.connected_groups([("a", 1), ("b", 2), ("c", 2), ("b", 3)])
    assert groups == [(["b", "c"], [2, 3]), (["a"], [1])]
    # groups of one size by their first entry, as text
    assert ranking_model.connected_groups([("z", 1), ("m", 2), ("x", 1), ("b", 3)]) == [
        (["x", "z"], [1]), (["b"], [3]), (["m"], [2])]


# --- intervals consistent with the published places ----------------------------------------

def test_a_tie_decided_by_the_chair_is_a_close_call_and_the_interval_contains_the_place():
    table = {"a": {"j1": 6, "j2": 6}, "b": {"j1": 6, "j2": 6}, "c": {"j1": 1, "j2": 2}}
    for calibration in ("none", "model"):
        ranking = scoring.rank(reviews_of(table), TEN, calibration=calibration, bootstrap=100, seed=3,
                               chair_decisions=[ChairDecision(("b", "a"), "Pilot ready")])
        a, b, c = (ranking.entry(x) for x in "abc")
        assert (b.place, a.place) == (1, 2) and a.tie == b.tie == "chair"
        assert a.interval[0] <= 2 <= a.interval[1] and scoring.is_close_call(a) and scoring.is_close_call(b)
        assert c.tie is None


def test_a_place_outside_every_draw_widens_the_interval():
    ranking = scoring.Ranking(entries=[scoring.RankedEntry("x", 2, 50.0, 50.0, {}, True, interval=(1, 1))],
                              ties=[], aggregation="mean", calibration="model")
    scoring.contain_places(ranking)
    assert ranking.entries[0].interval == (1, 2)


def test_an_entry_without_a_place_is_never_a_close_call():
    entry = scoring.RankedEntry("x", None, 50.0, 50.0, {}, False, tie="shared", interval=(1, 3))
    assert not scoring.is_close_call(entry)


def test_thresholds_read_the_calibrated_means():
    # j4 is harsh by 2 points and reviewed e2 (quality 8.5): raw mean (8.5 + 8.5 + 6.5) / 3 = 7.83 fails a
    # threshold of 7.9; calibrated (j4's effect about −1.5, the others' +0.5, centred) about 8.0 passes.
    criteria = [Criterion(id="q", scale_min=0, scale_max=10, threshold=7.9)]
    reviews = reviews_of(harsh_table())
    assert "e2" not in [e.entry_id for e in scoring.rank(reviews, criteria).ranked]
    calibrated = scoring.rank(reviews, criteria, calibration="model")
    assert calibrated.entry("e2").passed_thresholds and calibrated.entry("e2").breakdown["q"] > 7.9
    assert calibrated.entry("e2").raw_breakdown["q"] == pytest.approx(23.5 / 3)


def test_same_seed_same_intervals_whatever_the_order_of_the_reviews():
    _, values = simulate(30, 3, 10, seed=4)
    reviews = [Review(e, j, {"t": v}) for (e, j), v in values.items()]
    criteria = [Criterion(id="t", scale_max=100)]

    def intervals(reviews, seed):
        return {e.entry_id: e.interval for e in scoring.rank(reviews, criteria, calibration="model", bootstrap=60, seed=seed).ranked}

    first = intervals(reviews, 9)
    assert intervals(list(reversed(reviews)), 9) == first
    assert intervals(reviews, 10) != first  # the seed, not chance, makes them equal


def test_the_ends_of_the_central_interval():
    # of n sorted places, positions floor(0.025 (n − 1)) and ceil(0.975 (n − 1))
    assert ranking_model.interval_indexes(1000) == (24, 975)  # 24.975, 974.025
    assert ranking_model.interval_indexes(201) == (5, 195)
    assert ranking_model.interval_indexes(40) == (0, 39)  # 0.975, 38.025
    assert ranking_model.interval_indexes(101, level=0.5) == (25, 75)


POSTERIOR_CASE = {("a", "j1"): 62, ("a", "j2"): 75, ("b", "j1"): 40, ("b", "j3"): 52, ("c", "j2"): 70,
                  ("c", "j3"): 58, ("d", "j1"): 55, ("d", "j2"): 61, ("d", "j3"): 49, ("e", "j3"): 35}


@pytest.mark.parametrize("changes", [
    {},  # τ² (31.2) above σ² (28.9)
    {("a", "j2"): 70, ("c", "j2"): 64, ("b", "j1"): 44},  # τ² (13.9) below σ² (16.9)
])
def test_posterior_draws_match_the_joint_posterior_computed_directly(changes):
    """The block elimination (jurors first, then each entry) against the joint Gaussian posterior of
    (μ, entries, jurors) written out in full: precision [1 X Z]'[1 X Z]/σ² + prior, mean precision⁻¹ [1 X Z]'y/σ²."""
    import numpy as np

    model = ranking_model.fit({**POSTERIOR_CASE, **changes})
    v, design = model.variances, model.design
    assert v.juror > 0 and v.entry > 0
    n, entries, jurors = len(design.y), len(design.entries), len(design.jurors)
    X = np.zeros((n, entries)); X[np.arange(n), design.e_idx] = 1
    Z = np.zeros((n, jurors)); Z[np.arange(n), design.j_idx] = 1
    W = np.hstack([np.ones((n, 1)), X, Z])
    y = design.y - design.y.mean()
    prior = np.concatenate([[1e-9 / v.noise], np.full(entries, 1 / v.entry), np.full(jurors, 1 / v.juror)])
    precision = W.T @ W / v.noise + np.diag(prior)
    covariance = np.linalg.inv(precision)
    mean = covariance @ W.T @ y / v.noise
    draws = ranking_model.posterior_draws(model, 40000, seed=5)
    # entries relative to entry a (μ's flat prior makes the level itself nearly unknown): mean and spread
    contrast = np.hstack([-np.ones((entries - 1, 1)), np.eye(entries - 1)])
    expected_mean = contrast @ mean[1:1 + entries]
    expected_cov = contrast @ covariance[1:1 + entries, 1:1 + entries] @ contrast.T
    found = draws @ contrast.T
    assert found.mean(axis=0) == pytest.approx(expected_mean, abs=0.15)
    assert np.cov(found.T) == pytest.approx(expected_cov, rel=0.05, abs=0.5)


# --- coverage on a small seeded simulation ----------------------------------------------------

def simulate(entries, per_entry, jurors, seed):
    """Entries of known quality, jurors of known severity and noise; balanced loads."""
    rng = random.Random(seed)
    quality = {f"e{n}": rng.gauss(60, 10) for n in range(entries)}
    severity = {f"j{n}": rng.gauss(0, 5) for n in range(jurors)}
    noise = {j: rng.uniform(6, 12) for j in severity}
    values = {}
    for entry, juror in balanced_panels(quality, list(severity), per_entry, rng):
        values[(entry, juror)] = min(100.0, max(0.0, quality[entry] + severity[juror] + rng.gauss(0, noise[juror])))
    return quality, values


def coverage(method, replications, entries=30, per_entry=3, jurors=10, draws=200):
    covered = total = 0
    for seed in range(replications):
        quality, values = simulate(entries, per_entry, jurors, seed)
        reviews = [Review(e, j, {"t": v}) for (e, j), v in values.items()]
        ranking = scoring.rank(reviews, [Criterion(id="t", scale_max=100)], calibration=method, bootstrap=draws, seed=seed)
        true_place = {e: n for n, e in enumerate(sorted(quality, key=lambda e: -quality[e]), 1)}
        for entry in ranking.ranked:
            total += 1
            covered += entry.interval[0] <= true_place[entry.entry_id] <= entry.interval[1]
    return covered / total


def test_model_intervals_cover_the_true_place_at_three_reviews_per_entry():
    assert coverage("model", replications=20) >= 0.93
    # the resampling bootstrap of the other methods claims more certainty than the data have
    assert coverage("none", replications=20) < 0.90


# --- the engine's words and codes -------------------------------------------------------------

def test_every_score_given_is_checked_informational_ones_included():
    criteria = [Criterion(id="q", scale_max=10), Criterion(id="note", scale_max=10, informational=True)]
    for bad in (11, float("nan")):
        with pytest.raises(scoring.ScoringError) as refused:
            scoring.rank([Review("e", "j", {"q": 5, "note": bad})], criteria)
        assert str(refused.value) == f"review of e by j: criterion note: {float(bad)} outside 0.0..10"
        assert refused.value.code == "invalid"
    ranking = scoring.rank([Review("e", "j", {"q": 5})], criteria)  # an informational score may be left out
    assert ranking.entry("e").breakdown == {"q": 5.0, "note": None}


def test_the_models_refusals_keep_their_code_and_words():
    with pytest.raises(scoring.ScoringError) as refused:
        scoring.calibrate({("a", "j1"): float("inf"), ("a", "j2"): 3.0}, "model")
    assert refused.value.code == "not_finite" and str(refused.value) == "value of ('a', 'j1') is not a finite number: inf"
    with pytest.raises(scoring.ScoringError) as refused:
        scoring.rank(reviews_of(harsh_table()), TEN, aggregation="trimmed_mean", calibration="model")
    assert str(refused.value) == "the additive model combines reviews by their mean"
    assert scoring.calibrate({}, "model") == {}
    assert scoring.Criterion(id="q", scale_min=2, scale_max=6).rescale(5) == 75.0


def test_the_ranking_carries_the_calibrated_totals_it_ranked():
    ranking = scoring.rank(reviews_of(harsh_table()), TEN, calibration="model")
    # e0 by j4 gave 7.5 (75 points); j4's effect is −15, so 90 once calibrated, like j1's and j2's 95 − 5
    assert ranking.calibrated[("e0", "j4")] == pytest.approx(90, abs=1e-3)
    assert ranking.calibrated[("e0", "j1")] == pytest.approx(90, abs=1e-3)
    assert ranking.entry("e0").score == pytest.approx(90, abs=1e-3)


def test_what_decided_a_tie_is_marked_on_each_entry():
    criteria = [Criterion(id="q", scale_max=10), Criterion(id="p", scale_max=10, informational=True)]
    ranking = scoring.rank([Review("a", "j", {"q": 5, "p": 2}), Review("b", "j", {"q": 5, "p": 7})], criteria,
                           priority_criterion="p")
    assert [(e.entry_id, e.tie) for e in ranking.ranked] == [("b", "priority_criterion"), ("a", "priority_criterion")]
    median = scoring.rank(reviews_of({"a": {"j1": 5, "j2": 5, "j3": 8}, "b": {"j1": 4, "j2": 7, "j3": 7}}), TEN)
    assert [(e.entry_id, e.tie) for e in median.ranked] == [("b", "median"), ("a", "median")]
