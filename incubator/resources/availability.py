"""When a resource can be booked: weekly opening hours, blackouts and the bookings that hold it.

Everything is computed on UTC intervals ``(start, end)`` (start included, end excluded). Opening hours are
wall-clock times in the incubator's zone (``DEFAULT_TIMEZONE``), turned into UTC day by day, so a change of
offset (none in Cambodia, but a viewer abroad may have one) is handled by ``zoneinfo``. The calendar cuts the
same intervals by the *viewer's* days, so a mentor in Seoul sees the Phnom Penh opening hours two hours later.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import joinedload

from incubator.extensions import db
from incubator.resources.models import HOLDING_STATUSES, Blackout, Booking, Resource

Interval = tuple[datetime, datetime]
# Closing at 23:59 means open until midnight (a day that runs into the next one, for round-the-clock desks).
UNTIL_MIDNIGHT = time(23, 59)


def incubator_zone() -> ZoneInfo:
    """The incubator's time zone: opening hours and allowance periods follow its clock."""
    return ZoneInfo(current_app.config["DEFAULT_TIMEZONE"])


def local_midnight(day: date, zone: ZoneInfo) -> datetime:
    """The start of ``day`` in ``zone``, as UTC."""
    return datetime.combine(day, time(0, 0), tzinfo=zone).astimezone(timezone.utc)


# Interval arithmetic ---------------------------------------------------------------------------


def merge(intervals: Iterable[Interval]) -> list[Interval]:
    """Sorted, with overlapping and touching intervals joined."""
    merged: list[list[datetime]] = []
    for start, end in sorted(i for i in intervals if i[1] > i[0]):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return [(s, e) for s, e in merged]


def subtract(intervals: Iterable[Interval], cuts: Iterable[Interval]) -> list[Interval]:
    """``intervals`` minus every part covered by ``cuts``."""
    result = merge(intervals)
    for cut_start, cut_end in merge(cuts):
        pieces = []
        for start, end in result:
            if cut_end <= start or cut_start >= end:
                pieces.append((start, end))
                continue
            if start < cut_start:
                pieces.append((start, cut_start))
            if cut_end < end:
                pieces.append((cut_end, end))
        result = pieces
    return result


def clip(intervals: Iterable[Interval], start: datetime, end: datetime) -> list[Interval]:
    """The parts of ``intervals`` inside ``[start, end)``."""
    return [(max(s, start), min(e, end)) for s, e in intervals if s < end and e > start]


def covers(intervals: Sequence[Interval], start: datetime, end: datetime) -> bool:
    """Whether the merged ``intervals`` contain the whole of ``[start, end)``."""
    return any(s <= start and end <= e for s, e in merge(intervals))


