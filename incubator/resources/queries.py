"""Read-only queries for the resources pages and API: each a fixed number of statements (eager loading)."""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload

from incubator.auth.models import Role, User
from incubator.cohorts.models import Cohort, CohortStatus, Startup, StartupStatus, TeamMember
from incubator.extensions import db
from incubator.resources.models import (
    Allowance,
    Blackout,
    Booking,
    BookingStatus,
    Certification,
    Resource,
    ResourceType,
)


def founder_startups(user: User) -> list[Startup]:
    """The active startups ``user`` is a founder of (whose name they may book in)."""
    if not user.is_authenticated or user.role != Role.FOUNDER:
        return []
    return list(db.session.scalars(
        sa.select(Startup).join(TeamMember, TeamMember.startup_id == Startup.id)
        .where(TeamMember.user_id == user.id, Startup.status == StartupStatus.ACTIVE)
        .options(joinedload(Startup.cohort), selectinload(Startup.members)).order_by(Startup.name)
    ).unique())


def bookable_startups() -> list[Startup]:
    """Every active startup (managers book in any startup's name), with its cohort."""
    return list(db.session.scalars(
        sa.select(Startup).where(Startup.status == StartupStatus.ACTIVE)
        .options(joinedload(Startup.cohort), selectinload(Startup.members)).order_by(Startup.name)
    ))


def type_order():
    """Resources listed by type in the order people look for them (rooms first, credits last), then name."""
    return sa.case({t.value: n for n, t in enumerate(ResourceType)}, value=Resource.type)


def catalog(include_archived: bool = False) -> list[Resource]:
    query = sa.select(Resource).order_by(type_order(), Resource.name)
    if not include_archived:
        query = query.where(Resource.is_active.is_(True))
    return list(db.session.scalars(query))


def with_booking_details(query: sa.Select) -> sa.Select:
    """Load what a booking list shows (resource, startup, who booked) with the bookings."""
    return query.options(joinedload(Booking.resource), joinedload(Booking.startup), joinedload(Booking.booked_by))


def my_bookings_query(user: User, startup_ids: list[int], upcoming: bool, now: datetime) -> sa.Select:
    """Bookings the user made or that are for one of their startups; upcoming (not ended) or past."""
    mine = Booking.booked_by_id == user.id
    if startup_ids:
        mine = sa.or_(mine, Booking.startup_id.in_(startup_ids))
    query = with_booking_details(sa.select(Booking).where(mine))
    if upcoming:
        return query.where(Booking.ends_at >= now).order_by(Booking.starts_at, Booking.id)
    return query.where(Booking.ends_at < now).order_by(Booking.starts_at.desc(), Booking.id.desc())


def all_bookings_query(*, resource_id: int | None = None, status: str | None = None, startup_id: int | None = None,
                       start: datetime | None = None, end: datetime | None = None) -> sa.Select:
    """Every booking, filtered (managers), soonest first from ``start``."""
    query = with_booking_details(sa.select(Booking))
    if resource_id:
        query = query.where(Booking.resource_id == resource_id)
    if status:
        query = query.where(Booking.status == BookingStatus(status))
    if startup_id:
        query = query.where(Booking.startup_id == startup_id)
    if start is not None:
        query = query.where(Booking.ends_at >= start)
    if end is not None:
        query = query.where(Booking.starts_at < end)
    return query.order_by(Booking.starts_at, Booking.id)


def pending_requests() -> list[tuple[Booking, int]]:
    """Requests waiting for a decision: one row per single booking or per recurring series (its first
    pending week), with how many weeks it covers; soonest first."""
    rows = db.session.scalars(with_booking_details(
        sa.select(Booking).where(Booking.status == BookingStatus.PENDING).order_by(Booking.starts_at, Booking.id)
    )).all()
    groups: dict[object, list[Booking]] = {}
    for booking in rows:
        groups.setdefault(("s", booking.series_id) if booking.series_id else ("b", booking.id), []).append(booking)
    return [(bookings[0], len(bookings)) for bookings in groups.values()]


def upcoming_blackouts(now: datetime) -> list[Blackout]:
    return list(db.session.scalars(
        sa.select(Blackout).where(Blackout.ends_at > now).options(joinedload(Blackout.resource))
        .order_by(Blackout.starts_at)
    ))


def certifications() -> list[Certification]:
    return list(db.session.scalars(
        sa.select(Certification).options(joinedload(Certification.resource), joinedload(Certification.user),
                                         joinedload(Certification.certified_by))
        .order_by(Certification.resource_id, Certification.id)
    ))


def certified_resource_ids(user: User) -> set[int]:
    return set(db.session.scalars(sa.select(Certification.resource_id).where(Certification.user_id == user.id)))


def founder_accounts() -> list[User]:
    return list(db.session.scalars(
        sa.select(User).where(User.role == Role.FOUNDER, User.is_active.is_(True)).order_by(User.name)))


def allowances() -> list[Allowance]:
    return list(db.session.scalars(
        sa.select(Allowance).options(joinedload(Allowance.cohort), joinedload(Allowance.startup),
                                     joinedload(Allowance.resource))
        .order_by(Allowance.cohort_id, Allowance.startup_id, Allowance.resource_type, Allowance.resource_id,
                  Allowance.period)
    ))


def current_cohorts() -> list[Cohort]:
    """Cohorts allowances are usually set for: running first, then the others."""
    order = sa.case((Cohort.status == CohortStatus.RUNNING, 0), else_=1)
    return list(db.session.scalars(sa.select(Cohort).order_by(order, Cohort.starts_on.desc())))
