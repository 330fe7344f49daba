"""Times the scoring engine on a contest-sized challenge: `python bench/bench_scoring.py [entries] [jurors per entry]`.

Prints the time of a ranking with each calibration, and with 1,000 bootstrap samples."""
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from govchallenge.results import scoring  # noqa: E402


def make(entries, per_entry, jurors, seed=1):
    rng = random.Random(seed)
    criteria = [scoring.Criterion(id=str(n), weight=1 + n, scale_min=0, scale_max=10) for n in range(4)]
    leniency = {f"j{j}": rng.uniform(-1.5, 1.5) for j in range(jurors)}
    reviews = []
    for e in range(entries):
        quality = rng.uniform(2, 8)
        for juror in rng.sample(sorted(leniency), per_entry):
            scores = {c.id: max(0, min(10, round(quality + leniency[juror] + rng.gauss(0, 1)))) for c in criteria}
            reviews.append(scoring.Review(f"e{e}", juror, scores))
    return reviews, criteria


def timed(label, function):
    start = time.perf_counter()
    result = function()
    print(f"{label:<44} {1000 * (time.perf_counter() - start):9.1f} ms")
    return result


def main():
    entries = int(sys.argv[1]) if len(sys.argv) > 1 else 500
    per_entry = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    jurors = max(per_entry, entries // 10)
    reviews, criteria = make(entries, per_entry, jurors)
    print(f"{entries} entries, {len(reviews)} reviews, {jurors} jurors")
    for calibration in scoring.CALIBRATIONS:
        timed(f"rank, mean, calibration={calibration}", lambda: scoring.rank(reviews, criteria, calibration=calibration))
    timed("rank, trimmed mean, offset", lambda: scoring.rank(reviews, criteria, "trimmed_mean", "offset"))
    ranking = timed("rank + 1,000 bootstrap samples", lambda: scoring.rank(reviews, criteria, bootstrap=1000, seed=3))
    close = sum(1 for e in ranking.ranked if scoring.is_close_call(e))
    print(f"close calls (95% rank interval wider than one place): {close} of {len(ranking.ranked)}")
    document = {"entries": [{"entry": e.entry_id, "score": e.score, "place": e.place} for e in ranking.entries]}
    timed("canonical JSON + SHA-256", lambda: scoring.digest(document))


if __name__ == "__main__":
    main()
