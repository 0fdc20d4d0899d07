"""The optimal mentor assignment, as a min-cost flow (OR-Tools ``SimpleMinCostFlow``).

Network::

    source ──(1, −A)──────▶ startup s ──(1, −(B + points))──▶ mentor m ──(free(m), 0)──▶ sink
    source ──(slots−1, 0)─▶ startup s                                                     ▲
    source ──────────────────────────(total slots, 0: "leave unfilled")──────────────────┘

``slots(s) = k − |kept(s)|``; ``free(m) = capacity − load``. A startup–mentor arc exists only when the pair
passes every hard constraint: a shared language, no declared conflict, not kept or excluded already,
a score of at least ``min_score``, and free capacity on both sides. Arc capacity 1 means a mentor is
never given twice to one startup.

Objective, lexicographic and exact (``A`` and ``B`` are big enough that no amount of a lower level
can pay for one unit of a higher one):

1. the most startups that had no mentor get at least one (the ``−A`` arc is taken at most once each);
2. then the most pairs (each pair earns ``B``);
3. then the highest total score in integer points (``scoring.POINTS`` per 1.0).

Every startup left short gets a ``Reason``. The output is deterministic: inputs are sorted by id and
the solver is deterministic for a given network.
"""
from __future__ import annotations

import time

import numpy as np
from ortools.graph.python import min_cost_flow

from incubator.mentoring.matching.model import (
    MatchResult,
    MentorData,
    Pair,
    Reason,
    Shortfall,
    StartupData,
    Weights,
)
from incubator.mentoring.matching.scoring import POINTS, points_matrix, to_points


def violations(startup: StartupData, mentor: MentorData, weights: Weights, points: int | None = None) -> list[Reason]:
    """The hard constraints one pair breaks (capacity excepted: that depends on the other pairs).

    :param points: the pair's score in points, if known; then ``min_score`` is checked too.
    :return: an empty list when the pair may be proposed.
    """
    found = []
    if not startup.languages & mentor.languages:
        found.append(Reason.NO_SHARED_LANGUAGE)
    if startup.id in mentor.conflicts:
        found.append(Reason.CONFLICT_OF_INTEREST)
    if mentor.id in startup.kept or mentor.id in startup.excluded:
        found.append(Reason.EXCLUDED)
    if points is not None and points < to_points(weights.min_score):
        found.append(Reason.BELOW_MIN_SCORE)
    return found


def objective(pairs, startups: list[StartupData]) -> tuple[int, int, int]:
    """The value the solver maximises, for any set of pairs (used by tests and brute force).

    :return: ``(startups without kept mentors that got one, number of pairs, total points)``.
    """
    uncovered = {s.id for s in startups if not s.kept}
    return (len({p.startup_id for p in pairs} & uncovered), len(pairs), sum(p.points for p in pairs))


def _language_mask(startups, mentors) -> np.ndarray:
    codes = {code: 1 << i for i, code in enumerate(sorted({c for x in (*startups, *mentors) for c in x.languages}))}
    if len(codes) > 62:
        raise ValueError("too many distinct languages")
    s_bits = np.array([sum(codes[c] for c in s.languages) for s in startups], dtype=np.int64)
    m_bits = np.array([sum(codes[c] for c in m.languages) for m in mentors], dtype=np.int64)
    return (s_bits[:, None] & m_bits[None, :]) != 0


def _blocked(startups, mentors, s_index, m_index, pairs_of) -> np.ndarray:
    blocked = np.zeros((len(startups), len(mentors)), dtype=bool)
    rows, cols = [], []
    for startup_id, mentor_id in pairs_of:
        if startup_id in s_index and mentor_id in m_index:
            rows.append(s_index[startup_id])
            cols.append(m_index[mentor_id])
    blocked[rows, cols] = True
    return blocked


