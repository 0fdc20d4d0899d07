"""Telling people about bookings (in the app, and by email unless they turned "Resource bookings" off).

Titles are lazy strings rendered in each recipient's language and time zone, so a booking's time reads
in the recipient's own clock (``When`` formats itself at that moment).
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from flask_babel import format_datetime, format_time

from incubator.auth.models import Role, User
from incubator.cohorts.models import TeamMember
from incubator.core.urls import app_path
from incubator.extensions import db
from incubator.notifications.services import notify
from incubator.resources.models import Booking

CATEGORY = "bookings"


@dataclass(frozen=True)
class When:
    """A booking's time, formatted when the message is rendered (in the recipient's zone)."""

    start: datetime
    end: datetime
    counted: bool = False

    def __str__(self) -> str:
        if self.counted:
            return format_datetime(self.start, "medium")
        same_day = format_datetime(self.start, "yyyyMMdd") == format_datetime(self.end, "yyyyMMdd")
        end = format_time(self.end, "short") if same_day else format_datetime(self.end, "medium")
        return f"{format_datetime(self.start, 'medium')} – {end}"


def when(booking: Booking) -> When:
    return When(booking.starts_at, booking.ends_at, booking.units is not None)


def managers() -> list[User]:
    """Every active manager account."""
    return list(db.session.scalars(
        sa.select(User).where(User.role == Role.MANAGER, User.is_active.is_(True)).order_by(User.id)))


def people_of(booking: Booking) -> list[User]:
    """Who a booking concerns: whoever made it and the founders of its startup (active accounts)."""
    users: dict[int, User] = {}
    if booking.booked_by is not None and booking.booked_by.is_active:
        users[booking.booked_by.id] = booking.booked_by
    if booking.startup_id is not None:
        founders = db.session.scalars(
            sa.select(User).join(TeamMember, TeamMember.user_id == User.id)
            .where(TeamMember.startup_id == booking.startup_id, User.role == Role.FOUNDER, User.is_active.is_(True))
        )
        users.update({user.id: user for user in founders})
    return list(users.values())


def tell(users: Iterable[User], booking: Booking, title, body="", *, skip: User | None = None,
         dedupe: str | None = None) -> int:
    """Notify each of ``users`` (but ``skip``, the person who acted) about ``booking``; returns how many."""
    link = app_path("resources.view_booking", booking_id=booking.id)
    sent = 0
    for user in users:
        if skip is not None and user.id == skip.id:
            continue
        key = f"{dedupe}:{user.id}" if dedupe else None
        sent += notify(user, CATEGORY, title, body, link=link, dedupe_key=key) is not None
    return sent

