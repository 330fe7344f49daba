"""Times the jury assignment at #EUvsVirus scale: 2,150 entries × 300 jurors × 3 reviews.

Run: .venv/bin/python bench/bench_assignment.py [entries] [jurors] [reviews]
"""
import random
import sys
import time

from govchallenge.jury.assignment import EntrySpec, JurorSpec, assign, check_assignment, detect_conflicts


def scenario(n_entries, n_jurors, n_orgs=400, seed=0):
    rnd = random.Random(seed)
    entries = [
        EntrySpec(i, frozenset(rnd.sample(range(n_orgs), rnd.choice((1, 1, 2)))),
                  frozenset({f"org{rnd.randrange(n_orgs)}.eu", "gmail.com"}), frozenset({f"u{i}"}))
        for i in range(n_entries)
    ]
    jurors = [JurorSpec(f"j{k}", rnd.randrange(n_orgs) if k % 3 else None, f"org{rnd.randrange(n_orgs)}.eu")
              for k in range(n_jurors)]
    return entries, jurors


def main(argv):
    n_entries, n_jurors, reviews = (int(a) for a in (argv + ["2150", "300", "3"][len(argv):]))
    entries, jurors = scenario(n_entries, n_jurors)
    t0 = time.perf_counter()
    conflicts = detect_conflicts(entries, jurors)
    t1 = time.perf_counter()
    result = assign(entries, jurors, reviews, conflicts, seed=2020)
    t2 = time.perf_counter()
    problems = [p for p in check_assignment(entries, jurors, result.pairs, reviews, conflicts) if p.blocking]
    print(f"entries={n_entries} jurors={n_jurors} reviews={reviews} conflicts={len(conflicts)}")
    print(f"detect_conflicts: {t1 - t0:.2f} s")
    print(f"assign: {t2 - t1:.2f} s")
    print(f"stats: {result.stats()}")
    print(f"blocking problems: {len(problems)}")


if __name__ == "__main__":
    main(sys.argv[1:])
