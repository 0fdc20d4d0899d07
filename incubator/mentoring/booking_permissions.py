"""Who may set availability, book, see and change mentoring sessions, and read mentor hours.

- Mentors set their own availability and office hours.
- A startup's founders book the mentors matched with it (an ``ACCEPTED`` match) and any office hours
  of its cohort; managers may book on a startup's behalf.
- A session is visible to its mentor, the startup's founders and managers. Either side may cancel or
  move it until the cohort's cut-off before it starts; after that only managers.
- Notes are private to their side and managers; the mentor marks no-shows (managers too).
- Mentor hours and cohort mentoring policies are for managers.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from incubator.auth.models import Role, User
from incubator.cohorts.models import CohortStatus, Startup, StartupStatus
from incubator.cohorts.permissions import is_founder_of, is_manager
from incubator.db import utcnow
from incubator.mentoring.models.availability import OfficeHours
from incubator.mentoring.models.bookings import MentorBooking, NoteSide
from incubator.mentoring.queries import accepted_match


def is_mentor(user: User) -> bool:
    return user.is_authenticated and user.role == Role.MENTOR


def can_set_availability(user: User) -> bool:
    return is_mentor(user)


def can_manage_office_hours(user: User, block: OfficeHours) -> bool:
    return is_manager(user) or (is_mentor(user) and block.mentor_id == user.id)


def startup_takes_mentoring(startup: Startup) -> bool:
    """Active startups of a running cohort book mentors."""
    return startup.status == StartupStatus.ACTIVE and startup.cohort.status == CohortStatus.RUNNING


def can_book_for(user: User, startup: Startup) -> bool:
    """Open the startup's "Book a mentor" page: its founders and managers."""
    return is_manager(user) or is_founder_of(user, startup)


def can_book_mentor(user: User, startup: Startup, mentor: User) -> bool:
    """Book the mentor's weekly hours for the startup: they must be matched (the mentor accepted)."""
    return (can_book_for(user, startup) and mentor.role == Role.MENTOR and mentor.is_active
            and accepted_match(mentor.id, startup.id) is not None)


def can_book_office_hours(user: User, startup: Startup, block: OfficeHours) -> bool:
    """Office hours are open to every startup of their cohort."""
    return can_book_for(user, startup) and block.cohort_id == startup.cohort_id


def side_of(user: User, booking: MentorBooking) -> NoteSide | None:
    """Which side of the session ``user`` is on, if any."""
    if not user.is_authenticated:
        return None
    if user.role == Role.MENTOR and booking.mentor_id == user.id:
        return NoteSide.MENTOR
    if is_founder_of(user, booking.startup):
        return NoteSide.STARTUP
    return None


def can_view_booking(user: User, booking: MentorBooking) -> bool:
    return is_manager(user) or side_of(user, booking) is not None


def can_change_booking(user: User, booking: MentorBooking) -> bool:
    """Cancel or move a session: managers and both sides (the cut-off is checked by the service)."""
    return can_view_booking(user, booking)


def change_deadline(booking: MentorBooking, cutoff_hours: int) -> datetime:
    """Until when either side may still cancel or move the session."""
    return booking.starts_at - timedelta(hours=cutoff_hours)


def within_cutoff(user: User, booking: MentorBooking, cutoff_hours: int, now: datetime | None = None) -> bool:
    """Whether ``user`` may still cancel or move the session now: managers always, the sides until the cut-off."""
    return is_manager(user) or (now or utcnow()) <= change_deadline(booking, cutoff_hours)


def can_write_note(user: User, booking: MentorBooking) -> bool:
    """Each side writes its own notes and rating once the session has started."""
    return side_of(user, booking) is not None


def can_read_note(user: User, side: NoteSide, booking: MentorBooking) -> bool:
    return is_manager(user) or side_of(user, booking) == side


def can_mark_no_show(user: User, booking: MentorBooking) -> bool:
    return is_manager(user) or side_of(user, booking) == NoteSide.MENTOR


def can_list_sessions(user: User) -> bool:
    return is_manager(user) or user.role in (Role.MENTOR, Role.FOUNDER)


def can_have_calendar_feed(user: User) -> bool:
    return user.is_authenticated and user.role in (Role.MENTOR, Role.FOUNDER, Role.MANAGER)


def can_view_mentor_hours(user: User) -> bool:
    return is_manager(user)


def can_set_mentoring_policy(user: User) -> bool:
    return is_manager(user)
