"""The assignment rules (jury/assignment.py) on small cases whose answer is known in full: every problem
check_assignment reports (code, juror, entry, detail), the statistics the chair sees, kept pairs, and jurors of
one organisation."""
from govchallenge.jury.assignment import (
    BLOCKING, AssignmentResult, EntrySpec, JurorSpec, Problem, assign, check_assignment,
)

ENTRIES = [EntrySpec("e1"), EntrySpec("e2")]
JURORS = [JurorSpec("j1", "A"), JurorSpec("j2", "A"), JurorSpec("j3")]


def test_every_break_of_a_manual_assignment_is_reported_in_full():
    pairs = [("j1", "e1"), ("j2", "e1"), ("j1", "e1"), ("jX", "e1"), ("j3", "eX"), ("j3", "e2")]
    problems = check_assignment(ENTRIES, JURORS, pairs, 2, conflicts={("j3", "e2")}, forbid=[("j3", "e2")])
    assert problems == [
        Problem("same_organisation", "j2", "e1", "juror j1 of the same organisation reviews the entry"),
        Problem("duplicate", "j1", "e1", "the juror is assigned twice to the entry"),
        Problem("unknown", "jX", "e1", "unknown juror or entry"),
        Problem("unknown", "j3", "eX", "unknown juror or entry"),
        Problem("conflict", "j3", "e2", "the juror has a conflict with the entry"),
        Problem("forbidden", "j3", "e2", "the pair is forbidden"),
        Problem("short", None, "e2", "1 of 2 reviews"),
    ]
    assert [p.blocking for p in problems] == [True] * 6 + [False]
    assert BLOCKING == {"conflict", "same_organisation", "duplicate", "unknown", "forbidden"}


def test_too_many_reviews_and_unbalanced_loads_inform_without_blocking():
    pairs = [("j1", "e1"), ("j1", "e2"), ("j3", "e1")]  # loads j1 2, j2 0, j3 1
    problems = check_assignment(ENTRIES, JURORS, pairs, 1)
    assert problems == [Problem("extra", None, "e1", "2 of 1 reviews"),
                        Problem("unbalanced", None, None, "loads from 0 to 2")]
    assert not any(p.blocking for p in problems)
    assert check_assignment(ENTRIES, JURORS, [("j1", "e1"), ("j3", "e2")], 1) == []  # loads 1, 0, 1: balanced
    assert check_assignment(ENTRIES, JURORS, pairs) == [Problem("unbalanced", None, None, "loads from 0 to 2")]
    assert check_assignment(ENTRIES, [], []) == []


def test_statistics_of_a_result():
    result = assign(ENTRIES, [JurorSpec("j1"), JurorSpec("j2")], 1, seed=1)
    assert sorted(e for _, e in result.pairs) == ["e1", "e2"]
    assert result.stats() == {"entries": 2, "jurors": 2, "reviews_per_entry": 1, "reviews": [1, 1], "load": [1, 1],
                              "conflicts_broken": 0, "short": 0, "missing_reviews": 0}
    alone = assign(ENTRIES, [JurorSpec("j1")], 2, seed=1)
    assert alone.short == {"e1": 1, "e2": 1} and alone.loads() == {"j1": 2} and alone.reviews() == {"e1": 1, "e2": 1}
    assert alone.stats()["short"] == 2 and alone.stats()["missing_reviews"] == 2
    assert AssignmentResult().stats() == {"entries": 0, "jurors": 0, "reviews_per_entry": 3, "reviews": [0, 0],
                                          "load": [0, 0], "conflicts_broken": 0, "short": 0, "missing_reviews": 0}


def test_without_jurors_every_entry_is_short_of_every_review():
    result = assign(ENTRIES, [], 3, seed=1)
    assert result.pairs == [] and result.short == {"e1": 3, "e2": 3}
    nothing = assign(ENTRIES, JURORS, 0, seed=1)
    assert nothing.pairs == [] and nothing.short == {}


def test_kept_pairs_count_toward_the_reviews_and_the_load():
    jurors = [JurorSpec("j1"), JurorSpec("j2")]
    result = assign(ENTRIES, jurors, 1, keep=[("j1", "e1"), ("j1", "e1"), ("ghost", "e1"), ("j2", "nowhere")], seed=4)
    assert result.pairs == [("j1", "e1"), ("j2", "e2")]  # e1 has its review; j1 has its load, so j2 takes e2
    assert result.loads() == {"j1": 1, "j2": 1}


def test_a_kept_pair_that_is_now_a_conflict_is_counted_as_broken():
    result = assign(ENTRIES, [JurorSpec("j1"), JurorSpec("j2")], 1, conflicts={("j1", "e1")}, keep=[("j1", "e1")], seed=2)
    assert ("j1", "e1") in result.pairs and result.conflicts_broken == 1
    assert result.stats()["conflicts_broken"] == 1


