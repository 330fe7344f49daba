"""How honest is each ranking method? A simulation with a known truth: `python bench/bench_ranking_simulation.py [quick]`.

Entries of known quality are reviewed by jurors of known severity and noise on a rubric like a real one (four
criteria scored 0–10 in whole points, weights 1–4), R reviews an entry with balanced loads (15 or 25 reviews a
juror), 60 and 2,150 entries. Truth: an entry's quality q ~ N(5.5, 1.2²); a juror's severity s ~ N(0, 0.7²) and
noise sd ~ U(0.6, 1.4); a criterion's score = round(q + s + e), clipped to 0–10, e ~ N(0, sd²). For each method
(aggregation / calibration) it prints, over all simulated entries:
- coverage: the share of entries whose published 95 % rank interval holds the entry's true place;
- mean width of the intervals (worst − best place + 1);
- Spearman: the correlation of the published order (shared places as mid-ranks) with the true order;
- decided by ties: the share of places the tie cascade (priority criterion, median, chair) decided or left shared.
60 entries: 30 simulated challenges, 500 draws per interval; 2,150 entries: one challenge, 200 draws (the
resampling bootstrap of the other methods is pure Python and takes seconds per draw set there).
"""
import random
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from govchallenge.results import scoring  # noqa: E402
from tests.support.simulation import balanced_panels  # noqa: E402

CRITERIA = [scoring.Criterion(id=str(n), weight=1 + n, scale_min=0, scale_max=10) for n in range(4)]
METHODS = [
    ("mean", "none"), ("median", "none"), ("trimmed_mean", "none"),
    ("mean", "standardise"), ("mean", "offset"), ("mean", "model"),
]
SETTINGS = [  # (entries, reviews per entry, jurors, simulated challenges, draws)
    (60, 3, 12, 30, 500),
    (60, 5, 12, 30, 500),
    (2150, 3, 430, 1, 200),
    (2150, 5, 430, 1, 200),
]


def simulate(entries, per_entry, jurors, seed):
    rng = random.Random(seed)
    quality = {f"e{n:04d}": rng.gauss(5.5, 1.2) for n in range(entries)}
    severity = {f"j{n:03d}": rng.gauss(0, 0.7) for n in range(jurors)}
    noise = {j: rng.uniform(0.6, 1.4) for j in severity}
    reviews = []
    for entry, juror in balanced_panels(quality, list(severity), per_entry, rng):
        scores = {c.id: min(10, max(0, round(quality[entry] + severity[juror] + rng.gauss(0, noise[juror]))))
                  for c in CRITERIA}
        reviews.append(scoring.Review(entry, juror, scores))
    return quality, reviews


def mid_ranks(values):
    """1-based ranks, ties as the mean of the ranks they span."""
    order = np.argsort(values, kind="stable")
    ranks = np.empty(len(values))
    sorted_values = np.asarray(values)[order]
    start = 0
    while start < len(values):
        end = start
        while end + 1 < len(values) and sorted_values[end + 1] == sorted_values[start]:
            end += 1
        ranks[order[start:end + 1]] = (start + end) / 2 + 1
        start = end + 1
    return ranks


def spearman(a, b):
    return float(np.corrcoef(mid_ranks(a), mid_ranks(b))[0, 1])


def measure(entries, per_entry, jurors, replications, draws, aggregation, calibration):
    covered = total = tied = 0
    widths, correlations = [], []
    for seed in range(replications):
        quality, reviews = simulate(entries, per_entry, jurors, seed)
        ranking = scoring.rank(reviews, CRITERIA, aggregation, calibration, bootstrap=draws, seed=seed)
        ranked = ranking.ranked
        truth = {e: n for n, e in enumerate(sorted((r.entry_id for r in ranked), key=lambda e: -quality[e]), 1)}
        for entry in ranked:
            total += 1
            covered += entry.interval[0] <= truth[entry.entry_id] <= entry.interval[1]
            widths.append(entry.interval[1] - entry.interval[0] + 1)
            tied += entry.tie is not None
        correlations.append(spearman([e.place for e in ranked], [truth[e.entry_id] for e in ranked]))
    return covered / total, float(np.mean(widths)), float(np.mean(correlations)), tied / total


def main(quick=False):
    settings = SETTINGS[:2] if quick else SETTINGS
    for entries, per_entry, jurors, replications, draws in settings:
        print(f"\n{entries} entries, R = {per_entry}, {jurors} jurors; {replications} simulated challenge(s), "
              f"{draws} draws per interval")
        print(f"  {'method':<28} {'coverage':>9} {'width':>7} {'Spearman':>9} {'by ties':>8} {'time':>7}")
        for aggregation, calibration in METHODS:
            started = time.perf_counter()
            cover, width, rho, ties = measure(entries, per_entry, jurors, replications, draws, aggregation, calibration)
            label = f"{aggregation} / {calibration}" + (" (recommended)" if calibration == "model" else "")
            print(f"  {label:<28} {100 * cover:>8.1f}% {width:>7.1f} {rho:>9.3f} {100 * ties:>7.1f}% "
                  f"{time.perf_counter() - started:>6.1f}s", flush=True)


if __name__ == "__main__":
    main(quick="quick" in sys.argv[1:])
