"""The Schulze method for a ranked jury vote. Pure: plain data in, plain data out (no Flask, no database).

Ballots. A ballot ranks some or all of the candidates, best first, in groups of equals:

    [["A"], ["C", "B"], ["E"]]     A first, C and B tied second, E fourth; D (unranked) last

A candidate the ballot does not name is ranked below every candidate it names, and equal to the other
unranked ones (so an empty ballot says nothing). `parse_ranking("A > C = B > E")` reads the same ballot
from text. Ballots come with a count: `[(5, ranking), (3, other_ranking), ...]`; a count of 1 each is one
juror each. A ballot may name, third, the candidates it abstains on: `(1, ranking, {"D"})` says nothing
about any pair involving D (a juror conflicted with an entry neither ranks it nor pushes it down); it may
not also rank them.

The computation (Schulze, "A new monotonic, clone-independent, reversal symmetric, and Condorcet-consistent
single-winner election method", Social Choice and Welfare 36 (2011), sections 2.1–2.3):

- d[a][b]: how many ballots rank a strictly above b.
- The link a→b has strength d[a][b] when a beats b (d[a][b] > d[b][a]), and none (0) otherwise: the
  "winning votes" measure of strength, the paper's main variant.
- p[a][b]: the strength of the strongest path from a to b, a path being as strong as its weakest link
  (a widest-path variant of Floyd–Warshall, O(C³)).
- a is ranked above b when p[a][b] > p[b][a]. This relation is transitive (the paper's section 4.1), so
  the order is built in tiers: the first tier holds every candidate no other one is ranked above, and so on.
- Ties: where p[a][b] == p[b][a] neither is ranked above the other. Every such pair is listed in
  `Result.ties`, and candidates sharing a tier are shown tied: the method does not break them, the
  chair does (with a reason), as for rubric ties.

Refused (BallotError with a code): a candidate that is not standing ("unknown"), a candidate named twice
on one ballot ("duplicate"), a count that is not a positive whole number ("count"), an empty list of
candidates or one named twice ("candidates").
"""
from __future__ import annotations

from dataclasses import dataclass, field

UNKNOWN, DUPLICATE, BAD_COUNT, BAD_CANDIDATES = "unknown", "duplicate", "count", "candidates"


class BallotError(ValueError):
    def __init__(self, code, message):
        super().__init__(message)
        self.code = code


@dataclass
class Result:
    candidates: list
    d: dict  # d[a][b]: ballots ranking a strictly above b
    p: dict  # p[a][b]: strength of the strongest path from a to b (0: no path)
    order: list  # tiers, best first: [[winner, ...], [second, ...], ...]
    ties: list = field(default_factory=list)  # [(a, b)] with p[a][b] == p[b][a], a before b in `candidates`

    @property
    def winners(self):
        return list(self.order[0]) if self.order else []

    def beats(self, a, b):
        return self.p[a][b] > self.p[b][a]


def parse_ranking(text):
    """"A > C = B > E" -> [["A"], ["C", "B"], ["E"]] (spaces around the names are ignored)."""
    tiers = [[name.strip() for name in tier.split("=") if name.strip()] for tier in text.split(">")]
    return [tier for tier in tiers if tier]


def _positions(ranking, candidates, abstain=()):
    """{candidate: tier index}; unranked candidates share the tier below the last named one; the candidates
    abstained on are left out."""
    known = set(candidates)
    for name in abstain:
        if name not in known:
            raise BallotError(UNKNOWN, f"{name!r} is not a candidate")
    position = {}
    for index, tier in enumerate(ranking):
        for name in tier:
            if name not in known:
                raise BallotError(UNKNOWN, f"{name!r} is not a candidate")
            if name in position or name in abstain:
                raise BallotError(DUPLICATE, f"{name!r} is named twice on one ballot (or ranked and abstained on)")
            position[name] = index
    below_all = len(ranking)
    return {c: position.get(c, below_all) for c in candidates if c not in abstain}


def _check_candidates(candidates):
    candidates = list(candidates)
    if not candidates or len(set(candidates)) != len(candidates):
        raise BallotError(BAD_CANDIDATES, "the candidates must be a non-empty list without repeats")
    return candidates


def pairwise_preferences(candidates, ballots):
    """d[a][b] for every ordered pair of distinct candidates; ballots: [(count, ranking[, abstain])]."""
    candidates = _check_candidates(candidates)
    d = {a: {b: 0 for b in candidates if b != a} for a in candidates}
    for count, ranking, *abstain in ballots:
        if not isinstance(count, int) or isinstance(count, bool) or count < 1:
            raise BallotError(BAD_COUNT, f"a ballot's count must be a positive whole number, not {count!r}")
        position = _positions(ranking, candidates, set(abstain[0]) if abstain else set())
        for a, place_a in position.items():
            for b, place_b in position.items():
                if place_a < place_b:
                    d[a][b] += count
    return d


def strongest_paths(candidates, d):
    """p[a][b]: widths of the strongest paths, links of strength d[a][b] where a beats b."""
    candidates = _check_candidates(candidates)
    p = {a: {b: (d[a][b] if d[a][b] > d[b][a] else 0) for b in candidates if b != a} for a in candidates}
    for via in candidates:
        for a in candidates:
            if a == via:
                continue
            for b in candidates:
                if b == a or b == via:
                    continue
                through = min(p[a][via], p[via][b])
                if through > p[a][b]:
                    p[a][b] = through
    return p


def _tiers(candidates, p):
    remaining = list(candidates)
    order = []
    while remaining:
        unbeaten = [a for a in remaining if not any(p[b][a] > p[a][b] for b in remaining if b != a)]
        order.append(unbeaten)
        remaining = [c for c in remaining if c not in unbeaten]
    return order


def schulze(candidates, ballots):
    """The whole result: d, p, the order in tiers and the tied pairs. Ballots: [(count, ranking[, abstain])]."""
    candidates = _check_candidates(candidates)
    d = pairwise_preferences(candidates, ballots)
    p = strongest_paths(candidates, d)
    ties = [(a, b) for i, a in enumerate(candidates) for b in candidates[i + 1:] if p[a][b] == p[b][a]]
    return Result(candidates=candidates, d=d, p=p, order=_tiers(candidates, p), ties=ties)