def solve(startups: list[StartupData], mentors: list[MentorData], weights: Weights | None = None) -> MatchResult:
    """Find the best assignment of mentors to startups (see the module docstring for the objective).

    :param startups: the startups to match (their ``kept`` mentors are already theirs).
    :param mentors: the mentor pool; ``load`` counts matches that keep using their capacity.
    :param weights: scoring weights, ``k`` and ``min_score``; defaults to ``Weights()``.
    :return: the new pairs (by startup id, then mentor id), the startups left short with a reason,
        and the objective value.
    """
    weights = weights or Weights()
    clock = time.perf_counter()
    timings: dict[str, float] = {}
    startups = sorted(startups, key=lambda s: s.id)
    mentors = sorted(mentors, key=lambda m: m.id)
    slots = np.array([max(0, weights.k - len(s.kept)) for s in startups], dtype=np.int64)
    free = np.array([m.free for m in mentors], dtype=np.int64)
    s_index = {s.id: i for i, s in enumerate(startups)}
    m_index = {m.id: j for j, m in enumerate(mentors)}

    points = points_matrix(startups, mentors, weights)
    speaks = _language_mask(startups, mentors) if startups and mentors else np.zeros(points.shape, dtype=bool)
    conflict = _blocked(startups, mentors, s_index, m_index, ((s, m.id) for m in mentors for s in m.conflicts))
    excluded = _blocked(startups, mentors, s_index, m_index,
                        ((s.id, m) for s in startups for m in s.kept | s.excluded))
    scores_enough = points >= to_points(weights.min_score)
    compatible = speaks & ~conflict & ~excluded & scores_enough
    usable = compatible & (slots > 0)[:, None] & (free > 0)[None, :]
    timings["score"] = time.perf_counter() - clock

    rows, cols = np.nonzero(usable)
    flow = _solve_flow(rows, cols, points[rows, cols].astype(np.int64), slots, free,
                       uncovered=np.array([not s.kept for s in startups], dtype=bool)) if len(rows) else None
    timings["solve"] = time.perf_counter() - clock - timings["score"]

    chosen = np.nonzero(flow)[0] if flow is not None else np.array([], dtype=np.int64)
    pairs = tuple(
        Pair(startups[rows[a]].id, mentors[cols[a]].id, int(points[rows[a], cols[a]]) / POINTS,
             int(points[rows[a], cols[a]]))
        for a in chosen
    )
    got = np.bincount(rows[chosen], minlength=len(startups)) if len(chosen) else np.zeros(len(startups), dtype=int)
    # Mentors this run gave to a startup count as "already its mentors" when explaining its shortfall.
    given = np.zeros(points.shape, dtype=bool)
    given[rows[chosen], cols[chosen]] = True
    masks = (speaks, speaks & ~conflict, speaks & ~conflict & ~excluded & ~given, compatible & ~given)
    shortfalls = tuple(
        _shortfall(startups[i].id, int(slots[i] - got[i]), i, masks, free, bool(mentors))
        for i in np.nonzero(got < slots)[0]
    )
    timings["total"] = time.perf_counter() - clock
    return MatchResult(pairs=pairs, shortfalls=shortfalls, objective=objective(pairs, startups),
                       candidate_pairs=len(rows), timings=timings)


def _shortfall(startup_id: int, missing: int, row: int, masks, free, any_mentor: bool) -> Shortfall:
    speaks, unconflicted, allowed, compatible = (mask[row] for mask in masks)
    count = int(compatible.sum())
    if not any_mentor:
        reason = Reason.NO_MENTORS
    elif not speaks.any():
        reason = Reason.NO_SHARED_LANGUAGE
    elif not unconflicted.any():
        reason = Reason.CONFLICT_OF_INTEREST
    elif not allowed.any():
        reason = Reason.EXCLUDED
    elif not count:
        reason = Reason.BELOW_MIN_SCORE
    elif not (free[compatible] > 0).any():
        reason = Reason.MENTORS_FULL
    else:
        reason = Reason.TAKEN_BY_OTHERS
    return Shortfall(startup_id=startup_id, missing=missing, reason=reason, compatible=count)


def _solve_flow(rows, cols, points, slots, free, uncovered) -> np.ndarray:
    """Flow on each startup–mentor arc (0 or 1) of the lexicographic min-cost flow."""
    n_s, n_m = len(slots), len(free)
    total = int(slots.sum())
    pair_bonus = POINTS * total + 1  # B: one more pair beats any score difference
    cover_bonus = (pair_bonus + POINTS) * total + 1  # A: one more covered startup beats any pair count
    source, sink = n_s + n_m, n_s + n_m + 1
    first = slots > 0
    first_cost = np.where(uncovered[first], -cover_bonus, 0)
    rest = slots > 1
    first_ids, rest_ids = np.nonzero(first)[0], np.nonzero(rest)[0]
    tails = np.concatenate([
        rows, np.full(len(first_ids) + len(rest_ids), source), n_s + np.arange(n_m), [source]])
    heads = np.concatenate([n_s + cols, first_ids, rest_ids, np.full(n_m, sink), [sink]])
    capacities = np.concatenate([
        np.ones(len(rows), dtype=np.int64), np.ones(len(first_ids), dtype=np.int64), slots[rest_ids] - 1,
        free, [total]])
    costs = np.concatenate([
        -(pair_bonus + points), first_cost, np.zeros(len(rest_ids) + n_m + 1, dtype=np.int64)])
    network = min_cost_flow.SimpleMinCostFlow()
    network.add_arcs_with_capacity_and_unit_cost(
        tails.astype(np.int32), heads.astype(np.int32), capacities.astype(np.int64), costs.astype(np.int64))
    network.set_nodes_supplies(np.array([source, sink], dtype=np.int32), np.array([total, -total], dtype=np.int64))
    status = network.solve()
    if status != network.OPTIMAL:
        raise RuntimeError(f"min-cost flow failed: {status}")
    return network.flows(np.arange(len(rows), dtype=np.int32))
