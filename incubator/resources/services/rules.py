"""The booking rules for one interval: its shape (grid, length, not past) and what it clashes with
(booking horizon, opening hours, blackouts, other bookings).

Managers may book outside opening hours, beyond the horizon and outside the length limits (an evening
event, a long workshop); nobody may book into a blackout, over another booking or in the past.
"""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from flask_babel import format_datetime, format_time
from flask_babel import gettext as _

from incubator.core.errors import ServiceError
from incubator.resources.availability import (
    blackouts_between,
    covers,
    holding_bookings,
    incubator_zone,
    opening_intervals,
)
from incubator.resources.formatting import hours_text
from incubator.resources.models import Resource

# A booking may still be made, and checked in, until this long after its start.
CHECK_IN_GRACE = timedelta(minutes=15)
# Check-in opens this long before the start.
CHECK_IN_OPENS = timedelta(minutes=15)
MAX_WEEKS = 26


def occurrences(starts_at: datetime, ends_at: datetime, weeks: int) -> list[tuple[datetime, datetime]]:
    """The same local wall-clock time on ``weeks`` consecutive weeks (in the incubator's zone)."""
    zone = incubator_zone()
    local_start, local_end = starts_at.astimezone(zone), ends_at.astimezone(zone)
    result = []
    for week in range(weeks):
        start = (local_start.replace(tzinfo=None) + timedelta(weeks=week)).replace(tzinfo=zone)
        end = (local_end.replace(tzinfo=None) + timedelta(weeks=week)).replace(tzinfo=zone)
        result.append((start.astimezone(timezone.utc), end.astimezone(timezone.utc)))
    return result


def _on_grid(moment: datetime, slot: int) -> bool:
    local = moment.astimezone(incubator_zone())
    return local.second == 0 and local.microsecond == 0 and (local.hour * 60 + local.minute) % slot == 0


def check_shape(resource: Resource, starts_at: datetime, ends_at: datetime, *, manager: bool,
                now: datetime) -> None:
    """Refuse an interval that is empty, off the resource's time grid, too short or long, or past.

    :raises ServiceError: with the problem beside the ``starts_at`` or ``ends_at`` field.
    """
    if ends_at <= starts_at:
        raise ServiceError.on("ends_at", _("The end must be after the start."))
    slot = resource.slot_minutes
    if not (_on_grid(starts_at, slot) and _on_grid(ends_at, slot)):
        raise ServiceError.on("starts_at", _("Bookings start and end on the %(n)d-minute grid (such as 09:00 or "
                                             "09:%(n)02d).", n=slot) if slot < 60 else
                              _("Bookings start and end on the hour (such as 09:00)."))
    minutes = int((ends_at - starts_at).total_seconds() // 60)
    if not manager and minutes < resource.min_minutes:
        raise ServiceError.on("ends_at", _("Book at least %(length)s.", length=hours_text(resource.min_minutes)))
    if not manager and minutes > resource.max_minutes:
        raise ServiceError.on("ends_at", _("Book at most %(length)s at a time.",
                                           length=hours_text(resource.max_minutes)))
    if starts_at < now - CHECK_IN_GRACE:
        raise ServiceError.on("starts_at", _("That time has already passed."))


def clashes(resource: Resource, starts_at: datetime, ends_at: datetime, *, manager: bool, now: datetime,
            exclude_ids=()) -> list[str]:
    """Why ``[starts_at, ends_at)`` cannot be booked, one readable reason per problem (empty: it can).

    Times in the reasons are in the viewer's zone.
    """
    reasons = []
    horizon = now + timedelta(days=resource.advance_days)
    if not manager and starts_at > horizon:
        reasons.append(_("%(resource)s can be booked at most %(days)d days ahead (until %(when)s).",
                         resource=resource.name, days=resource.advance_days, when=format_datetime(horizon, "short")))
    if not manager and not covers(opening_intervals(resource, starts_at, ends_at), starts_at, ends_at):
        reasons.append(_("%(resource)s is not open for bookings for all of %(when)s.", resource=resource.name,
                         when=span(starts_at, ends_at)))
    for blackout in blackouts_between(resource.id, starts_at, ends_at):
        reasons.append(_("Closed %(when)s: %(reason)s.", when=span(blackout.starts_at, blackout.ends_at),
                         reason=blackout.reason or blackout.kind_label))
    for booking in holding_bookings(resource.id, starts_at, ends_at, exclude_ids):
        reasons.append(_("Already booked %(when)s.", when=span(booking.starts_at, booking.ends_at)))
    return reasons


def span(start: datetime, end: datetime) -> str:
    """``Tue 24 Nov 2026, 09:00–11:00`` in the viewer's zone (the end's date only when it differs)."""
    if format_datetime(start, "yyyyMMdd") == format_datetime(end, "yyyyMMdd"):
        return f"{format_datetime(start, 'EEE d MMM y, HH:mm')}–{format_time(end, 'HH:mm')}"
    return f"{format_datetime(start, 'EEE d MMM y, HH:mm')} – {format_datetime(end, 'EEE d MMM y, HH:mm')}"
