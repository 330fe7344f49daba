"""Crowd-BT: pairwise judging of finalists with per-juror reliability and active selection.
Pure: plain data in, plain data out (no Flask, no database).

The model (Chen, Bennett, Collins-Thompson and Horvitz, "Pairwise ranking aggregation in a crowdsourced
setting", WSDM 2013). Each finalist i has a quality s_i, known as a normal distribution N(mu_i, sigma_i²).
Each juror k answers like the model with probability eta_k and the opposite way otherwise; eta_k is known as
a Beta(alpha_k, beta_k) distribution, so a juror who keeps contradicting the others drifts towards a low
eta and their votes weigh less (an adversarial one, below one half, even counts the other way):

    P(k says i better than j) = eta_k · e^{s_i} / (e^{s_i} + e^{s_j}) + (1 − eta_k) · e^{s_j} / (e^{s_i} + e^{s_j})

Online updates. After juror k says "i better than j" the four parameters are replaced by the moments of the
approximate posterior (the paper's moment-matching updates, the same the Gavel judging system uses):

    mu_i    += sigma_i² · (alpha·e^{mu_i} / (alpha·e^{mu_i} + beta·e^{mu_j}) − e^{mu_i} / (e^{mu_i} + e^{mu_j}))
    mu_j    −= sigma_j² · (the same bracket)
    sigma²  *= max(1 + sigma² · (alpha·beta·e^{mu_i}e^{mu_j} / (alpha·e^{mu_i} + beta·e^{mu_j})²
                                  − e^{mu_i}e^{mu_j} / (e^{mu_i} + e^{mu_j})²), kappa)    (for i and j)
    alpha, beta: from the first two moments of eta under the posterior, with
        C1 = e^{mu_i}/(e^{mu_i}+e^{mu_j}) + (sigma_i²+sigma_j²)/2 · e^{mu_i}e^{mu_j}(e^{mu_j}−e^{mu_i})/(e^{mu_i}+e^{mu_j})³,
        C = (C1·alpha + (1−C1)·beta) / (alpha + beta)   (the probability of the answer given).
All updates of one vote use the values from before it. Votes are applied in the order given: the same stream
gives the same estimates, to the last bit.

Active selection. The next finalist shown to a juror is compared with the one they see now (`previous`).
Among the finalists the juror may see — never one they are conflicted with, never one they have already seen
— those seen fewest times so far (below `min_views`) come first, so every finalist gets seen; with
probability `epsilon` one of them is taken at random (exploration), otherwise the one whose comparison with
`previous` has the largest expected information gain: the expected Kullback–Leibler divergence of the updated
distributions from the current ones, the juror's Beta counted with weight `gamma`. Randomness comes from
`seed`, the juror and how many finalists they have been shown, so the choice is reproducible.
"""
from __future__ import annotations

import math
import random
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Parameters:
    mu_prior: float = 0.0
    """Prior mean of every finalist's quality (only differences matter)."""
    sigma_sq_prior: float = 1.0
    """Prior variance of every finalist's quality: how far apart finalists are expected to be."""
    alpha_prior: float = 10.0
    """Prior Beta(alpha, beta) of a juror's reliability: 10 and 1 trust a new juror (mean 10/11 ≈ 0.91)
    while letting a few contradicted votes lower that; the values Gavel uses on demo days."""
    beta_prior: float = 1.0
    kappa: float = 1e-4
    """Lower bound of the factor by which one vote may shrink a variance: keeps every sigma² positive."""
    gamma: float = 0.1
    """Weight of what a comparison teaches about the juror, against what it teaches about the finalists,
    in the expected information gain."""
    epsilon: float = 0.25
    """Probability of exploring: showing a random eligible finalist instead of the most informative one."""
    min_views: int = 2
    """Finalists seen fewer times than this are shown first, so that none is left unseen."""


@dataclass
class Finalist:
    mu: float
    sigma_sq: float

    @property
    def sigma(self):
        return math.sqrt(self.sigma_sq)


@dataclass
class Juror:
    alpha: float
    beta: float

    @property
    def reliability(self):
        """Expected probability that this juror answers as the model does (eta's mean)."""
        return self.alpha / (self.alpha + self.beta)


