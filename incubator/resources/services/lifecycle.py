"""What happens to a booking after it is made: approval, payment, check-in, cancellation, release.

* **Approval.** A request holds its slot until a manager approves or rejects it, or until it expires: an
  unanswered request lets its slot go 48 hours after it was made, or at its start if that comes first
  (``expire_requests``, every 15 minutes). A recurring request is decided as a whole.
* **Check-in** opens 15 minutes before the start and closes 15 minutes after it (managers may check
  someone in until the end). A booking not checked in by then is released as a no-show
  (``release_no_shows``); the incubator's own bookings (no startup) need no check-in.
* **Cancelling.** Founders cancel up to the resource's cut-off before the start (a request waiting for
  approval or payment can always be withdrawn); managers cancel any booking that has not ended, with a
  reason the booking's people are told. Paid use is refunded (or its unpaid charge cancelled) through
  billing; one week of a recurring paid booking is not refunded by itself (see ``cancel_booking``).
"""
from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa
from flask_babel import format_datetime
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from incubator.audit.services import record
from incubator.auth.models import User
from incubator.cohorts.permissions import is_manager
from incubator.core.errors import ConflictError, ServiceError
from incubator.db import utcnow
from incubator.extensions import db
from incubator.resources import notices, payments
from incubator.resources.models import FINAL_STATUSES, Booking, BookingStatus
from incubator.resources.services import lock
from incubator.resources.services.rules import CHECK_IN_GRACE, CHECK_IN_OPENS

MAX_REASON = 500


def _reload(booking: Booking) -> Booking:
    lock(Booking, booking.id)
    db.session.refresh(booking)
    return booking


def _label(booking: Booking) -> str:
    return f"{booking.resource.name} #{booking.id}"


def _pending_group(booking: Booking) -> list[Booking]:
    """The booking, or every still-pending week of its series (a recurring request is decided as a whole)."""
    if booking.series_id is None:
        return [booking]
    return list(db.session.scalars(sa.select(Booking).where(
        Booking.series_id == booking.series_id, Booking.status == BookingStatus.PENDING).order_by(Booking.starts_at)))


# Approval --------------------------------------------------------------------------------------


def decide_booking(actor: User, booking: Booking, approve: bool, note: str = "", now: datetime | None = None
                   ) -> list[Booking]:
    """Approve or reject a request (every pending week of a recurring one).

    Approved paid use opens its charge: the founder is asked to pay (the slot stays held) or, without
    Stripe, it is confirmed and invoiced.

    :return: the bookings decided.
    :raises ConflictError: the request was already decided, withdrawn or has expired.
    :raises ServiceError: a rejection without a reason.
    """
    now = now or utcnow()
    _reload(booking)
    note = (note or "").strip()[:MAX_REASON]
    if booking.status != BookingStatus.PENDING:
        raise ConflictError(_("This request is no longer waiting for a decision (%(status)s).",
                              status=booking.status_label))
    if booking.hold_expires_at is not None and booking.hold_expires_at <= now:
        raise ConflictError(_("This request expired at %(when)s; the founders can book again.",
                              when=format_datetime(booking.hold_expires_at, "short")))
    if not approve and not note:
        raise ServiceError.on("note", _("Say why, so the founders know what to do instead."))
    group = [b for b in _pending_group(booking) if b.hold_expires_at is None or b.hold_expires_at > now]
    for item in group:
        item.decided_by_id, item.decided_at, item.decision_note = actor.id, now, note
        item.hold_expires_at = None
        item.status = BookingStatus.REJECTED if not approve else BookingStatus.CONFIRMED
        if not approve:
            item.released_at = now
    db.session.flush()
    if approve and payments.online() and any(item.amount_minor for item in group):
        payments.await_payment(group, now)  # the 30-minute hold starts when the founder presses "Pay"
    elif approve:
        payments.open_charge(booking.booked_by or actor, group)
    db.session.flush()
    record(actor, "booking.approved" if approve else "booking.rejected", booking, label=_label(booking),
           weeks=len(group) if len(group) > 1 else None, note=note or None)
    if approve and booking.status == BookingStatus.AWAITING_PAYMENT:
        title = _l("Approved, please pay: %(resource)s, %(when)s", resource=booking.resource.name,
                   when=notices.when(booking))
        body = _l("Pay for the part beyond your allowance to confirm the booking; the slot is held until then.")
    elif approve:
        title = _l("Approved: %(resource)s, %(when)s", resource=booking.resource.name, when=notices.when(booking))
        body = note
    else:
        title = _l("Not approved: %(resource)s, %(when)s", resource=booking.resource.name,
                   when=notices.when(booking))
        body = note
    notices.tell(notices.people_of(booking), booking, title, body, skip=actor)
    return group


