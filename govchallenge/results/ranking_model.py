"""The recommended ranking model: entry quality and juror severity estimated together, the jurors' effects
shrunk towards zero, and rank intervals by simulation from the fitted model. Pure: plain data in, plain
data out (numpy; no Flask, no database).

The model. The value y of entry e's review by juror j (a review total on 0–100, or one criterion's score) is

    y = μ + a_e + b_j + ε,   b_j ~ N(0, τ²)  (the juror's severity or leniency),  ε ~ N(0, σ²)  (noise).

- The variances are estimated from the data by the method of moments on the sums of squares of the
  two-way layout (Henderson's method III, exact for unbalanced and incomplete designs): σ² from the
  residual of the fit with entry and juror effects, τ² from what the juror effects add to the entries
  alone, σ_a² (the spread of the entries' quality) from what the entry effects add to the jurors alone.
  In a complete balanced design these are Shrout & Fleiss's mean-square estimates.
- The juror effects are their best linear unbiased predictions: ridge estimates with penalty σ²/τ², so a
  juror seen on few entries is pulled towards zero rather than trusted, and the effects of each connected
  group of jurors sum to zero. When τ² is not above zero nothing is corrected.
- An entry's score is the mean of its calibrated values (y − b_j): the entry's own estimate, not pulled
  towards the average, so a team can recompute it from the published reviews and juror effects.
- Rank intervals: entry qualities are drawn from their posterior distribution under the model with both
  entry and juror effects random (the variances as estimated), jointly with the juror effects, so a draw
  carries the uncertainty of both; each draw is ranked; an entry's interval holds the central 95 % of its
  places. If the model holds, the entries' true order is itself such a draw, which is why these intervals
  cover the true place (unlike resampling each entry's few reviews, which ignores both the jurors'
  uncertainty and regression to the mean: see bench/bench_ranking_simulation.py).

Refused (ModelError with a code): a value that is not a finite number ("not_finite").
When the design cannot separate the jurors' severity from the noise (no residual degree of freedom: reviews
≤ entries + jurors − connected groups, e.g. a single entry, a single juror, or jurors who never share an
entry) the model falls back, and says so (`Fit.separable` False): no juror is corrected and the noise is the
spread of each entry's reviews about their mean, jurors' differences included. When no entry has two
reviews, nothing measures the noise (`Fit.measured` False): every order is possible, and each interval runs
from the first place to the last.
"""
import math
from dataclasses import dataclass

import numpy as np

LEVEL = 0.95
VARIANCE_FLOOR = 1e-8  # (0–100 points)²: below this the values do not vary at all
ENTRY_VARIANCE_FLOOR = 1e-6  # relative to σ²: entries indistinguishable, every order equally likely


class ModelError(ValueError):
    def __init__(self, code, message):
        super().__init__(message)
        self.code = code


@dataclass
class Design:
    """Reviews as indexes: entries[e_idx[i]] was reviewed by jurors[j_idx[i]] with value y[i]."""

    entries: list
    jurors: list
    e_idx: np.ndarray
    j_idx: np.ndarray
    y: np.ndarray

    @classmethod
    def of(cls, values):
        """From {(entry, juror): value}; entries and jurors in a stable (text) order."""
        for key, value in values.items():
            if not isinstance(value, (int, float)) or not math.isfinite(value):
                raise ModelError("not_finite", f"value of {key} is not a finite number: {value!r}")
        keys = sorted(values, key=lambda k: (str(k[0]), str(k[1])))
        entries = sorted({e for e, _ in keys}, key=str)
        jurors = sorted({j for _, j in keys}, key=str)
        entry_index = {e: i for i, e in enumerate(entries)}
        juror_index = {j: i for i, j in enumerate(jurors)}
        return cls(entries, jurors, np.array([entry_index[e] for e, _ in keys]),
                   np.array([juror_index[j] for _, j in keys]), np.array([float(values[k]) for k in keys]))

    # Every entry and juror has a review (the design is made of them), so no count below is ever short.
    @property
    def reviews_per_entry(self):
        return np.bincount(self.e_idx).astype(float)

    @property
    def reviews_per_juror(self):
        return np.bincount(self.j_idx).astype(float)

    def counts(self):
        """C[j, e] = 1 where juror j reviewed entry e."""
        matrix = np.zeros((len(self.jurors), len(self.entries)))
        np.add.at(matrix, (self.j_idx, self.e_idx), 1.0)
        return matrix


