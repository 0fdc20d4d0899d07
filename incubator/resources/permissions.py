"""Who may see, book and manage resources.

* Managers see everything, book for any startup or for the incubator's own use, and manage the catalog,
  approvals, certifications, allowances and reports.
* Founders book for their own startup (an active one) and see their startup's bookings.
* Mentors and investors do not book. An in-person mentoring session is booked by the startup's founder
  (it counts against the startup's allowance) or by a manager; mentors are mostly abroad and have no
  allowance of their own to charge.
"""
from __future__ import annotations

from incubator.auth.models import Role, User
from incubator.cohorts.models import Startup, StartupStatus
from incubator.cohorts.permissions import is_founder_of, is_manager
from incubator.resources.models import Booking


def can_browse_resources(user: User) -> bool:
    """The catalog, resource pages and calendars: the people who may book."""
    return user.is_authenticated and user.role in (Role.MANAGER, Role.FOUNDER)


def can_manage_resources(user: User) -> bool:
    """The catalog's settings, blackouts, approvals, certifications, allowances, all bookings and reports."""
    return is_manager(user)


def can_book_for(user: User, startup: Startup | None) -> bool:
    """Book in the name of ``startup`` (``None``: the incubator's own use, managers only)."""
    if is_manager(user):
        return True
    return startup is not None and startup.status == StartupStatus.ACTIVE and is_founder_of(user, startup)


def can_view_booking(user: User, booking: Booking) -> bool:
    """Managers, whoever made the booking, and the founders of the startup it is for."""
    if not user.is_authenticated:
        return False
    if is_manager(user) or booking.booked_by_id == user.id:
        return True
    return booking.startup is not None and is_founder_of(user, booking.startup)


def can_act_on_booking(user: User, booking: Booking) -> bool:
    """Cancel (within the rules), check in, pay: the same people as ``can_view_booking``, founders or managers."""
    return can_view_booking(user, booking) and user.role in (Role.MANAGER, Role.FOUNDER)


def can_decide_booking(user: User) -> bool:
    """Approve or reject requests: managers."""
    return is_manager(user)
