"""Utilization per resource and per week or month (in the incubator's zone): hours open for booking,
booked, used and lost to no-shows, credits granted, and the paid use billed.

Definitions (shown under the report):

* **Bookable** hours: opening hours minus blackouts.
* **Booked**: bookings that held the slot or were used (waiting, confirmed, checked in, no-show), split by
  the minute across period boundaries like allowances.
* **Used**: checked-in bookings, plus the incubator's own bookings (no check-in) that have started.
* **No-shows**: bookings released because nobody checked in, counted in the period they started.
* **Billed**: the paid use of bookings that were not cancelled, rejected or expired, in the resource's
  currency, counted in the period the booking starts.

The report reads the bookings of the range in one query and the resources, their hours and the blackouts
in three more, whatever the range or the number of bookings; each booking is then added to the periods it
touches (found by bisection), so the work grows with the bookings, not with bookings times periods.
"""
from __future__ import annotations

import csv
import io
from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from incubator.core.money import from_minor
from incubator.db import utcnow
from incubator.extensions import db
from incubator.resources.availability import (
    incubator_zone,
    local_midnight,
    opening_intervals,
    overlap_minutes,
    subtract,
)
from incubator.resources.models import COUNTED_STATUSES, Blackout, Booking, BookingStatus, Resource, ResourceType

BILLED_STATUSES = (BookingStatus.CONFIRMED, BookingStatus.CHECKED_IN, BookingStatus.NO_SHOW,
                   BookingStatus.AWAITING_PAYMENT)
MAX_PERIODS = 60


@dataclass
class Period:
    first_day: date
    after: date  # the first day of the next period
    start: datetime
    end: datetime


@dataclass
class Row:
    resource: Resource
    period: Period
    bookable_minutes: int = 0
    booked_minutes: int = 0
    used_minutes: int = 0
    no_shows: int = 0
    no_show_minutes: int = 0
    bookings: int = 0
    units: int = 0
    billed_minor: int = 0

    @property
    def utilization(self) -> float | None:
        """Booked share of the bookable time (``None`` when nothing was bookable)."""
        return self.booked_minutes / self.bookable_minutes if self.bookable_minutes else None


def periods(granularity: str, first: date, last: date) -> list[Period]:
    """The weeks (Monday to Sunday) or months covering ``first`` to ``last``, at most ``MAX_PERIODS``."""
    zone = incubator_zone()
    if granularity == "week":
        day = first - timedelta(days=first.weekday())
    else:
        day = first.replace(day=1)
    result = []
    while day <= last and len(result) < MAX_PERIODS:
        if granularity == "week":
            after = day + timedelta(days=7)
        else:
            after = date(day.year + 1, 1, 1) if day.month == 12 else date(day.year, day.month + 1, 1)
        result.append(Period(day, after, local_midnight(day, zone), local_midnight(after, zone)))
        day = after
    return result


def utilization(granularity: str, first: date, last: date, resource_id: int | None = None,
                now: datetime | None = None) -> list[Row]:
    """One row per resource and period (resources by type and name, periods in order)."""
    spans = periods(granularity, first, last)
    if not spans:
        return []
    start, end = spans[0].start, spans[-1].end
    type_order = sa.case({t.value: n for n, t in enumerate(ResourceType)}, value=Resource.type)
    query = sa.select(Resource).options(selectinload(Resource.hours)).order_by(type_order, Resource.name)
    if resource_id:
        query = query.where(Resource.id == resource_id)
    resources = list(db.session.scalars(query))
    booking_query = sa.select(Booking.resource_id, Booking.startup_id, Booking.starts_at, Booking.ends_at,
                              Booking.units, Booking.status, Booking.amount_minor).where(
        Booking.status.in_(COUNTED_STATUSES),
        sa.or_(sa.and_(Booking.units.is_(None), Booking.starts_at < end, Booking.ends_at > start),
               sa.and_(Booking.units.is_not(None), Booking.starts_at >= start, Booking.starts_at < end)))
    if resource_id:
        booking_query = booking_query.where(Booking.resource_id == resource_id)
    by_resource: dict[int, list] = {}
    for row in db.session.execute(booking_query):
        by_resource.setdefault(row.resource_id, []).append(row)
    blackouts = db.session.scalars(sa.select(Blackout).where(Blackout.starts_at < end, Blackout.ends_at > start))
    closures: dict[int | None, list] = {}
    for blackout in blackouts:
        closures.setdefault(blackout.resource_id, []).append((blackout.starts_at, blackout.ends_at))
    now = now or utcnow()
    starts = [span.start for span in spans]
    rows = []
    for resource in resources:
        own = [Row(resource, span) for span in spans]
        if not resource.is_counted:
            closed = closures.get(None, []) + closures.get(resource.id, [])
            for s, e in subtract(opening_intervals(resource, start, end), closed):
                for index in _touched(starts, s, e):
                    own[index].bookable_minutes += overlap_minutes(s, e, spans[index].start, spans[index].end)
        for booking in by_resource.get(resource.id, []):
            _add(own, spans, starts, booking, now)
        rows += own
    return rows