def overlap_minutes(start: datetime, end: datetime, window_start: datetime, window_end: datetime) -> int:
    """How many whole minutes of ``[start, end)`` fall inside the window."""
    seconds = (min(end, window_end) - max(start, window_start)).total_seconds()
    return max(0, int(seconds // 60))


# What the database says ------------------------------------------------------------------------


def opening_intervals(resource: Resource, start: datetime, end: datetime) -> list[Interval]:
    """The resource's weekly opening hours between ``start`` and ``end``, as merged UTC intervals."""
    zone = incubator_zone()
    by_weekday: dict[int, list[tuple[time, time]]] = {}
    for hours in resource.hours:
        by_weekday.setdefault(hours.weekday, []).append((hours.opens, hours.closes))
    day = start.astimezone(zone).date() - timedelta(days=1)
    last = end.astimezone(zone).date() + timedelta(days=1)
    found = []
    while day <= last:
        for opens, closes in by_weekday.get(day.weekday(), ()):
            close_at = local_midnight(day + timedelta(days=1), zone) if closes >= UNTIL_MIDNIGHT else \
                datetime.combine(day, closes, tzinfo=zone).astimezone(timezone.utc)
            found.append((datetime.combine(day, opens, tzinfo=zone).astimezone(timezone.utc), close_at))
        day += timedelta(days=1)
    return clip(merge(found), start, end)


def blackouts_between(resource_id: int, start: datetime, end: datetime) -> list[Blackout]:
    """Blackouts of the resource and incubator-wide ones (holidays) overlapping ``[start, end)``."""
    return list(db.session.scalars(
        sa.select(Blackout)
        .where(sa.or_(Blackout.resource_id == resource_id, Blackout.resource_id.is_(None)),
               Blackout.starts_at < end, Blackout.ends_at > start)
        .order_by(Blackout.starts_at)
    ))


def holding_bookings(resource_id: int, start: datetime, end: datetime, exclude_ids: Iterable[int] = ()) -> list[
        Booking]:
    """Bookings that keep ``[start, end)`` (or part of it) from anyone else."""
    query = (
        sa.select(Booking)
        .where(Booking.resource_id == resource_id, Booking.status.in_(HOLDING_STATUSES),
               Booking.units.is_(None), Booking.starts_at < end, Booking.ends_at > start)
        .options(joinedload(Booking.startup)).order_by(Booking.starts_at)
    )
    excluded = list(exclude_ids)
    if excluded:
        query = query.where(Booking.id.not_in(excluded))
    return list(db.session.scalars(query))


def bookable_intervals(resource: Resource, start: datetime, end: datetime, *, ignore_hours: bool = False
                       ) -> list[Interval]:
    """Where a booking may lie between ``start`` and ``end``: opening hours (or all of it for managers
    booking outside them) minus blackouts. Bookings are not taken out."""
    base = [(start, end)] if ignore_hours else opening_intervals(resource, start, end)
    cuts = [(b.starts_at, b.ends_at) for b in blackouts_between(resource.id, start, end)]
    return subtract(base, cuts)


# The calendar ----------------------------------------------------------------------------------


@dataclass
class Segment:
    """A stretch of one day in the calendar: ``kind`` is free, busy, mine, pending, blackout or closed."""

    start: datetime
    end: datetime
    kind: str
    label: str = ""
    booking_id: int | None = None

    @property
    def minutes(self) -> int:
        return int((self.end - self.start).total_seconds() // 60)


@dataclass
class CalendarDay:
    day: date  # in the viewer's zone
    start: datetime  # its midnight, UTC
    end: datetime
    segments: list[Segment] = field(default_factory=list)

    @property
    def free(self) -> list[Segment]:
        return [s for s in self.segments if s.kind == "free"]

    @property
    def taken(self) -> list[Segment]:
        return [s for s in self.segments if s.kind in ("busy", "mine", "pending", "blackout")]


def free_and_taken(resource: Resource, start: datetime, end: datetime, *, now: datetime, mine: Iterable[int] = (),
                   show_names: bool = False) -> tuple[list[Interval], list[Segment]]:
    """What can still be booked between ``start`` and ``end`` (open, not taken, not past, within the booking
    horizon) and what is taken (bookings and blackouts, labelled for the viewer).

    :param mine: startup ids whose bookings the viewer may see as theirs (labelled, linked).
    :param show_names: label other bookings with the startup's name (managers); otherwise just "Booked".
    """
    open_ = opening_intervals(resource, start, end)
    mine = set(mine)
    taken = [Segment(b.starts_at, b.ends_at, "blackout", b.reason or b.kind_label)
             for b in blackouts_between(resource.id, start, end)]
    for booking in holding_bookings(resource.id, start, end):
        own = booking.startup_id is not None and booking.startup_id in mine
        kind = "pending" if booking.status.value in ("pending", "awaiting_payment") else ("mine" if own else "busy")
        label = booking.startup.name if (own or show_names) and booking.startup else ""
        if show_names and booking.startup is None:
            label = booking.purpose
        taken.append(Segment(booking.starts_at, booking.ends_at, kind, label,
                             booking.id if own or show_names else None))
    horizon = now + timedelta(days=resource.advance_days)
    free = subtract(open_, [(s.start, s.end) for s in taken] + [(start, now), (horizon, end)])
    return free, taken


def calendar(resource: Resource, first_day: date, days: int, viewer_zone: ZoneInfo, *, now: datetime,
             mine: Iterable[int] = (), show_names: bool = False) -> list[CalendarDay]:
    """Free and busy stretches of ``days`` days from ``first_day``, cut by the viewer's midnights.

    :return: one ``CalendarDay`` per day; the past part of today is never free.
    """
    start = local_midnight(first_day, viewer_zone)
    end = local_midnight(first_day + timedelta(days=days), viewer_zone)
    free, taken = free_and_taken(resource, start, end, now=now, mine=mine, show_names=show_names)
    result = []
    for offset in range(days):
        day = first_day + timedelta(days=offset)
        day_start = local_midnight(day, viewer_zone)
        day_end = local_midnight(day + timedelta(days=1), viewer_zone)
        segments = [Segment(s, e, "free") for s, e in clip(free, day_start, day_end)]
        for segment in taken:
            for s, e in clip([(segment.start, segment.end)], day_start, day_end):
                segments.append(Segment(s, e, segment.kind, segment.label, segment.booking_id))
        covered = [(s.start, s.end) for s in segments]
        segments += [Segment(s, e, "closed") for s, e in subtract([(day_start, day_end)], covered)]
        segments.sort(key=lambda s: (s.start, s.end))
        result.append(CalendarDay(day, day_start, day_end, segments))
    return result
