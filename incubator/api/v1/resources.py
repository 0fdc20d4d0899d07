"""Resource endpoints: the catalog, availability, bookings (create, cancel, check in, pay, decide) and the
allowances left.

The same permissions as the web pages: managers and founders see the catalog; founders book for their own
startup and see its bookings (another startup's booking is a 403); managers see and act on everything.
A slot someone else took meanwhile is a 409 (on PostgreSQL the exclusion constraint has the last word); a
recurring booking that clashes lists every clashing week in ``error.fields.clashes``.
"""
from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy.orm import selectinload

from incubator.api.v1.errors import abort_json
from incubator.api.v1.payloads import first_or_404, paginate, parse_body, parse_query, respond
from incubator.api.v1.resources_schemas import (
    AllowanceLineOut,
    AllowanceList,
    AllowanceQuery,
    Availability,
    AvailabilityQuery,
    BookingCreated,
    BookingIn,
    BookingListQuery,
    BookingOut,
    BookingPage,
    CancelIn,
    CheckoutOut,
    DecisionIn,
    Interval,
    ResourceDetail,
    ResourceListQuery,
    ResourceOut,
    ResourcePage,
    TakenInterval,
)
from incubator.api.v1.spec import operation
from incubator.api.v1.startups import load_startup
from incubator.cohorts.models import Startup
from incubator.cohorts.permissions import is_founder_of, is_manager
from incubator.core.authz import require
from incubator.core.errors import ServiceError
from incubator.core.uow import perform
from incubator.db import utcnow
from incubator.extensions import db
from incubator.resources import payments, queries, quota
from incubator.resources.availability import free_and_taken
from incubator.resources.models import Booking, BookingStatus, Resource
from incubator.resources.permissions import (
    can_act_on_booking,
    can_book_for,
    can_browse_resources,
    can_decide_booking,
    can_view_booking,
)
from incubator.resources.services import bookings as booking_services
from incubator.resources.services import lifecycle

TAG = "resources"


def _resource(resource_id: int) -> Resource:
    require(can_browse_resources(current_user))
    resource = first_or_404(sa.select(Resource).where(Resource.id == resource_id),
                            _("There is no resource with id %(id)d.", id=resource_id))
    if not resource.is_active and not is_manager(current_user):
        abort_json(404, _("There is no resource with id %(id)d.", id=resource_id))
    return resource


def _booking(booking_id: int, act: bool = False) -> Booking:
    booking = first_or_404(queries.with_booking_details(sa.select(Booking).where(Booking.id == booking_id)),
                           _("There is no booking with id %(id)d.", id=booking_id))
    require(can_act_on_booking(current_user, booking) if act else can_view_booking(current_user, booking))
    return booking


def _fresh(booking_id: int) -> BookingOut:
    booking = db.session.scalar(queries.with_booking_details(sa.select(Booking).where(Booking.id == booking_id))
                                .execution_options(populate_existing=True))
    return BookingOut.of(booking)


# The catalog -------------------------------------------------------------------------------------


@operation("/resources", summary=_l("List bookable resources"), tag=TAG, query=ResourceListQuery,
           response=ResourcePage)
def list_resources():
    """Active resources by type and name (managers and founders)."""
    require(can_browse_resources(current_user))
    args = parse_query(ResourceListQuery)
    query = sa.select(Resource).where(Resource.is_active.is_(True)).order_by(Resource.type, Resource.name)
    if args.type is not None:
        query = query.where(Resource.type == args.type)
    resources, envelope = paginate(query, args)
    return respond(ResourcePage(items=[ResourceOut.of(r) for r in resources], **envelope))


@operation("/resources/<id:resource_id>", summary=_l("Get a resource"), tag=TAG, response=ResourceDetail)
def get_resource(resource_id: int):
    """One resource with its weekly opening hours (in Asia/Phnom_Penh) and whether the caller is certified."""
    resource = _resource(resource_id)
    certified = not resource.requires_training or is_manager(current_user) or \
        booking_services.is_certified(current_user, resource)
    return respond(ResourceDetail.with_hours(resource, certified))


@operation("/resources/<id:resource_id>/availability", summary=_l("Free and taken times of a resource"), tag=TAG,
           query=AvailabilityQuery, response=Availability)
