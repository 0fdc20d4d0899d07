"""The mentor matcher: a pure function over plain data (no database, no Flask), testable and benchmarkable alone.

``solve(startups, mentors, weights)`` returns the assignment with the highest lexicographic objective:
most startups given a first mentor, then most pairs, then the highest total score. It is a min-cost flow
(``solver``), exact, not greedy. ``scoring.explain`` says why a pair scores what it does;
``solver.violations`` lists the hard constraints a pair breaks. ``bench/matching.py`` times it.

Hard constraints: at least one shared language, no declared conflict of interest, mentor capacity
(counting matches they keep), ``k`` mentors per startup (counting mentors it keeps), never the same
mentor twice for a startup, and an optional minimum score.
"""
from incubator.mentoring.matching.model import (  # noqa: F401
    MatchResult,
    MentorData,
    Pair,
    Reason,
    Shortfall,
    StartupData,
    Weights,
)
from incubator.mentoring.matching.scoring import POINTS, Explanation, explain, points_matrix  # noqa: F401
from incubator.mentoring.matching.solver import objective, solve, violations  # noqa: F401