def expire_requests(now: datetime | None = None) -> int:
    """Let go of every request nobody answered in time, and of approved paid use nobody started to pay for in
    time (a started payment's hold is billing's to release); tell their people. :return: how many expired."""
    now = now or utcnow()
    lapsed = db.session.scalars(
        sa.select(Booking).where(Booking.status.in_((BookingStatus.PENDING, BookingStatus.AWAITING_PAYMENT)),
                                 Booking.hold_expires_at <= now)
        .order_by(Booking.id).with_for_update()
    ).all()
    expired = [b for b in lapsed if b.status == BookingStatus.PENDING or payments.charge_of(b) is None]
    for booking in expired:
        booking.status, booking.released_at, booking.hold_expires_at = BookingStatus.EXPIRED, now, None
    db.session.flush()
    for booking in expired:
        title = _l("Request expired: %(resource)s, %(when)s", resource=booking.resource.name,
                   when=notices.when(booking))
        body = _l("Nobody approved it in time, so the slot was let go. Book again or ask the incubator team.")
        notices.tell(notices.people_of(booking), booking, title, body, dedupe=f"booking_expired:{booking.id}")
    return len(expired)


# Check-in and no-shows ---------------------------------------------------------------------------


def check_in(actor: User, booking: Booking, now: datetime | None = None) -> Booking:
    """Mark the booking as used. Open from 15 minutes before to 15 minutes after the start (managers: to the end).

    :raises ConflictError: not confirmed, already checked in or released, or outside the check-in window.
    """
    now = now or utcnow()
    _reload(booking)
    if booking.units is not None:
        raise ConflictError(_("Credits are not checked in."))
    if booking.status == BookingStatus.CHECKED_IN:
        raise ConflictError(_("Already checked in at %(when)s.", when=format_datetime(booking.checked_in_at, "short")))
    if booking.status != BookingStatus.CONFIRMED:
        raise ConflictError(_("Only a confirmed booking can be checked in (this one is: %(status)s).",
                              status=booking.status_label))
    opens = booking.starts_at - CHECK_IN_OPENS
    closes = booking.ends_at if is_manager(actor) else booking.starts_at + CHECK_IN_GRACE
    if now < opens:
        raise ConflictError(_("Check-in opens at %(when)s.", when=format_datetime(opens, "short")))
    if now > closes:
        raise ConflictError(_("Check-in closed at %(when)s.", when=format_datetime(closes, "short")))
    booking.status, booking.checked_in_at, booking.checked_in_by_id = BookingStatus.CHECKED_IN, now, actor.id
    db.session.flush()
    return booking


def release_no_shows(now: datetime | None = None) -> int:
    """Release every startup booking not checked in within 15 minutes of its start, as a no-show.

    :return: how many were released.
    """
    now = now or utcnow()
    missed = db.session.scalars(
        sa.select(Booking).where(Booking.status == BookingStatus.CONFIRMED, Booking.units.is_(None),
                                 Booking.startup_id.is_not(None), Booking.starts_at <= now - CHECK_IN_GRACE)
        .order_by(Booking.id).with_for_update()
    ).all()
    for booking in missed:
        booking.status, booking.released_at = BookingStatus.NO_SHOW, now
    db.session.flush()
    for booking in missed:
        title = _l("Released as a no-show: %(resource)s, %(when)s", resource=booking.resource.name,
                   when=notices.when(booking))
        body = _l("Nobody checked in within 15 minutes of the start, so the rest of the time was let go. "
                  "No-shows still count against your allowance.")
        notices.tell(notices.people_of(booking), booking, title, body, dedupe=f"booking_no_show:{booking.id}")
    return len(missed)


