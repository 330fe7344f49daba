"""The Crowd-BT module against a reference written here from the paper, and on simulated demo days.

Reference: X. Chen, P. N. Bennett, K. Collins-Thompson, E. Horvitz, "Pairwise ranking aggregation in a
crowdsourced setting", WSDM 2013: the online moment-matching updates of s_i ~ N(mu_i, sigma_i²) and of the
annotator's eta_k ~ Beta(alpha_k, beta_k), and the expected information gain of a comparison (KL divergence
of the updated distributions from the current ones, the annotator's part weighted by gamma). The reference
below is written from those equations in the paper's own notation, without the module's code.
"""
import math
import random

import pytest

from govchallenge.jury import crowd_bt
from govchallenge.jury.crowd_bt import CrowdBT, Parameters

# ---------------------------------------------------------------- independent reference (paper's equations)

KAPPA, GAMMA = 1e-4, 0.1


def ref_update(state, annotator, i, j):
    """Annotator k said i > j. state: {item: [mu, sigma²]}, annotator: [alpha, beta]. In place."""
    (mu_i, s2_i), (mu_j, s2_j), (a, b) = state[i], state[j], annotator
    ei, ej = math.exp(mu_i), math.exp(mu_j)
    # C1 = P(i > j) under the current beliefs (second-order expansion), C = P(answer) with the annotator
    c1 = ei / (ei + ej) + (s2_i + s2_j) / 2 * ei * ej * (ej - ei) / (ei + ej) ** 3
    c = (c1 * a + (1 - c1) * b) / (a + b)
    # E[eta] and E[eta²] under the posterior, then the Beta with those moments
    m1 = (c1 * (a + 1) * a + (1 - c1) * a * b) / (c * (a + b + 1) * (a + b))
    m2 = (c1 * (a + 2) * (a + 1) * a + (1 - c1) * (a + 1) * a * b) / (c * (a + b + 2) * (a + b + 1) * (a + b))
    new_a = (m1 - m2) * m1 / (m2 - m1 * m1)
    new_b = (m1 - m2) * (1 - m1) / (m2 - m1 * m1)
    grad = a * ei / (a * ei + b * ej) - ei / (ei + ej)
    curv = a * ei * b * ej / (a * ei + b * ej) ** 2 - ei * ej / (ei + ej) ** 2
    state[i] = [mu_i + s2_i * grad, s2_i * max(1 + s2_i * curv, KAPPA)]
    state[j] = [mu_j - s2_j * grad, s2_j * max(1 + s2_j * curv, KAPPA)]
    annotator[:] = [new_a, new_b]
    return c


def ref_digamma(x, h=1e-5):
    return (math.lgamma(x + h) - math.lgamma(x - h)) / (2 * h)


def ref_kl_normal(m1, v1, m2, v2):
    return 0.5 * (v1 / v2 + (m1 - m2) ** 2 / v2 - 1 - math.log(v1 / v2))


def ref_kl_beta(a1, b1, a2, b2):
    lbeta = lambda a, b: math.lgamma(a) + math.lgamma(b) - math.lgamma(a + b)  # noqa: E731
    return (lbeta(a2, b2) - lbeta(a1, b1) + (a1 - a2) * ref_digamma(a1) + (b1 - b2) * ref_digamma(b1)
            + (a2 - a1 + b2 - b1) * ref_digamma(a1 + b1))


def ref_gain(state, annotator, i, j):
    total = 0.0
    for winner, loser in ((i, j), (j, i)):
        s = {winner: list(state[winner]), loser: list(state[loser])}
        k = list(annotator)
        c = ref_update(s, k, winner, loser)
        gain = (ref_kl_normal(*s[winner], *state[winner]) + ref_kl_normal(*s[loser], *state[loser])
                + GAMMA * ref_kl_beta(*k, *annotator))
        total += c * gain  # c: the probability of this answer
    return total


