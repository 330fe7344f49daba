"""The contest-scale solver (flow_assignment, OR-Tools) against the reference (assignment.assign, networkx):
the same guarantees on random instances, the same spread of loads, no conflict, one seed one result whatever
the order of the input, and the worked cases of the reference's own tests."""
import random
from collections import Counter, defaultdict

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from govchallenge.jury import assignment as reference
from govchallenge.jury.assignment import EntrySpec, JurorSpec, check_assignment, detect_conflicts
from govchallenge.jury.flow_assignment import assign


def instance(draw, n_entries, n_jurors, n_orgs):
    entries = [EntrySpec(f"e{i}", frozenset({draw(st.integers(0, n_orgs))})) for i in range(n_entries)]
    jurors = [JurorSpec(f"j{k}", draw(st.one_of(st.none(), st.integers(0, n_orgs)))) for k in range(n_jurors)]
    return entries, jurors


def spread(result):
    loads = list(result.loads().values()) or [0]
    return max(loads) - min(loads)


def one_organisation_per_entry(jurors, pairs):
    org = {j.juror_id: j.organisation_id for j in jurors}
    seen = defaultdict(list)
    for j, e in pairs:
        if org[j] is not None:
            seen[(e, org[j])].append(j)
    return all(len(v) == 1 for v in seen.values())


def valid_keep(rnd, entries, jurors, reviews, blocked, n):
    """Up to n random pairs an earlier assignment could have made: not blocked, one juror per organisation
    on an entry, at most `reviews` on an entry."""
    org = {j.juror_id: j.organisation_id for j in jurors}
    keep, on_entry = [], defaultdict(list)
    for _ in range(n):
        j, e = rnd.choice(jurors).juror_id, rnd.choice(entries).entry_id
        taken = {org[k] for k in on_entry[e]} - {None}
        if (j, e) in blocked or j in on_entry[e] or org[j] in taken or len(on_entry[e]) >= reviews:
            continue
        keep.append((j, e))
        on_entry[e].append(j)
    return keep