def get_resource_availability(resource_id: int):
    """Free intervals (open, not taken, not past, within the booking horizon) and taken ones (bookings holding
    the slot, blackouts) from ``start`` for ``days`` days, in UTC."""
    resource = _resource(resource_id)
    args = parse_query(AvailabilityQuery)
    now = utcnow()
    start = args.start or now
    end = start + timedelta(days=args.days)
    mine = []
    if args.startup_id is not None and not is_manager(current_user):
        startup = load_startup(args.startup_id)
        require(is_founder_of(current_user, startup))
        mine = [startup.id]
    elif not is_manager(current_user):
        mine = [s.id for s in queries.founder_startups(current_user)]
    free, taken = free_and_taken(resource, start, end, now=now, mine=mine, show_names=is_manager(current_user))
    return respond(Availability(
        resource_id=resource.id, start=start, end=end,
        free=[Interval(starts_at=s, ends_at=e) for s, e in free],
        taken=[TakenInterval(starts_at=max(t.start, start), ends_at=min(t.end, end), kind=t.kind, label=t.label,
                             booking_id=t.booking_id) for t in sorted(taken, key=lambda t: t.start)],
    ))


# Bookings -----------------------------------------------------------------------------------------


@operation("/bookings", summary=_l("List bookings"), tag=TAG, query=BookingListQuery, response=BookingPage)
def list_resource_bookings():
    """Managers: every booking (filter by resource, startup, status). Founders: the bookings they made and their
    startups' bookings."""
    require(can_browse_resources(current_user))
    args = parse_query(BookingListQuery)
    now = utcnow()
    if is_manager(current_user):
        query = queries.all_bookings_query(resource_id=args.resource_id, startup_id=args.startup_id,
                                           status=args.status.value if args.status else None)
    else:
        startup_ids = [s.id for s in queries.founder_startups(current_user)]
        if args.startup_id is not None:
            require(args.startup_id in startup_ids)
            startup_ids = [args.startup_id]
        query = queries.my_bookings_query(current_user, startup_ids, args.upcoming, now)
        if args.resource_id:
            query = query.where(Booking.resource_id == args.resource_id)
        if args.status:
            query = query.where(Booking.status == args.status)
    if args.upcoming:
        query = query.where(Booking.ends_at >= now).order_by(None).order_by(Booking.starts_at, Booking.id)
    else:
        query = query.order_by(None).order_by(Booking.starts_at.desc(), Booking.id.desc())
    bookings, envelope = paginate(query, args)
    return respond(BookingPage(items=[BookingOut.of(b) for b in bookings], **envelope))


@operation("/bookings", "POST", summary=_l("Book a resource"), tag=TAG, body=BookingIn, response=BookingCreated,
           status=201, errors=(409,))
def create_resource_booking():
    """Book a timed resource (``starts_at``, ``ends_at``, optionally ``weeks``) or request credits (``units``).

    Beyond the allowance a free resource answers 422 with what is left; a priced one becomes paid use
    (``payment_required``: pay through ``POST /bookings/{id}/checkout``). A taken slot, a blackout or closed
    hours answer 409 (``error.fields.clashes`` lists every clashing week of a recurring booking); a resource
    that needs training the caller does not have answers 403.
    """
    require(can_browse_resources(current_user))
    body = parse_body(BookingIn)
    resource = first_or_404(sa.select(Resource).where(Resource.id == body.resource_id),
                            _("There is no resource with id %(id)d.", id=body.resource_id))
    startup = None
    if body.startup_id is not None:
        startup = first_or_404(sa.select(Startup).where(Startup.id == body.startup_id)
                               .options(selectinload(Startup.members)),
                               _("There is no startup with id %(id)d.", id=body.startup_id))
    require(can_book_for(current_user, startup))
    if resource.is_counted and body.units is None:
        raise ServiceError.on("units", _("This resource is booked in units: give units."))
    if not resource.is_counted and body.units is not None:
        raise ServiceError.on("units", _("This resource is booked in time: give starts_at and ends_at."))
    args = {"units": body.units} if resource.is_counted else {
        "starts_at": body.starts_at, "ends_at": body.ends_at, "weeks": body.weeks}
    outcome = perform(booking_services.create_booking, current_user, resource, startup=startup,
                      purpose=body.purpose, **args)
    items = [_fresh(b.id) for b in outcome.bookings]
    created = BookingCreated(bookings=items, series_id=outcome.series.id if outcome.series else None,
                             payment_required=items[0].status == BookingStatus.AWAITING_PAYMENT,
                             amount_minor=sum(b.amount_minor for b in items), currency=resource.currency)
    return respond(created, 201, url_for("api_v1.get_resource_booking", booking_id=items[0].id))


