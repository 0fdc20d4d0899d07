"""Converting between UTC (stored) and the viewer's wall-clock time (shown and typed)."""
from __future__ import annotations

from datetime import datetime, timezone
from zoneinfo import ZoneInfo

from flask_babel import get_timezone


def _zone(tz: str | None) -> ZoneInfo:
    # Flask-Babel hands back a pytz zone; pytz zones must never go into replace(tzinfo=...)
    # (they yield the historical LMT offset), so always rebuild a zoneinfo zone from its name.
    return ZoneInfo(tz or str(get_timezone()))


def local_to_utc(naive_local: datetime | None, tz: str | None = None) -> datetime | None:
    """Interpret a wall-clock time typed by the viewer in their zone; return it in UTC."""
    if naive_local is None:
        return None
    return naive_local.replace(tzinfo=_zone(tz)).astimezone(timezone.utc)


def utc_to_local_naive(value: datetime | None, tz: str | None = None) -> datetime | None:
    """The viewer's wall-clock time for a stored UTC value (to prefill a form input)."""
    if value is None:
        return None
    return value.astimezone(_zone(tz)).replace(tzinfo=None)