def ref_estimate(items, votes):
    state = {i: [0.0, 1.0] for i in items}
    annotators = {}
    for k, winner, loser in votes:
        ref_update(state, annotators.setdefault(k, [10.0, 1.0]), winner, loser)
    return state, annotators


def random_stream(seed, items, jurors, n):
    rng = random.Random(seed)
    quality = {i: rng.gauss(0, 1.5) for i in items}
    votes = []
    for _ in range(n):
        k = rng.choice(jurors)
        i, j = rng.sample(items, 2)
        if rng.random() < 1 / (1 + math.exp(quality[j] - quality[i])):
            votes.append((k, i, j))
        else:
            votes.append((k, j, i))
    return votes


# ---------------------------------------------------------------- agreement with the reference

@pytest.mark.parametrize("seed", range(5))
def test_estimates_and_ordering_agree_with_the_reference(seed):
    items, jurors = [f"F{n}" for n in range(10)], [f"J{n}" for n in range(12)]
    votes = random_stream(seed, items, jurors, 150)
    model = crowd_bt.estimate(items, votes)
    state, annotators = ref_estimate(items, votes)
    reference_order = sorted(items, key=lambda i: (-state[i][0], items.index(i)))
    assert [s.item for s in model.standings()] == reference_order
    for item in items:
        assert model.finalists[item].mu == pytest.approx(state[item][0], abs=1e-9)
        assert model.finalists[item].sigma_sq == pytest.approx(state[item][1], rel=1e-9)
    for k, (a, b) in annotators.items():
        assert model.jurors[k].alpha == pytest.approx(a, rel=1e-9)
        assert model.jurors[k].beta == pytest.approx(b, rel=1e-9)


def test_expected_information_gain_agrees_with_the_reference():
    items = list("ABCDEF")
    votes = random_stream(7, items, ["x", "y"], 20)
    model = crowd_bt.estimate(items, votes)
    state, annotators = ref_estimate(items, votes)
    for i in items:
        for j in items:
            if i != j:
                ours = crowd_bt.expected_information_gain(model.jurors["x"], model.finalists[i],
                                                          model.finalists[j], model.params)
                assert ours == pytest.approx(ref_gain(state, annotators["x"], i, j), rel=1e-6)


def test_one_vote_by_hand():
    # from the priors (mu 0, sigma² 1, alpha 10, beta 1): grad = 10/11 − 1/2, the winner rises by exactly that
    model = crowd_bt.estimate(["a", "b"], [("k", "a", "b")])
    assert model.finalists["a"].mu == pytest.approx(10 / 11 - 1 / 2)
    assert model.finalists["b"].mu == pytest.approx(-(10 / 11 - 1 / 2))
    curvature = 10 / 121 - 1 / 4  # alpha·beta/(alpha+beta)² − 1/4
    assert model.finalists["a"].sigma_sq == pytest.approx(1 + curvature)


# ---------------------------------------------------------------- behaviour

def test_a_contradicting_juror_loses_reliability_and_weight():
    items = ["a", "b", "c", "d"]
    honest = [(f"h{n}", w, lo) for n in range(6) for w, lo in (("a", "b"), ("b", "c"), ("c", "d"), ("a", "d"))]
    contrary = [("liar", lo, w) for w, lo in (("a", "b"), ("b", "c"), ("c", "d"), ("a", "d"))] * 3
    model = crowd_bt.estimate(items, [v for pair in zip(honest, contrary * 2) for v in pair])
    reliability = model.reliabilities()
    assert reliability["liar"] < min(r for k, r in reliability.items() if k != "liar")
    assert [s.item for s in model.standings()] == ["a", "b", "c", "d"]


def test_the_same_stream_gives_the_same_estimates():
    votes = random_stream(3, list("ABCDEFGH"), ["x", "y", "z"], 60)
    first, second = crowd_bt.estimate("ABCDEFGH", votes), crowd_bt.estimate("ABCDEFGH", votes)
    assert first.finalists == second.finalists and first.jurors == second.jurors


