"""Booking, cancelling and moving mentoring sessions, and what happens after them (notes, ratings, no-shows).

A slot is booked once. Each write first takes the mentor's and the startup's row locks (PostgreSQL:
``FOR NO KEY UPDATE``; SQLite already holds the database's write lock from ``BEGIN IMMEDIATE``), then
checks the slot and the startup's monthly allowance, then inserts. On PostgreSQL the exclusion
constraint ``ex_mentor_bookings_no_overlap`` is the last word: a clash that slipped past becomes a
``ConflictError`` (409), never a 500. Services flush; the caller commits.
"""
from __future__ import annotations

from contextlib import contextmanager
from datetime import date, datetime, time, timedelta, timezone

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from incubator.audit.services import record
from incubator.auth.models import User
from incubator.cohorts.models import Startup
from incubator.core.errors import ConflictError, ForbiddenError, ServiceError
from incubator.db import is_unique_violation, utcnow
from incubator.extensions import db
from incubator.mentoring import booking_notices as notices
from incubator.mentoring.booking_permissions import startup_takes_mentoring, within_cutoff
from incubator.mentoring.models.availability import OfficeHours
from incubator.mentoring.models.bookings import ACTIVE_STATUSES, BookingStatus, MentorBooking, NoteSide, SessionNote
from incubator.mentoring.queries import accepted_match
from incubator.mentoring.services import availability
from incubator.mentoring.slots import Slot
from incubator.progress.periods import add_months, incubator_zone

MAX_AGENDA = 2000
MAX_REASON = 1000
MAX_NOTE = 5000


def format_minutes(minutes: int) -> str:
    """``90`` as "1 h 30 min" (translated)."""
    hours, rest = divmod(max(minutes, 0), 60)
    if hours and rest:
        return _("%(h)d h %(m)d min", h=hours, m=rest)
    if hours:
        return _("%(h)d h", h=hours)
    return _("%(m)d min", m=rest)


def _lock_people(mentor_id: int, startup_id: int) -> None:
    # NO KEY UPDATE: inserts that merely reference the mentor (notifications, audit) do not wait on it.
    db.session.execute(sa.select(User.id).where(User.id == mentor_id).with_for_update(key_share=True))
    db.session.execute(sa.select(Startup.id).where(Startup.id == startup_id).with_for_update(key_share=True))


def _lock_booking(booking: MentorBooking) -> None:
    db.session.execute(sa.select(MentorBooking.id).where(MentorBooking.id == booking.id)
                       .with_for_update(key_share=True))
    db.session.refresh(booking)


@contextmanager
def _slot_stays_single():
    taken = ConflictError(_("Someone booked this time a moment ago. Please choose another slot."))
    try:
        with db.session.begin_nested():
            yield
    except IntegrityError as exc:
        if is_unique_violation(exc):
            raise taken from exc
        raise


def _required_text(value: str | None, field: str, missing: str, limit: int) -> str:
    text = (value or "").strip()
    if not text:
        raise ServiceError.on(field, missing)
    if len(text) > limit:
        raise ServiceError.on(field, _("Keep this under %(n)s characters.", n=f"{limit:,}"))
    return text


# Allowance ----------------------------------------------------------------------------------------


def month_bounds(month: date) -> tuple[datetime, datetime]:
    """The UTC instants a calendar month (in the incubator's time zone) starts and ends."""
    zone = incubator_zone()
    start = datetime.combine(month, time(0, 0), tzinfo=zone)
    end = datetime.combine(add_months(month, 1), time(0, 0), tzinfo=zone)
    return start.astimezone(timezone.utc), end.astimezone(timezone.utc)


def month_of(instant: datetime) -> date:
    """The first day of the incubator-time month ``instant`` falls in."""
    return instant.astimezone(incubator_zone()).date().replace(day=1)


