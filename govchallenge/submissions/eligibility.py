"""Who may enter: countries, kinds of entrant, team size. Plain data in, reasons out (no Flask, no database)."""
from dataclasses import dataclass

INDIVIDUAL = "individual"


@dataclass(frozen=True)
class Entrant:
    name: str
    country: str  # of the organisation entered for, else the person's own
    kind: str  # organisation kind, or "individual"


@dataclass(frozen=True)
class Rules:
    countries_mode: str  # all | eu | list
    countries: tuple
    entrant_kinds: tuple  # empty: every kind
    team_min: int
    team_max: int


@dataclass(frozen=True)
class Failure:
    rule: str  # countries | kinds | size
    detail: dict


def check(rules, entrants, eu_states):
    """Every failing rule, each with what failed; an empty list means eligible."""
    failures = []
    if rules.countries_mode in ("eu", "list"):
        allowed = set(eu_states) if rules.countries_mode == "eu" else {c.upper() for c in rules.countries}
        outside = [e for e in entrants if e.country.upper() not in allowed]
        if outside:
            failures.append(Failure("countries", {"mode": rules.countries_mode, "names": [e.name for e in outside],
                                                  "countries": sorted({e.country for e in outside})}))
    if rules.entrant_kinds:
        wrong = [e for e in entrants if e.kind not in rules.entrant_kinds]
        if wrong:
            failures.append(Failure("kinds", {"names": [e.name for e in wrong], "kinds": sorted({e.kind for e in wrong})}))
    if not rules.team_min <= len(entrants) <= rules.team_max:
        failures.append(Failure("size", {"size": len(entrants), "min": rules.team_min, "max": rules.team_max}))
    return failures
