"""Resource use per startup, for other domains' reports (the investor reports).

``resource_use_by_startup`` counts what each startup of a cohort actually had: bookings confirmed or
checked in (not those cancelled, rejected, expired, released as no-shows, or still waiting for approval
or payment), with hours split by the minute at the range's edges, and the credits granted in the range.
"""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa

from incubator.cohorts.models import Startup
from incubator.extensions import db
from incubator.resources.availability import overlap_minutes
from incubator.resources.models import Booking, BookingStatus

USED_STATUSES = (BookingStatus.CONFIRMED, BookingStatus.CHECKED_IN)


def resource_use_by_startup(cohort_id: int, start: datetime, end: datetime) -> dict[int, dict]:
    """Each startup of the cohort's use of resources between ``start`` and ``end`` (aware datetimes).

    :return: ``{startup_id: {"hours": float, "bookings": int, "units": int}}`` for every startup of the
        cohort (zeros included); ``hours`` is rounded to two decimals, ``bookings`` counts timed bookings
        overlapping the range, ``units`` the credits granted in it. Two queries, whatever the data size.
    """
    result = {startup_id: {"hours": 0.0, "bookings": 0, "units": 0} for startup_id in db.session.scalars(
        sa.select(Startup.id).where(Startup.cohort_id == cohort_id).order_by(Startup.id))}
    if not result or end <= start:
        return result
    rows = db.session.execute(
        sa.select(Booking.startup_id, Booking.starts_at, Booking.ends_at, Booking.units)
        .join(Startup, Startup.id == Booking.startup_id)
        .where(Startup.cohort_id == cohort_id, Booking.status.in_(USED_STATUSES),
               sa.or_(sa.and_(Booking.units.is_(None), Booking.starts_at < end, Booking.ends_at > start),
                      sa.and_(Booking.units.is_not(None), Booking.starts_at >= start, Booking.starts_at < end)))
    )
    minutes: dict[int, int] = dict.fromkeys(result, 0)
    for startup_id, starts_at, ends_at, units in rows:
        entry = result[startup_id]
        if units is not None:
            entry["units"] += units
            continue
        minutes[startup_id] += overlap_minutes(starts_at, ends_at, start, end)
        entry["bookings"] += 1
    for startup_id, total in minutes.items():
        result[startup_id]["hours"] = round(total / 60, 2)
    return result
