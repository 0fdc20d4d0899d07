"""Loading helpers shared by the session views (each checks access before any work) and the slot pages' weeks."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask_login import current_user
from sqlalchemy.orm import joinedload, selectinload

from incubator.cohorts.models import Startup, TeamMember
from incubator.cohorts.queries import startup_with_team
from incubator.core.authz import require
from incubator.db import utcnow
from incubator.extensions import db
from incubator.mentoring.booking_permissions import can_book_for, can_view_booking
from incubator.mentoring.models.bookings import MentorBooking

DAYS_PER_PAGE = 7


def booking_query(booking_id: int) -> sa.Select:
    """One session with everything its page shows (startup and team, mentor, cohort, notes and their authors)."""
    return (sa.select(MentorBooking).where(MentorBooking.id == booking_id)
            .options(joinedload(MentorBooking.startup).selectinload(Startup.members),
                     joinedload(MentorBooking.startup).joinedload(Startup.cohort),
                     joinedload(MentorBooking.mentor), joinedload(MentorBooking.cohort),
                     joinedload(MentorBooking.booked_by), joinedload(MentorBooking.cancelled_by),
                     selectinload(MentorBooking.notes)))


def load_booking(booking_id: int) -> MentorBooking:
    """The session; 404 when missing, 403 unless the user is on one of its sides or a manager."""
    booking = db.first_or_404(booking_query(booking_id))
    require(can_view_booking(current_user, booking))
    return booking


def load_startup(startup_id: int) -> Startup:
    """The startup with cohort and team; 404 when missing, 403 unless the user may book for it."""
    startup = db.first_or_404(startup_with_team(startup_id))
    require(can_book_for(current_user, startup))
    return startup


def founder_startups(user_id: int) -> list[Startup]:
    """The startups ``user_id`` is a team member of, with their cohorts (one query)."""
    return list(db.session.scalars(
        sa.select(Startup).join(TeamMember, TeamMember.startup_id == Startup.id)
        .where(TeamMember.user_id == user_id).options(joinedload(Startup.cohort)).order_by(Startup.name)))


@dataclass(frozen=True)
class WeekPage:
    """A 7-day page of slots in the viewer's zone: [start, end) as UTC instants."""

    offset: int
    first_day: date
    start: datetime
    end: datetime
    has_next: bool

    @property
    def last_day(self) -> date:
        return self.first_day + timedelta(days=DAYS_PER_PAGE - 1)


def week_page(offset: int, zone: str, horizon_days: int, now: datetime | None = None) -> WeekPage:
    """The ``offset``-th 7-day page from today (viewer's zone), bounded by ``horizon_days`` ahead."""
    now = now or utcnow()
    tz = ZoneInfo(zone)
    pages = max(1, -(-(horizon_days + 1) // DAYS_PER_PAGE))
    offset = min(max(offset, 0), pages - 1)
    first = now.astimezone(tz).date() + timedelta(days=offset * DAYS_PER_PAGE)
    start = datetime.combine(first, time(0, 0), tzinfo=tz).astimezone(timezone.utc)
    end = datetime.combine(first + timedelta(days=DAYS_PER_PAGE), time(0, 0), tzinfo=tz).astimezone(timezone.utc)
    return WeekPage(offset, first, max(start, now), end, offset < pages - 1)
