"""The pure assignment module: the 'Done when' scenario over 200 seeds, conflicts, keep/forbid, short entries."""
from collections import Counter, defaultdict

from hypothesis import given, settings
from hypothesis import strategies as st

from govchallenge.jury.assignment import (
    BLOCKING, EntrySpec, JurorSpec, assign, check_assignment, detect_conflicts,
)


def scenario():
    """40 entries from teams in 8 organisations; 10 jurors, 6 of them from 3 of those organisations
    (2 each), 4 independent experts (no organisation, webmail address)."""
    entries = [EntrySpec(f"e{i}", frozenset({f"o{i % 8}"}), frozenset({f"o{i % 8}.eu", "gmail.com"}), frozenset({f"u{i}"}))
               for i in range(40)]
    jurors = [JurorSpec(f"j{k}", f"o{k % 3}" if k < 6 else None, f"o{k % 3}.eu" if k < 6 else "gmail.com")
              for k in range(10)]
    return entries, jurors


def assert_rules(entries, jurors, result, conflicts, reviews=3):
    per_entry = Counter(e for _, e in result.pairs)
    assert all(per_entry[e.entry_id] == reviews for e in entries)
    assert not any(p in conflicts for p in result.pairs)
    org = {j.juror_id: j.organisation_id for j in jurors}
    seen = defaultdict(set)
    for j, e in result.pairs:
        if org[j] is not None:
            assert org[j] not in seen[e], "two jurors of one organisation on an entry"
            seen[e].add(org[j])
    loads = Counter(j for j, _ in result.pairs)
    values = [loads[j.juror_id] for j in jurors]
    assert max(values) - min(values) <= 1
    assert not check_assignment(entries, jurors, result.pairs, reviews, conflicts)


def test_done_when_over_200_seeds():
    entries, jurors = scenario()
    conflicts = detect_conflicts(entries, jurors)
    assert conflicts  # jurors of o0..o2 conflict with those organisations' entries
    different = set()
    for seed in range(200):
        result = assign(entries, jurors, 3, conflicts, seed=seed)
        assert_rules(entries, jurors, result, conflicts)
        assert result.short == {}
        assert result.stats()["conflicts_broken"] == 0
        different.add(tuple(result.pairs))
    assert len(different) > 150  # randomised: not predictable


def test_same_seed_same_result():
    entries, jurors = scenario()
    conflicts = detect_conflicts(entries, jurors)
    assert assign(entries, jurors, 3, conflicts, seed=7).pairs == assign(entries, jurors, 3, conflicts, seed=7).pairs


def test_detect_conflicts_reasons_and_webmail():
    entries = [EntrySpec("a", frozenset({1}), frozenset({"city.gr", "gmail.com"}), frozenset({100}))]
    jurors = [JurorSpec("org", 1), JurorSpec("dom", 2, "city.gr"), JurorSpec("mem", None, None, 100),
              JurorSpec("gmail", None, "gmail.com"), JurorSpec("free", 3, "other.eu")]
    found = detect_conflicts(entries, jurors)
    assert found == {("org", "a"): "same_organisation", ("dom", "a"): "same_email_domain", ("mem", "a"): "member"}


def test_entries_that_cannot_be_covered_are_reported_short():
    """Every juror from 3 organisations: entries of those organisations can only get 2 reviews."""
    entries = [EntrySpec(f"e{i}", frozenset({f"o{i % 8}"})) for i in range(40)]
    jurors = [JurorSpec(f"j{k}", f"o{k % 3}") for k in range(10)]
    conflicts = detect_conflicts(entries, jurors)
    result = assign(entries, jurors, 3, conflicts, seed=1)
    assert set(result.short) == {f"e{i}" for i in range(40) if i % 8 < 3}
    assert all(n == 1 for n in result.short.values())
    assert result.stats()["conflicts_broken"] == 0
    assert not [p for p in check_assignment(entries, jurors, result.pairs, 3, conflicts) if p.blocking]
    assert {p.code for p in check_assignment(entries, jurors, result.pairs, 3, conflicts)} >= {"short"}


def test_keep_and_forbid():
    entries, jurors = scenario()
    conflicts = detect_conflicts(entries, jurors)
    keep = [("j6", "e0"), ("j7", "e0")]
    forbid = [("j8", "e0"), ("j9", "e1")]
    result = assign(entries, jurors, 3, conflicts, keep=keep, forbid=forbid, seed=3)
    assert set(keep) <= set(result.pairs)
    assert not set(forbid) & set(result.pairs)
    assert_rules(entries, jurors, result, conflicts)


def test_check_assignment_blocks_manual_breaks():
    entries, jurors = scenario()
    conflicts = detect_conflicts(entries, jurors)
    problems = check_assignment(entries, jurors, [("j0", "e0"), ("j1", "e5"), ("j4", "e5"), ("j1", "e5"), ("x", "e1")],
                                conflicts=conflicts)
    codes = {p.code for p in problems}
    assert {"conflict", "same_organisation", "duplicate", "unknown"} <= codes
    assert all(p.blocking for p in problems if p.code in BLOCKING)


def test_large_sparse_instance_is_balanced():
    import random

    rnd = random.Random(0)
    entries = [EntrySpec(i, frozenset({rnd.randrange(60)})) for i in range(300)]
    jurors = [JurorSpec(f"j{k}", rnd.randrange(60) if k % 2 else None) for k in range(60)]
    conflicts = detect_conflicts(entries, jurors)
    result = assign(entries, jurors, 3, conflicts, seed=5)
    assert_rules(entries, jurors, result, conflicts)


@settings(max_examples=40, deadline=None)
@given(n_entries=st.integers(1, 25), n_jurors=st.integers(3, 12), n_orgs=st.integers(1, 6),
       reviews=st.integers(1, 3), seed=st.integers(0, 10_000), data=st.data())
def test_property_never_breaks_a_rule(n_entries, n_jurors, n_orgs, reviews, seed, data):
    entries = [EntrySpec(i, frozenset({data.draw(st.integers(0, n_orgs))})) for i in range(n_entries)]
    jurors = [JurorSpec(k, data.draw(st.one_of(st.none(), st.integers(0, n_orgs)))) for k in range(n_jurors)]
    conflicts = detect_conflicts(entries, jurors)
    result = assign(entries, jurors, reviews, conflicts, seed=seed)
    assert not [p for p in check_assignment(entries, jurors, result.pairs, conflicts=conflicts) if p.blocking]
    per_entry = Counter(e for _, e in result.pairs)
    for e in entries:
        assert per_entry[e.entry_id] + result.short.get(e.entry_id, 0) == reviews
