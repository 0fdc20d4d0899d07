"""Loading helpers shared by the resource views (each checks access before any work), and the geometry of
the calendar's day bars."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import abort
from flask_babel import get_timezone
from flask_login import current_user
from sqlalchemy.orm import joinedload

from incubator.cohorts.models import Startup
from incubator.core.authz import require
from incubator.core.timeutil import local_to_utc
from incubator.extensions import db
from incubator.resources import queries
from incubator.resources.availability import CalendarDay
from incubator.resources.models import Booking, Resource
from incubator.resources.permissions import can_browse_resources, can_manage_resources, can_view_booking


def viewer_zone() -> ZoneInfo:
    return ZoneInfo(str(get_timezone()))


def load_resource(resource_id: int) -> Resource:
    """A resource the user may look at: 404 when missing (or archived, for founders), 403 for other roles."""
    require(can_browse_resources(current_user))
    resource = db.session.get(Resource, resource_id)
    if resource is None or (not resource.is_active and not can_manage_resources(current_user)):
        abort(404)
    return resource


def load_booking(booking_id: int) -> Booking:
    """A booking with its resource and startup; 404 when missing, 403 unless the user may see it."""
    booking = db.session.scalar(
        db.select(Booking).where(Booking.id == booking_id)
        .options(joinedload(Booking.resource), joinedload(Booking.startup).selectinload(Startup.members),
                 joinedload(Booking.booked_by))
    )
    if booking is None:
        abort(404)
    require(can_view_booking(current_user, booking))
    return booking


def startup_choices(manager: bool) -> tuple[list[Startup], list[tuple[int, str]]]:
    """The startups the user may book for, and the form's choices (managers also: the incubator's own use)."""
    startups = queries.bookable_startups() if manager else queries.founder_startups(current_user)
    choices = [(s.id, s.name) for s in startups]
    if manager:
        from flask_babel import gettext as _

        choices.insert(0, (0, _("The incubator's own use (no startup)")))
    return startups, choices


def interval_from(day: date, start: time, end: time) -> tuple[datetime, datetime]:
    """The UTC interval a viewer typed: ``day`` from ``start`` to ``end`` in their zone (an end at or
    before the start is on the next day)."""
    starts_at = local_to_utc(datetime.combine(day, start))
    end_day = day + timedelta(days=1) if end <= start else day
    return starts_at, local_to_utc(datetime.combine(end_day, end))


# The calendar's day bars ---------------------------------------------------------------------------

DEFAULT_HOURS = (8, 18)


@dataclass(frozen=True)
class Bar:
    x: float  # of 1000
    width: float
    kind: str
    title: str


def display_hours(days: list[CalendarDay], zone: ZoneInfo) -> tuple[int, int]:
    """The viewer's hours worth drawing: from the earliest open or busy stretch to the latest, whole hours."""
    moments = [(s.start, s.end) for day in days for s in day.segments if s.kind != "closed"]
    if not moments:
        return DEFAULT_HOURS
    first = min(s.astimezone(zone).hour for s, _e in moments)
    last = 0
    for day in days:
        for segment in day.segments:
            if segment.kind == "closed":
                continue
            end = segment.end.astimezone(zone)
            hours = 24 if segment.end >= day.end else end.hour + (1 if end.minute else 0)
            last = max(last, hours)
    return (min(first, DEFAULT_HOURS[0]), max(last, first + 1))


def bars(day: CalendarDay, hours: tuple[int, int], zone: ZoneInfo, describe) -> list[Bar]:
    """The day's segments as horizontal bars over ``hours`` (viewer's clock), 0–1000 wide."""
    window_start = datetime.combine(day.day, time(0), tzinfo=zone) + timedelta(hours=hours[0])
    window_end = datetime.combine(day.day, time(0), tzinfo=zone) + timedelta(hours=hours[1])
    span = (window_end - window_start).total_seconds()
    result = []
    for segment in day.segments:
        start, end = max(segment.start, window_start), min(segment.end, window_end)
        if end <= start:
            continue
        x = (start - window_start).total_seconds() / span * 1000
        width = (end - start).total_seconds() / span * 1000
        result.append(Bar(round(x, 1), round(width, 1), segment.kind, describe(segment)))
    return result