def test_choice_never_conflicted_never_seen_and_reproducible():
    items = list(range(8))
    model = crowd_bt.estimate(items, random_stream(4, items, ["j"], 10))
    shown = []
    while True:
        nxt = model.choose_next("j", shown[-1] if shown else None, shown, conflicted={2, 5})
        if nxt is None:
            break
        assert nxt not in shown and nxt not in (2, 5)
        shown.append(nxt)
    assert sorted(shown) == [0, 1, 3, 4, 6, 7]
    again = crowd_bt.estimate(items, random_stream(4, items, ["j"], 10))
    replay = []
    for _ in range(6):
        replay.append(again.choose_next("j", replay[-1] if replay else None, replay, conflicted={2, 5}))
    assert replay == shown


def test_every_finalist_gets_seen_before_any_is_seen_twice_more():
    items = list(range(10))
    model = CrowdBT(items, Parameters(min_views=1), seed=1)
    counts = {i: 0 for i in items}
    seen = {j: [] for j in range(5)}
    for _ in range(2):
        for j in seen:
            nxt = model.choose_next(j, seen[j][-1] if seen[j] else None, seen[j], shown_counts=counts)
            seen[j].append(nxt)
            counts[nxt] += 1
    assert set(counts.values()) == {1}  # ten showings, ten different finalists


def test_exploration_uses_the_seed():
    items = list(range(12))
    picks = set()
    for seed in range(20):
        model = CrowdBT(items, Parameters(min_views=0, epsilon=1.0), seed=seed)
        picks.add(model.choose_next("j", 0, [0]))
    assert len(picks) > 3


def test_bad_votes_are_refused():
    model = CrowdBT(["a", "b"])
    with pytest.raises(ValueError):
        model.record("k", "a", "a")
    with pytest.raises(ValueError):
        model.record("k", "a", "zzz")
    assert model.comparisons == {"a": 0, "b": 0}


# ---------------------------------------------------------------- simulated demo days

def simulate_day(seed, finalists=10, jurors=12, careless_share=0.2, spread=1.5):
    """Each juror visits every table in the order the module chooses and answers each comparison: a careful
    juror as the Bradley–Terry model of the true qualities says, a careless one (each juror with probability
    `careless_share`) at random. Returns (Crowd-BT found the true top 3, plain win rate found it)."""
    rng = random.Random(seed)
    items = list(range(finalists))
    quality = {i: rng.gauss(0, spread) for i in items}
    careless = {j for j in range(jurors) if rng.random() < careless_share}
    model = CrowdBT(items, Parameters(), seed=seed)
    seen = {j: [] for j in range(jurors)}
    votes = []
    for _ in range(finalists):
        for j in range(jurors):
            previous = seen[j][-1] if seen[j] else None
            current = model.choose_next(j, previous, seen[j])
            seen[j].append(current)
            if previous is None:
                continue
            p_current = 0.5 if j in careless else 1 / (1 + math.exp(quality[previous] - quality[current]))
            winner, loser = (current, previous) if rng.random() < p_current else (previous, current)
            model.record(j, winner, loser)
            votes.append((winner, loser))
    true_top = set(sorted(items, key=lambda i: -quality[i])[:3])
    wins, games = dict.fromkeys(items, 0), dict.fromkeys(items, 0)
    for winner, loser in votes:
        wins[winner] += 1
        games[winner] += 1
        games[loser] += 1
    by_rate = sorted(items, key=lambda i: (-wins[i] / games[i], i))
    return {s.item for s in model.standings()[:3]} == true_top, set(by_rate[:3]) == true_top


def test_recovers_the_true_top_three_at_least_as_often_as_win_rate():
    days = 200
    crowd = rate = 0
    for seed in range(days):
        by_crowd, by_rate = simulate_day(seed)
        crowd += by_crowd
        rate += by_rate
    print(f"\n{days} simulated demo days (10 finalists, 12 jurors each comparing all 10, "
          f"20 % careless): true top 3 found by Crowd-BT {crowd / days:.1%}, by win rate {rate / days:.1%}")
    assert crowd >= rate
