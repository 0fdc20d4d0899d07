"""Calendar periods in the incubator's time zone: today, ISO weeks (check-ins) and months (KPIs).

Rules about periods follow the incubator's clock (``DEFAULT_TIMEZONE``, Asia/Phnom_Penh), not the
viewer's: a check-in week ends at midnight between Sunday and Monday in Phnom Penh for everyone.
"""
from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from flask import current_app

from incubator.db import utcnow

_MONTH = re.compile(r"(\d{4})-(\d{2})")


def incubator_zone() -> ZoneInfo:
    """The incubator's time zone (``DEFAULT_TIMEZONE``)."""
    return ZoneInfo(current_app.config["DEFAULT_TIMEZONE"])


def local_now(now: datetime | None = None) -> datetime:
    """Now (or ``now``) on the incubator's clock."""
    return (now or utcnow()).astimezone(incubator_zone())


def local_today(now: datetime | None = None) -> date:
    """Today's date in the incubator's time zone."""
    return local_now(now).date()


def week_start(day: date) -> date:
    """The Monday of ``day``'s ISO week."""
    return day - timedelta(days=day.weekday())


def current_week_start(now: datetime | None = None) -> date:
    """The Monday of the current ISO week in the incubator's time zone."""
    return week_start(local_today(now))


def week_ends_at(monday: date) -> datetime:
    """The UTC instant the week starting on ``monday`` ends (the next Monday, 00:00 local)."""
    return datetime.combine(monday + timedelta(days=7), time(0, 0), tzinfo=incubator_zone()).astimezone(timezone.utc)


def iso_week_label(monday: date) -> str:
    """The ISO week of ``monday``, such as ``2026-W47``."""
    year, week, _day = monday.isocalendar()
    return f"{year}-W{week:02d}"


def month_start(day: date) -> date:
    """The first day of ``day``'s month."""
    return day.replace(day=1)


def add_months(month: date, count: int) -> date:
    """The first day of the month ``count`` months after (or before) ``month``."""
    index = month.year * 12 + month.month - 1 + count
    return date(index // 12, index % 12 + 1, 1)


def months_between(earlier: date, later: date) -> int:
    """Whole calendar months from ``earlier``'s month to ``later``'s (negative when reversed)."""
    return (later.year - earlier.year) * 12 + later.month - earlier.month


def current_month(now: datetime | None = None) -> date:
    """The first day of the current month in the incubator's time zone."""
    return month_start(local_today(now))


def parse_month(text: str) -> date | None:
    """``2026-03`` as the date 2026-03-01; ``None`` when it is not a valid month."""
    match = _MONTH.fullmatch((text or "").strip())
    if not match or not 1 <= int(match[2]) <= 12 or int(match[1]) < 1:
        return None
    return date(int(match[1]), int(match[2]), 1)