@dataclass
class Standing:
    item: object
    mu: float
    sigma: float
    comparisons: int


def _shifted(mu_a, mu_b):
    """e^{mu_a}, e^{mu_b} scaled by e^{-max}: every formula below is a ratio, so this only avoids overflow."""
    top = max(mu_a, mu_b)
    return math.exp(mu_a - top), math.exp(mu_b - top)


def updated_mus(alpha, beta, winner: Finalist, loser: Finalist):
    ew, el = _shifted(winner.mu, loser.mu)
    step = alpha * ew / (alpha * ew + beta * el) - ew / (ew + el)
    return winner.mu + winner.sigma_sq * step, loser.mu - loser.sigma_sq * step


def updated_sigma_sqs(alpha, beta, winner: Finalist, loser: Finalist, kappa):
    ew, el = _shifted(winner.mu, loser.mu)
    bracket = (alpha * ew * beta * el) / (alpha * ew + beta * el) ** 2 - (ew * el) / (ew + el) ** 2
    return (winner.sigma_sq * max(1 + winner.sigma_sq * bracket, kappa),
            loser.sigma_sq * max(1 + loser.sigma_sq * bracket, kappa))


def updated_juror(alpha, beta, winner: Finalist, loser: Finalist):
    """(alpha', beta', C): the juror's Beta after the vote, and the probability C of that vote."""
    ew, el = _shifted(winner.mu, loser.mu)
    c1 = ew / (ew + el) + 0.5 * (winner.sigma_sq + loser.sigma_sq) * (ew * el * (el - ew)) / (ew + el) ** 3
    c2 = 1 - c1
    c = (c1 * alpha + c2 * beta) / (alpha + beta)
    first = (c1 * (alpha + 1) * alpha + c2 * alpha * beta) / (c * (alpha + beta + 1) * (alpha + beta))
    second = ((c1 * (alpha + 2) * (alpha + 1) * alpha + c2 * (alpha + 1) * alpha * beta)
              / (c * (alpha + beta + 2) * (alpha + beta + 1) * (alpha + beta)))
    variance = second - first ** 2
    if variance <= 0:  # rounding only: the moments of a Beta always leave a positive variance
        return alpha, beta, c
    return (first - second) * first / variance, (first - second) * (1 - first) / variance, c


def _digamma(x):
    result = 0.0
    while x < 6:
        result -= 1 / x
        x += 1
    f = 1 / (x * x)
    return result + math.log(x) - 0.5 / x - f * (1 / 12 - f * (1 / 120 - f * (1 / 252 - f * (1 / 240 - f / 132))))


def _betaln(a, b):
    return math.lgamma(a) + math.lgamma(b) - math.lgamma(a + b)


def divergence_gaussian(mu_1, sigma_sq_1, mu_2, sigma_sq_2):
    """KL(N(mu_1, sigma_sq_1) || N(mu_2, sigma_sq_2))."""
    ratio = sigma_sq_1 / sigma_sq_2
    return (mu_1 - mu_2) ** 2 / (2 * sigma_sq_2) + (ratio - 1 - math.log(ratio)) / 2


def divergence_beta(alpha_1, beta_1, alpha_2, beta_2):
    """KL(Beta(alpha_1, beta_1) || Beta(alpha_2, beta_2))."""
    return (_betaln(alpha_2, beta_2) - _betaln(alpha_1, beta_1)
            + (alpha_1 - alpha_2) * _digamma(alpha_1) + (beta_1 - beta_2) * _digamma(beta_1)
            + (alpha_2 - alpha_1 + beta_2 - beta_1) * _digamma(alpha_1 + beta_1))


def _gain_if(juror: Juror, winner: Finalist, loser: Finalist, params: Parameters):
    """(probability of this answer, information gained if it is given)."""
    alpha_1, beta_1, c = updated_juror(juror.alpha, juror.beta, winner, loser)
    mu_w, mu_l = updated_mus(juror.alpha, juror.beta, winner, loser)
    sq_w, sq_l = updated_sigma_sqs(juror.alpha, juror.beta, winner, loser, params.kappa)
    gain = (divergence_gaussian(mu_w, sq_w, winner.mu, winner.sigma_sq)
            + divergence_gaussian(mu_l, sq_l, loser.mu, loser.sigma_sq)
            + params.gamma * divergence_beta(alpha_1, beta_1, juror.alpha, juror.beta))
    return c, gain