def load_cost(result):
    """What both solvers minimise after coverage: the k-th review of a juror costs k up to the cap
    ceil(total / jurors); each one above the cap costs more than any below (the same for both)."""
    total = len(result.pairs)
    cap = -(-total // len(result.juror_ids)) if result.juror_ids else 0
    return sum(min(n, cap) * (min(n, cap) + 1) // 2 + max(0, n - cap) * (cap + 2) for n in result.loads().values())


@settings(max_examples=60, deadline=None)
@given(n_entries=st.integers(1, 30), n_jurors=st.integers(1, 14), n_orgs=st.integers(0, 6),
       reviews=st.integers(1, 4), seed=st.integers(0, 10_000), n_keep=st.integers(0, 8), data=st.data())
def test_same_guarantees_as_the_reference(n_entries, n_jurors, n_orgs, reviews, seed, n_keep, data):
    entries, jurors = instance(data.draw, n_entries, n_jurors, n_orgs)
    conflicts = detect_conflicts(entries, jurors)
    rnd = random.Random(seed)
    forbid = {(rnd.choice(jurors).juror_id, rnd.choice(entries).entry_id) for _ in range(3)}
    keep = valid_keep(rnd, entries, jurors, reviews, forbid | set(conflicts), n_keep)
    ours = assign(entries, jurors, reviews, conflicts, keep=keep, forbid=forbid, seed=seed)
    theirs = reference.assign(entries, jurors, reviews, conflicts, keep=keep, forbid=forbid, seed=seed)
    assert not [p for p in check_assignment(entries, jurors, ours.pairs, conflicts=conflicts, forbid=forbid)
                if p.blocking]
    assert set(keep) <= set(ours.pairs)
    assert ours.reviews() == {e: reviews - ours.short.get(e, 0) for e in ours.entry_ids}
    assert sum(ours.short.values()) == sum(theirs.short.values())  # as many reviews placed
    assert load_cost(ours) == load_cost(theirs)  # loads as balanced
    if not ours.short and spread(theirs) <= 1:
        assert sorted(ours.loads().values()) == sorted(theirs.loads().values())
    assert ours.conflicts_broken == theirs.conflicts_broken == 0
    assert ours.entry_ids == theirs.entry_ids and ours.juror_ids == theirs.juror_ids


@settings(max_examples=30, deadline=None)
@given(n_entries=st.integers(1, 25), n_jurors=st.integers(1, 12), n_orgs=st.integers(0, 5),
       reviews=st.integers(1, 3), seed=st.integers(0, 10_000), data=st.data())
def test_independent_of_the_order_of_the_input(n_entries, n_jurors, n_orgs, reviews, seed, data):
    entries, jurors = instance(data.draw, n_entries, n_jurors, n_orgs)
    conflicts = detect_conflicts(entries, jurors)
    first = assign(entries, jurors, reviews, conflicts, seed=seed)
    shuffled_entries, shuffled_jurors = entries[:], jurors[:]
    rnd = random.Random(seed)
    rnd.shuffle(shuffled_entries)
    rnd.shuffle(shuffled_jurors)
    conflict_list = list(conflicts)
    rnd.shuffle(conflict_list)
    again = assign(shuffled_entries, shuffled_jurors, reviews, conflict_list, seed=seed)
    assert again.pairs == first.pairs and again.short == first.short


def scenario():
    entries = [EntrySpec(f"e{i}", frozenset({f"o{i % 8}"}), frozenset({f"o{i % 8}.eu", "gmail.com"}), frozenset({f"u{i}"}))
               for i in range(40)]
    jurors = [JurorSpec(f"j{k}", f"o{k % 3}" if k < 6 else None, f"o{k % 3}.eu" if k < 6 else "gmail.com")
              for k in range(10)]
    return entries, jurors


def test_done_when_scenario_over_100_seeds_randomised_and_deterministic():
    entries, jurors = scenario()
    conflicts = detect_conflicts(entries, jurors)
    different = set()
    for seed in range(100):
        result = assign(entries, jurors, 3, conflicts, seed=seed)
        assert not check_assignment(entries, jurors, result.pairs, 3, conflicts), seed
        assert result.short == {} and result.conflicts_broken == 0
        different.add(tuple(result.pairs))
    assert len(different) > 90
    assert assign(entries, jurors, 3, conflicts, seed=7).pairs == assign(entries, jurors, 3, conflicts, seed=7).pairs


def test_entries_that_cannot_be_covered_are_reported_short():
    entries = [EntrySpec(f"e{i}", frozenset({f"o{i % 8}"})) for i in range(40)]
    jurors = [JurorSpec(f"j{k}", f"o{k % 3}") for k in range(10)]
    conflicts = detect_conflicts(entries, jurors)
    result = assign(entries, jurors, 3, conflicts, seed=1)
    assert result.short == {f"e{i}": 1 for i in range(40) if i % 8 < 3}
    assert not [p for p in check_assignment(entries, jurors, result.pairs, 3, conflicts) if p.blocking]


def test_kept_pairs_count_toward_reviews_and_load_and_their_organisation_is_taken():
    entries = [EntrySpec(f"e{i}") for i in range(4)]
    jurors = [JurorSpec("j1", "o"), JurorSpec("j2", "o"), JurorSpec("j3")]
    for seed in range(10):
        result = assign(entries, jurors, 2, keep=[("j1", "e0"), ("j1", "e1")], seed=seed)
        assert ("j2", "e0") not in result.pairs and ("j2", "e1") not in result.pairs  # o is on e0 and e1
        assert {("j1", "e0"), ("j1", "e1")} <= set(result.pairs)
        # j3 is the only other juror on e0 and e1, and the only one beside an o juror on e2 and e3
        assert set(result.reviews().values()) == {2} and result.short == {}
        assert result.loads() == {"j1": 2, "j2": 2, "j3": 4}


def test_a_juror_takes_more_than_an_even_share_rather_than_leave_an_entry_short():
    entries = [EntrySpec(f"e{i}") for i in range(3)]
    jurors = [JurorSpec("j1"), JurorSpec("j2")]
    result = assign(entries, jurors, 1, conflicts={("j2", f"e{i}") for i in range(3)}, seed=1)
    assert result.short == {} and result.loads() == {"j1": 3, "j2": 0}


def test_a_large_jury_widens_its_sample_until_the_loads_balance():
    """j0 may review only e0, and only j0 on e0 lets every juror review exactly one entry: the first sample
    (4 candidates here) rarely holds j0 for e0, so the sample doubles until it does."""
    entries = [EntrySpec(f"e{i}") for i in range(41)]
    jurors = [JurorSpec(f"j{k}") for k in range(41)]
    conflicts = {("j0", f"e{i}") for i in range(1, 41)}
    for seed in range(6):
        result = assign(entries, jurors, 1, conflicts, seed=seed, candidates=4)
        assert ("j0", "e0") in result.pairs and set(result.loads().values()) == {1}, seed


def test_without_jurors_or_without_work():
    entries = [EntrySpec("e1"), EntrySpec("e2")]
    assert assign(entries, [], 2, seed=1).short == {"e1": 2, "e2": 2}
    kept = [("j1", "e1"), ("j1", "e2")]
    result = assign(entries, [JurorSpec("j1")], 1, keep=kept, seed=1)
    assert result.pairs == kept and result.short == {}


@pytest.mark.parametrize("n_entries, n_jurors", [(300, 60), (600, 90)])
def test_larger_random_instances_match_the_reference_spread(n_entries, n_jurors):
    rnd = random.Random(n_entries)
    entries = [EntrySpec(i, frozenset({rnd.randrange(40)})) for i in range(n_entries)]
    jurors = [JurorSpec(f"j{k}", rnd.randrange(40) if k % 2 else None) for k in range(n_jurors)]
    conflicts = detect_conflicts(entries, jurors)
    ours = assign(entries, jurors, 3, conflicts, seed=3)
    theirs = reference.assign(entries, jurors, 3, conflicts, seed=3)
    assert not check_assignment(entries, jurors, ours.pairs, 3, conflicts)
    assert sorted(Counter(ours.loads().values()).items()) == sorted(Counter(theirs.loads().values()).items())
