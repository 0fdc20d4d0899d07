"""Making bookings: single, weekly recurring (all or nothing) and counted requests (credits).

A booking goes through, in order: who may book (training), the interval's shape, the clashes of every
occurrence (listed together for a recurring booking), the allowance (refused with what is left on a free
resource, paid use on a priced one) and finally the insert, which the database settles: on PostgreSQL the
exclusion constraint refuses an overlap that slipped past the check (a 409), on SQLite ``BEGIN IMMEDIATE``
means no other writer ran between the check and the insert.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask_babel import format_date
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from incubator.audit.services import record
from incubator.auth.models import User
from incubator.cohorts.models import Startup, StartupStatus
from incubator.cohorts.permissions import is_manager
from incubator.core.errors import ConflictError, ForbiddenError, ServiceError
from incubator.db import utcnow
from incubator.extensions import db
from incubator.resources import notices, payments
from incubator.resources.formatting import quantity_text
from incubator.resources.models import Booking, BookingSeries, BookingStatus, Certification, Resource
from incubator.resources.quota import Assessment, assess, price_of
from incubator.resources.services import unique_or_conflict
from incubator.resources.services.rules import MAX_WEEKS, check_shape, clashes, occurrences, span

# A request nobody answers lets its slot go after this long (or at its start, whichever comes first).
APPROVAL_WINDOW = timedelta(hours=48)
MAX_PURPOSE = 200


@dataclass
class BookingOutcome:
    """What ``create_booking`` made: the bookings (one per week), their series and the charge, if any."""

    bookings: list[Booking]
    series: BookingSeries | None = None
    charge: object | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def first(self) -> Booking:
        return self.bookings[0]

    @property
    def needs_payment(self) -> bool:
        return payments.is_awaiting(self.charge)


def is_certified(user: User, resource: Resource) -> bool:
    """Whether a manager certified ``user`` as trained on ``resource``."""
    return db.session.scalar(sa.select(Certification.id).where(
        Certification.resource_id == resource.id, Certification.user_id == user.id)) is not None


def _check_booker(actor: User, resource: Resource, startup: Startup | None, manager: bool) -> None:
    if not resource.is_active:
        raise ConflictError(_("%(resource)s is no longer available for booking.", resource=resource.name))
    if startup is None and not manager:
        raise ServiceError.on("startup_id", _("Choose the startup you are booking for."))
    if startup is not None and startup.status != StartupStatus.ACTIVE:
        raise ConflictError(_("%(startup)s is no longer active in the programme.", startup=startup.name))
    if resource.requires_training and not manager and not is_certified(actor, resource):
        raise ForbiddenError(_("%(resource)s needs training first: only people the incubator team has "
                               "certified may book it. Ask the team for a training session.",
                               resource=resource.name))


def _check_purpose(purpose: str) -> str:
    purpose = (purpose or "").strip()
    if len(purpose) > MAX_PURPOSE:
        raise ServiceError.on("purpose", _("Keep the purpose under %(n)d characters.", n=MAX_PURPOSE))
    return purpose


def refusal(resource: Resource, result: Assessment) -> ServiceError:
    """The refusal of a booking beyond the allowance of a free resource, saying what is left."""
    field_name = "units" if resource.is_counted else "ends_at"
    if result.outside_programme():
        return ServiceError.on(field_name, _("Your allowance for %(resource)s covers only your programme's dates.",
                                             resource=resource.name))
    parts = []
    for line in result.short_lines:
        left = quantity_text(line.remaining, resource.is_counted, resource.unit_name)
        needed = quantity_text(line.needed, resource.is_counted, resource.unit_name)
        parts.append(_("%(left)s left %(period)s starting %(day)s (this booking needs %(needed)s)", left=left,
                       period=line.allowance.period_label, day=format_date(line.window.first_day, "d MMM"),
                       needed=needed))
    return ServiceError.on(field_name, _("This is beyond your allowance for %(target)s: %(detail)s.",
                                         target=result.short_lines[0].allowance.target_label if parts else
                                         resource.name, detail="; ".join(parts)))


def _initial_status(resource: Resource, manager: bool) -> BookingStatus:
    return BookingStatus.PENDING if resource.requires_approval and not manager else BookingStatus.CONFIRMED


def _price(booking: Booking, resource: Resource, startup: Startup | None, manager: bool) -> None:
    """Fix the part beyond the allowance (refusing it on a free resource) and its price, before the insert."""
    if startup is None:
        return
    result = assess(startup, resource, booking.starts_at, booking.ends_at, booking.quantity)
    uncovered = result.uncovered
    if uncovered <= 0 or manager:
        # A manager's booking counts against the allowance but is never refused or charged for going beyond.
        return
    if not resource.is_priced:
        raise refusal(resource, result)
    booking.paid_quantity = uncovered
    booking.amount_minor = price_of(resource, uncovered)


def create_booking(actor: User, resource: Resource, *, startup: Startup | None, starts_at: datetime | None = None,
                   ends_at: datetime | None = None, units: int | None = None, purpose: str = "", weeks: int = 1,
                   now: datetime | None = None) -> BookingOutcome:
    """Book ``resource`` for ``startup`` (``None``: the incubator's own use, managers only).

    :param starts_at: timed resources: the start (aware); ``ends_at`` the end.
    :param units: counted resources (credits): how many units to ask for.
    :param weeks: repeat weekly at the same local time, all or nothing (2 to ``MAX_WEEKS``; 1: once).
    :return: the bookings made, their series and the charge for paid use (awaiting payment: send the
        founder to Checkout).
    :raises ServiceError: a rule refused it (field errors), or the allowance of a free resource is used up.
    :raises ConflictError: a clash (``fields["clashes"]`` lists every clashing week of a recurring booking).
    :raises ForbiddenError: the resource needs training the actor does not have.
    """
    now = now or utcnow()
    manager = is_manager(actor)
    _check_booker(actor, resource, startup, manager)
    purpose = _check_purpose(purpose)
    if resource.is_counted:
        intervals = [(now, now)]
        _check_units(resource, units)
    else:
        if starts_at is None or ends_at is None:
            raise ServiceError(_("Choose a start and an end."), {
                name: [_("This field is required.")] for name, value in (("starts_at", starts_at),
                                                                          ("ends_at", ends_at)) if value is None})
        if not 1 <= weeks <= MAX_WEEKS:
            raise ServiceError.on("weeks", _("Repeat for 2 to %(n)d weeks, or book once.", n=MAX_WEEKS))
        check_shape(resource, starts_at, ends_at, manager=manager, now=now)
        intervals = occurrences(starts_at, ends_at, weeks)
        _refuse_clashes(resource, intervals, manager, now)
    status = _initial_status(resource, manager)
    series = None
    if len(intervals) > 1:
        series = BookingSeries(resource_id=resource.id, startup_id=startup.id if startup else None,
                               created_by_id=actor.id, weeks=len(intervals))
        db.session.add(series)
        db.session.flush()
    taken = ConflictError.on("starts_at", _("Someone else has just booked this time. Choose another one."))
    bookings = []
    with unique_or_conflict(taken):
        for start, end in intervals:
            booking = Booking(resource_id=resource.id, startup_id=startup.id if startup else None,
                              booked_by_id=actor.id, series_id=series.id if series else None, starts_at=start,
                              ends_at=end, units=units if resource.is_counted else None, status=status,
                              purpose=purpose, currency=resource.currency)
            booking.resource, booking.startup = resource, startup
            _price(booking, resource, startup, manager)
            if status == BookingStatus.PENDING:
                window_end = now + APPROVAL_WINDOW
                booking.hold_expires_at = window_end if resource.is_counted else min(window_end, start)
            db.session.add(booking)
            db.session.flush()  # the next occurrence's allowance counts this one
            bookings.append(booking)
    outcome = BookingOutcome(bookings, series)
    if status != BookingStatus.PENDING:
        outcome.charge = payments.open_charge(actor, bookings)
    db.session.flush()
    _record_and_tell(actor, outcome, manager)
    return outcome


def _check_units(resource: Resource, units: int | None) -> None:
    if units is None or isinstance(units, bool) or not isinstance(units, int) or units < 1:
        raise ServiceError.on("units", _("Ask for at least one %(unit)s.", unit=resource.unit_name))
    if resource.max_units is not None and units > resource.max_units:
        raise ServiceError.on("units", _("Ask for at most %(n)d %(unit)s at a time.", n=resource.max_units,
                                         unit=resource.unit_name))


def _refuse_clashes(resource: Resource, intervals: list, manager: bool, now: datetime) -> None:
    found = []
    for start, end in intervals:
        reasons = clashes(resource, start, end, manager=manager, now=now)
        if reasons:
            found.append((start, end, reasons))
    if not found:
        return
    if len(intervals) == 1:
        raise ConflictError.on("starts_at", " ".join(found[0][2]))
    lines = [_("%(when)s: %(reasons)s", when=span(start, end), reasons=" ".join(reasons))
             for start, end, reasons in found]
    message = _("%(n)d of the %(total)d weeks clash, so nothing was booked. Change the time or the number of "
                "weeks.", n=len(found), total=len(intervals))
    raise ConflictError(message, {"clashes": lines})


def _record_and_tell(actor: User, outcome: BookingOutcome, manager: bool) -> None:
    first = outcome.first
    resource = first.resource
    record(actor, "booking.created", first, label=f"{resource.name} #{first.id}",
           resource=resource.name, startup=first.startup.name if first.startup else None,
           weeks=len(outcome.bookings) if outcome.series else None, status=first.status.value,
           amount_minor=sum(b.amount_minor for b in outcome.bookings) or None)
    repeat = len(outcome.bookings)
    if first.status == BookingStatus.PENDING:
        who = first.startup.name if first.startup else actor.name
        title = _l("Booking request to approve: %(resource)s for %(startup)s, %(when)s", resource=resource.name,
                   startup=who, when=notices.when(first))
        body = _l("Repeats weekly, %(n)d times.", n=repeat) if repeat > 1 else ""
        notices.tell(notices.managers(), first, title, body, skip=actor)
        return
    if first.status == BookingStatus.CONFIRMED and first.startup is not None:
        title = _l("Booked: %(resource)s, %(when)s", resource=resource.name, when=notices.when(first))
        body = _l("Repeats weekly, %(n)d times.", n=repeat) if repeat > 1 else \
            _l("Check in within 15 minutes of the start, or the booking is released.")
        if resource.is_counted:
            body = ""
        # Whoever booked knows; the startup's other founders (or all of them, when a manager booked) are told.
        notices.tell(notices.people_of(first), first, title, body, skip=actor)
