"""iCalendar (RFC 5545) for mentoring sessions: one file per session and a private feed per user.

Times are written in UTC (``DTSTART:20260303T020000Z``), so no ``VTIMEZONE`` is needed and every calendar
app shows them in its own zone. A session keeps its ``UID`` for life and raises ``SEQUENCE`` on each change,
so importing a newer file (or the feed refreshing) updates the event instead of adding a second one. A
cancelled session's file carries ``METHOD:CANCEL`` and ``STATUS:CANCELLED``, which removes it.
"""
from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from flask import current_app
from flask_babel import gettext as _
from icalendar import Calendar, Event, vCalAddress, vText

from incubator.auth.models import User
from incubator.core.urls import external_url
from incubator.db import utcnow
from incubator.mentoring.models.bookings import BookingStatus, MentorBooking

PRODID = "-//Incubator//Mentoring sessions//EN"
REFRESH = timedelta(hours=1)  # how often subscribed calendar apps should fetch the feed again


def _uid(booking: MentorBooking) -> str:
    host = urlsplit(current_app.config["APP_BASE_URL"]).hostname or "incubator"
    return f"mentoring-{booking.uid}@{host}"


def _address(user: User, **params) -> vCalAddress:
    address = vCalAddress(f"mailto:{user.email}")
    address.params["cn"] = vText(user.name)
    for key, value in params.items():
        address.params[key.replace("_", "-").upper()] = vText(value)
    return address


def _event(booking: MentorBooking, founders: Iterable[User], stamp: datetime) -> Event:
    page = external_url("mentor_booking.view_booking", booking_id=booking.id)
    event = Event()
    event.add("uid", _uid(booking))
    event.add("dtstamp", stamp)
    event.add("dtstart", booking.starts_at)
    event.add("dtend", booking.ends_at)
    event.add("created", booking.created_at)
    event.add("last-modified", booking.updated_at)
    event.add("sequence", booking.sequence)
    event.add("summary", _("Mentoring: %(startup)s with %(mentor)s", startup=booking.startup.name,
                           mentor=booking.mentor.name))
    lines = [booking.agenda] if booking.agenda else []
    if booking.location:
        lines.append(_("How to join: %(where)s", where=booking.location))
    lines.append(page)
    event.add("description", "\n\n".join(lines))
    if booking.location:
        event.add("location", booking.location)
    event.add("url", page)
    event.add("organizer", _address(booking.mentor))
    for founder in founders:
        event.add("attendee", _address(founder, cutype="INDIVIDUAL", role="REQ-PARTICIPANT", partstat="ACCEPTED"),
                  encode=0)
    event.add("status", "CANCELLED" if booking.status == BookingStatus.CANCELLED else "CONFIRMED")
    event.add("transp", "TRANSPARENT" if booking.status == BookingStatus.CANCELLED else "OPAQUE")
    return event


def _calendar(method: str) -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", method)
    return calendar


def booking_ics(booking: MentorBooking, founders: Iterable[User], now: datetime | None = None) -> bytes:
    """The ``.ics`` file of one session: ``METHOD:PUBLISH``, or ``METHOD:CANCEL`` once it is cancelled.

    :param founders: the startup's founder accounts (the attendees); the mentor is the organizer.
    """
    cancelled = booking.status == BookingStatus.CANCELLED
    calendar = _calendar("CANCEL" if cancelled else "PUBLISH")
    calendar.add_component(_event(booking, founders, now or utcnow()))
    return calendar.to_ical()


def feed_ics(owner: User, bookings: Iterable[MentorBooking], founders: dict[int, list[User]],
             now: datetime | None = None) -> bytes:
    """A subscribable calendar of ``owner``'s sessions (cancelled ones stay, marked cancelled, so apps drop them).

    :param founders: startup id to its founder accounts (one query for the whole feed).
    """
    calendar = _calendar("PUBLISH")
    calendar.add("x-wr-calname", _("Mentoring sessions – %(name)s", name=owner.name))
    calendar.add("x-wr-timezone", owner.timezone)
    calendar.add("refresh-interval", REFRESH, parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", "PT1H")
    stamp = now or utcnow()
    for booking in bookings:
        calendar.add_component(_event(booking, founders.get(booking.startup_id, []), stamp))
    return calendar.to_ical()