def expected_information_gain(juror: Juror, a: Finalist, b: Finalist, params: Parameters):
    p_a, gain_a = _gain_if(juror, a, b, params)
    _, gain_b = _gain_if(juror, b, a, params)
    return p_a * gain_a + (1 - p_a) * gain_b


@dataclass
class CrowdBT:
    """The estimates of one pairwise round. `items`: the finalists' ids (any hashable, sortable values)."""
    items: list
    params: Parameters = field(default_factory=Parameters)
    seed: object = 0

    def __post_init__(self):
        self.items = list(self.items)
        self.finalists = {i: Finalist(self.params.mu_prior, self.params.sigma_sq_prior) for i in self.items}
        self.jurors = {}
        self.comparisons = {i: 0 for i in self.items}

    def juror(self, juror_id):
        if juror_id not in self.jurors:
            self.jurors[juror_id] = Juror(self.params.alpha_prior, self.params.beta_prior)
        return self.jurors[juror_id]

    def record(self, juror_id, winner, loser):
        """Juror `juror_id` said `winner` was better than `loser`."""
        if winner == loser or winner not in self.finalists or loser not in self.finalists:
            raise ValueError("a vote compares two different finalists of the round")
        juror, w, lo = self.juror(juror_id), self.finalists[winner], self.finalists[loser]
        alpha, beta, _ = updated_juror(juror.alpha, juror.beta, w, lo)
        mu_w, mu_l = updated_mus(juror.alpha, juror.beta, w, lo)
        sq_w, sq_l = updated_sigma_sqs(juror.alpha, juror.beta, w, lo, self.params.kappa)
        juror.alpha, juror.beta = alpha, beta
        self.finalists[winner] = Finalist(mu_w, sq_w)
        self.finalists[loser] = Finalist(mu_l, sq_l)
        self.comparisons[winner] += 1
        self.comparisons[loser] += 1

    def choose_next(self, juror_id, previous=None, seen=(), conflicted=(), shown_counts=None):
        """The finalist to show this juror next, or None when none is left for them.

        `previous`: the finalist they see now (the next one is compared with it); `seen`: every finalist
        they have been shown (previous included); `conflicted`: those they may not judge; `shown_counts`:
        how many times each finalist has been shown to anyone (default: its comparisons so far).
        """
        excluded = set(seen) | set(conflicted)
        if previous is not None:
            excluded.add(previous)
        eligible = sorted(i for i in self.items if i not in excluded)
        if not eligible:
            return None
        counts = shown_counts if shown_counts is not None else self.comparisons
        rarely_seen = [i for i in eligible if counts.get(i, 0) < self.params.min_views]
        pool = rarely_seen or eligible
        rng = random.Random(f"{self.seed}|{juror_id}|{len(set(seen) | ({previous} - {None}))}")
        if previous is None:  # nothing to compare with yet: one of the least seen
            fewest = min(counts.get(i, 0) for i in pool)
            return rng.choice([i for i in pool if counts.get(i, 0) == fewest])
        if rng.random() < self.params.epsilon:
            return rng.choice(pool)
        juror, current = self.juror(juror_id), self.finalists[previous]
        gains = [(expected_information_gain(juror, current, self.finalists[i], self.params), -n, i)
                 for n, i in enumerate(pool)]
        return max(gains)[2]  # equal gains: the first in the items' sorted order

    def standings(self):
        """Best first, by mean quality; equal means keep the items' own order."""
        position = {item: n for n, item in enumerate(self.items)}
        rows = [Standing(i, f.mu, f.sigma, self.comparisons[i]) for i, f in self.finalists.items()]
        return sorted(rows, key=lambda s: (-s.mu, position[s.item]))

    def reliabilities(self):
        return {juror_id: juror.reliability for juror_id, juror in self.jurors.items()}


def estimate(items, votes, params=None, seed=0):
    """Replay a stream of votes [(juror, winner, loser)] in order and return the estimates."""
    model = CrowdBT(items, params or Parameters(), seed)
    for juror_id, winner, loser in votes:
        model.record(juror_id, winner, loser)
    return model
