"""The places of a final round judged in pairs (Crowd-BT) or by a ranked jury vote (Schulze), and the section of
the results document that lets anyone recompute them. Pure: plain data in, plain data out (no Flask, no database).

What goes in is what is published: the votes under anonymised juror labels ("J3") and the entries' public ids,
so the export holds every input of the computation, and an outsider who replays the published votes with their
own implementation of the method finds the same order.

- Pairwise (`PAIRWISE`): the answers "which of the two was better?" in the order they were taken, replayed
  through Crowd-BT (jury/crowd_bt.py, with its documented parameters). Each entry's quality is estimated as
  N(mu, sigma²); places follow mu, best first, two values equal to six decimals counting as equal. "Likely
  places" is the central 95 % interval of the entry's place over `POSTERIOR_DRAWS` draws of every quality from
  its N(mu, sigma²) (Python's random.Random(seed).gauss, entries drawn in the order of `items`), widened to
  contain the published place: a wide interval is a close call, as for the rubric.
- Ranked (`RANKED`): each juror's ballot (groups of equals, best first; entries not named rank below all named
  ones; the entries they abstain on — their conflicts — say nothing), through the Schulze method with the
  winning-votes strength (jury/schulze.py): the d table (ballots preferring a to b), the p table (widths of the
  strongest paths) and the order in tiers. A tier of several entries is a tie between equally strong paths,
  reported in `ties` with each tied pair.

Ties left by either method (a Schulze tier, equal Crowd-BT means) go to the chair's reasoned decision by the
same rule as a rubric tie (`scoring.decide_tie`): without a decision the entries share the place.
"""
from __future__ import annotations

import dataclasses
import random
from dataclasses import dataclass, field

from govchallenge.challenges.rubric import same_score
from govchallenge.jury import crowd_bt, schulze

from . import ranking_model, scoring

PAIRWISE, RANKED = "pairwise", "ranked"
POSTERIOR_DRAWS = 1000
LEVEL = 0.95

CROWD_BT_REFERENCE = ("X. Chen, P. N. Bennett, K. Collins-Thompson, E. Horvitz, \"Pairwise ranking aggregation in a "
                      "crowdsourced setting\", WSDM 2013 (the online moment-matching updates)")
SCHULZE_REFERENCE = ("M. Schulze, \"A new monotonic, clone-independent, reversal symmetric, and Condorcet-consistent "
                     "single-winner election method\", Social Choice and Welfare 36 (2011), sections 2.1-2.3")

# Written into each document, in English for every reader (a translated text would change the digest).
COMPUTED = {
    PAIRWISE: (
        "Each vote says that juror J judged entry `winner` better than entry `loser`. Starting from mu = mu_prior, "
        "sigma^2 = sigma_sq_prior for every entry and Beta(alpha_prior, beta_prior) for every juror, the votes are "
        "applied one by one in the order listed with the Crowd-BT moment-matching updates (every update of one "
        "vote uses the values from before it; a variance shrinks by at most the factor kappa). Places follow mu "
        "rounded to six decimals, highest first; equal values tie, and a tie is ordered only by the chair's "
        "reasoned decision in `ties`. `estimate` gives each entry's mu, sigma and number of comparisons; "
        "`jurors` each juror's estimated reliability alpha / (alpha + beta). Likely places: the central 95% "
        "interval of the entry's place over `posterior_draws` draws of each quality from N(mu, sigma^2), widened "
        "to contain the published place."),
    RANKED: (
        "Each ballot ranks entries in groups of equals, best first; entries it does not name rank below every "
        "entry it names and equal to each other; the entries in `abstain` (the juror's conflicts) are left out "
        "of every pair. d[a][b] counts the ballots ranking a strictly above b. The link a->b has strength "
        "d[a][b] when d[a][b] > d[b][a] (winning votes), none (0) otherwise; p[a][b] is the width of the "
        "strongest path from a to b, a path being as strong as its weakest link. a is ranked above b when "
        "p[a][b] > p[b][a]; `order` lists the tiers, best first, each tier holding the entries no remaining "
        "entry is ranked above. A tier of several entries is a tie between equally strong paths: ordered only "
        "by the chair's reasoned decision in `ties`, else the entries share the place."),
}


@dataclass
class Placed:
    """One entry's place, as scoring.is_close_call and the awards read it."""

    entry_id: str
    place: int
    tie: str = None  # None, "shared" or "chair", as for the rubric
    interval: tuple = None
    figures: dict = field(default_factory=dict)


@dataclass
class Outcome:
    kind: str
    entries: list  # Placed, best first
    ties: list  # scoring.Tie
    section: dict  # the document's "final_round"

    @property
    def ranked(self):
        return self.entries

    @property
    def unresolved_ties(self):
        return [t for t in self.ties if t.resolved_by is None]


