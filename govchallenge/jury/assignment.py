"""Jury assignment as a min-cost flow. Pure: plain dataclasses in and out, no Flask, no database.

    source --R--> entry --1--> (entry, organisation) --1--> juror --unit edges--> sink
                        \\--1--> juror (a juror without organisation)
    entry --R--> short (very expensive: used only when an entry cannot get R reviews)

* Each entry asks for R reviews; a conflicted or forbidden (juror, entry) pair has no edge.
* At most one juror per organisation per entry: every juror of one organisation reaches an entry
  through one intermediate node of capacity 1.
* Balanced loads: the k-th review of a juror costs k·W (convex), so the optimum minimises the sum of
  squared loads; any vector of loads with max − min ≥ 2 costs more than a balanced one with the
  same total, hence loads differ by at most one wherever a balanced solution exists. Loads above
  ceil(total / jurors) go through one overflow edge that costs more than any balanced unit.
* Randomised by `seed`: every (entry, juror) edge gets a random tiny cost (< W in total), so the
  choice among equally good assignments cannot be predicted without the seed.
* Entries that cannot get R reviews are reported in `AssignmentResult.short`, never silently.
"""
from __future__ import annotations

import math
import random
from collections import Counter, defaultdict
from dataclasses import dataclass, field

import networkx as nx

DEFAULT_WEBMAIL_DOMAINS = frozenset({
    "gmail.com", "googlemail.com", "outlook.com", "hotmail.com", "hotmail.fr", "hotmail.it", "live.com", "msn.com",
    "yahoo.com", "yahoo.fr", "yahoo.it", "yahoo.de", "icloud.com", "me.com", "mac.com", "aol.com", "gmx.de", "gmx.net",
    "gmx.com", "web.de", "proton.me", "protonmail.com", "pm.me", "mail.com", "orange.fr", "free.fr", "wanadoo.fr",
    "laposte.net", "libero.it", "virgilio.it", "seznam.cz", "centrum.cz", "wp.pl", "onet.pl", "o2.pl", "interia.pl",
    "t-online.de", "yandex.com", "zoho.com", "fastmail.com", "tutanota.com", "example.com", "example.org",
})

# Problem codes of check_assignment; BLOCKING ones are refused for a manual change.
CONFLICT = "conflict"
SAME_ORGANISATION = "same_organisation"
DUPLICATE = "duplicate"
UNKNOWN = "unknown"
FORBIDDEN = "forbidden"
SHORT = "short"
EXTRA = "extra"
UNBALANCED = "unbalanced"
BLOCKING = frozenset({CONFLICT, SAME_ORGANISATION, DUPLICATE, UNKNOWN, FORBIDDEN})


@dataclass(frozen=True)
class EntrySpec:
    """An entry to review: its team members' organisations, e-mail domains and user ids."""

    entry_id: object
    organisation_ids: frozenset = frozenset()
    email_domains: frozenset = frozenset()
    member_ids: frozenset = frozenset()


@dataclass(frozen=True)
class JurorSpec:
    juror_id: object
    organisation_id: object = None
    email_domain: str | None = None
    user_id: object = None


@dataclass(frozen=True)
class Problem:
    code: str
    juror_id: object = None
    entry_id: object = None
    detail: str = ""

    @property
    def blocking(self):
        return self.code in BLOCKING


@dataclass
class AssignmentResult:
    pairs: list = field(default_factory=list)  # [(juror_id, entry_id)], keep pairs included
    short: dict = field(default_factory=dict)  # {entry_id: reviews missing}
    reviews_per_entry: int = 3
    entry_ids: list = field(default_factory=list)
    juror_ids: list = field(default_factory=list)
    conflicts_broken: int = 0

    def loads(self):
        counts = Counter(j for j, _ in self.pairs)
        return {j: counts.get(j, 0) for j in self.juror_ids}

    def reviews(self):
        counts = Counter(e for _, e in self.pairs)
        return {e: counts.get(e, 0) for e in self.entry_ids}

    def stats(self):
        """{"entries", "jurors", "reviews" (min, max), "load" (min, max), "conflicts_broken", "short"}."""
        loads = list(self.loads().values()) or [0]
        reviews = list(self.reviews().values()) or [0]
        return {
            "entries": len(self.entry_ids),
            "jurors": len(self.juror_ids),
            "reviews_per_entry": self.reviews_per_entry,
            "reviews": [min(reviews), max(reviews)],
            "load": [min(loads), max(loads)],
            "conflicts_broken": self.conflicts_broken,
            "short": len(self.short),
            "missing_reviews": sum(self.short.values()),
        }


def _domain(email):
    if not email or "@" not in email:
        return None
    return email.rsplit("@", 1)[1].strip().lower() or None


email_domain = _domain


