"""The rules of a final round's places, straight on results/final_methods.py (pure: no app, no database):
places and shared places, the chair's decision on a tie, "likely places" from the published recipe, and the
document section an outsider recomputes from. Fast enough to run per mutant (tools/mutation.toml)."""
import random

import pytest

from govchallenge.jury import crowd_bt, schulze
from govchallenge.results import final_methods as fm
from govchallenge.results import ranking_model
from govchallenge.results.scoring import ChairDecision, Tie, is_close_call

# --- pairwise (Crowd-BT) ------------------------------------------------------------------------------------

VOTES = [("J2", "a", "b"), ("J1", "a", "c"), ("J2", "b", "c"), ("J1", "a", "b")]


def places(outcome):
    return [(e.entry_id, e.place, e.tie) for e in outcome.entries]


def test_pairwise_places_follow_the_estimated_quality_best_first():
    outcome = fm.pairwise(["c", "b", "a"], VOTES)
    assert places(outcome) == [("a", 1, None), ("b", 2, None), ("c", 3, None)]
    assert outcome.ties == [] and outcome.unresolved_ties == []
    assert outcome.kind == fm.PAIRWISE and outcome.ranked is outcome.entries


def test_pairwise_figures_are_the_models_estimates_to_six_decimals():
    model = crowd_bt.estimate(["a", "b", "c"], VOTES, crowd_bt.Parameters())
    outcome = fm.pairwise(["a", "b", "c"], VOTES)
    for entry in outcome.entries:
        standing = next(s for s in model.standings() if s.item == entry.entry_id)
        assert entry.figures == {"mu": round(standing.mu, 6), "sigma": round(standing.sigma, 6),
                                 "comparisons": standing.comparisons}
    assert [e.figures["comparisons"] for e in outcome.entries] == [3, 3, 2]
    assert outcome.entries[0].figures["mu"] == 0.885214


def test_pairwise_equal_estimates_share_the_place_and_the_next_place_is_skipped():
    """c and d were never compared: their mu stays at the prior, equal, between the winner and the loser."""
    outcome = fm.pairwise(["a", "b", "c", "d"], [("J1", "b", "a"), ("J1", "b", "a")])
    assert places(outcome) == [("b", 1, None), ("c", 2, "shared"), ("d", 2, "shared"), ("a", 4, None)]
    assert outcome.ties == [Tie(entry_ids=["c", "d"], resolved_by=None, reason="")]
    assert outcome.unresolved_ties == outcome.ties
    assert all(is_close_call(e) for e in outcome.entries if e.tie)


def test_pairwise_means_equal_to_six_decimals_tie():
    """With a tiny prior variance one vote moves the means by about 1e-9: different, equal to six decimals."""
    params = crowd_bt.Parameters(sigma_sq_prior=1e-8)
    model = crowd_bt.estimate(["a", "b", "c"], [("J1", "a", "b")], params)
    mus = {s.item: s.mu for s in model.standings()}
    assert mus["a"] > mus["c"] > mus["b"] and round(mus["a"], 6) == round(mus["b"], 6)
    outcome = fm.pairwise(["a", "b", "c"], [("J1", "a", "b")], params=params)
    assert places(outcome) == [("a", 1, "shared"), ("b", 1, "shared"), ("c", 1, "shared")]


def test_the_chair_orders_a_pairwise_tie_with_a_reason():
    decision = ChairDecision(order=("x", "d", "c"), reason="d answers the brief better")
    outcome = fm.pairwise(["a", "b", "c", "d"], [("J1", "b", "a"), ("J1", "b", "a")], decisions=[decision])
    assert places(outcome) == [("b", 1, None), ("d", 2, "chair"), ("c", 3, "chair"), ("a", 4, None)]
    assert outcome.ties == [Tie(entry_ids=["c", "d"], resolved_by="chair", reason="d answers the brief better")]
    assert outcome.unresolved_ties == []


def test_a_decision_that_does_not_name_every_tied_entry_leaves_the_place_shared():
    decision = ChairDecision(order=("d", "b"), reason="partial")
    outcome = fm.pairwise(["a", "b", "c", "d"], [("J1", "b", "a"), ("J1", "b", "a")], decisions=[decision])
    assert places(outcome)[1:3] == [("c", 2, "shared"), ("d", 2, "shared")]
    assert outcome.ties == [Tie(entry_ids=["c", "d"], resolved_by=None, reason="")]


def recipe_intervals(items, votes, seed):
    """"Likely places" as the document describes them, recomputed: POSTERIOR_DRAWS draws of every quality
    from N(mu, sigma²) with random.Random(seed).gauss in the order of `items`, places best first, the central
    95 % of each entry's places (widened to the published place, which these separated entries keep)."""
    model = crowd_bt.estimate(items, votes, crowd_bt.Parameters())
    rng = random.Random(seed)
    drawn = {item: [] for item in items}
    for _ in range(1000):
        quality = {item: rng.gauss(model.finalists[item].mu, model.finalists[item].sigma) for item in items}
        for place, item in enumerate(sorted(items, key=lambda i: -quality[i]), 1):
            drawn[item].append(place)
    first, last = ranking_model.interval_indexes(1000, 0.95)
    return {item: (sorted(p)[first], sorted(p)[last]) for item, p in drawn.items()}


