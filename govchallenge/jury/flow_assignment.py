"""Jury assignment at contest scale: the min-cost flow of assignment.py, solved by OR-Tools' compiled
SimpleMinCostFlow over numpy arc arrays. Pure: plain dataclasses in and out, no Flask, no database.

The rules are those of assignment.assign (kept as the reference the tests compare against):

    source --need--> entry --1--> (entry, organisation) --1--> juror ==unit arcs k·W==> sink
                          \\--1--> juror (no organisation, or the organisation's only eligible juror)
    entry --need--> short --> sink   (very expensive: used only when an entry cannot get R reviews)

* No conflicted, forbidden or kept (juror, entry) pair gets an arc.
* One juror per organisation per entry: an organisation with two or more eligible jurors on an entry reaches
  it through one node of capacity 1 (with a single eligible juror the juror's own arc of capacity 1 suffices,
  which keeps the network about half as large).
* Balanced loads: parallel unit arcs juror -> sink, the k-th costing k·W (convex), so the optimum minimises the
  sum of squared loads; W exceeds all the random noise together, so balance always wins over chance.
* Deterministic with a seed and independent of the order of the input: entries and jurors are sorted into a
  canonical order before the random costs are drawn, so one seed gives one assignment whatever the order.

Versus the reference (Python loops and networkx; 18-24 CPU-seconds for 2,150 x 400 x 3): the candidates are
drawn with numpy from a boolean entries x jurors matrix, the arcs are handed over as arrays and the flow is
solved in C++; 2,150 x 400 x 3 takes about 0.1 s, 5,000 x 800 x 3 under 1 s, and the whole graph (no
sampling, the worst case after every doubling) about 3 s and 15 s (bench/bench_assignment.py).
"""
from __future__ import annotations

import math
from collections import defaultdict

import numpy as np
from ortools.graph.python import min_cost_flow

from .assignment import AssignmentResult, _finish

NOISE = 64  # random cost of an (entry, juror) arc in [0, NOISE): enough to make ties unpredictable


class SolverError(RuntimeError):
    """OR-Tools did not find an optimal flow (it always exists here: the short arcs make every demand feasible)."""


def _canonical(ids):
    return sorted(ids, key=lambda x: (type(x).__name__, str(x)))


def _index(pairs, entry_at, juror_at):
    """(entry index, juror index) arrays of the known pairs among `pairs` of (juror_id, entry_id)."""
    rows = [(entry_at[e], juror_at[j]) for j, e in pairs if e in entry_at and j in juror_at]
    if not rows:
        return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64)
    array = np.asarray(rows, dtype=np.int64)
    return array[:, 0], array[:, 1]


def _sample(eligible, size, rng):
    """`eligible` reduced to at most `size` random eligible jurors per entry (row)."""
    priority = rng.random(eligible.shape, dtype=np.float32)
    priority[~eligible] = 2.0
    chosen = np.argpartition(priority, size - 1, axis=1)[:, :size]
    rows = np.arange(eligible.shape[0])[:, None]
    sampled = np.zeros_like(eligible)
    sampled[rows, chosen] = priority[rows, chosen] < 2.0
    return sampled


SAMPLE = 24  # candidates per entry in the first attempt (above it, every eligible juror is a candidate)


def assign(entries, jurors, reviews_per_entry=3, conflicts=(), keep=(), forbid=(), seed=None, progress=None,
           candidates=SAMPLE):
    """Same contract as assignment.assign (see there). Each entry first gets `candidates` random eligible
    jurors; when that leaves an entry short or the loads unbalanced (max - min > 1), the sample doubles, up to
    every eligible juror (the whole graph, the exact optimum). A balanced result with no entry short is
    optimal for the whole graph too: no assignment of the same total has a smaller sum of squared loads.
    `progress(done, total)`, when given, is called between the phases, for a job to report."""
    report = progress or (lambda done, total: None)
    problem = _Problem(entries, jurors, int(reviews_per_entry), set(conflicts) | set(forbid), keep)
    rng = np.random.default_rng(seed)
    size = candidates if candidates else problem.J
    attempts = max(1, math.ceil(math.log2(max(1, problem.J / size))) + 1) if problem.J else 1
    attempt = 0
    while True:
        report(attempt, attempts)
        result = problem.solve(rng, size if size < problem.J else None)
        attempt += 1
        loads = list(result.loads().values()) or [0]
        if size >= problem.J or (not result.short and max(loads) - min(loads) <= 1):
            report(attempts, attempts)
            return _finish(result, entries, jurors, problem.blocked)
        size *= 2