def detect_conflicts(entries, jurors, webmail_domains=DEFAULT_WEBMAIL_DOMAINS):
    """{(juror_id, entry_id): reason} for every automatic conflict.

    Reasons: "member" (the juror is on the team), "same_organisation" (the juror's organisation is
    one a member enters for), "same_email_domain" (the juror's e-mail domain is a member's, unless it
    is a common webmail domain such as gmail.com)."""
    webmail = {d.lower() for d in (webmail_domains or ())}
    found = {}
    for entry in entries:
        domains = {d.lower() for d in entry.email_domains if d} - webmail
        for juror in jurors:
            key = (juror.juror_id, entry.entry_id)
            if juror.user_id is not None and juror.user_id in entry.member_ids:
                found[key] = "member"
            elif juror.organisation_id is not None and juror.organisation_id in entry.organisation_ids:
                found[key] = "same_organisation"
            elif juror.email_domain and juror.email_domain.lower() in domains:
                found[key] = "same_email_domain"
    return found


SPARSE_FROM = 40  # jurors; above this each entry first tries a random sample of candidates


def assign(entries, jurors, reviews_per_entry=3, conflicts=(), keep=(), forbid=(), seed=None, candidates=None):
    """Assign `reviews_per_entry` jurors to every entry (see the module docstring for the rules).

    entries: [EntrySpec]; jurors: [JurorSpec]; conflicts and forbid: collections of (juror_id,
    entry_id) that must not be paired; keep: (juror_id, entry_id) pairs already made (e.g. reviews
    begun) that count toward the entry's R and the juror's load. Returns an AssignmentResult.

    Large juries: each entry first gets a random sample of `candidates` eligible jurors (default
    max(4R, 12) when there are more than SPARSE_FROM jurors), which keeps the flow network small;
    if that leaves an entry short or the loads unbalanced, the sample doubles, up to every juror."""
    entries = list(entries)
    jurors = list(jurors)
    R = int(reviews_per_entry)
    if candidates is None and len(jurors) > SPARSE_FROM:
        candidates = max(4 * R, 12)
    while True:
        result = _assign(entries, jurors, R, conflicts, keep, forbid, seed, candidates)
        if candidates is None or candidates >= len(jurors):
            return result
        loads = list(result.loads().values()) or [0]
        if not result.short and max(loads) - min(loads) <= 1:
            return result
        candidates *= 2


def _assign(entries, jurors, R, conflicts, keep, forbid, seed, sample):
    rng = random.Random(seed)
    entries = list(entries)
    jurors = list(jurors)
    rng.shuffle(entries)
    rng.shuffle(jurors)
    blocked = set(conflicts) | set(forbid)
    juror_by_id = {j.juror_id: j for j in jurors}
    entry_ids = {e.entry_id for e in entries}
    kept = [(j, e) for j, e in dict.fromkeys(keep) if j in juror_by_id and e in entry_ids]
    kept_by_entry = defaultdict(set)
    base_load = Counter()
    for j, e in kept:
        kept_by_entry[e].add(j)
        base_load[j] += 1

    need = {e.entry_id: max(0, R - len(kept_by_entry[e.entry_id])) for e in entries}
    total = sum(need.values()) + len(kept)
    J = len(jurors)
    result = AssignmentResult(pairs=list(kept), reviews_per_entry=R,
                              entry_ids=[e.entry_id for e in entries], juror_ids=[j.juror_id for j in jurors])
    if sum(need.values()) == 0 or J == 0:
        result.short = {e: n for e, n in need.items() if n}
        return _finish(result, entries, jurors, blocked)

    n_edges_noise = sum(need.values())
    NOISE = 1000  # random cost of an (entry, juror) edge in [0, NOISE)
    W = NOISE * (n_edges_noise + 1)  # one unit of load imbalance outweighs all the noise together
    cap = math.ceil(total / J)
    OVER = W * (cap + 2)
    SHORT = (OVER + NOISE) * (n_edges_noise + 1) + 1

    G = nx.DiGraph()
    S, T, X = ("S",), ("T",), ("X",)
    demand = sum(need.values())
    G.add_node(S, demand=-demand)
    G.add_node(T, demand=demand)
    for e in entries:
        eid = e.entry_id
        if not need[eid]:
            continue
        en = ("e", eid)
        G.add_edge(S, en, capacity=need[eid], weight=0)
        G.add_edge(en, X, capacity=need[eid], weight=SHORT)
        taken_orgs = {juror_by_id[j].organisation_id for j in kept_by_entry[eid]} - {None}
        candidates = [j for j in jurors
                      if (j.juror_id, eid) not in blocked and j.juror_id not in kept_by_entry[eid]
                      and (j.organisation_id is None or j.organisation_id not in taken_orgs)]
        if sample is not None and len(candidates) > sample:
            candidates = rng.sample(candidates, sample)
        for j in candidates:
            jn = ("j", j.juror_id)
            if j.organisation_id is None:
                G.add_edge(en, jn, capacity=1, weight=rng.randrange(NOISE))
            else:
                on = ("eo", eid, j.organisation_id)
                if not G.has_edge(en, on):
                    G.add_edge(en, on, capacity=1, weight=0)
                G.add_edge(on, jn, capacity=1, weight=rng.randrange(NOISE))
    G.add_edge(X, T, capacity=demand, weight=0)
    for j in jurors:
        jn = ("j", j.juror_id)
        if jn not in G:
            continue
        start = base_load[j.juror_id]
        # The (start+k)-th review costs k·W, up to the cap: parallel unit edges through relay nodes
        # (a DiGraph has no multi-edges).
        for k in range(start + 1, cap + 1):
            relay = ("r", j.juror_id, k)
            G.add_edge(jn, relay, capacity=1, weight=k * W)
            G.add_edge(relay, T, capacity=1, weight=0)
        G.add_edge(jn, ("o", j.juror_id), capacity=demand, weight=OVER)
        G.add_edge(("o", j.juror_id), T, capacity=demand, weight=0)

    flow = nx.min_cost_flow(G)
    pairs = list(kept)
    for e in entries:
        eid = e.entry_id
        en = ("e", eid)
        if en not in flow:
            continue
        for node, f in flow[en].items():
            if not f:
                continue
            if node[0] == "j":
                pairs.append((node[1], eid))
            elif node[0] == "eo":
                for jn, g in flow[node].items():
                    if g:
                        pairs.append((jn[1], eid))
        missing = flow[en].get(X, 0)
        if missing:
            result.short[eid] = missing
    for eid, n in need.items():
        if n and ("e", eid) not in flow:
            result.short[eid] = n
    result.pairs = pairs
    return _finish(result, entries, jurors, blocked)