def _r(value):
    return round(float(value), scoring.PRECISION)


def _placed(groups, decisions):
    """Places for `groups` of equal entries, best first: a group of several goes to the chair's decision."""
    placed, ties, place = [], [], 1
    for group in groups:
        if len(group) == 1:
            placed.append(Placed(group[0], place))
            place += 1
            continue
        parts, decision = scoring.decide_tie(group, decisions)
        mark = "chair" if decision is not None else "shared"
        ties.append(scoring.Tie(entry_ids=sorted(group, key=str), resolved_by=decision and "chair",
                                reason=decision.reason if decision else ""))
        for part in parts:
            placed.extend(Placed(entry_id, place, mark) for entry_id in part)
            place += len(part)
    return placed, ties


# --- pairwise ---------------------------------------------------------------------------------------------------

def pairwise(items, votes, decisions=(), seed=0, params=None):
    """items: the finalists' public ids; votes: [(juror label, winner, loser)] in the order taken."""
    params = params or crowd_bt.Parameters()
    model = crowd_bt.estimate(items, votes, params)
    groups = {}
    for standing in model.standings():
        groups.setdefault(same_score(standing.mu), []).append(standing.item)
    placed, ties = _placed([groups[key] for key in sorted(groups, reverse=True)], decisions)
    standing_of = {s.item: s for s in model.standings()}
    for entry in placed:
        s = standing_of[entry.entry_id]
        entry.figures = {"mu": _r(s.mu), "sigma": _r(s.sigma), "comparisons": s.comparisons}
    _posterior_intervals(placed, model, list(items), seed)
    reliabilities = model.reliabilities()
    section = {
        "kind": PAIRWISE, "method": "crowd_bt", "reference": CROWD_BT_REFERENCE, "computed": COMPUTED[PAIRWISE],
        "parameters": dataclasses.asdict(params), "posterior_draws": POSTERIOR_DRAWS, "level": LEVEL, "seed": seed,
        "votes": [{"juror": str(j), "winner": w, "loser": lo} for j, w, lo in votes],
        "jurors": {str(j): {"reliability": _r(reliabilities[j]), "alpha": _r(model.jurors[j].alpha),
                            "beta": _r(model.jurors[j].beta)} for j in sorted(model.jurors, key=str)},
    }
    return Outcome(PAIRWISE, placed, ties, section)


def _posterior_intervals(placed, model, items, seed):
    """Each entry's central LEVEL interval of places over POSTERIOR_DRAWS draws of the qualities."""
    rng = random.Random(seed)
    drawn = {item: [] for item in items}
    for _ in range(POSTERIOR_DRAWS):
        quality = {item: rng.gauss(model.finalists[item].mu, model.finalists[item].sigma) for item in items}
        for place, item in enumerate(sorted(items, key=lambda i: -quality[i]), 1):
            drawn[item].append(place)
    first, last = ranking_model.interval_indexes(POSTERIOR_DRAWS, LEVEL)
    for entry in placed:
        places = sorted(drawn[entry.entry_id])
        entry.interval = (places[first], places[last])
    scoring.contain_places(Outcome(PAIRWISE, placed, [], {}))


# --- ranked -----------------------------------------------------------------------------------------------------

def ranked(items, ballots, decisions=()):
    """items: the finalists' public ids; ballots: [(juror label, ranking in groups best first, abstain)]."""
    result = schulze.schulze(list(items), [(1, ranking, set(abstain)) for _j, ranking, abstain in ballots])
    placed, ties = _placed([list(tier) for tier in result.order], decisions)
    tier_of = {entry_id: n for n, tier in enumerate(result.order, 1) for entry_id in tier}
    for entry in placed:
        a = entry.entry_id
        entry.figures = {"tier": tier_of[a], "beats": sum(1 for b in result.candidates if b != a and result.beats(a, b))}
    section = {
        "kind": RANKED, "method": "schulze", "strength": "winning_votes", "reference": SCHULZE_REFERENCE,
        "computed": COMPUTED[RANKED],
        "ballots": [{"juror": str(j), "ranking": [list(t) for t in ranking], "abstain": sorted(abstain)}
                    for j, ranking, abstain in ballots],
        "d": result.d, "p": result.p, "order": [list(t) for t in result.order],
        "tied_pairs": [[a, b] for a, b in result.ties],
    }
    return Outcome(RANKED, placed, ties, section)


def outcome(kind, items, inputs, decisions=(), seed=0):
    """The places of a final round of `kind` from its published inputs (votes or ballots)."""
    if kind == PAIRWISE:
        return pairwise(items, inputs, decisions, seed)
    if kind == RANKED:
        return ranked(items, inputs, decisions)
    raise ValueError(f"not a final method: {kind!r}")
