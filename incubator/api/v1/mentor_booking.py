"""Mentoring-session endpoints: a mentor's open slots, and booking, listing, cancelling and moving sessions.

The same permissions as the web pages: founders book the mentors matched with their startup and the office
hours of their cohort (managers may book on a startup's behalf); a session is visible to its mentor, the
startup's founders and managers; either side may cancel or move it until the cohort's cut-off, managers at
any time. A slot can be booked once: the loser of a race gets a 409. Over the monthly allowance is a 409
whose message says what is left.
"""
from __future__ import annotations

from datetime import datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from incubator.api.v1.mentor_booking_schemas import (
    MAX_SLOT_DAYS,
    BookingIn,
    BookingListQuery,
    BookingOut,
    BookingPage,
    CancelIn,
    RescheduleIn,
    SlotList,
    SlotOut,
    SlotQuery,
)
from incubator.api.v1.payloads import first_or_404, paginate, parse_body, parse_query, respond
from incubator.api.v1.spec import operation
from incubator.auth.models import Role, User
from incubator.cohorts.models import Startup
from incubator.cohorts.queries import startup_with_team
from incubator.core.authz import require
from incubator.core.errors import ServiceError
from incubator.core.uow import perform
from incubator.db import utcnow
from incubator.extensions import db
from incubator.mentoring.booking_permissions import (
    can_book_for,
    can_book_mentor,
    can_book_office_hours,
    can_change_booking,
    can_list_sessions,
    can_view_booking,
)
from incubator.mentoring.models.availability import OfficeHours
from incubator.mentoring.models.bookings import MentorBooking
from incubator.mentoring.queries import sessions_query
from incubator.mentoring.services import availability
from incubator.mentoring.services import bookings as services
from incubator.mentoring.views.booking_common import booking_query, founder_startups

TAG = "mentoring sessions"


def _mentor(mentor_id: int) -> User:
    return first_or_404(sa.select(User).where(User.id == mentor_id, User.role == Role.MENTOR),
                        _("There is no mentor with id %(id)d.", id=mentor_id))


def _startup(startup_id: int) -> Startup:
    startup = first_or_404(startup_with_team(startup_id), _("There is no startup with id %(id)d.", id=startup_id))
    require(can_book_for(current_user, startup))
    return startup


def _office_hours(office_hours_id: int | None) -> OfficeHours | None:
    if office_hours_id is None:
        return None
    return first_or_404(sa.select(OfficeHours).where(OfficeHours.id == office_hours_id),
                        _("There are no office hours with id %(id)d.", id=office_hours_id))


def _booking(booking_id: int) -> MentorBooking:
    booking = first_or_404(booking_query(booking_id), _("There is no session with id %(id)d.", id=booking_id))
    require(can_view_booking(current_user, booking))
    return booking


def _fresh(booking_id: int) -> BookingOut:
    return BookingOut.of(db.session.scalar(booking_query(booking_id).execution_options(populate_existing=True)))


def _slots_startup(args: SlotQuery) -> Startup | None:
    if args.startup_id is not None:
        return _startup(args.startup_id)
    if current_user.role != Role.FOUNDER:
        return None
    startups = founder_startups(current_user.id)
    if len(startups) != 1:
        raise ServiceError.on("startup_id", _("Say which of your startups the session would be for."))
    return startups[0]


@operation("/mentors/<id:mentor_id>/slots", summary=_l("List a mentor's open slots"), tag=TAG, query=SlotQuery,
           response=SlotList)
def list_mentor_slots(mentor_id: int):
    """Open slots between two days: the mentor's weekly hours (for a matched startup) and office hours (for
    startups of their cohort), after notice, window, buffers and sessions already booked.

    Founders see the slots their startup may book (403 when it may book none of this mentor's time); the
    mentor and managers see all of them, or a startup's with ``startup_id``.
    """
    mentor = _mentor(mentor_id)
    require(current_user.role in (Role.MANAGER, Role.FOUNDER) or current_user.id == mentor.id)
    args = parse_query(SlotQuery)
    zone = args.tz or current_user.timezone
    tz = ZoneInfo(zone)
    first = args.start or utcnow().astimezone(tz).date()
    last = args.end or first + timedelta(days=13)
    if last < first or (last - first).days >= MAX_SLOT_DAYS:
        raise ServiceError.on("end", _("Give an end on or after the start, at most %(n)d days later.",
                                       n=MAX_SLOT_DAYS - 1))
    startup = _slots_startup(args)
    start = datetime.combine(first, time(0, 0), tzinfo=tz).astimezone(timezone.utc)
    end = datetime.combine(last + timedelta(days=1), time(0, 0), tzinfo=tz).astimezone(timezone.utc)
    weekly = startup is None or can_book_mentor(current_user, startup, mentor)
    blocks = db.session.scalars(sa.select(OfficeHours).where(
        OfficeHours.mentor_id == mentor.id, OfficeHours.closed_at.is_(None), OfficeHours.starts_at < end,
        OfficeHours.ends_at > start)).all()
    blocks = [b for b in blocks if startup is None or can_book_office_hours(current_user, startup, b)]
    require(weekly or bool(blocks) or startup is None)
    found = availability.regular_open_slots(mentor, start, end) if weekly else []
    for block in blocks:
        found += [s for s in availability.office_hours_open_slots(block) if start <= s.starts_at < end]
    found.sort(key=lambda s: s.starts_at)
    return respond(SlotList(mentor_id=mentor.id, mentor_timezone=mentor.timezone,
                            startup_id=startup.id if startup else None, timezone=zone,
                            items=[SlotOut.of(s, zone, mentor.timezone) for s in found]))


