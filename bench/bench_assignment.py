"""Times the jury assignment at contest scale: 2,150 entries x 400 jurors and 5,000 x 800, 3 reviews each.

The solver of the platform (jury/flow_assignment.py: OR-Tools min-cost flow, sampled candidates doubling up to
the whole graph) and, for the record, the same solver on the whole graph at once. Goals: under 5 s and under
20 s. CPU time is printed beside wall time: on a shared machine it is the figure to compare. The reference
solver (jury/assignment.py, networkx) took 18-24 CPU-seconds for the first size and 85 for the second.

Run: python bench/bench_assignment.py [entries jurors reviews] (default: both sizes)
"""
import random
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from govchallenge.jury import flow_assignment  # noqa: E402
from govchallenge.jury.assignment import EntrySpec, JurorSpec, check_assignment, detect_conflicts  # noqa: E402

SIZES = [(2150, 400, 3, 5.0), (5000, 800, 3, 20.0)]


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


def timed(function, *args, **kwargs):
    wall, cpu = time.perf_counter(), time.process_time()
    result = function(*args, **kwargs)
    return result, time.perf_counter() - wall, time.process_time() - cpu


def run(n_entries, n_jurors, reviews, goal=None):
    entries, jurors = scenario(n_entries, n_jurors)
    conflicts, wall, cpu = timed(detect_conflicts, entries, jurors)
    print(f"entries={n_entries} jurors={n_jurors} reviews={reviews} conflicts={len(conflicts)}")
    print(f"  detect_conflicts: {wall:.2f} s wall, {cpu:.2f} s CPU")
    for label, candidates in (("assign (sampled)", flow_assignment.SAMPLE), ("assign (whole graph)", None)):
        result, wall, cpu = timed(flow_assignment.assign, entries, jurors, reviews, conflicts, seed=2020,
                                  candidates=candidates)
        problems = [p for p in check_assignment(entries, jurors, result.pairs, reviews, conflicts) if p.blocking]
        stats = result.stats()
        verdict = "" if goal is None or candidates is None else (" (goal met)" if wall < goal else f" (goal {goal:.0f} s missed)")
        print(f"  {label}: {wall:.2f} s wall, {cpu:.2f} s CPU{verdict}; loads {stats['load'][0]}-{stats['load'][1]}, "
              f"reviews {stats['reviews'][0]}-{stats['reviews'][1]}, short {stats['short']}, blocking problems {len(problems)}")
    print(f"  peak RSS so far: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")


def main(argv):
    if argv:
        n_entries, n_jurors, reviews = (int(a) for a in (argv + ["2150", "400", "3"][len(argv):]))
        run(n_entries, n_jurors, reviews)
        return
    for n_entries, n_jurors, reviews, goal in SIZES:
        run(n_entries, n_jurors, reviews, goal)


if __name__ == "__main__":
    main(sys.argv[1:])