@pytest.mark.parametrize("seed", [0, 7])
def test_likely_places_follow_the_published_recipe(seed):
    items = ["a", "b", "c", "d"]
    votes = [("J1", "a", "b"), ("J1", "b", "c"), ("J1", "c", "d")] * 6 + [("J2", "a", "d")] * 4
    outcome = fm.pairwise(items, votes, seed=seed)
    assert {e.entry_id: e.interval for e in outcome.entries} == recipe_intervals(items, votes, seed)
    assert outcome.section["seed"] == seed


def test_a_close_call_is_drawn_with_the_published_seed_and_no_other():
    """Six votes for a over b leave b above a in about 2.5 % of the draws: right at the interval's edge, so the
    likely places depend on the seed. Each seed gives its own, every time; without a seed the seed is 0."""
    votes = [("J1", "a", "b")] * 6
    wide, narrow = [(1, 2), (1, 2)], [(1, 1), (2, 2)]
    shown = [[e.interval for e in fm.pairwise(["a", "b"], votes, seed=seed).entries] for seed in range(8)]
    assert shown == [wide, narrow, narrow, narrow, wide, narrow, wide, narrow]
    default = fm.pairwise(["a", "b"], votes)
    assert [e.interval for e in default.entries] == wide and default.section["seed"] == 0


def test_likely_places_of_clearly_separated_entries_are_narrow_and_best_first():
    items = ["a", "b", "c"]
    votes = [("J1", "a", "b"), ("J1", "b", "c"), ("J1", "a", "c")] * 40
    outcome = fm.pairwise(items, votes)
    intervals = {e.entry_id: e.interval for e in outcome.entries}
    assert intervals["a"][0] == 1 and intervals["c"][1] == 3
    assert intervals["a"][1] < 3 and intervals["c"][0] > 1
    # the interval's ends are the central 95 %, not the extremes of 1000 draws
    assert intervals == recipe_intervals(items, votes, 0)


def test_likely_places_contain_the_published_place_of_a_tie_the_chair_decided():
    """Never compared, c and d draw their places from the same prior; the chair puts d 2nd and c 3rd."""
    decision = ChairDecision(order=("d", "c"), reason="r")
    outcome = fm.pairwise(["a", "b", "c", "d"], [("J1", "b", "a")] * 30, decisions=[decision])
    for entry in outcome.entries:
        assert entry.interval[0] <= entry.place <= entry.interval[1]


def test_the_pairwise_section_holds_every_input_and_parameter():
    outcome = fm.pairwise(["a", "b", "c"], VOTES, seed=3)
    section = outcome.section
    assert section["kind"] == "pairwise" and section["method"] == "crowd_bt"
    assert section["reference"] == fm.CROWD_BT_REFERENCE and section["computed"] == fm.COMPUTED[fm.PAIRWISE]
    assert section["parameters"] == {"mu_prior": 0.0, "sigma_sq_prior": 1.0, "alpha_prior": 10.0, "beta_prior": 1.0,
                                     "kappa": 0.0001, "gamma": 0.1, "epsilon": 0.25, "min_views": 2}
    assert section["posterior_draws"] == 1000 and section["level"] == 0.95 and section["seed"] == 3
    assert section["votes"] == [{"juror": "J2", "winner": "a", "loser": "b"}, {"juror": "J1", "winner": "a", "loser": "c"},
                                {"juror": "J2", "winner": "b", "loser": "c"}, {"juror": "J1", "winner": "a", "loser": "b"}]
    assert list(section["jurors"]) == ["J1", "J2"]
    model = crowd_bt.estimate(["a", "b", "c"], VOTES, crowd_bt.Parameters())
    for label, figures in section["jurors"].items():
        juror = model.jurors[label]
        assert figures == {"reliability": round(juror.alpha / (juror.alpha + juror.beta), 6),
                           "alpha": round(juror.alpha, 6), "beta": round(juror.beta, 6)}
    assert set(section) == {"kind", "method", "reference", "computed", "parameters", "posterior_draws", "level",
                            "seed", "votes", "jurors"}


def test_pairwise_uses_the_parameters_given():
    params = crowd_bt.Parameters(sigma_sq_prior=4.0)
    outcome = fm.pairwise(["a", "b"], [("J1", "a", "b")], params=params)
    assert outcome.section["parameters"]["sigma_sq_prior"] == 4.0
    assert fm.pairwise(["a", "b"], [("J1", "a", "b")]).entries[0].figures != outcome.entries[0].figures


# --- ranked (Schulze) ---------------------------------------------------------------------------------------

BALLOTS = [("J1", [["a"], ["b"], ["c"]], []), ("J2", [["b"], ["a"], ["c"]], []), ("J3", [["c"]], ["a"])]