# Cancelling ---------------------------------------------------------------------------------------


def cutoff_of(booking: Booking) -> datetime:
    """Until when the founders may cancel the booking themselves."""
    return booking.starts_at - timedelta(hours=booking.resource.cancel_cutoff_hours)


def _check_cancellable(actor: User, booking: Booking, manager: bool, now: datetime) -> None:
    if booking.status in FINAL_STATUSES:
        raise ConflictError(_("This booking is already over (%(status)s).", status=booking.status_label))
    if booking.units is None and booking.ends_at <= now:
        raise ConflictError(_("This booking has already ended."))
    if manager:
        return
    if booking.status == BookingStatus.CHECKED_IN:
        raise ConflictError(_("You have already checked in; ask the incubator team if something is wrong."))
    if booking.status in (BookingStatus.PENDING, BookingStatus.AWAITING_PAYMENT):
        return  # withdrawing a request or an unpaid hold is always allowed
    if booking.units is not None:
        raise ConflictError(_("Credits already granted cannot be cancelled; ask the incubator team."))
    if now > cutoff_of(booking):
        raise ConflictError(_("Bookings of %(resource)s can be cancelled until %(hours)d hours before the start "
                              "(%(when)s). Ask the incubator team.", resource=booking.resource.name,
                              hours=booking.resource.cancel_cutoff_hours,
                              when=format_datetime(cutoff_of(booking), "short")))


def cancel_refusal(actor: User, booking: Booking, now: datetime) -> str | None:
    """Why ``actor`` cannot cancel ``booking`` now (shown instead of the cancel form), or ``None``."""
    try:
        _check_cancellable(actor, booking, is_manager(actor), now)
    except ConflictError as exc:
        return exc.message
    return None


def cancel_booking(actor: User, booking: Booking, reason: str = "", now: datetime | None = None) -> str | None:
    """Cancel one booking. Managers must give a reason, which the booking's people are told.

    Paid use: a single booking's charge is refunded (or cancelled while unpaid). One week of a recurring
    paid booking shares the series' charge, so it is not refunded by itself: founders are asked to cancel
    the whole series, and a manager gets a note to refund that week from the payments page.

    :return: a note for the person who cancelled (about money), or ``None``.
    :raises ConflictError: already over, past the cut-off (founders), or one paid week of a series (founders).
    """
    now = now or utcnow()
    manager = is_manager(actor)
    _reload(booking)
    reason = (reason or "").strip()
    if len(reason) > MAX_REASON:
        raise ServiceError.on("reason", _("Keep the reason under %(n)d characters.", n=MAX_REASON))
    if manager and not reason and booking.booked_by_id != actor.id:
        raise ServiceError.on("reason", _("Give a reason; the founders are told."))
    _check_cancellable(actor, booking, manager, now)
    note = None
    charge = payments.charge_of(booking)
    if charge is not None and booking.series_id is not None and booking.amount_minor > 0:
        if not manager:
            raise ConflictError(_("This week is part of a recurring booking paid in one payment. Cancel the whole "
                                  "series, or ask the incubator team."))
        note = _("This week was paid as part of its series: refund it from the payments page if needed.")
    elif charge is not None and booking.series_id is None:
        payments.drop_charge(charge, reason or _("Booking cancelled"), actor)
    _cancel(actor, booking, reason, now)
    _tell_cancelled(actor, booking, reason, manager)
    return note


