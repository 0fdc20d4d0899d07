"""The one place the resources domain talks to billing (``incubator.billing``).

Paid use is the part of a booking beyond the startup's allowance on a priced resource. A single booking is
charged as kind ``resource_booking`` (subject: the booking); the occurrences of a recurring booking share
one charge of kind ``resource_series`` (subject: the series), so the founder pays once. With Stripe
configured the charge awaits payment (the bookings hold their slots as ``awaiting_payment`` until the
Checkout hold lapses); without Stripe it is "to be invoiced" and the bookings are confirmed at once.

A request approved by a manager does not start the 30-minute hold at once (the founder may be asleep): it
waits as ``awaiting_payment`` without a charge for up to ``PAY_AFTER_APPROVAL`` (or until its start), and
the hold begins when the founder presses "Pay" (``charge_for_payment``).
"""
from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

import sqlalchemy as sa
from flask_babel import format_datetime
from flask_babel import gettext as _

from incubator.auth.models import User
from incubator.core.errors import ConflictError
from incubator.core.urls import external_url
from incubator.extensions import db
from incubator.resources.formatting import quantity_text
from incubator.resources.models import Booking, BookingStatus

if TYPE_CHECKING:
    from incubator.billing.models import Charge

PAY_AFTER_APPROVAL = timedelta(hours=24)
KIND_BOOKING = "resource_booking"
KIND_SERIES = "resource_series"


def subject_of(booking: Booking) -> tuple[str, int]:
    """The charge kind and subject id a booking's paid use is billed under."""
    if booking.series_id is not None:
        return KIND_SERIES, booking.series_id
    return KIND_BOOKING, booking.id


def _description(bookings: Sequence[Booking]) -> str:
    first = bookings[0]
    resource = first.resource
    paid = sum(b.paid_quantity for b in bookings)
    amount = quantity_text(paid, resource.is_counted, resource.unit_name)
    if len(bookings) > 1:
        text = _("%(resource)s: %(amount)s beyond the allowance over %(n)d weekly bookings",
                 resource=resource.name, amount=amount, n=len(bookings))
    else:
        text = _("%(resource)s: %(amount)s beyond the allowance (booking %(id)d)", resource=resource.name,
                 amount=amount, id=first.id)
    return text[:255]


def open_charge(payer: User, bookings: Sequence[Booking]) -> Charge | None:
    """Create the charge for the paid part of ``bookings`` (one booking, or one series) and apply its outcome:
    awaiting payment (a Checkout hold) or confirmed at once (to be invoiced).

    :return: the charge, or ``None`` when nothing is beyond the allowance.
    """
    from incubator.billing.models import ChargeStatus
    from incubator.billing.services import create_charge

    total = sum(b.amount_minor for b in bookings)
    if total <= 0:
        for booking in bookings:
            booking.status = BookingStatus.CONFIRMED
        return None
    kind, subject_id = subject_of(bookings[0])
    charge = create_charge(startup=bookings[0].startup, payer=payer, kind=kind, subject_id=subject_id,
                           description=_description(bookings), amount_minor=total,
                           currency=bookings[0].currency)
    for booking in bookings:
        if charge.status == ChargeStatus.AWAITING_PAYMENT:
            booking.status = BookingStatus.AWAITING_PAYMENT
            booking.hold_expires_at = charge.expires_at
        else:
            booking.status = BookingStatus.CONFIRMED
            booking.hold_expires_at = None
    return charge


def online() -> bool:
    """Whether paid use goes through Stripe (otherwise it is invoiced)."""
    from incubator.billing.stripe_client import is_configured

    return is_configured()


def await_payment(bookings: Sequence[Booking], now: datetime) -> None:
    """Approved paid use with Stripe on: hold the slots, without a charge yet, until the founder pays."""
    for booking in bookings:
        deadline = now + PAY_AFTER_APPROVAL
        booking.status = BookingStatus.AWAITING_PAYMENT
        booking.hold_expires_at = deadline if booking.units is not None else min(deadline, booking.starts_at)


def group_of(booking: Booking) -> list[Booking]:
    """The bookings paid together with ``booking``: its series' weeks awaiting payment, or itself."""
    if booking.series_id is None:
        return [booking]
    return list(db.session.scalars(sa.select(Booking).where(
        Booking.series_id == booking.series_id, Booking.status == BookingStatus.AWAITING_PAYMENT)
        .order_by(Booking.starts_at)))


def charge_for_payment(payer: User, booking: Booking, now: datetime) -> Charge:
    """The awaiting charge to pay ``booking`` with, opening it (and its 30-minute hold) if approval left none.

    :raises ConflictError: nothing is awaiting payment, or the time to pay has passed.
    """
    charge = charge_of(booking)
    if booking.status != BookingStatus.AWAITING_PAYMENT:
        raise ConflictError(_("This booking is not waiting for a payment."))
    if is_awaiting(charge):
        return charge
    if booking.hold_expires_at is not None and booking.hold_expires_at <= now:
        raise ConflictError(_("The time to pay ended at %(when)s; the slot is being let go.",
                              when=format_datetime(booking.hold_expires_at, "short")))
    charge = open_charge(payer, group_of(booking))
    if not is_awaiting(charge):
        raise ConflictError(_("This booking is not waiting for a payment."))
    return charge


def charge_of(booking: Booking) -> Charge | None:
    """The charge for the booking's paid use (its series' charge for a recurring booking), if any."""
    if booking.amount_minor <= 0 and booking.series_id is None:
        return None
    from incubator.billing.services import charge_for

    return charge_for(*subject_of(booking))


def drop_charge(charge: Charge, reason: str, actor: User | None = None) -> None:
    """Cancel an unpaid charge or refund a paid one (billing decides which)."""
    from incubator.billing.services import cancel_charge

    cancel_charge(charge, reason=reason, actor=actor)


def checkout_link(charge: Charge, booking: Booking) -> str:
    """A Stripe Checkout URL for the charge; the founder comes back to the booking's page."""
    from incubator.billing.services import checkout_url

    back = external_url("resources.view_booking", booking_id=booking.id)
    return checkout_url(charge, success_url=back + "?paid=1", cancel_url=back)


def is_awaiting(charge: Charge | None) -> bool:
    if charge is None:
        return False
    from incubator.billing.models import ChargeStatus

    return charge.status == ChargeStatus.AWAITING_PAYMENT
