"""Period keys: which period (minute, hour, day, ISO week, month) a run belongs to, in the incubator's time zone.

A job runs at most once per period key. Keys are readable and sort in time order:
``2026-11-23T09:05`` (minute), ``2026-11-23T09`` (hour), ``2026-11-23`` (day), ``2026-W48`` (ISO week,
Monday to Sunday) and ``2026-11`` (month).
"""
from __future__ import annotations

import enum
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo


class Granularity(enum.StrEnum):
    MINUTE = "minute"
    HOUR = "hour"
    DAY = "day"
    WEEK = "week"
    MONTH = "month"


FORMATS = {
    Granularity.MINUTE: "YYYY-MM-DDTHH:MM",
    Granularity.HOUR: "YYYY-MM-DDTHH",
    Granularity.DAY: "YYYY-MM-DD",
    Granularity.WEEK: "YYYY-Www",
    Granularity.MONTH: "YYYY-MM",
}


@dataclass(frozen=True)
class Period:
    """One period: its key and its bounds in UTC (``start`` included, ``end`` excluded)."""

    key: str
    start: datetime
    end: datetime

    def contains(self, moment: datetime) -> bool:
        return self.start <= moment < self.end


def _local_start(granularity: Granularity, local: datetime) -> datetime:
    if granularity == Granularity.MINUTE:
        return local.replace(second=0, microsecond=0)
    if granularity == Granularity.HOUR:
        return local.replace(minute=0, second=0, microsecond=0)
    day = local.date()
    if granularity == Granularity.WEEK:
        day -= timedelta(days=day.weekday())
    elif granularity == Granularity.MONTH:
        day = day.replace(day=1)
    return datetime.combine(day, time(), tzinfo=local.tzinfo)


def _next_start(granularity: Granularity, start: datetime) -> datetime:
    if granularity == Granularity.MINUTE:
        step = start + timedelta(minutes=1)
    elif granularity == Granularity.HOUR:
        step = start + timedelta(hours=1)
    elif granularity == Granularity.DAY:
        return datetime.combine(start.date() + timedelta(days=1), time(), tzinfo=start.tzinfo)
    elif granularity == Granularity.WEEK:
        return datetime.combine(start.date() + timedelta(days=7), time(), tzinfo=start.tzinfo)
    else:
        year, month = (start.year + 1, 1) if start.month == 12 else (start.year, start.month + 1)
        return datetime.combine(date(year, month, 1), time(), tzinfo=start.tzinfo)
    return step


def _key(granularity: Granularity, start: datetime) -> str:
    if granularity == Granularity.WEEK:
        iso = start.isocalendar()
        return f"{iso.year}-W{iso.week:02d}"
    pattern = {
        Granularity.MINUTE: "%Y-%m-%dT%H:%M",
        Granularity.HOUR: "%Y-%m-%dT%H",
        Granularity.DAY: "%Y-%m-%d",
        Granularity.MONTH: "%Y-%m",
    }[granularity]
    return start.strftime(pattern)


def _period(granularity: Granularity, local_start: datetime) -> Period:
    end = _next_start(granularity, local_start)
    return Period(_key(granularity, local_start), local_start.astimezone(timezone.utc), end.astimezone(timezone.utc))


def period_containing(granularity: Granularity | str, moment: datetime, tz: str) -> Period:
    """The period (in time zone ``tz``) that contains the aware datetime ``moment``."""
    granularity = Granularity(granularity)
    local = moment.astimezone(ZoneInfo(tz))
    return _period(granularity, _local_start(granularity, local))


_PARSERS = {
    Granularity.MINUTE: re.compile(r"(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})"),
    Granularity.HOUR: re.compile(r"(\d{4})-(\d{2})-(\d{2})T(\d{2})"),
    Granularity.DAY: re.compile(r"(\d{4})-(\d{2})-(\d{2})"),
    Granularity.WEEK: re.compile(r"(\d{4})-W(\d{2})"),
    Granularity.MONTH: re.compile(r"(\d{4})-(\d{2})"),
}


def parse_period(granularity: Granularity | str, key: str, tz: str) -> Period:
    """The period a key names, e.g. ``2026-W48`` for a weekly job.

    :raises ValueError: the key is not a valid period of this granularity.
    """
    granularity = Granularity(granularity)
    match = _PARSERS[granularity].fullmatch(key.strip())
    if not match:
        raise ValueError(f"{key!r} is not a {granularity.value} period; expected {FORMATS[granularity]}")
    parts = [int(p) for p in match.groups()]
    zone = ZoneInfo(tz)
    try:
        if granularity == Granularity.WEEK:
            day = date.fromisocalendar(parts[0], parts[1], 1)
            local = datetime.combine(day, time(), tzinfo=zone)
        elif granularity == Granularity.MONTH:
            local = datetime(parts[0], parts[1], 1, tzinfo=zone)
        else:
            local = datetime(*parts, tzinfo=zone)
    except ValueError as exc:
        raise ValueError(f"{key!r} is not a real {granularity.value}: {exc}") from exc
    return _period(granularity, local)