def _finish(result, entries, jurors, blocked):
    result.pairs.sort(key=lambda p: (str(p[1]), str(p[0])))
    result.entry_ids.sort(key=str)
    result.juror_ids.sort(key=str)
    result.conflicts_broken = sum(1 for p in result.pairs if p in blocked)
    return result


def check_assignment(entries, jurors, pairs, reviews_per_entry=None, conflicts=(), forbid=()):
    """Every rule `pairs` breaks, as [Problem(code, juror_id, entry_id, detail)].

    Blocking codes (see BLOCKING): conflict, forbidden, same_organisation (two jurors of one
    organisation on an entry), duplicate, unknown (an id not among entries/jurors). Informative:
    short / extra (an entry with fewer / more than `reviews_per_entry` reviews), unbalanced (loads
    differ by more than one). Used for automatic results and for the chair's manual changes."""
    problems = []
    juror_by_id = {j.juror_id: j for j in jurors}
    entry_ids = [e.entry_id for e in entries]
    known_entries = set(entry_ids)
    conflicts = set(conflicts)
    forbid = set(forbid)
    seen = set()
    orgs_on_entry = defaultdict(dict)
    for j, e in pairs:
        if j not in juror_by_id or e not in known_entries:
            problems.append(Problem(UNKNOWN, j, e, "unknown juror or entry"))
            continue
        if (j, e) in seen:
            problems.append(Problem(DUPLICATE, j, e, "the juror is assigned twice to the entry"))
            continue
        seen.add((j, e))
        if (j, e) in conflicts:
            problems.append(Problem(CONFLICT, j, e, "the juror has a conflict with the entry"))
        if (j, e) in forbid:
            problems.append(Problem(FORBIDDEN, j, e, "the pair is forbidden"))
        org = juror_by_id[j].organisation_id
        if org is not None:
            other = orgs_on_entry[e].get(org)
            if other is not None:
                problems.append(Problem(SAME_ORGANISATION, j, e, f"juror {other} of the same organisation reviews the entry"))
            else:
                orgs_on_entry[e][org] = j
    if reviews_per_entry is not None:
        counts = Counter(e for _, e in seen)
        for e in entry_ids:
            n = counts.get(e, 0)
            if n < reviews_per_entry:
                problems.append(Problem(SHORT, None, e, f"{n} of {reviews_per_entry} reviews"))
            elif n > reviews_per_entry:
                problems.append(Problem(EXTRA, None, e, f"{n} of {reviews_per_entry} reviews"))
    loads = Counter(j for j, _ in seen)
    values = [loads.get(j.juror_id, 0) for j in jurors]
    if values and max(values) - min(values) > 1:
        problems.append(Problem(UNBALANCED, None, None, f"loads from {min(values)} to {max(values)}"))
    return problems
