"""Who may enter (submissions/eligibility.py), as a table: each row one team against one challenge's rules,
with every failure expected in full (the entry form shows the names, countries and sizes it carries)."""
import pytest

from govchallenge.core.geo import EU_MEMBER_STATES
from govchallenge.submissions.eligibility import INDIVIDUAL, Entrant, Failure, Rules, check


def rules(mode="all", countries=(), kinds=(), team_min=1, team_max=5):
    return Rules(countries_mode=mode, countries=tuple(countries), entrant_kinds=tuple(kinds), team_min=team_min,
                 team_max=team_max)


def team(*people):
    """team(("Ana", "PL", "startup"), ...) -> entrants."""
    return [Entrant(name=name, country=country, kind=kind) for name, country, kind in people]


def members(n, country="PL", kind="startup"):
    return team(*((f"M{i}", country, kind) for i in range(n)))


def size(n, low, high):
    return Failure("size", {"size": n, "min": low, "max": high})


CASES = [
    # --- team size: min and max are both allowed, one outside either is refused
    ("exactly the minimum", rules(team_min=2, team_max=4), members(2), []),
    ("exactly the maximum", rules(team_min=2, team_max=4), members(4), []),
    ("one below the minimum", rules(team_min=2, team_max=4), members(1), [size(1, 2, 4)]),
    ("one above the maximum", rules(team_min=2, team_max=4), members(5), [size(5, 2, 4)]),
    ("a team of one where one is the only size", rules(team_min=1, team_max=1), members(1), []),
    ("a team of two where one is the only size", rules(team_min=1, team_max=1), members(2), [size(2, 1, 1)]),
    # --- countries: a listed country matches whatever its case, on either side
    ("listed country, same case", rules("list", ["PL", "DE"]), team(("Ana", "PL", "ngo")), []),
    ("listed country, entrant in lower case", rules("list", ["PL"]), team(("Ana", "pl", "ngo")), []),
    ("listed country, list in lower case", rules("list", ["pl", "De"]), team(("Ana", "PL", "ngo"), ("Bo", "de", "ngo")), []),
    ("country not listed", rules("list", ["PL"]), team(("Ana", "PL", "ngo"), ("Jean", "fr", "ngo"), ("Luc", "BE", "ngo")),
     [Failure("countries", {"mode": "list", "names": ["Jean", "Luc"], "countries": ["BE", "fr"]})]),
    ("empty country when a list applies", rules("list", ["PL"]), team(("Ana", "", INDIVIDUAL)),
     [Failure("countries", {"mode": "list", "names": ["Ana"], "countries": [""]})]),
    ("EU member, lower case", rules("eu"), team(("Mette", "dk", "startup"), ("Ana", "PL", "startup")), []),
    ("outside the EU", rules("eu"), team(("Ola", "NO", "startup"), ("Ana", "PL", "startup")),
     [Failure("countries", {"mode": "eu", "names": ["Ola"], "countries": ["NO"]})]),
    ("EU mode ignores a stale country list", rules("eu", ["NO"]), team(("Ana", "PL", "startup")), []),
    ("all countries: anyone", rules("all", ["PL"]), team(("Ola", "NO", "startup"), ("Kim", "", INDIVIDUAL)), []),
    # --- kinds of entrant: none listed means every kind
    ("every kind when none listed", rules(kinds=()), team(("Ana", "PL", "ngo"), ("Kim", "PL", INDIVIDUAL)), []),
    ("a listed kind", rules(kinds=["startup", INDIVIDUAL]), team(("Ana", "PL", "startup"), ("Kim", "PL", INDIVIDUAL)), []),
    ("an individual where only organisations may enter", rules(kinds=["startup", "sme"]),
     team(("Ana", "PL", "startup"), ("Kim", "PL", INDIVIDUAL), ("Zoe", "PL", "ngo")),
     [Failure("kinds", {"names": ["Kim", "Zoe"], "kinds": [INDIVIDUAL, "ngo"]})]),
    # --- several rules fail at once: each is reported, in the order countries, kinds, size
    ("everything wrong", rules("list", ["PL"], ["sme"], team_min=3, team_max=4), team(("Ola", "NO", "ngo")),
     [Failure("countries", {"mode": "list", "names": ["Ola"], "countries": ["NO"]}),
      Failure("kinds", {"names": ["Ola"], "kinds": ["ngo"]}), size(1, 3, 4)]),
]


@pytest.mark.parametrize("rules_, entrants, expected", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_eligibility(rules_, entrants, expected):
    assert check(rules_, entrants, EU_MEMBER_STATES) == expected
