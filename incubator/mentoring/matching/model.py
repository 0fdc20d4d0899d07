"""Plain data the matcher reads and returns: no database, no Flask, no translations.

Ids are whatever the caller uses (the web app passes user ids for mentors and startup ids); tags are
ids of the expertise taxonomy; languages and sectors are short codes (``"km"``, ``"agritech"``).
"""
from __future__ import annotations

import enum
from dataclasses import dataclass, field


@dataclass(frozen=True)
class MentorData:
    """A mentor as the matcher sees them.

    :ivar capacity: how many startups they mentor at once (their profile setting).
    :ivar load: active matches that already count against ``capacity`` (other cohorts, and pairs kept
        in this cohort: locked, published, accepted).
    :ivar conflicts: startups they declared a conflict of interest with (never matched to them).
    :ivar utc_offset_minutes: their time zone's offset from UTC now (``+420`` for Phnom Penh).
    """

    id: int
    expertise: frozenset[int] = frozenset()
    sectors: frozenset[str] = frozenset()
    languages: frozenset[str] = frozenset()
    utc_offset_minutes: int = 0
    capacity: int = 1
    load: int = 0
    conflicts: frozenset[int] = frozenset()

    @property
    def free(self) -> int:
        return max(0, self.capacity - self.load)


@dataclass(frozen=True)
class StartupData:
    """A startup and its declared needs.

    :ivar must: expertise tags it must have (weigh ``Weights.must`` each).
    :ivar nice: expertise tags that would help (weigh ``Weights.nice`` each).
    :ivar kept: mentors it already has and keeps (locked, published or accepted pairs); they count
        towards ``k`` and are never proposed again.
    :ivar excluded: mentors not to propose (they declined, or a manager removed the pair).
    """

    id: int
    must: frozenset[int] = frozenset()
    nice: frozenset[int] = frozenset()
    sector: str = ""
    languages: frozenset[str] = frozenset()
    utc_offset_minutes: int = 0
    kept: frozenset[int] = frozenset()
    excluded: frozenset[int] = frozenset()


@dataclass(frozen=True)
class Weights:
    """How pairs are scored and how many mentors each startup gets; one set per cohort.

    The score of a pair is ``(needs·N + sector·S + timezone·Z) / (needs + sector + timezone)`` in [0, 1],
    where N is the share of the startup's need weight the mentor covers (each must-have weighs ``must``,
    each nice-to-have ``nice``), S is 1 when the mentor knows the startup's sector, and Z is the share of
    a working day (``work_start``–``work_end`` local time, minutes) both sides share.
    """

    needs: float = 6.0
    sector: float = 2.0
    timezone: float = 2.0
    must: float = 3.0
    nice: float = 1.0
    k: int = 1
    min_score: float = 0.0  # pairs scoring below this are not proposed (0–1)
    work_start: int = 9 * 60
    work_end: int = 18 * 60

    def __post_init__(self):
        if min(self.needs, self.sector, self.timezone, self.must, self.nice) < 0:
            raise ValueError("weights cannot be negative")
        if self.needs + self.sector + self.timezone <= 0:
            raise ValueError("at least one score weight must be positive")
        if self.k < 1:
            raise ValueError("k must be at least 1")
        if not 0 <= self.work_start < self.work_end <= 24 * 60:
            raise ValueError("the working day must start before it ends, within one day")


class Reason(enum.StrEnum):
    """Why a startup got fewer mentors than it should; the first that applies is reported."""

    NO_MENTORS = "no_mentors"  # the pool is empty
    NO_SHARED_LANGUAGE = "no_shared_language"  # no mentor speaks one of its languages
    CONFLICT_OF_INTEREST = "conflict_of_interest"  # every mentor who does declared a conflict
    EXCLUDED = "excluded"  # the remaining ones declined it or were removed by a manager, or are already its mentors
    BELOW_MIN_SCORE = "below_min_score"  # the remaining ones score below the cohort's minimum
    MENTORS_FULL = "mentors_full"  # the remaining ones have no free capacity
    TAKEN_BY_OTHERS = "taken_by_others"  # they had capacity, but the best overall assignment used it elsewhere


@dataclass(frozen=True)
class Pair:
    startup_id: int
    mentor_id: int
    score: float  # 0–1
    points: int  # the score as the integer the solver optimises (score × POINTS, rounded)


@dataclass(frozen=True)
class Shortfall:
    """A startup that got fewer mentors than it needed.

    :ivar missing: how many mentors it still lacks after this run.
    :ivar compatible: mentors that pass every hard constraint with it (some may be full).
    """

    startup_id: int
    missing: int
    reason: Reason
    compatible: int = 0


@dataclass(frozen=True)
class MatchResult:
    pairs: tuple[Pair, ...]
    shortfalls: tuple[Shortfall, ...]
    objective: tuple[int, int, int]  # (startups newly given a mentor, pairs, total points)
    candidate_pairs: int = 0  # arcs in the flow network
    timings: dict[str, float] = field(default_factory=dict, compare=False)  # seconds per phase