class _Problem:
    """The input in canonical order, as numpy arrays: who may review what (an entries x jurors matrix, minus
    conflicts, forbidden and kept pairs, minus the jurors of an organisation already on the entry through a
    kept pair), what each entry still needs, and each juror's load from kept pairs."""

    def __init__(self, entries, jurors, R, blocked, keep):
        self.R, self.blocked = R, blocked
        juror_by_id = {j.juror_id: j for j in jurors}
        self.entry_ids = _canonical({e.entry_id for e in entries})
        self.juror_ids = _canonical(juror_by_id)
        self.E, self.J = E, J = len(self.entry_ids), len(self.juror_ids)
        entry_at = {e: i for i, e in enumerate(self.entry_ids)}
        juror_at = {j: i for i, j in enumerate(self.juror_ids)}
        self.kept = [(j, e) for j, e in dict.fromkeys(keep) if j in juror_at and e in entry_at]
        kept_e, kept_j = _index(self.kept, entry_at, juror_at)
        self.need = np.maximum(0, R - np.bincount(kept_e, minlength=E))
        self.base_load = np.bincount(kept_j, minlength=J)
        codes = {}
        self.org = np.array([-1 if juror_by_id[j].organisation_id is None
                             else codes.setdefault(juror_by_id[j].organisation_id, len(codes))
                             for j in self.juror_ids], dtype=np.int64)
        self.n_orgs = len(codes)
        eligible = np.ones((E, J), dtype=bool)
        blocked_e, blocked_j = _index(blocked, entry_at, juror_at)
        eligible[blocked_e, blocked_j] = False
        eligible[kept_e, kept_j] = False
        taken = defaultdict(set)
        for e, j in zip(kept_e.tolist(), kept_j.tolist()):
            if self.org[j] >= 0:
                taken[e].add(int(self.org[j]))
        for e, orgs in taken.items():
            eligible[e, np.isin(self.org, list(orgs))] = False
        eligible[self.need == 0, :] = False
        self.eligible = eligible

    def result(self):
        return AssignmentResult(pairs=list(self.kept), reviews_per_entry=self.R, entry_ids=list(self.entry_ids),
                                juror_ids=list(self.juror_ids))

    def solve(self, rng, sample):
        result = self.result()
        demand = int(self.need.sum())
        if demand == 0 or self.J == 0:
            result.short = {self.entry_ids[i]: int(self.need[i]) for i in np.nonzero(self.need)[0]}
            return result
        eligible = _sample(self.eligible, sample, rng) if sample else self.eligible
        pair_e, pair_j = np.nonzero(eligible)
        network = _Network(self, pair_e, pair_j, demand, rng)
        chosen, short = network.solve()
        result.pairs += [(self.juror_ids[j], self.entry_ids[e])
                         for e, j in zip(pair_e[chosen].tolist(), pair_j[chosen].tolist())]
        result.short = short
        return result