@operation("/bookings/<id:booking_id>", summary=_l("Get a booking"), tag=TAG, response=BookingOut)
def get_resource_booking(booking_id: int):
    """One booking: managers, whoever made it, and its startup's founders."""
    return respond(BookingOut.of(_booking(booking_id)))


@operation("/bookings/<id:booking_id>/cancel", "POST", summary=_l("Cancel a booking"), tag=TAG, body=CancelIn,
           response=BookingOut, errors=(409,))
def cancel_resource_booking(booking_id: int):
    """Founders cancel up to the resource's cut-off (a request or an unpaid hold at any time); managers any booking
    that has not ended, with a ``reason`` the founders are told. ``series``: every remaining week. Paid use is
    refunded through billing."""
    booking = _booking(booking_id, act=True)
    body = parse_body(CancelIn)
    if body.series:
        perform(lifecycle.cancel_series, current_user, booking, body.reason)
    else:
        perform(lifecycle.cancel_booking, current_user, booking, body.reason)
    return respond(_fresh(booking_id))


@operation("/bookings/<id:booking_id>/check-in", "POST", summary=_l("Check in to a booking"), tag=TAG,
           response=BookingOut, errors=(409,))
def check_in_resource_booking(booking_id: int):
    """From 15 minutes before the start to 15 minutes after it (managers: until the end); 409 otherwise."""
    booking = _booking(booking_id, act=True)
    perform(lifecycle.check_in, current_user, booking)
    return respond(_fresh(booking_id))


@operation("/bookings/<id:booking_id>/checkout", "POST", summary=_l("Pay for a booking's paid use"), tag=TAG,
           response=CheckoutOut, errors=(409,))
def pay_resource_booking(booking_id: int):
    """A Stripe Checkout URL for a booking awaiting payment (409 when nothing is awaiting payment)."""
    booking = _booking(booking_id, act=True)
    charge = perform(payments.charge_for_payment, current_user, booking, utcnow())
    return respond(CheckoutOut(url=perform(payments.checkout_link, charge, booking)))


@operation("/bookings/<id:booking_id>/decision", "POST", summary=_l("Approve or reject a booking request"), tag=TAG,
           body=DecisionIn, response=BookingOut, errors=(409,))
def decide_resource_booking(booking_id: int):
    """Managers only. A request waiting for approval (409 otherwise); rejecting needs a ``note``. Every pending week
    of a recurring request is decided together."""
    require(can_decide_booking(current_user))
    booking = _booking(booking_id)
    body = parse_body(DecisionIn)
    perform(lifecycle.decide_booking, current_user, booking, body.decision == "approved", body.note)
    return respond(_fresh(booking_id))


# Allowances --------------------------------------------------------------------------------------


@operation("/startups/<id:startup_id>/allowances", summary=_l("A startup's allowances and what is left"), tag=TAG,
           query=AllowanceQuery, response=AllowanceList)
def list_startup_allowances(startup_id: int):
    """Each allowance of the startup (its own replacing its cohort's) with what is used and left in the current
    week, month or programme (Asia/Phnom_Penh). With ``resource_id``: the allowances that govern that resource.
    Managers and the startup's founders."""
    startup = load_startup(startup_id)
    require(is_manager(current_user) or is_founder_of(current_user, startup))
    args = parse_query(AllowanceQuery)
    now = utcnow()
    if args.resource_id is not None:
        resource = _resource(args.resource_id)
        lines = quota.current_lines(startup, resource, now)
    else:
        lines = quota.startup_overview(startup, now)
    return respond(AllowanceList(startup_id=startup.id, items=[AllowanceLineOut.of(line) for line in lines]))
