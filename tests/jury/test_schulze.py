"""The Schulze module against the published worked examples of the method.

Sources (ballots typed in from them, the expected figures typed in by hand, never computed by the module):
- M. Schulze, "A new monotonic, clone-independent, reversal symmetric, and Condorcet-consistent
  single-winner election method", Social Choice and Welfare 36 (2011) 267–303, section 3 (examples
  3.1–3.4, the tie of example 3.2, and the example with tied and skipped rankings).
- The 45-voter example with five candidates A–E that Schulze gives with the full tables d[·,·] and p[·,·]
  (his worked examples of the method, "Schulze method examples", example 1; the same tables open the
  method's description on electowiki): winner E, order E > A > C > B > D.
The strongest-path widths are also recomputed here by an independent method (enumerating every simple
path and taking the widest), not by the module's Floyd–Warshall variant.
"""
import itertools
import random

import pytest

from govchallenge.jury import schulze
from govchallenge.jury.schulze import BallotError, parse_ranking


def ballots_from(spec):
    """'5 ACBED|3 A=B>C' -> [(5, [["A"], ["C"], ...]), (3, [["A", "B"], ["C"]])]."""
    out = []
    for part in spec.split("|"):
        count, order = part.split()
        order = order.upper()
        out.append((int(count), parse_ranking(order) if ">" in order else [[c] for c in order]))
    return out


def text_order(result):
    return " > ".join("=".join(tier) for tier in result.order)


FORTY_FIVE = "5 ACBED|5 ADECB|8 BEDAC|3 CABED|7 CAEBD|2 CBADE|7 DCEBA|8 EBADC"
# Schulze's tables for the 45-voter example: rows "from", columns "to" (A B C D E), None on the diagonal.
D_45 = {"A": [None, 20, 26, 30, 22], "B": [25, None, 16, 33, 18], "C": [19, 29, None, 17, 24],
        "D": [15, 12, 28, None, 14], "E": [23, 27, 21, 31, None]}
P_45 = {"A": [None, 28, 28, 30, 24], "B": [25, None, 28, 33, 24], "C": [25, 29, None, 29, 24],
        "D": [25, 28, 28, None, 24], "E": [25, 28, 28, 31, None]}


def as_table(matrix, candidates):
    return {a: [None if a == b else matrix[a][b] for b in candidates] for a in candidates}


def test_forty_five_voters_tables_and_order():
    result = schulze.schulze("ABCDE", ballots_from(FORTY_FIVE))
    assert as_table(result.d, "ABCDE") == D_45
    assert as_table(result.p, "ABCDE") == P_45
    assert result.winners == ["E"]
    assert text_order(result) == "E > A > C > B > D"
    assert result.ties == []


def test_forty_five_voters_pairwise_by_hand():
    # A over B: the ballots ACBED, ADECB, CABED, CAEBD rank A above B: 5 + 5 + 3 + 7 = 20.
    d = schulze.pairwise_preferences("ABCDE", ballots_from(FORTY_FIVE))
    assert d["A"]["B"] == 5 + 5 + 3 + 7 == 20
    assert d["B"]["A"] == 8 + 2 + 7 + 8 == 25
    # the strongest path A→C is indirect: A-(30)-D-(28)-C, wider than the direct link of 26
    p = schulze.strongest_paths("ABCDE", d)
    assert p["A"]["C"] == min(30, 28) == 28


@pytest.mark.parametrize("spec, expected", [
    # Schulze (2011), the examples of section 3 (winners and full orders as printed there)
    ("8 ACDB|2 BADC|4 CDBA|4 DBAC|3 DCBA", "D > A > C > B"),
    ("3 ABCD|2 CBDA|2 DABC|2 DBCA", "B=D > A=C"),
    ("6 ABCD|12 ACDB|21 BCAD|9 CDBA|15 DBAC", "B > A=C > D"),
    ("3 ADEBCF|3 BFECDA|4 CABFDE|1 DBCEFA|4 DEFABC|2 ECBDFA|2 FACDBE", "A > B > F > D > E > C"),
    # ... and the same after two more ballots AEFCBD: the order changes entirely
    ("3 ADEBCF|3 BFECDA|4 CABFDE|1 DBCEFA|4 DEFABC|2 ECBDFA|2 FACDBE|2 AEFCBD", "D > E > C > A > B > F"),
    # tied and skipped rankings
    ("6 A>B>C>D|8 A=B>C=D|8 A=C>B=D|18 A=C>D>B|8 A=C=D>B|40 B>A=C=D|4 C>B>D>A|9 C>D>A>B|8 C=D>A=B"
     "|14 D>A>B>C|11 D>B>C>A|4 D>C>A>B", "D > A > B > C"),
    # the 30-voter example of Schulze's worked examples (example 2)
    ("5 ACBD|2 ACDB|3 ADCB|4 BACD|3 CBDA|3 CDBA|1 DACB|5 DBAC|4 DCBA", "D > A > C > B"),
    ("3 ABDEC|5 ADEBC|1 ADECB|2 BADEC|2 BDECA|4 CABDE|6 CBADE|2 DBECA|5 DECAB", "B > A > D > E > C"),
])
def test_published_orders(spec, expected):
    ballots = ballots_from(spec)
    candidates = sorted({c for _, ranking in ballots for tier in ranking for c in tier})
    assert text_order(schulze.schulze(candidates, ballots)) == expected


