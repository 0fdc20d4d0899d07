"""Milestone burn-up: how many milestones exist, are due, are done and are verified at each point in time.

A cohort's counts come from one grouped query (each milestone is put in the bucket of the first point it
counts at), so the dashboard never loads its milestones one by one; a startup's few milestones are counted
in Python.
Dropped milestones are left out of every line.
"""
from __future__ import annotations

import math
from bisect import bisect_right
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from itertools import accumulate

import sqlalchemy as sa

from incubator.cohorts.models import Startup
from incubator.extensions import db
from incubator.progress.models import Milestone, MilestoneStatus, Verification
from incubator.progress.periods import incubator_zone

MAX_POINTS = 40
LINES = ("scope", "due", "done", "verified")


@dataclass
class BurnUp:
    points: list[date] = field(default_factory=list)
    counts: dict[str, list[int | None]] = field(default_factory=dict)


def points_between(start: date, end: date, today: date) -> list[date]:
    """Weekly points (wider steps on long spans, at most ``MAX_POINTS``) from ``start`` to ``end``, plus today."""
    days = max(1, (end - start).days)
    step = max(7, math.ceil(days / MAX_POINTS / 7) * 7)
    return sorted({start + timedelta(days=d) for d in range(0, days, step)} | {end, min(max(today, start), end)})


def _end_of_day(day: date) -> datetime:
    return datetime.combine(day + timedelta(days=1), time(0, 0), tzinfo=incubator_zone()).astimezone(timezone.utc)


def _hide_future(values: list[int], points: list[date], today: date) -> list[int | None]:
    # Done and verified are facts, not plans: nothing is drawn after today.
    return [None if point > today and i else value for i, (point, value) in enumerate(zip(points, values, strict=True))]


def cohort_burnup(cohort, today: date) -> BurnUp:
    """The cohort's burn-up in two queries, whatever the number of startups and milestones."""
    live = sa.and_(Startup.cohort_id == cohort.id, Milestone.status != MilestoneStatus.DROPPED)
    first_due, last_due = db.session.execute(
        sa.select(sa.func.min(Milestone.due_on), sa.func.max(Milestone.due_on))
        .join(Startup, Startup.id == Milestone.startup_id).where(live)
    ).one()
    if first_due is None:
        return BurnUp()
    points = points_between(min(cohort.starts_on, first_due), max(cohort.ends_on, last_due, today), today)

    ends = [_end_of_day(point) for point in points]

    def bucket(value, before: list, only=None):
        # The index of the first point the value counts at (a CASE chain, not one sum per point: far cheaper).
        whens = [(value < edge, i) for i, edge in enumerate(before)]
        if only is not None:
            whens.insert(0, (sa.not_(only), -1))
        return sa.case((value.is_(None), -1), *whens, else_=-1)

    grouped = [bucket(Milestone.created_at, ends), bucket(Milestone.due_on, [p + timedelta(days=1) for p in points]),
               bucket(Milestone.done_at, ends, Milestone.status == MilestoneStatus.DONE),
               bucket(Milestone.verified_at, ends, Milestone.verification == Verification.VERIFIED)]
    labelled = [column.label(line) for column, line in zip(grouped, LINES, strict=True)]
    rows = db.session.execute(
        sa.select(*labelled, sa.func.count()).join(Startup, Startup.id == Milestone.startup_id).where(live)
        .group_by(*[sa.literal_column(line) for line in LINES])
    ).all()
    histogram = {line: [0] * len(points) for line in LINES}
    for *buckets, number in rows:
        for line, index in zip(LINES, buckets, strict=True):
            if index is not None and index >= 0:
                histogram[line][index] += number
    by_line = {line: list(accumulate(histogram[line])) for line in LINES}
    for line in ("done", "verified"):
        by_line[line] = _hide_future(by_line[line], points, today)
    return BurnUp(points, by_line)


def _local(value: datetime | None) -> date | None:
    return value.astimezone(incubator_zone()).date() if value else None


def milestones_burnup(milestones: list[Milestone], start: date, end: date, today: date) -> BurnUp:
    """The same lines for milestones already loaded (a startup's page)."""
    live = [m for m in milestones if m.status != MilestoneStatus.DROPPED]
    if not live:
        return BurnUp()
    points = points_between(min(start, min(m.due_on for m in live)), max(end, max(m.due_on for m in live), today),
                            today)
    dates = {
        "scope": sorted(_local(m.created_at) or start for m in live),
        "due": sorted(m.due_on for m in live),
        "done": sorted(_local(m.done_at) for m in live if m.status == MilestoneStatus.DONE and m.done_at),
        "verified": sorted(_local(m.verified_at) for m in live if m.is_verified and m.verified_at),
    }
    counts = {line: [bisect_right(dates[line], p) for p in points] for line in LINES}
    for line in ("done", "verified"):
        counts[line] = _hide_future(counts[line], points, today)
    return BurnUp(points, counts)