class _Network:
    """The flow network of the module docstring, as arc arrays in a fixed order (its parts are read back by
    position). Nodes: 0 source, 1 sink, 2 short, then entries, jurors, (entry, organisation) groups."""

    SOURCE, SINK, SHORT_NODE = 0, 1, 2

    def __init__(self, problem, pair_e, pair_j, demand, rng):
        self.problem = problem
        E, J = problem.E, problem.J
        entry_node = 3 + np.arange(E, dtype=np.int64)
        juror_node = 3 + E + np.arange(J, dtype=np.int64)
        first_group = 3 + E + J

        # Organisations with two or more eligible jurors on an entry go through a group node of capacity 1.
        pair_org = problem.org[pair_j]
        with_org = np.nonzero(pair_org >= 0)[0]
        key = pair_e * (problem.n_orgs + 1) + pair_org
        grouped = np.zeros(len(pair_e), dtype=bool)
        keys, inverse, counts = np.unique(key[with_org], return_inverse=True, return_counts=True)
        grouped[with_org[counts[inverse] >= 2]] = True
        group_keys = keys[counts >= 2]
        group_of = np.searchsorted(group_keys, key[grouped])
        group_entry = group_keys // (problem.n_orgs + 1)
        G = len(group_keys)

        noise = rng.integers(0, NOISE, size=len(pair_e), dtype=np.int64)
        W = NOISE * (demand + 1)  # one unit of load imbalance outweighs all the noise together
        cap = math.ceil((demand + len(problem.kept)) / J)
        OVER = W * (cap + 2)
        SHORT = (OVER + NOISE) * (demand + 1) + 1

        # Juror -> sink: the (base+k)-th review costs (base+k)·W up to the cap, then one overflow arc.
        steps = np.maximum(0, cap - problem.base_load)
        step_juror = np.repeat(np.arange(J), steps)
        step_rank = (np.arange(len(step_juror)) - np.repeat(np.cumsum(steps) - steps, steps) + 1
                     + problem.base_load[step_juror])

        self.need_entries = need_entries = np.nonzero(problem.need)[0]
        need = problem.need[need_entries]
        direct = ~grouped
        self.direct, self.grouped, self.G = np.nonzero(direct)[0], np.nonzero(grouped)[0], G
        ones, zeros = np.ones, np.zeros
        parts = [  # (tails, heads, capacities, costs)
            (np.full(len(need), self.SOURCE), entry_node[need_entries], need, zeros(len(need))),
            (entry_node[need_entries], np.full(len(need), self.SHORT_NODE), need, np.full(len(need), SHORT)),
            (entry_node[pair_e[direct]], juror_node[pair_j[direct]], ones(len(self.direct)), noise[direct]),
            (entry_node[group_entry], first_group + np.arange(G), ones(G), zeros(G)),
            (first_group + group_of, juror_node[pair_j[grouped]], ones(len(self.grouped)), noise[grouped]),
            (juror_node[step_juror], np.full(len(step_juror), self.SINK), ones(len(step_juror)), step_rank * W),
            (juror_node, np.full(J, self.SINK), np.full(J, demand), np.full(J, OVER)),
            ([self.SHORT_NODE], [self.SINK], [demand], [0]),
        ]
        self.arrays = [np.concatenate([np.asarray(part[k], dtype=np.int64) for part in parts]) for k in range(4)]
        self.demand = demand

    def solve(self):
        """(indices of the chosen pairs, {entry id: reviews missing})."""
        solver = min_cost_flow.SimpleMinCostFlow()
        solver.add_arcs_with_capacity_and_unit_cost(*self.arrays)
        solver.set_node_supply(self.SOURCE, self.demand)
        solver.set_node_supply(self.SINK, -self.demand)
        status = solver.solve()
        if status != solver.OPTIMAL:
            raise SolverError(f"min-cost flow status {status}")
        flows = solver.flows(np.arange(solver.num_arcs(), dtype=np.int64))
        n = len(self.need_entries)
        short_flow = flows[n:2 * n]
        at = 2 * n
        direct_flow = flows[at:at + len(self.direct)]
        at += len(self.direct) + self.G
        grouped_flow = flows[at:at + len(self.grouped)]
        chosen = np.concatenate([self.direct[direct_flow > 0], self.grouped[grouped_flow > 0]])
        ids = self.problem.entry_ids
        short = {ids[e]: int(f) for e, f in zip(self.need_entries.tolist(), short_flow.tolist()) if f}
        return chosen, short
