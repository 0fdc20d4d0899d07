"""Open slots from a mentor's rules: pure functions, no database and no request.

Weekly hours and exceptions are wall-clock times in the mentor's zone. Each day's ranges are turned
into UTC instants with ``zoneinfo`` for that very date, so the UTC times move when the mentor's clock
changes for daylight saving (Berlin's 09:00 is 08:00 UTC in winter and 07:00 UTC in summer) while the
mentor's local times stay put. Slots are cut inside each range in real (UTC) minutes, so a range that
spans a clock change still yields slots of the right length. Taken time (active sessions, plus the
mentor's buffer on either side), minimum notice and the booking window are then applied.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

Interval = tuple[datetime, datetime]


@dataclass(frozen=True)
class WeeklyRange:
    weekday: int  # 0 = Monday
    start: time
    end: time


@dataclass(frozen=True)
class DatedChange:
    day: date
    extra: bool  # True: extra hours; False: not available
    start: time | None = None  # None (with end None): the whole day
    end: time | None = None


@dataclass(frozen=True)
class Rules:
    """Everything slot generation needs to know about one mentor."""

    zone: str
    weekly: tuple[WeeklyRange, ...] = ()
    changes: tuple[DatedChange, ...] = ()
    slot_minutes: int = 45
    buffer_minutes: int = 15
    notice_hours: int = 12
    window_days: int = 30


@dataclass(frozen=True)
class Slot:
    starts_at: datetime  # UTC
    ends_at: datetime  # UTC
    office_hours_id: int | None = None

    @property
    def minutes(self) -> int:
        return int((self.ends_at - self.starts_at).total_seconds() // 60)

    def local_start(self, zone: str) -> datetime:
        return self.starts_at.astimezone(ZoneInfo(zone))


def _subtract(ranges: list[tuple[time, time]], cut: tuple[time, time]) -> list[tuple[time, time]]:
    out = []
    for start, end in ranges:
        if cut[1] <= start or cut[0] >= end:
            out.append((start, end))
            continue
        if start < cut[0]:
            out.append((start, cut[0]))
        if cut[1] < end:
            out.append((cut[1], end))
    return out


def _merge(ranges: Iterable[tuple[time, time]]) -> list[tuple[time, time]]:
    merged: list[tuple[time, time]] = []
    for start, end in sorted(ranges):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def local_ranges(rules: Rules, day: date) -> list[tuple[time, time]]:
    """The mentor's available wall-clock ranges on ``day`` (their local date), after exceptions."""
    ranges = [(r.start, r.end) for r in rules.weekly if r.weekday == day.weekday()]
    changes = [c for c in rules.changes if c.day == day]
    for change in changes:
        if not change.extra:
            ranges = [] if change.start is None else _subtract(ranges, (change.start, change.end))
    ranges += [(c.start, c.end) for c in changes if c.extra and c.start is not None]
    return _merge(ranges)


def to_utc(day: date, at: time, zone: ZoneInfo) -> datetime:
    """The instant a wall-clock time on ``day`` happens in ``zone``.

    A time skipped by a spring-forward change (02:30 in Berlin on the last Sunday of March) is read
    with the offset before the change, i.e. as 03:30 summer time; a repeated autumn time is its first
    occurrence. ``zoneinfo`` does both with ``fold=0``.
    """
    return datetime.combine(day, at, tzinfo=zone).astimezone(timezone.utc)


def _overlaps(start: datetime, end: datetime, taken: Sequence[Interval], margin: timedelta) -> bool:
    return any(start < busy_end + margin and busy_start < end + margin for busy_start, busy_end in taken)


def cut_slots(start: datetime, end: datetime, minutes: int, buffer_minutes: int) -> list[Interval]:
    """Back-to-back slots of ``minutes`` with ``buffer_minutes`` between them, inside [start, end)."""
    length, step = timedelta(minutes=minutes), timedelta(minutes=minutes + buffer_minutes)
    out, at = [], start
    while at + length <= end:
        out.append((at, at + length))
        at += step
    return out


def bookable_between(now: datetime, notice_hours: int, window_days: int | None) -> Interval:
    """The earliest and latest start a booking may have, as of ``now``."""
    latest = now + timedelta(days=window_days) if window_days is not None else datetime.max.replace(tzinfo=timezone.utc)
    return now + timedelta(hours=notice_hours), latest


def regular_slots(
    rules: Rules,
    start: datetime,
    end: datetime,
    now: datetime,
    taken: Sequence[Interval] = (),
    blocked: Sequence[Interval] = (),
) -> list[Slot]:
    """The mentor's open weekly slots that start in [start, end).

    :param taken: active sessions of the mentor (the buffer is kept on both sides of each).
    :param blocked: time reserved otherwise (office hours): slots may touch it but not overlap it.
    :return: slots in time order, all bookable as of ``now`` (notice and window applied).
    """
    zone = ZoneInfo(rules.zone)
    earliest, latest = bookable_between(now, rules.notice_hours, rules.window_days)
    buffer = timedelta(minutes=rules.buffer_minutes)
    first_day = start.astimezone(zone).date() - timedelta(days=1)
    last_day = end.astimezone(zone).date() + timedelta(days=1)
    out: list[Slot] = []
    day = first_day
    while day <= last_day:
        for range_start, range_end in local_ranges(rules, day):
            utc_start, utc_end = to_utc(day, range_start, zone), to_utc(day, range_end, zone)
            for slot_start, slot_end in cut_slots(utc_start, utc_end, rules.slot_minutes, rules.buffer_minutes):
                if not (start <= slot_start < end and earliest <= slot_start <= latest):
                    continue
                if _overlaps(slot_start, slot_end, taken, buffer) or _overlaps(slot_start, slot_end, blocked,
                                                                                timedelta(0)):
                    continue
                out.append(Slot(slot_start, slot_end))
        day += timedelta(days=1)
    return sorted(set(out), key=lambda s: s.starts_at)


def office_hours_slots(
    block: Interval,
    slot_minutes: int,
    buffer_minutes: int,
    notice_hours: int,
    now: datetime,
    taken: Sequence[Interval] = (),
    office_hours_id: int | None = None,
) -> list[Slot]:
    """The open slots of one office-hours block (no booking window: the mentor chose these dates).

    :return: slots in time order, each carrying ``office_hours_id``.
    """
    earliest, _latest = bookable_between(now, notice_hours, None)
    buffer = timedelta(minutes=buffer_minutes)
    return [
        Slot(slot_start, slot_end, office_hours_id)
        for slot_start, slot_end in cut_slots(block[0], block[1], slot_minutes, buffer_minutes)
        if slot_start >= earliest and not _overlaps(slot_start, slot_end, taken, buffer)
    ]


def group_by_day(slots: Iterable[Slot], zone: str) -> list[tuple[date, list[Slot]]]:
    """Slots grouped by the viewer's local date (in ``zone``), days in order."""
    tz = ZoneInfo(zone)
    days: dict[date, list[Slot]] = {}
    for slot in sorted(slots, key=lambda s: s.starts_at):
        days.setdefault(slot.starts_at.astimezone(tz).date(), []).append(slot)
    return list(days.items())