def cancel_series(actor: User, booking: Booking, reason: str = "", now: datetime | None = None) -> int:
    """Cancel every week of the booking's series that can still be cancelled; refund its charge when none
    of the weeks is kept.

    :return: how many weeks were cancelled.
    :raises ConflictError: nothing of the series can be cancelled any more.
    """
    now = now or utcnow()
    manager = is_manager(actor)
    if booking.series_id is None:
        raise ConflictError(_("This booking does not repeat."))
    reason = (reason or "").strip()[:MAX_REASON]
    if manager and not reason and booking.booked_by_id != actor.id:
        raise ServiceError.on("reason", _("Give a reason; the founders are told."))
    weeks = db.session.scalars(sa.select(Booking).where(Booking.series_id == booking.series_id)
                               .order_by(Booking.starts_at).with_for_update()).all()
    cancelled = []
    for week in weeks:
        try:
            _check_cancellable(actor, week, manager, now)
        except ConflictError:
            continue
        _cancel(actor, week, reason, now)
        cancelled.append(week)
    if not cancelled:
        raise ConflictError(_("No week of this series can be cancelled any more."))
    kept = [w for w in weeks if w.status not in (BookingStatus.CANCELLED, BookingStatus.EXPIRED,
                                                 BookingStatus.REJECTED)]
    charge = payments.charge_of(booking)
    if charge is not None and not kept:
        payments.drop_charge(charge, reason or _("Recurring booking cancelled"), actor)
    _tell_cancelled(actor, cancelled[0], reason, manager, weeks=len(cancelled))
    return len(cancelled)


def _cancel(actor: User, booking: Booking, reason: str, now: datetime) -> None:
    booking.status, booking.cancelled_at, booking.cancelled_by_id = BookingStatus.CANCELLED, now, actor.id
    booking.cancel_reason, booking.hold_expires_at = reason, None
    db.session.flush()
    record(actor, "booking.cancelled", booking, label=_label(booking), reason=reason or None)


def _tell_cancelled(actor: User, booking: Booking, reason: str, manager: bool, weeks: int = 1) -> None:
    if not manager:
        return
    title = _l("Cancelled by the incubator team: %(resource)s, %(when)s", resource=booking.resource.name,
               when=notices.when(booking))
    body = _l("%(reason)s (%(n)d weekly bookings cancelled)", reason=reason, n=weeks) if weeks > 1 else reason
    notices.tell(notices.people_of(booking), booking, title, body, skip=actor)


# Billing callbacks (registered in ``billing_hooks``) ----------------------------------------------


def confirm_paid(bookings: list[Booking]) -> int:
    """The paid use was paid: bookings still awaiting payment are confirmed. :return: how many."""
    confirmed = [b for b in bookings if b.status == BookingStatus.AWAITING_PAYMENT]
    for booking in confirmed:
        booking.status, booking.hold_expires_at = BookingStatus.CONFIRMED, None
    db.session.flush()
    if confirmed:
        first = confirmed[0]
        title = _l("Paid and confirmed: %(resource)s, %(when)s", resource=first.resource.name,
                   when=notices.when(first))
        notices.tell(notices.people_of(first), first, title, dedupe=f"booking_paid:{first.id}")
    return len(confirmed)


def release_unpaid(bookings: list[Booking], now: datetime | None = None) -> int:
    """The payment never came (hold lapsed, Checkout expired): the slots are let go. :return: how many."""
    now = now or utcnow()
    released = [b for b in bookings if b.status == BookingStatus.AWAITING_PAYMENT]
    for booking in released:
        booking.status, booking.released_at, booking.hold_expires_at = BookingStatus.EXPIRED, now, None
    db.session.flush()
    if released:
        first = released[0]
        title = _l("Not paid in time: %(resource)s, %(when)s", resource=first.resource.name,
                   when=notices.when(first))
        body = _l("The payment did not arrive, so the slot was let go. You can book again.")
        notices.tell(notices.people_of(first), first, title, body, dedupe=f"booking_unpaid:{first.id}")
    return len(released)