def test_ranked_tiers_give_places_and_a_tier_of_two_shares_the_place():
    outcome = fm.ranked(["a", "b", "c"], BALLOTS)
    assert outcome.kind == fm.RANKED == "ranked" and outcome.ranked is outcome.entries
    assert places(outcome) == [("a", 1, "shared"), ("b", 1, "shared"), ("c", 3, None)]
    assert outcome.ties == [Tie(entry_ids=["a", "b"], resolved_by=None, reason="")]
    assert [e.figures for e in outcome.entries] == [{"tier": 1, "beats": 1}, {"tier": 1, "beats": 1},
                                                    {"tier": 2, "beats": 0}]
    assert all(e.interval is None for e in outcome.entries)


def test_ranked_places_of_a_full_order_count_the_entries_each_beats():
    ballots = [("J1", [["d"], ["c"], ["b"], ["a"]], []), ("J2", [["d"], ["c"], ["a"], ["b"]], []),
               ("J3", [["d", "c"], ["b"]], [])]
    outcome = fm.ranked(["a", "b", "c", "d"], ballots)
    assert places(outcome) == [("d", 1, None), ("c", 2, None), ("b", 3, None), ("a", 4, None)]
    assert [e.figures for e in outcome.entries] == [{"tier": 1, "beats": 3}, {"tier": 2, "beats": 2},
                                                    {"tier": 3, "beats": 1}, {"tier": 4, "beats": 0}]
    assert outcome.ties == []


def test_the_chair_orders_a_schulze_tie():
    decision = ChairDecision(order=("b", "a"), reason="b is cheaper to run")
    outcome = fm.ranked(["a", "b", "c"], BALLOTS, decisions=[decision])
    assert places(outcome) == [("b", 1, "chair"), ("a", 2, "chair"), ("c", 3, None)]
    assert outcome.ties == [Tie(entry_ids=["a", "b"], resolved_by="chair", reason="b is cheaper to run")]
    assert outcome.unresolved_ties == []


def test_each_ballot_counts_once_and_abstentions_leave_the_pairs():
    outcome = fm.ranked(["a", "b", "c"], BALLOTS)
    expected = schulze.schulze(["a", "b", "c"], [(1, r, set(a)) for _j, r, a in BALLOTS])
    assert outcome.section["d"] == expected.d == {"a": {"b": 1, "c": 2}, "b": {"a": 1, "c": 2},
                                                  "c": {"a": 0, "b": 1}}
    assert outcome.section["p"] == expected.p


def test_the_ranked_section_holds_every_ballot_and_table():
    ballots = [("J1", [["a"], ["b", "c"]], ["d", "c"][:0]), ("J2", [("c",)], ("b", "a"))]
    outcome = fm.ranked(["a", "b", "c", "d"], ballots)
    section = outcome.section
    assert section["kind"] == "ranked" and section["method"] == "schulze" and section["strength"] == "winning_votes"
    assert section["reference"] == fm.SCHULZE_REFERENCE and section["computed"] == fm.COMPUTED[fm.RANKED]
    assert section["ballots"] == [{"juror": "J1", "ranking": [["a"], ["b", "c"]], "abstain": []},
                                  {"juror": "J2", "ranking": [["c"]], "abstain": ["a", "b"]}]
    assert section["order"] == [list(t) for t in schulze.schulze(
        ["a", "b", "c", "d"], [(1, r, set(a)) for _j, r, a in ballots]).order]
    assert section["tied_pairs"] == [[a, b] for a, b in schulze.schulze(
        ["a", "b", "c", "d"], [(1, r, set(a)) for _j, r, a in ballots]).ties]
    assert set(section) == {"kind", "method", "strength", "reference", "computed", "ballots", "d", "p", "order",
                            "tied_pairs"}


def test_ranked_tied_pairs_name_the_tie():
    assert fm.ranked(["a", "b", "c"], BALLOTS).section["tied_pairs"] == [["a", "b"]]
    assert fm.ranked(["a", "b", "c"], BALLOTS).section["order"] == [["a", "b"], ["c"]]


# --- the choice of method -----------------------------------------------------------------------------------

def test_outcome_dispatches_on_the_kind_with_its_decisions_and_seed():
    decision = ChairDecision(order=("b", "a"), reason="r")
    assert places(fm.outcome(fm.RANKED, ["a", "b", "c"], BALLOTS, [decision])) == \
        places(fm.ranked(["a", "b", "c"], BALLOTS, [decision]))
    pair = fm.outcome(fm.PAIRWISE, ["a", "b", "c", "d"], [("J1", "b", "a")], [ChairDecision(("d", "c"), "r")], seed=5)
    assert pair.kind == "pairwise" and pair.section["seed"] == 5
    assert fm.outcome(fm.PAIRWISE, ["a", "b"], [("J1", "a", "b")]).section["seed"] == 0  # the documented default
    assert places(pair)[1:3] == [("d", 2, "chair"), ("c", 3, "chair")]


def test_an_unknown_kind_is_refused():
    with pytest.raises(ValueError, match="not a final method: 'rubric'"):
        fm.outcome("rubric", ["a"], [])
