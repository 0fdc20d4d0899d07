"""Scoring pairs: one pair explained in words-ready parts, or every pair at once as NumPy matrices.

Both paths implement the same formula (see ``Weights``); a test checks that they agree. Scores are
rounded to integer ``points`` (``POINTS`` per 1.0) before optimisation so the solver and any brute
force compare exactly the same numbers.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from incubator.mentoring.matching.model import MentorData, StartupData, Weights

POINTS = 1000
DAY = 24 * 60


def overlap_minutes(offset_a: int, offset_b: int, weights: Weights) -> int:
    """Minutes of the working day (``work_start``–``work_end`` local) that two time zones share.

    :param offset_a: the first side's UTC offset in minutes; ``offset_b`` the other's.
    :return: 0 to the length of the working day.
    """
    start_a, end_a = weights.work_start - offset_a, weights.work_end - offset_a
    start_b, end_b = weights.work_start - offset_b, weights.work_end - offset_b
    # Windows live on a 24-hour circle: compare with the other window shifted a day either way.
    return sum(max(0, min(end_a, end_b + shift) - max(start_a, start_b + shift)) for shift in (-DAY, 0, DAY))


def need_weight(startup: StartupData, weights: Weights) -> float:
    return weights.must * len(startup.must) + weights.nice * len(startup.nice - startup.must)


def to_points(score: float) -> int:
    return int(round(score * POINTS))


@dataclass(frozen=True)
class Explanation:
    """Why a pair scores what it does (ids and codes; the web layer turns them into words)."""

    must_covered: tuple[int, ...]
    must_missing: tuple[int, ...]
    nice_covered: tuple[int, ...]
    languages: tuple[str, ...]
    sector_match: bool
    overlap_hours: float
    needs_fit: float
    sector_fit: float
    timezone_fit: float
    score: float
    points: int

    def as_dict(self) -> dict:
        return {
            "must_covered": list(self.must_covered), "must_missing": list(self.must_missing),
            "nice_covered": list(self.nice_covered), "languages": list(self.languages),
            "sector_match": self.sector_match, "overlap_hours": self.overlap_hours,
            "needs_fit": round(self.needs_fit, 4), "sector_fit": self.sector_fit,
            "timezone_fit": round(self.timezone_fit, 4), "score": round(self.score, 4), "points": self.points,
        }


def explain(startup: StartupData, mentor: MentorData, weights: Weights) -> Explanation:
    """Score one pair and say why (shared tags, languages, sector, working-hour overlap).

    Hard constraints are not checked here (see ``solver.violations``).
    """
    must = startup.must
    nice = startup.nice - must
    total = need_weight(startup, weights)
    covered = weights.must * len(must & mentor.expertise) + weights.nice * len(nice & mentor.expertise)
    needs_fit = covered / total if total else 0.0
    sector_fit = 1.0 if startup.sector and startup.sector in mentor.sectors else 0.0
    overlap = overlap_minutes(startup.utc_offset_minutes, mentor.utc_offset_minutes, weights)
    timezone_fit = overlap / (weights.work_end - weights.work_start)
    score = (weights.needs * needs_fit + weights.sector * sector_fit + weights.timezone * timezone_fit) / (
        weights.needs + weights.sector + weights.timezone)
    return Explanation(
        must_covered=tuple(sorted(must & mentor.expertise)), must_missing=tuple(sorted(must - mentor.expertise)),
        nice_covered=tuple(sorted(nice & mentor.expertise)),
        languages=tuple(sorted(startup.languages & mentor.languages)), sector_match=bool(sector_fit),
        overlap_hours=round(overlap / 60, 2), needs_fit=needs_fit, sector_fit=sector_fit, timezone_fit=timezone_fit,
        score=score, points=to_points(score),
    )


def _index(values) -> dict:
    return {value: i for i, value in enumerate(sorted(set(values)))}


def points_matrix(startups: list[StartupData], mentors: list[MentorData], weights: Weights) -> np.ndarray:
    """Every pair's score in points, as an ``len(startups) × len(mentors)`` int32 matrix (vectorised ``explain``)."""
    n_s, n_m = len(startups), len(mentors)
    if not n_s or not n_m:
        return np.zeros((n_s, n_m), dtype=np.int32)
    tags = _index(t for s in startups for t in s.must | s.nice)
    need = np.zeros((n_s, max(1, len(tags))), dtype=np.float64)
    for i, s in enumerate(startups):
        for t in s.nice - s.must:
            need[i, tags[t]] = weights.nice
        for t in s.must:
            need[i, tags[t]] = weights.must
    has = np.zeros((n_m, need.shape[1]), dtype=np.float64)
    for j, m in enumerate(mentors):
        for t in m.expertise:
            if t in tags:
                has[j, tags[t]] = 1.0
    total = need.sum(axis=1, keepdims=True)
    needs_fit = np.divide(need @ has.T, total, out=np.zeros((n_s, n_m)), where=total > 0)

    sectors = _index([s.sector for s in startups])
    knows = np.zeros((len(sectors), n_m), dtype=np.float64)
    for j, m in enumerate(mentors):
        for sector in m.sectors:
            if sector in sectors:
                knows[sectors[sector], j] = 1.0
    sector_fit = knows[[sectors[s.sector] for s in startups]]
    if "" in sectors:
        sector_fit[[i for i, s in enumerate(startups) if not s.sector]] = 0.0

    s_offsets, m_offsets = _index(s.utc_offset_minutes for s in startups), _index(m.utc_offset_minutes for m in mentors)
    day = weights.work_end - weights.work_start
    table = np.array([[overlap_minutes(a, b, weights) / day for b in m_offsets] for a in s_offsets])
    timezone_fit = table[np.ix_([s_offsets[s.utc_offset_minutes] for s in startups],
                                [m_offsets[m.utc_offset_minutes] for m in mentors])]

    score = (weights.needs * needs_fit + weights.sector * sector_fit + weights.timezone * timezone_fit) / (
        weights.needs + weights.sector + weights.timezone)
    return np.rint(score * POINTS).astype(np.int32)