def connected_groups(pairs):
    """The connected groups of the review design, [(entries, jurors)], largest first: two entries are in one
    group when a chain of shared jurors links them. Juror effects are comparable only within a group."""
    parent = {}

    def find(node):
        while parent.setdefault(node, node) != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    for entry, juror in pairs:
        parent[find(("e", entry))] = find(("j", juror))
    groups = {}
    for node in list(parent):
        kind, name = node
        groups.setdefault(find(node), ([], []))[0 if kind == "e" else 1].append(name)
    ordered = [(sorted(e, key=str), sorted(j, key=str)) for e, j in groups.values()]
    return sorted(ordered, key=lambda g: (-len(g[0]), str(g[0][0])))


@dataclass
class SumsOfSquares:
    """The two-way layout's sums of squares: within entries, within jurors, and the residual of both."""

    n: int  # reviews
    entries: int
    jurors: int
    groups: int  # connected groups
    within_entries: float  # Σ (y − entry mean)²
    within_jurors: float  # Σ (y − juror mean)²
    residual: float  # of the least-squares fit with entry and juror effects
    reduced: np.ndarray  # Z'MZ: the jurors' normal equations once entry means are removed
    right: np.ndarray  # Z'My

    @property
    def residual_df(self):
        return self.n - (self.entries + self.jurors - self.groups)


def sums_of_squares(design):
    y, e_idx, j_idx = design.y, design.e_idx, design.j_idx
    n_e, m_j = design.reviews_per_entry, design.reviews_per_juror
    entry_mean = np.bincount(e_idx, weights=y) / n_e
    juror_mean = np.bincount(j_idx, weights=y) / m_j
    centred = y - entry_mean[e_idx]
    counts = design.counts()
    reduced = np.diag(m_j) - (counts / n_e) @ counts.T
    right = np.bincount(j_idx, weights=centred)
    within_entries = float(centred @ centred)
    solution = np.linalg.lstsq(reduced, right, rcond=None)[0]
    residual = max(within_entries - float(solution @ right), 0.0)
    groups = len(connected_groups(zip(e_idx.tolist(), j_idx.tolist())))
    return SumsOfSquares(len(y), len(n_e), len(m_j), groups, within_entries,
                         float(((y - juror_mean[j_idx]) ** 2).sum()), residual, reduced, right)


@dataclass
class Variances:
    """Moment estimates, not truncated (they can fall below zero by chance); None where not estimated."""

    noise: float  # σ²
    juror: float  # τ²
    entry: float  # σ_a²


def variance_components(ss):
    """Henderson's method III. E[residual] = σ² · df; E[within_entries − residual] = τ² (N − E) + σ² (J − G);
    E[within_jurors − residual] = σ_a² (N − J) + σ² (E − G); G connected groups. A residual degree of
    freedom (N > E + J − G) implies N > E and N > J, since E ≥ G and J ≥ G: every divisor is positive."""
    if ss.residual_df <= 0:
        raise ModelError("too_few_reviews", "too few reviews to estimate the noise: no review repeats what "
                                            "the others already say about an entry and its jurors")
    noise = ss.residual / ss.residual_df
    juror = ((ss.within_entries - ss.residual) - (ss.jurors - ss.groups) * noise) / (ss.n - ss.entries)
    entry = ((ss.within_jurors - ss.residual) - (ss.entries - ss.groups) * noise) / (ss.n - ss.jurors)
    return Variances(noise, juror, entry)


@dataclass
class Fit:
    design: Design
    variances: Variances  # as used: noise at least VARIANCE_FLOOR, juror at least 0, entry at least a floor
    juror_effects: dict  # {juror: b_j}, severity negative, leniency positive
    calibrated: dict  # {(entry, juror): y − b_j}
    scores: dict  # {entry: mean of its calibrated values}
    separable: bool = True  # False: jurors' severity not told from the noise, nothing corrected
    measured: bool = True  # False: no entry reviewed twice, the noise unknown


def one_way_variances(ss):
    """Noise and entry variances when the jurors cannot be separated: the one-way layout of entries (the
    jurors' differences count as noise). Noise None when no entry has two reviews."""
    if ss.n <= ss.entries:
        return Variances(None, None, None)
    return Variances(ss.within_entries / (ss.n - ss.entries), None, None)


