"""Allowance arithmetic: which allowances apply to a booking, how much of each is left, what is beyond.

Rules (also shown to managers on the allowances page):

* **Which allowance applies.** For each period kind (week, month, whole programme) the most specific
  allowance wins: the startup's own on the resource, the startup's own on the resource's type, the
  cohort's on the resource, the cohort's on the type. A booking must fit every period kind that has one.
* **What counts.** The startup's bookings that hold a slot or were used, including no-shows (the slot was
  kept from everyone else) and bookings still waiting for approval or payment. Cancelled, rejected and
  expired bookings do not count. An allowance on a type counts every resource of that type.
* **Periods** are computed in the incubator's zone (Asia/Phnom_Penh): weeks run Monday 00:00 to Monday
  00:00, months from the 1st, the programme from the cohort's first day to the end of its last day.
* **Crossing a boundary.** A booking that crosses midnight into a new week or month is split by the minute:
  each part counts in its own period (Sunday 23:00 to Monday 01:00 is one hour in each week). A counted
  booking (credits) counts in the period of the moment it was requested.
* **Beyond the allowance.** The part not covered is the largest shortfall over the period kinds. On a free
  resource any shortfall refuses the booking (with what is left); on a priced resource it is paid use.
  With no allowance at all, a free resource is unlimited and a priced resource is paid in full. Minutes
  outside the programme's dates are not covered by a whole-programme allowance.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from incubator.cohorts.models import Startup
from incubator.extensions import db
from incubator.resources.availability import incubator_zone, local_midnight, overlap_minutes
from incubator.resources.models import (
    COUNTED_STATUSES,
    Allowance,
    AllowancePeriod,
    Booking,
    Resource,
)

PERIOD_ORDER = (AllowancePeriod.WEEK, AllowancePeriod.MONTH, AllowancePeriod.COHORT)


@dataclass(frozen=True)
class Window:
    """One period in UTC, with its first and last local day (for labels)."""

    period: AllowancePeriod
    start: datetime
    end: datetime
    first_day: date
    last_day: date


def _window(period: AllowancePeriod, first: date, after: date) -> Window:
    zone = incubator_zone()
    return Window(period, local_midnight(first, zone), local_midnight(after, zone), first, after - timedelta(days=1))


def _next_month(day: date) -> date:
    return date(day.year + 1, 1, 1) if day.month == 12 else date(day.year, day.month + 1, 1)


def window_containing(period: AllowancePeriod, moment: datetime, startup: Startup) -> Window | None:
    """The period of kind ``period`` containing ``moment`` (``None``: outside the programme's dates)."""
    day = moment.astimezone(incubator_zone()).date()
    if period == AllowancePeriod.WEEK:
        monday = day - timedelta(days=day.weekday())
        return _window(period, monday, monday + timedelta(days=7))
    if period == AllowancePeriod.MONTH:
        first = day.replace(day=1)
        return _window(period, first, _next_month(first))
    cohort = startup.cohort
    window = _window(period, cohort.starts_on, cohort.ends_on + timedelta(days=1))
    return window if window.start <= moment < window.end else None


def windows_touched(period: AllowancePeriod, start: datetime, end: datetime, startup: Startup) -> list[Window]:
    """Every period of kind ``period`` that ``[start, end)`` touches (a counted booking: the one of ``start``)."""
    if period == AllowancePeriod.COHORT:
        cohort = startup.cohort
        window = _window(period, cohort.starts_on, cohort.ends_on + timedelta(days=1))
        if end == start:
            return [window] if window.start <= start < window.end else []
        return [window] if window.start < end and window.end > start else []
    windows, moment = [], start
    while True:
        window = window_containing(period, moment, startup)
        windows.append(window)
        if window.end >= end:
            return windows
        moment = window.end


def applicable_allowances(startup: Startup, resource: Resource) -> dict[AllowancePeriod, Allowance]:
    """The allowance that governs ``resource`` for ``startup`` per period kind (the most specific one)."""
    rows = db.session.scalars(
        sa.select(Allowance).where(
            sa.or_(Allowance.cohort_id == startup.cohort_id, Allowance.startup_id == startup.id),
            sa.or_(Allowance.resource_id == resource.id, Allowance.resource_type == resource.type),
        )
    ).all()
    chosen: dict[AllowancePeriod, Allowance] = {}
    for allowance in rows:
        current = chosen.get(allowance.period)
        if current is None or allowance.specificity > current.specificity:
            chosen[allowance.period] = allowance
    return {period: chosen[period] for period in PERIOD_ORDER if period in chosen}


def _usage_query(startup_id: int, allowance: Allowance, start: datetime, end: datetime, exclude_ids):
    timed = sa.and_(Booking.units.is_(None), Booking.starts_at < end, Booking.ends_at > start)
    counted = sa.and_(Booking.units.is_not(None), Booking.starts_at >= start, Booking.starts_at < end)
    query = sa.select(Booking.starts_at, Booking.ends_at, Booking.units).where(
        Booking.startup_id == startup_id, Booking.status.in_(COUNTED_STATUSES), sa.or_(timed, counted))
    if allowance.resource_id is not None:
        query = query.where(Booking.resource_id == allowance.resource_id)
    else:
        query = query.join(Resource, Resource.id == Booking.resource_id).where(
            Resource.type == allowance.resource_type)
    if exclude_ids:
        query = query.where(Booking.id.not_in(list(exclude_ids)))
    return query


def used_in(startup_id: int, allowance: Allowance, windows: list[Window], exclude_ids=()) -> dict[Window, int]:
    """How much of the allowance the startup has used in each window (minutes, or units when counted)."""
    if not windows:
        return {}
    rows = db.session.execute(_usage_query(startup_id, allowance, min(w.start for w in windows),
                                           max(w.end for w in windows), exclude_ids)).all()
    used: dict[Window, int] = {}
    for window in windows:
        total = 0
        for starts_at, ends_at, units in rows:
            if units is not None:
                total += units if window.start <= starts_at < window.end else 0
            else:
                total += overlap_minutes(starts_at, ends_at, window.start, window.end)
        used[window] = total
    return used


@dataclass
class QuotaLine:
    """One allowance in one period: its amount, what was used before, what the booking needs there."""

    allowance: Allowance
    window: Window
    used: int
    needed: int = 0

    @property
    def amount(self) -> int:
        return self.allowance.amount

    @property
    def remaining(self) -> int:
        return max(0, self.amount - self.used)

    @property
    def covered(self) -> int:
        return min(self.needed, self.remaining)

    @property
    def short(self) -> int:
        return self.needed - self.covered


@dataclass
class Assessment:
    """How a booking of ``quantity`` fits the startup's allowances."""

    quantity: int
    priced: bool
    allowances: dict[AllowancePeriod, Allowance] = field(default_factory=dict)
    lines: list[QuotaLine] = field(default_factory=list)

    @property
    def uncovered(self) -> int:
        """Minutes (or units) beyond the allowance: refused on free resources, paid on priced ones."""
        if not self.allowances:
            return self.quantity if self.priced else 0
        covered = defaultdict(int)
        for line in self.lines:
            covered[line.allowance.period] += line.covered
        return max(self.quantity - covered[period] for period in self.allowances)

    @property
    def short_lines(self) -> list[QuotaLine]:
        return [line for line in self.lines if line.short > 0]

    def outside_programme(self) -> bool:
        """A whole-programme allowance applies but the booking lies outside the programme's dates."""
        return AllowancePeriod.COHORT in self.allowances and not any(
            line.allowance.period == AllowancePeriod.COHORT for line in self.lines)


def assess(startup: Startup, resource: Resource, starts_at: datetime, ends_at: datetime, quantity: int,
           exclude_ids=()) -> Assessment:
    """Fit a booking of ``quantity`` (minutes, or units) from ``starts_at`` to ``ends_at`` into the allowances.

    :param exclude_ids: bookings not to count as used (the booking itself when re-assessing).
    """
    result = Assessment(quantity, resource.is_priced, applicable_allowances(startup, resource))
    for period, allowance in result.allowances.items():
        windows = windows_touched(period, starts_at, ends_at, startup)
        used = used_in(startup.id, allowance, windows, exclude_ids)
        for window in windows:
            if resource.is_counted:
                needed = quantity
            else:
                needed = overlap_minutes(starts_at, ends_at, window.start, window.end)
            result.lines.append(QuotaLine(allowance, window, used[window], needed))
    return result


def current_lines(startup: Startup, resource: Resource, now: datetime) -> list[QuotaLine]:
    """The allowances governing ``resource`` for ``startup`` in the periods containing ``now``."""
    lines = []
    for period, allowance in applicable_allowances(startup, resource).items():
        window = window_containing(period, now, startup)
        if window is None:
            continue
        lines.append(QuotaLine(allowance, window, used_in(startup.id, allowance, [window])[window]))
    return lines


def lines_between(startup: Startup, resource: Resource, start: datetime, end: datetime) -> list[QuotaLine]:
    """The allowances governing ``resource`` for ``startup`` in every period from ``start`` to ``end`` (the
    calendar's range: on a Sunday the week view shows this week's and next week's allowance)."""
    lines = []
    for period, allowance in applicable_allowances(startup, resource).items():
        windows = windows_touched(period, start, end, startup)
        used = used_in(startup.id, allowance, windows)
        lines += [QuotaLine(allowance, window, used[window]) for window in windows]
    return lines


def startup_overview(startup: Startup, now: datetime) -> list[QuotaLine]:
    """Every allowance the startup has (its own replacing its cohort's for the same target and period),
    each with what is used and left in the current period. Bounded: one query per allowance."""
    rows = db.session.scalars(
        sa.select(Allowance).where(sa.or_(Allowance.cohort_id == startup.cohort_id,
                                          Allowance.startup_id == startup.id))
        .options(joinedload(Allowance.resource))
    ).all()
    chosen: dict[tuple, Allowance] = {}
    for allowance in rows:
        key = (allowance.resource_id, allowance.resource_type, allowance.period)
        if key not in chosen or allowance.startup_id is not None:
            chosen[key] = allowance
    lines = []
    for allowance in sorted(chosen.values(), key=lambda a: (a.target_label, PERIOD_ORDER.index(a.period))):
        window = window_containing(allowance.period, now, startup)
        if window is not None:
            lines.append(QuotaLine(allowance, window, used_in(startup.id, allowance, [window])[window]))
    return lines


def price_of(resource: Resource, quantity: int) -> int:
    """The price in minor units of ``quantity`` minutes (per-hour price) or units (per-unit price)."""
    if resource.is_counted:
        return resource.price_minor * quantity
    exact = Decimal(resource.price_minor) * quantity / 60
    return int(exact.quantize(Decimal(1), rounding=ROUND_HALF_UP))