def test_tie_of_example_3_2_is_reported_not_hidden():
    result = schulze.schulze("ABCD", ballots_from("3 ABCD|2 CBDA|2 DABC|2 DBCA"))
    # Schulze's table: p[B,D] = p[D,B] = 5, so B and D are both potential winners
    assert result.p["B"]["D"] == result.p["D"]["B"] == 5
    assert result.winners == ["B", "D"]
    assert ("B", "D") in result.ties and ("A", "C") in result.ties
    assert ("A", "D") not in result.ties  # p[D,A] = 6 > p[A,D] = 5
    assert result.beats("D", "A") and not result.beats("B", "D") and not result.beats("D", "B")


def widest_by_enumeration(candidates, d):
    """Independent reference: the widest of all simple paths along beating links."""
    def link(a, b):
        return d[a][b] if d[a][b] > d[b][a] else 0
    p = {}
    for a in candidates:
        p[a] = {}
        for b in candidates:
            if a == b:
                continue
            others = [c for c in candidates if c not in (a, b)]
            best = 0
            for length in range(len(others) + 1):
                for middle in itertools.permutations(others, length):
                    path = (a, *middle, b)
                    best = max(best, min(link(x, y) for x, y in zip(path, path[1:])))
            p[a][b] = best
    return p


def test_strongest_paths_agree_with_enumeration_on_random_profiles():
    rng = random.Random(2011)
    candidates = list("ABCDEF")
    for _ in range(40):
        ballots = []
        for _ in range(rng.randint(1, 9)):
            order = rng.sample(candidates, rng.randint(0, 6))  # some candidates left unranked
            tiers, i = [], 0
            while i < len(order):
                size = rng.choice((1, 1, 1, 2))
                tiers.append(order[i:i + size])
                i += size
            ballots.append((rng.randint(1, 5), tiers))
        result = schulze.schulze(candidates, ballots)
        assert result.p == widest_by_enumeration(candidates, result.d)
        # every pair is either ordered by the tiers or listed as tied
        place = {c: n for n, tier in enumerate(result.order) for c in tier}
        for a, b in itertools.combinations(candidates, 2):
            if (a, b) in result.ties:
                assert result.p[a][b] == result.p[b][a]
            else:
                assert (place[a] < place[b]) == result.beats(a, b)


def test_unranked_candidates_rank_below_every_ranked_one():
    d = schulze.pairwise_preferences("ABCD", [(1, [["B"]]), (2, [["C", "A"]])])
    assert d["B"]["A"] == d["B"]["C"] == d["B"]["D"] == 1  # A, C, D unranked on the first ballot
    assert d["A"]["C"] == d["C"]["A"] == 0  # tied on the second
    assert d["A"]["D"] == d["C"]["D"] == 2 and d["D"]["A"] == 0
    assert schulze.pairwise_preferences("AB", [(4, [])]) == {"A": {"B": 0}, "B": {"A": 0}}


def test_a_condorcet_winner_always_wins():
    result = schulze.schulze("ABC", [(3, [["B"], ["A"], ["C"]]), (2, [["C"], ["B"], ["A"]]), (2, [["A"], ["B"]])])
    assert result.winners == ["B"]


@pytest.mark.parametrize("candidates, ballots, code", [
    ("ABC", [(1, [["A"], ["Z"]])], "unknown"),
    ("ABC", [(1, [["A"], ["B", "A"]])], "duplicate"),
    ("ABC", [(0, [["A"]])], "count"),
    ("ABC", [(True, [["A"]])], "count"),
    ("ABC", [(1.5, [["A"]])], "count"),
    ("", [], "candidates"),
    (["A", "A"], [], "candidates"),
])
def test_bad_ballots_are_refused_with_a_code(candidates, ballots, code):
    with pytest.raises(BallotError) as raised:
        schulze.schulze(candidates, ballots)
    assert raised.value.code == code


def test_parse_ranking():
    assert parse_ranking(" A > C = B >E ") == [["A"], ["C", "B"], ["E"]]
    assert parse_ranking("") == []


def test_a_ballot_abstaining_on_a_candidate_says_nothing_about_it():
    d = schulze.pairwise_preferences("ABC", [(1, [["A"], ["B"]], {"C"}), (1, [["C"], ["A"]])])
    assert d["A"]["B"] == 2 and d["A"]["C"] == 0 and d["B"]["C"] == 0  # the first ballot ignores C
    assert d["C"]["A"] == d["C"]["B"] == 1
    with pytest.raises(BallotError) as raised:
        schulze.pairwise_preferences("ABC", [(1, [["C"]], {"C"})])
    assert raised.value.code == "duplicate"
    with pytest.raises(BallotError) as raised:
        schulze.pairwise_preferences("ABC", [(1, [], {"Z"})])
    assert raised.value.code == "unknown"