def fit(values):
    """The model fitted to {(entry, juror): value}."""
    design = Design.of(values)
    ss = sums_of_squares(design)
    separable = ss.residual_df > 0
    raw = variance_components(ss) if separable else one_way_variances(ss)
    measured = raw.noise is not None
    noise = max(raw.noise or 0.0, VARIANCE_FLOOR)
    juror = max(raw.juror, 0.0) if separable else 0.0
    entry = max(raw.entry if raw.entry is not None else _between_entries(design, noise), noise * ENTRY_VARIANCE_FLOOR)
    if juror > 0:
        effects = np.linalg.solve(ss.reduced + (noise / juror) * np.eye(ss.jurors), ss.right)
        effects = _centred_per_group(design, effects)
    else:
        effects = np.zeros(ss.jurors)
    calibrated_values = design.y - effects[design.j_idx]
    n_e = design.reviews_per_entry
    scores = np.bincount(design.e_idx, weights=calibrated_values) / n_e
    return Fit(
        design=design, variances=Variances(noise, juror, entry),
        juror_effects={j: float(effects[i]) for i, j in enumerate(design.jurors)},
        calibrated={(design.entries[e], design.jurors[j]): float(v)
                    for e, j, v in zip(design.e_idx, design.j_idx, calibrated_values)},
        scores={e: float(scores[i]) for i, e in enumerate(design.entries)},
        separable=separable, measured=measured,
    )


def _between_entries(design, noise):
    """The entries' variance by the one-way method of moments: the variance of the entry means less the
    noise each mean carries (0 with fewer than two entries)."""
    n_e = design.reviews_per_entry
    if len(n_e) < 2:
        return 0.0
    means = np.bincount(design.e_idx, weights=design.y) / n_e
    return float(means.var(ddof=1) - noise * np.mean(1.0 / n_e))


def _centred_per_group(design, effects):
    """The effects of each connected group summing to zero: exact in the algebra (the data say nothing of a
    group's level, only the prior does), enforced against rounding when the noise is almost nil."""
    for _, jurors in connected_groups(zip(design.e_idx.tolist(), design.j_idx.tolist())):
        effects[jurors] -= effects[jurors].mean()
    return effects


def posterior_draws(model, samples, seed):
    """`samples` × entries draws of the entries' quality (on the scale of the values, centred): jurors and
    entries both random, variances as estimated. The juror effects and the mean are drawn first from their
    marginal posterior (entries integrated out: a small system, one row per juror), then each entry given them."""
    design, v = model.design, model.variances
    scale = math.sqrt(v.noise)
    y = (design.y - design.y.mean()) / scale  # in noise units: σ² = 1
    entry_var, juror_var = v.entry / v.noise, v.juror / v.noise
    n_e, m_j = design.reviews_per_entry, design.reviews_per_juror
    counts = design.counts()
    with_jurors = juror_var > 0
    # θ = (juror effects…, μ); W = [Z, 1]
    wtw = np.diag(np.append(m_j, len(y))) if with_jurors else np.array([[float(len(y))]])
    if with_jurors:
        wtw[:-1, -1] = wtw[-1, :-1] = m_j
    wtx = np.vstack([counts, n_e]) if with_jurors else n_e[None, :]
    wty = np.append(np.bincount(design.j_idx, weights=y), y.sum()) if with_jurors else np.array([y.sum()])
    xty = np.bincount(design.e_idx, weights=y)
    d = n_e + 1.0 / entry_var
    prior = np.append(np.full(len(m_j), 1.0 / juror_var), 1e-9) if with_jurors else np.array([1e-9])
    precision = wtw + np.diag(prior) - (wtx / d) @ wtx.T
    shift = wty - wtx @ (xty / d)
    lower = np.linalg.cholesky(precision)  # positive definite: every effect has a proper prior but μ's
    mean = np.linalg.solve(precision, shift)
    rng = np.random.default_rng(seed)
    noise = rng.standard_normal((len(mean), samples))
    theta = mean[:, None] + np.linalg.solve(lower.T, noise)  # (J+1) × S
    entry_mean = (xty[None, :] - (theta.T @ wtx)) / d[None, :]
    return (entry_mean + rng.standard_normal((samples, len(n_e))) / np.sqrt(d)[None, :]) * scale


def interval_indexes(samples, level=LEVEL):
    """The positions, in `samples` sorted places, of the central `level` interval's ends."""
    tail = (1 - level) / 2
    return int(math.floor(tail * (samples - 1))), int(math.ceil((1 - tail) * (samples - 1)))


def rank_intervals(model, ranked, samples=1000, seed=0, level=LEVEL):
    """{entry: (best, worst) place} for the entries in `ranked` (those that get a place), ranked among
    themselves in each posterior draw: the central `level` of each entry's places."""
    if not ranked:
        return {}
    if not model.measured:
        return {entry: (1, len(ranked)) for entry in ranked}
    position = {e: i for i, e in enumerate(model.design.entries)}
    columns = [position[e] for e in ranked]
    draws = posterior_draws(model, samples, seed)[:, columns]
    places = np.argsort(np.argsort(-draws, axis=1), axis=1) + 1  # draws are continuous: no ties to order
    places.sort(axis=0)
    first, last = interval_indexes(samples, level)
    low, high = places[first], places[last]
    return {entry: (int(low[i]), int(high[i])) for i, entry in enumerate(ranked)}