@operation("/mentor-bookings", summary=_l("List mentoring sessions"), tag=TAG, query=BookingListQuery,
           response=BookingPage)
def list_mentor_bookings():
    """The caller's sessions (managers: everyone's), upcoming soonest first or past latest first."""
    require(can_list_sessions(current_user))
    args = parse_query(BookingListQuery)
    query = sessions_query(current_user, args.scope, utcnow())
    if args.status is not None:
        query = query.where(MentorBooking.status == args.status)
    if args.mentor_id is not None:
        query = query.where(MentorBooking.mentor_id == args.mentor_id)
    if args.startup_id is not None:
        query = query.where(MentorBooking.startup_id == args.startup_id)
    bookings, envelope = paginate(query, args)
    return respond(BookingPage(items=[BookingOut.of(b) for b in bookings], **envelope))


@operation("/mentor-bookings", "POST", summary=_l("Book a mentoring session"), tag=TAG, body=BookingIn,
           response=BookingOut, status=201, errors=(409,))
def create_mentor_booking():
    """Book one of the open slots (from the slots list) for a startup, with an agenda.

    409 when the slot was just taken, the office hours are closed, the mentor paused bookings, or the
    startup's monthly mentor-time allowance would be exceeded (the message says what is left); 422 when the
    time is too soon, too far ahead or not an open slot; 403 when the startup is not matched with the mentor
    (or not in the office hours' cohort).
    """
    require(current_user.role in (Role.MANAGER, Role.FOUNDER))
    body = parse_body(BookingIn)
    startup = _startup(body.startup_id)
    mentor = _mentor(body.mentor_id)
    block = _office_hours(body.office_hours_id)
    if block is not None:
        require(can_book_office_hours(current_user, startup, block) and block.mentor_id == mentor.id)
    else:
        require(can_book_mentor(current_user, startup, mentor))
    booking = perform(services.book_session, current_user, startup, mentor, body.starts_at, body.agenda, block)
    return respond(_fresh(booking.id), 201, url_for("api_v1.get_mentor_booking", booking_id=booking.id))


@operation("/mentor-bookings/<id:booking_id>", summary=_l("Get a mentoring session"), tag=TAG, response=BookingOut)
def get_mentor_booking(booking_id: int):
    """One session: its mentor, the startup's founders and managers may read it."""
    _booking(booking_id)
    return respond(_fresh(booking_id))


@operation("/mentor-bookings/<id:booking_id>/cancel", "POST", summary=_l("Cancel a mentoring session"), tag=TAG,
           body=CancelIn, response=BookingOut, errors=(409,))
def cancel_mentor_booking(booking_id: int):
    """Cancel with a reason the other side is told. Either side until the cohort's cut-off (403 after it),
    managers at any time before it starts; 409 when already cancelled or started."""
    booking = _booking(booking_id)
    require(can_change_booking(current_user, booking))
    body = parse_body(CancelIn)
    perform(services.cancel_session, current_user, booking, body.reason)
    return respond(_fresh(booking_id))


@operation("/mentor-bookings/<id:booking_id>/reschedule", "POST", summary=_l("Move a mentoring session"), tag=TAG,
           body=RescheduleIn, response=BookingOut, errors=(409,))
def reschedule_mentor_booking(booking_id: int):
    """Move to another open slot of the same mentor (same calendar event, higher ``sequence``). The same
    cut-off as cancelling; 409 when the new slot is taken or over the allowance; 422 when it is not open."""
    booking = _booking(booking_id)
    require(can_change_booking(current_user, booking))
    body = parse_body(RescheduleIn)
    block = _office_hours(body.office_hours_id)
    perform(services.reschedule_session, current_user, booking, body.starts_at, body.reason, block)
    return respond(_fresh(booking_id))