def _touched(starts: list[datetime], start: datetime, end: datetime) -> range:
    """The indexes of the periods (by their starts) that ``[start, end)`` overlaps; a point: the one holding it."""
    first = max(bisect_right(starts, start) - 1, 0)
    last = max(bisect_left(starts, end) - 1, first) if end > start else first
    return range(first, last + 1)


def _add(rows: list[Row], spans: list[Period], starts: list[datetime], booking, now: datetime) -> None:
    """Add one booking to the rows of the periods it touches (each booking is visited once)."""
    home = bisect_right(starts, booking.starts_at) - 1  # the period it starts in (-1: before the range)
    billed = booking.amount_minor if booking.status in BILLED_STATUSES else 0
    if booking.units is not None:
        if home >= 0:
            rows[home].units += booking.units
            rows[home].bookings += 1
            rows[home].billed_minor += billed
        return
    for index in _touched(starts, booking.starts_at, booking.ends_at):
        span, row = spans[index], rows[index]
        minutes = overlap_minutes(booking.starts_at, booking.ends_at, span.start, span.end)
        row.booked_minutes += minutes
        if booking.status == BookingStatus.CHECKED_IN:
            row.used_minutes += minutes
        elif booking.startup_id is None and booking.status == BookingStatus.CONFIRMED and booking.starts_at <= now:
            row.used_minutes += overlap_minutes(booking.starts_at, min(booking.ends_at, now), span.start, span.end)
    if home >= 0:
        row = rows[home]
        row.bookings += 1
        row.billed_minor += billed
        if booking.status == BookingStatus.NO_SHOW:
            row.no_shows += 1
            row.no_show_minutes += int((booking.ends_at - booking.starts_at).total_seconds() // 60)


def per_resource(rows: list[Row]) -> list[tuple[Row, list[Row]]]:
    """Each resource's figures summed over the whole range, with its rows per period (in order)."""
    grouped: dict[int, list[Row]] = {}
    for row in rows:
        grouped.setdefault(row.resource.id, []).append(row)
    result = []
    for items in grouped.values():
        first, last = items[0].period, items[-1].period
        total = Row(items[0].resource, Period(first.first_day, last.after, first.start, last.end))
        for item in items:
            for name in ("bookable_minutes", "booked_minutes", "used_minutes", "no_shows", "no_show_minutes",
                         "bookings", "units", "billed_minor"):
                setattr(total, name, getattr(total, name) + getattr(item, name))
        result.append((total, items))
    return result


def totals(rows: list[Row]) -> list[dict]:
    """Per period, summed over resources: booked, used and no-show minutes (for the chart)."""
    by_period: dict[date, dict] = {}
    for row in rows:
        entry = by_period.setdefault(row.period.first_day, {"period": row.period, "booked": 0, "used": 0,
                                                            "no_show": 0, "bookable": 0})
        entry["booked"] += row.booked_minutes
        entry["used"] += row.used_minutes
        entry["no_show"] += row.no_show_minutes
        entry["bookable"] += row.bookable_minutes
    return [by_period[key] for key in sorted(by_period)]


CSV_HEADER = ("resource_id", "resource", "type", "period_start", "period_end", "bookable_hours", "booked_hours",
              "used_hours", "utilization_percent", "bookings", "no_shows", "no_show_hours", "units", "billed",
              "currency")


def to_csv(rows: list[Row]) -> str:
    """The report as CSV (hours with two decimals, money in major units, periods as local dates)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_HEADER)
    for row in rows:
        share = row.utilization
        writer.writerow([
            row.resource.id, row.resource.name, row.resource.type.value, row.period.first_day.isoformat(),
            (row.period.after - timedelta(days=1)).isoformat(), f"{row.bookable_minutes / 60:.2f}",
            f"{row.booked_minutes / 60:.2f}", f"{row.used_minutes / 60:.2f}",
            "" if share is None else f"{share * 100:.1f}", row.bookings, row.no_shows,
            f"{row.no_show_minutes / 60:.2f}", row.units, from_minor(row.billed_minor, row.resource.currency),
            row.resource.currency,
        ])
    return out.getvalue()