def minutes_used(startup_id: int, month: date, exclude_booking_id: int | None = None) -> int:
    """Mentor minutes the startup has booked (or used) in a month; cancelled sessions do not count."""
    start, end = month_bounds(month)
    # Summed in Python: interval arithmetic differs per database, and a month holds few sessions.
    rows = db.session.execute(sa.select(MentorBooking.starts_at, MentorBooking.ends_at).where(
        MentorBooking.startup_id == startup_id, MentorBooking.status.in_(ACTIVE_STATUSES),
        MentorBooking.starts_at >= start, MentorBooking.starts_at < end,
        MentorBooking.id != (exclude_booking_id or 0)))
    return sum(int((ends - starts).total_seconds() // 60) for starts, ends in rows)


def allowance_left(startup: Startup, month: date, exclude_booking_id: int | None = None) -> int | None:
    """Minutes the startup may still book in ``month``; ``None`` when its cohort sets no limit."""
    allowance = availability.policy_for(startup.cohort_id).monthly_minutes
    if not allowance:
        return None
    return max(allowance - minutes_used(startup.id, month, exclude_booking_id), 0)


def _check_allowance(startup: Startup, slot: Slot, exclude_booking_id: int | None = None) -> None:
    month = month_of(slot.starts_at)
    left = allowance_left(startup, month, exclude_booking_id)
    if left is not None and slot.minutes > left:
        total = availability.policy_for(startup.cohort_id).monthly_minutes
        raise ConflictError(_(
            "This %(length)s session would go beyond the mentor time of %(startup)s for %(month)s: "
            "%(left)s left of %(total)s. Choose a shorter session, another month, or ask the incubator team.",
            length=format_minutes(slot.minutes), startup=startup.name, month=f"{month:%Y-%m}",
            left=format_minutes(left), total=format_minutes(total)))


# Finding the requested slot -------------------------------------------------------------------


def _refusal(mentor: User, starts_at: datetime, now: datetime, office_hours: OfficeHours | None,
             exclude_booking_id: int | None = None) -> ServiceError:
    """Why ``starts_at`` is not an open slot, in words a founder can act on."""
    settings = availability.settings_for(mentor.id)
    if office_hours is not None and office_hours.closed_at is not None:
        return ConflictError(_("These office hours are closed."))
    if office_hours is None and settings.paused:
        return ConflictError(_("%(name)s is not taking new bookings right now.", name=mentor.name))
    if starts_at < now + timedelta(hours=settings.notice_hours):
        return ServiceError.on("starts_at", _("%(name)s needs at least %(hours)d hours' notice. Choose a later slot.",
                                              name=mentor.name, hours=settings.notice_hours))
    if office_hours is None and starts_at > now + timedelta(days=settings.window_days):
        return ServiceError.on("starts_at", _("%(name)s takes bookings at most %(days)d days ahead.",
                                              name=mentor.name, days=settings.window_days))
    buffer = timedelta(minutes=settings.buffer_minutes)
    taken = availability.taken_intervals(mentor.id, starts_at, starts_at + timedelta(hours=4), exclude_booking_id)
    for busy_start, busy_end in taken:
        if busy_start - buffer < starts_at + timedelta(minutes=settings.slot_minutes) and starts_at < busy_end + buffer:
            return ConflictError(_("Someone booked this time a moment ago. Please choose another slot."))
    return ServiceError.on("starts_at", _("That is not one of %(name)s's open times. Choose a slot from the list.",
                                          name=mentor.name))


def find_slot(mentor: User, starts_at: datetime, now: datetime, office_hours: OfficeHours | None = None,
              exclude_booking_id: int | None = None) -> Slot:
    """The open slot starting at ``starts_at``: in the office hours given, else in the mentor's weekly hours.

    :raises ServiceError: (422) too soon, too far ahead or not an open time; :raises ConflictError: (409) taken,
        closed or paused.
    """
    if office_hours is not None:
        candidates = availability.office_hours_open_slots(office_hours, now, exclude_booking_id)
    else:
        candidates = availability.regular_open_slots(mentor, starts_at, starts_at + timedelta(seconds=1), now,
                                                     exclude_booking_id)
    slot = next((s for s in candidates if s.starts_at == starts_at), None)
    if slot is None:
        raise _refusal(mentor, starts_at, now, office_hours, exclude_booking_id)
    return slot


# Booking --------------------------------------------------------------------------------------------


def book_session(actor: User, startup: Startup, mentor: User, starts_at: datetime, agenda: str,
                 office_hours: OfficeHours | None = None, now: datetime | None = None) -> MentorBooking:
    """Book one of the mentor's open slots for the startup.

    :param starts_at: the slot's start (UTC-aware), one of the open slots.
    :param agenda: what the founders want to discuss (required).
    :param office_hours: book inside these office hours (any startup of their cohort) instead of the mentor's
        weekly hours (matched startups only).
    :return: the confirmed session; both sides are notified.
    :raises ServiceError: no agenda, too soon, too far ahead, not an open time. :raises ConflictError: the slot
        was just taken, the startup's monthly allowance would be exceeded (the message says what is left), or
        the startup is not active in a running cohort.
    :raises ForbiddenError: the startup is not matched with the mentor, or not in the office hours' cohort.
    """
    now = now or utcnow()
    agenda = _required_text(agenda, "agenda", _("Say what you would like to discuss, so the mentor can prepare."),
                            MAX_AGENDA)
    _lock_people(mentor.id, startup.id)
    if not startup_takes_mentoring(startup):
        raise ConflictError(_("%(startup)s is not an active startup of a running cohort, so it cannot book "
                              "mentors.", startup=startup.name))
    if office_hours is None and accepted_match(mentor.id, startup.id) is None:
        raise ForbiddenError(_("%(startup)s is not matched with %(name)s.", startup=startup.name, name=mentor.name))
    if office_hours is not None and (office_hours.cohort_id, office_hours.mentor_id) != (startup.cohort_id, mentor.id):
        raise ForbiddenError(_("These office hours are for another cohort."))
    slot = find_slot(mentor, starts_at.astimezone(timezone.utc), now, office_hours)
    _check_allowance(startup, slot)
    location = office_hours.location if office_hours is not None and office_hours.location else \
        availability.settings_for(mentor.id).location
    booking = MentorBooking(mentor_id=mentor.id, startup_id=startup.id, cohort_id=startup.cohort_id,
                            office_hours_id=office_hours.id if office_hours is not None else None,
                            booked_by_id=actor.id, starts_at=slot.starts_at, ends_at=slot.ends_at, agenda=agenda,
                            location=location, scheduled_at=now)
    with _slot_stays_single():
        db.session.add(booking)
    record(actor, "mentoring.session_booked", booking, label=f"{startup.name} / {mentor.name}",
           starts_at=booking.starts_at.isoformat(), office_hours=booking.office_hours_id)
    notices.session_changed(booking, "booked", actor)
    return booking


# Cancelling and moving --------------------------------------------------------------------------------


def _check_changeable(actor: User, booking: MentorBooking, now: datetime, verb: str) -> None:
    if booking.status == BookingStatus.CANCELLED:
        raise ConflictError(_("This session is already cancelled."))
    if booking.has_started(now):
        raise ConflictError(_("This session has already started, so it can no longer be changed."))
    cutoff = availability.policy_for(booking.cohort_id).cancel_cutoff_hours
    if not within_cutoff(actor, booking, cutoff, now):
        if verb == "cancel":
            message = _("Sessions can be cancelled by the mentor or the founders until %(hours)d hours before they "
                        "start. Ask the incubator team to cancel it.", hours=cutoff)
        else:
            message = _("Sessions can be moved by the mentor or the founders until %(hours)d hours before they "
                        "start. Ask the incubator team to move it.", hours=cutoff)
        raise ForbiddenError(message)


def cancel_session(actor: User, booking: MentorBooking, reason: str, now: datetime | None = None) -> MentorBooking:
    """Cancel a session with a reason the other side reads; its time becomes free again.

    :raises ServiceError: no reason. :raises ConflictError: already cancelled, or already started.
    :raises ForbiddenError: past the cohort's cut-off and ``actor`` is not a manager.
    """
    now = now or utcnow()
    _lock_booking(booking)
    _check_changeable(actor, booking, now, "cancel")
    reason = _required_text(reason, "reason", _("Give a reason; the other side will read it."), MAX_REASON)
    booking.status, booking.cancelled_at, booking.cancelled_by_id = BookingStatus.CANCELLED, now, actor.id
    booking.cancel_reason = reason
    booking.sequence += 1
    db.session.flush()
    record(actor, "mentoring.session_cancelled", booking, label=f"{booking.startup.name} / {booking.mentor.name}",
           starts_at=booking.starts_at.isoformat(), reason=reason)
    notices.session_changed(booking, "cancelled", actor, reason=reason)
    return booking


def reschedule_session(actor: User, booking: MentorBooking, starts_at: datetime, reason: str,
                       office_hours: OfficeHours | None = None, now: datetime | None = None) -> MentorBooking:
    """Move a session to another open slot of the same mentor (same calendar event, next ``SEQUENCE``).

    :param office_hours: the new slot lies in these office hours (of the startup's cohort), else in the mentor's
        weekly hours (the startup must still be matched).
    :raises ServiceError: no reason, same time, or not an open slot. :raises ConflictError: cancelled, started,
        taken, or over the allowance. :raises ForbiddenError: past the cut-off for a non-manager, or no longer
        matched.
    """
    now = now or utcnow()
    _lock_people(booking.mentor_id, booking.startup_id)
    _lock_booking(booking)
    _check_changeable(actor, booking, now, "move")
    reason = _required_text(reason, "reason", _("Give a reason; the other side will read it."), MAX_REASON)
    starts_at = starts_at.astimezone(timezone.utc)
    if starts_at == booking.starts_at:
        raise ServiceError.on("starts_at", _("Choose a different time."))
    if office_hours is None and accepted_match(booking.mentor_id, booking.startup_id) is None:
        raise ForbiddenError(_("%(startup)s is no longer matched with %(name)s; choose a slot in their office hours.",
                               startup=booking.startup.name, name=booking.mentor.name))
    if office_hours is not None and (office_hours.cohort_id != booking.cohort_id
                                     or office_hours.mentor_id != booking.mentor_id):
        raise ForbiddenError(_("These office hours are for another cohort."))
    slot = find_slot(booking.mentor, starts_at, now, office_hours, exclude_booking_id=booking.id)
    _check_allowance(booking.startup, slot, exclude_booking_id=booking.id)
    previous = booking.starts_at
    with _slot_stays_single():
        booking.starts_at, booking.ends_at = slot.starts_at, slot.ends_at
        booking.office_hours_id = office_hours.id if office_hours is not None else None
        booking.sequence += 1
        booking.scheduled_at, booking.reschedule_reason, booking.rescheduled_by_id = now, reason, actor.id
        db.session.flush()
    record(actor, "mentoring.session_moved", booking, label=f"{booking.startup.name} / {booking.mentor.name}",
           previous=previous.isoformat(), starts_at=booking.starts_at.isoformat(), reason=reason)
    notices.session_changed(booking, "moved", actor, reason=reason, previous=previous)
    return booking


# After the session -------------------------------------------------------------------------------------


def save_note(actor: User, booking: MentorBooking, side: NoteSide, data: dict,
              now: datetime | None = None) -> SessionNote:
    """Write (or update) one side's notes and rating of a session that has started.

    :param data: ``body`` (private notes), ``rating`` (1-5 or ``None``); for the mentor also ``shared_comment``
        and ``share`` (show the rating and that comment in reports to investors and donors).
    :raises ConflictError: the session was cancelled or has not started. :raises ServiceError: bad rating,
        text too long, or sharing without a comment.
    """
    now = now or utcnow()
    if booking.status == BookingStatus.CANCELLED:
        raise ConflictError(_("This session was cancelled."))
    if not booking.has_started(now):
        raise ConflictError(_("Notes and ratings open once the session has started."))
    body = (data.get("body") or "").strip()
    rating = data.get("rating")
    if rating is not None and (not isinstance(rating, int) or isinstance(rating, bool) or not 1 <= rating <= 5):
        raise ServiceError.on("rating", _("Choose a rating from 1 to 5."))
    if len(body) > MAX_NOTE:
        raise ServiceError.on("body", _("Keep this under %(n)s characters.", n="5,000"))
    shared = (data.get("shared_comment") or "").strip() if side == NoteSide.MENTOR else ""
    share = bool(data.get("share")) and side == NoteSide.MENTOR
    if len(shared) > MAX_AGENDA:
        raise ServiceError.on("shared_comment", _("Keep this under %(n)s characters.", n="2,000"))
    if share and (not shared or rating is None):
        raise ServiceError.on("shared_comment", _("To share an endorsement, give a rating and a comment to share."))
    if not body and rating is None and not shared:
        raise ServiceError.on("body", _("Write a note or choose a rating."))
    note = db.session.scalar(sa.select(SessionNote).where(SessionNote.booking_id == booking.id,
                                                          SessionNote.side == side))
    try:
        with db.session.begin_nested():
            if note is None:
                note = SessionNote(side=side)
                booking.notes.append(note)
            note.author_id, note.body, note.rating = actor.id, body, rating
            note.shared_comment, note.share = shared, share
            db.session.flush()
    except IntegrityError as exc:
        if is_unique_violation(exc):
            raise ConflictError(_("Someone on your side saved notes a moment ago. Reload the page.")) from exc
        raise
    record(actor, "mentoring.session_noted", booking, label=f"{booking.startup.name} / {booking.mentor.name}",
           side=side.value, rating=rating, shared=share or None)
    return note


def set_no_show(actor: User, booking: MentorBooking, no_show: bool, now: datetime | None = None) -> MentorBooking:
    """Mark that the startup did not come (or undo it). Mentor hours count held sessions only.

    :raises ConflictError: cancelled, not started yet, or already in that state.
    """
    now = now or utcnow()
    _lock_booking(booking)
    if booking.status == BookingStatus.CANCELLED:
        raise ConflictError(_("This session was cancelled."))
    if not booking.has_started(now):
        raise ConflictError(_("A no-show can be marked once the session has started."))
    wanted = BookingStatus.NO_SHOW if no_show else BookingStatus.CONFIRMED
    if booking.status == wanted:
        raise ConflictError(_("This session is already marked that way."))
    booking.status = wanted
    booking.no_show_marked_by_id = actor.id if no_show else None
    db.session.flush()
    record(actor, "mentoring.no_show_marked" if no_show else "mentoring.no_show_undone", booking,
           label=f"{booking.startup.name} / {booking.mentor.name}")
    if no_show:
        notices.session_changed(booking, "no_show", actor)
    return booking