def test_an_organisation_already_on_an_entry_through_a_kept_pair_gets_no_second_juror_there():
    for seed in range(10):
        result = assign([EntrySpec("e1")], JURORS, 2, keep=[("j1", "e1")], seed=seed)
        assert sorted(result.pairs) == [("j1", "e1"), ("j3", "e1")]


def test_one_juror_per_organisation_even_when_more_are_free():
    for seed in range(10):
        result = assign([EntrySpec("e1")], JURORS, 3, seed=seed)
        assert len(result.pairs) == 2 and result.short == {"e1": 1}
        assert {j for j, _ in result.pairs} & {"j1", "j2"} in ({"j1"}, {"j2"})


def test_an_entry_nobody_reviews_and_a_juror_without_work_count_as_zero():
    assert check_assignment(ENTRIES, JURORS, [("j1", "e1")], 1) == [
        Problem("short", None, "e2", "0 of 1 reviews")]
    result = AssignmentResult(pairs=[("j1", "e1")], entry_ids=["e1", "e2"], juror_ids=["j1", "j2"], reviews_per_entry=1)
    assert result.loads() == {"j1": 1, "j2": 0} and result.reviews() == {"e1": 1, "e2": 0}
    assert result.stats()["load"] == [0, 1] and result.stats()["reviews"] == [0, 1]


def test_three_reviews_per_entry_unless_told_otherwise():
    jurors = [JurorSpec(f"j{k}") for k in range(4)]
    result = assign(ENTRIES, jurors, seed=3)
    assert result.reviews() == {"e1": 3, "e2": 3} and result.reviews_per_entry == 3


def test_when_kept_pairs_already_cover_every_entry_they_are_the_assignment():
    kept = [("j1", "e1"), ("j2", "e2")]
    result = assign(ENTRIES, [JurorSpec("j1"), JurorSpec("j2")], 1, keep=kept, conflicts={("j2", "e2")}, seed=1)
    assert result.pairs == kept and result.short == {} and result.conflicts_broken == 1


def test_kept_pairs_weigh_on_the_load_one_each():
    entries = [EntrySpec(f"e{i}") for i in range(4)]
    jurors = [JurorSpec("j1"), JurorSpec("j2")]
    for seed in range(12):
        two_kept = assign(entries, jurors, 1, keep=[("j1", "e0"), ("j1", "e1")], seed=seed)
        assert two_kept.loads() == {"j1": 2, "j2": 2}, seed
        one_kept = assign(entries, jurors, 1, keep=[("j1", "e0")], seed=seed)
        assert one_kept.loads() == {"j1": 2, "j2": 2}, seed


def test_a_large_jury_widens_its_sample_until_the_loads_balance():
    """Over 40 jurors each entry first draws a sample of its candidates; when that cannot balance the loads,
    the sample grows. Here j0 may review only e0, and only j0 on e0 lets every juror review exactly one entry."""
    entries = [EntrySpec(f"e{i}") for i in range(41)]
    jurors = [JurorSpec(f"j{k}") for k in range(41)]
    conflicts = {("j0", f"e{i}") for i in range(1, 41)}
    for seed in range(6):
        result = assign(entries, jurors, 1, conflicts, seed=seed)
        assert ("j0", "e0") in result.pairs and set(result.loads().values()) == {1}, seed
        assert result.short == {} and result.conflicts_broken == 0


def test_loads_balance_when_the_reviews_do_not_divide_evenly():
    entries = [EntrySpec(f"e{i}") for i in range(4)]
    jurors = [JurorSpec(f"j{k}") for k in range(3)]
    for seed in range(15):
        assert sorted(assign(entries, jurors, 1, seed=seed).loads().values()) == [1, 1, 2], seed


def test_a_juror_takes_more_than_an_even_share_rather_than_leave_an_entry_short():
    entries = [EntrySpec(f"e{i}") for i in range(3)]
    jurors = [JurorSpec("j1"), JurorSpec("j2")]
    result = assign(entries, jurors, 1, conflicts={("j2", f"e{i}") for i in range(3)}, seed=1)
    assert result.short == {} and result.loads() == {"j1": 3, "j2": 0}


def test_results_are_listed_in_text_order_of_entry_then_juror():
    entries = [EntrySpec(10), EntrySpec(2)]
    jurors = [JurorSpec(3), JurorSpec(20)]
    result = assign(entries, jurors, 2, seed=5)
    assert result.entry_ids == [10, 2] and result.juror_ids == [20, 3]  # "10" < "2", "20" < "3"
    assert result.pairs == [(20, 10), (3, 10), (20, 2), (3, 2)]
