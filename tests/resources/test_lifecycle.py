"""After a booking is made: approvals and their expiry, check-in and no-shows, cancelling (cut-off, managers
with a reason), recurring series (all or nothing, cancel all) and paid use through billing."""
from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from incubator.billing.models import Charge, ChargeStatus
from incubator.billing.services import mark_paid, release
from incubator.core.errors import ConflictError, ServiceError
from incubator.extensions import db
from incubator.notifications.models import Notification
from incubator.resources.models import Booking, BookingSeries, BookingStatus
from incubator.resources.payments import charge_for_payment
from incubator.resources.services.bookings import create_booking
from incubator.resources.services.lifecycle import (
    cancel_booking,
    cancel_series,
    check_in,
    decide_booking,
    expire_requests,
    release_no_shows,
)
from tests.resources.conftest import NOW, pp
from tests.resources.factories import AllowanceFactory, BookingFactory, ResourceFactory


def book(actor, resource, startup, start, end, **kwargs):
    return create_booking(actor, resource, startup=startup, starts_at=start, ends_at=end, now=NOW, **kwargs)


def titles(user) -> list[str]:
    return list(db.session.scalars(sa.select(Notification.title).where(Notification.user_id == user.id)
                                   .order_by(Notification.id)))


# Approvals ----------------------------------------------------------------------------------------


@pytest.fixture
def hall():
    return ResourceFactory(name="Angkor Event Hall", requires_approval=True)


def test_a_request_tells_the_managers_and_approval_confirms_it(founder, startup, manager, hall):
    booking = book(founder, hall, startup, pp(2026, 11, 26, 10), pp(2026, 11, 26, 12)).first
    assert titles(manager)[-1].startswith("Booking request to approve: Angkor Event Hall for Kasekor Cold Chain")
    decided = decide_booking(manager, booking, True, "Enjoy", now=NOW)
    assert decided == [booking]
    assert (booking.status, booking.decided_by_id, booking.hold_expires_at) == (BookingStatus.CONFIRMED, manager.id,
                                                                               None)
    assert titles(founder)[-1].startswith("Approved: Angkor Event Hall")


def test_rejection_needs_a_reason_and_frees_the_slot(founder, startup, manager, hall, other_startup):
    booking = book(founder, hall, startup, pp(2026, 11, 26, 10), pp(2026, 11, 26, 12)).first
    with pytest.raises(ServiceError) as caught:
        decide_booking(manager, booking, False, "  ", now=NOW)
    assert "note" in caught.value.fields
    decide_booking(manager, booking, False, "The hall is being painted", now=NOW)
    assert (booking.status, booking.decision_note) == (BookingStatus.REJECTED, "The hall is being painted")
    assert titles(founder)[-1].startswith("Not approved")
    assert book(manager, hall, other_startup, pp(2026, 11, 26, 10), pp(2026, 11, 26, 12)).first.id
    with pytest.raises(ConflictError, match="no longer waiting"):
        decide_booking(manager, booking, True, now=NOW)


def test_an_expired_request_cannot_be_approved_and_the_sweep_lets_it_go(founder, startup, manager, hall):
    booking = book(founder, hall, startup, pp(2026, 12, 10, 10), pp(2026, 12, 10, 12)).first
    later = NOW + timedelta(hours=48)
    with pytest.raises(ConflictError, match="expired"):
        decide_booking(manager, booking, True, now=later)
    assert expire_requests(now=later - timedelta(minutes=1)) == 0
    assert expire_requests(now=later) == 1
    assert (booking.status, booking.released_at) == (BookingStatus.EXPIRED, later)
    assert titles(founder)[-1].startswith("Request expired")
    assert expire_requests(now=later) == 0  # nothing twice


def test_a_weekly_request_is_decided_as_a_whole(founder, startup, manager, hall):
    outcome = book(founder, hall, startup, pp(2026, 11, 26, 10), pp(2026, 11, 26, 11), weeks=3)
    assert [b.status for b in outcome.bookings] == [BookingStatus.PENDING] * 3
    decided = decide_booking(manager, outcome.bookings[1], True, now=NOW)
    assert {b.id for b in decided} == {b.id for b in outcome.bookings}
    assert all(b.status == BookingStatus.CONFIRMED for b in outcome.bookings)


# Check-in and no-shows ---------------------------------------------------------------------------


def test_check_in_window(founder, startup, manager, room):
    booking = book(founder, room, startup, pp(2026, 11, 23, 10), pp(2026, 11, 23, 11)).first
    with pytest.raises(ConflictError, match="Check-in opens at"):
        check_in(founder, booking, now=pp(2026, 11, 23, 9, 44))
    with pytest.raises(ConflictError, match="Check-in closed at"):
        check_in(founder, booking, now=pp(2026, 11, 23, 10, 16))
    check_in(founder, booking, now=pp(2026, 11, 23, 9, 45))
    assert (booking.status, booking.checked_in_by_id) == (BookingStatus.CHECKED_IN, founder.id)
    with pytest.raises(ConflictError, match="Already checked in"):
        check_in(founder, booking, now=pp(2026, 11, 23, 9, 50))


def test_managers_check_in_until_the_end_but_not_pending_bookings(founder, startup, manager, room, hall):
    booking = book(founder, room, startup, pp(2026, 11, 23, 10), pp(2026, 11, 23, 11)).first
    check_in(manager, booking, now=pp(2026, 11, 23, 10, 50))
    assert booking.status == BookingStatus.CHECKED_IN
    pending = book(founder, hall, startup, pp(2026, 11, 23, 10), pp(2026, 11, 23, 11)).first
    with pytest.raises(ConflictError, match="Only a confirmed booking"):
        check_in(manager, pending, now=pp(2026, 11, 23, 10))


def test_no_shows_are_released_after_fifteen_minutes(founder, startup, manager, room):
    missed = book(founder, room, startup, pp(2026, 11, 23, 10), pp(2026, 11, 23, 11)).first
    used = book(founder, room, startup, pp(2026, 11, 23, 11), pp(2026, 11, 23, 12)).first
    internal = book(manager, room, None, pp(2026, 11, 23, 12), pp(2026, 11, 23, 13)).first
    check_in(founder, used, now=pp(2026, 11, 23, 11, 5))
    assert release_no_shows(now=pp(2026, 11, 23, 10, 14)) == 0
    assert release_no_shows(now=pp(2026, 11, 23, 12, 30)) == 1
    assert (missed.status, used.status, internal.status) == (BookingStatus.NO_SHOW, BookingStatus.CHECKED_IN,
                                                            BookingStatus.CONFIRMED)
    assert titles(founder)[-1].startswith("Released as a no-show")
    # The rest of the released slot can be booked again.
    assert book(manager, room, startup, pp(2026, 11, 23, 10, 30), pp(2026, 11, 23, 11)).first.id


# Cancelling ---------------------------------------------------------------------------------------


def test_founders_cancel_until_the_cut_off(founder, startup, room):
    booking = book(founder, room, startup, pp(2026, 11, 23, 12), pp(2026, 11, 23, 13)).first
    with pytest.raises(ConflictError, match="until 2 hours before the start"):
        cancel_booking(founder, booking, now=pp(2026, 11, 23, 10, 1))
    assert cancel_booking(founder, booking, now=pp(2026, 11, 23, 10)) is None
    assert (booking.status, booking.cancelled_by_id) == (BookingStatus.CANCELLED, founder.id)
    with pytest.raises(ConflictError, match="already over"):
        cancel_booking(founder, booking, now=pp(2026, 11, 23, 10))


def test_a_pending_request_can_always_be_withdrawn(founder, startup, hall):
    booking = book(founder, hall, startup, pp(2026, 11, 23, 10), pp(2026, 11, 23, 11)).first
    cancel_booking(founder, booking, now=pp(2026, 11, 23, 9, 55))
    assert booking.status == BookingStatus.CANCELLED


def test_managers_cancel_any_booking_with_a_reason_and_founders_are_told(founder, startup, manager, room):
    booking = book(founder, room, startup, pp(2026, 11, 23, 10), pp(2026, 11, 23, 11)).first
    check_in(founder, booking, now=pp(2026, 11, 23, 10))
    with pytest.raises(ServiceError) as caught:
        cancel_booking(manager, booking, "", now=pp(2026, 11, 23, 10, 30))
    assert "reason" in caught.value.fields
    cancel_booking(manager, booking, "Air conditioning broken", now=pp(2026, 11, 23, 10, 30))
    assert (booking.status, booking.cancel_reason) == (BookingStatus.CANCELLED, "Air conditioning broken")
    notification = db.session.scalar(sa.select(Notification).where(Notification.user_id == founder.id)
                                     .order_by(Notification.id.desc()).limit(1))
    assert notification.title.startswith("Cancelled by the incubator team: Mekong Meeting Room")
    assert notification.body == "Air conditioning broken"
    ended = BookingFactory(resource=room, startup=startup, starts_at=pp(2026, 11, 23, 7), ends_at=pp(2026, 11, 23, 8))
    with pytest.raises(ConflictError, match="already ended"):
        cancel_booking(manager, ended, "Late", now=NOW)


def test_founders_cannot_cancel_after_checking_in_or_granted_credits(founder, startup):
    from tests.resources.factories import CreditsFactory

    granted = create_booking(founder, CreditsFactory(), startup=startup, units=10, now=NOW).first
    with pytest.raises(ConflictError, match="cannot be cancelled"):
        cancel_booking(founder, granted, now=NOW)


# Recurring ----------------------------------------------------------------------------------------


def test_recurring_is_all_or_nothing_with_the_list_of_clashes(founder, startup, other_startup, manager, room):
    BookingFactory(resource=room, startup=other_startup, starts_at=pp(2026, 12, 1, 10), ends_at=pp(2026, 12, 1, 11))
    from incubator.resources.models import Blackout
    from incubator.resources.models.catalog import BlackoutKind

    db.session.add(Blackout(resource_id=None, kind=BlackoutKind.HOLIDAY, starts_at=pp(2026, 12, 15),
                            ends_at=pp(2026, 12, 16), reason="Staff retreat"))
    db.session.flush()
    with pytest.raises(ConflictError) as caught:
        book(founder, room, startup, pp(2026, 11, 24, 10), pp(2026, 11, 24, 11), weeks=4)
    assert caught.value.message.startswith("2 of the 4 weeks clash, so nothing was booked.")
    clashes = caught.value.fields["clashes"]
    assert len(clashes) == 2
    assert clashes[0].startswith("Tue 1 Dec 2026, 10:00–11:00: Already booked")
    assert "Staff retreat" in clashes[1]
    assert db.session.scalar(sa.select(sa.func.count(Booking.id)).where(Booking.startup_id == startup.id)) == 0
    assert db.session.scalar(sa.select(sa.func.count(BookingSeries.id))) == 0


def test_a_series_keeps_the_local_time_and_can_be_cancelled_whole(founder, startup, room):
    outcome = book(founder, room, startup, pp(2026, 11, 24, 10), pp(2026, 11, 24, 11), weeks=3)
    assert outcome.series.weeks == 3
    assert [b.starts_at for b in outcome.bookings] == [pp(2026, 11, 24, 10), pp(2026, 12, 1, 10), pp(2026, 12, 8, 10)]
    # The first week is past its cut-off by then; the other two are cancelled.
    assert cancel_series(founder, outcome.bookings[0], now=pp(2026, 11, 24, 9)) == 2
    assert [b.status for b in outcome.bookings] == [BookingStatus.CONFIRMED, BookingStatus.CANCELLED,
                                                    BookingStatus.CANCELLED]
    with pytest.raises(ConflictError, match="No week of this series"):
        cancel_series(founder, outcome.bookings[0], now=pp(2026, 11, 24, 9))


def test_too_many_weeks(founder, startup, room):
    with pytest.raises(ServiceError) as caught:
        book(founder, room, startup, pp(2026, 11, 24, 10), pp(2026, 11, 24, 11), weeks=27)
    assert "weeks" in caught.value.fields


# Paid use through billing ------------------------------------------------------------------------


@pytest.fixture
def studio(cohort):
    resource = ResourceFactory(name="Podcast studio", price_minor=1000)
    AllowanceFactory(cohort=cohort, resource=resource, amount=60)
    return resource


@pytest.fixture
def stripe_on(app, monkeypatch):
    monkeypatch.setitem(app.config, "STRIPE_SECRET_KEY", "sk_test_not_used")


def _charge(kind: str, subject_id: int) -> Charge:
    return db.session.scalar(sa.select(Charge).where(Charge.kind == kind, Charge.subject_id == subject_id))


def test_without_stripe_paid_use_is_invoiced_and_confirmed(founder, startup, studio):
    booking = book(founder, studio, startup, pp(2026, 11, 24, 10), pp(2026, 11, 24, 12)).first
    charge = _charge("resource_booking", booking.id)
    assert (booking.status, booking.amount_minor) == (BookingStatus.CONFIRMED, 1000)
    assert (charge.status, charge.amount_minor, charge.currency, charge.startup_id, charge.payer_id) == \
        (ChargeStatus.TO_INVOICE, 1000, "USD", startup.id, founder.id)
    cancel_booking(founder, booking, now=NOW)
    assert charge.status == ChargeStatus.CANCELLED


def test_with_stripe_the_slot_is_held_until_paid(founder, startup, studio, stripe_on):
    outcome = book(founder, studio, startup, pp(2026, 11, 24, 10), pp(2026, 11, 24, 12))
    booking = outcome.first
    assert outcome.needs_payment and booking.status == BookingStatus.AWAITING_PAYMENT
    assert booking.hold_expires_at == outcome.charge.expires_at
    with pytest.raises(ConflictError):  # the unpaid hold keeps the slot
        book(founder, studio, startup, pp(2026, 11, 24, 11), pp(2026, 11, 24, 12))
    mark_paid(outcome.charge, payment_intent_id="pi_test")
    assert booking.status == BookingStatus.CONFIRMED and booking.hold_expires_at is None


def test_an_unpaid_hold_that_lapses_releases_the_booking(founder, startup, studio, stripe_on):
    outcome = book(founder, studio, startup, pp(2026, 11, 24, 10), pp(2026, 11, 24, 12))
    release(outcome.charge, ChargeStatus.EXPIRED, "hold lapsed")
    assert outcome.first.status == BookingStatus.EXPIRED
    assert titles(founder)[-1].startswith("Not paid in time")
    assert book(founder, studio, startup, pp(2026, 11, 24, 10), pp(2026, 11, 24, 11)).first.id


def test_a_series_is_charged_once(founder, startup, studio, stripe_on):
    outcome = book(founder, studio, startup, pp(2026, 11, 24, 10), pp(2026, 11, 24, 11, 30), weeks=2)
    charge = _charge("resource_series", outcome.series.id)
    assert charge.amount_minor == 500 + 500 and outcome.charge.id == charge.id
    assert {b.status for b in outcome.bookings} == {BookingStatus.AWAITING_PAYMENT}
    with pytest.raises(ConflictError, match="Cancel the whole series"):
        cancel_booking(founder, outcome.bookings[1], now=NOW)
    mark_paid(charge, payment_intent_id="pi_series")
    assert {b.status for b in outcome.bookings} == {BookingStatus.CONFIRMED}


def test_approval_then_payment(founder, startup, manager, cohort, stripe_on):
    lab = ResourceFactory(requires_approval=True, price_minor=2000)
    booking = book(founder, lab, startup, pp(2026, 11, 26, 10), pp(2026, 11, 26, 11)).first
    assert booking.status == BookingStatus.PENDING and _charge("resource_booking", booking.id) is None
    decide_booking(manager, booking, True, now=NOW)
    # The 30-minute hold does not start until the founder pays: a day to do so (or until the start).
    assert (booking.status, booking.hold_expires_at) == (BookingStatus.AWAITING_PAYMENT, NOW + timedelta(hours=24))
    assert _charge("resource_booking", booking.id) is None
    assert titles(founder)[-1].startswith("Approved, please pay")
    charge = charge_for_payment(founder, booking, NOW + timedelta(hours=2))
    assert (charge.amount_minor, charge.status) == (2000, ChargeStatus.AWAITING_PAYMENT)
    assert booking.hold_expires_at == charge.expires_at
    assert charge_for_payment(founder, booking, NOW + timedelta(hours=2)).id == charge.id  # the same charge again


def test_approved_paid_use_nobody_pays_for_is_let_go(founder, startup, manager, stripe_on):
    lab = ResourceFactory(requires_approval=True, price_minor=2000)
    booking = book(founder, lab, startup, pp(2026, 11, 30, 10), pp(2026, 11, 30, 11)).first
    decide_booking(manager, booking, True, now=NOW)
    with pytest.raises(ConflictError, match="The time to pay ended"):
        charge_for_payment(founder, booking, NOW + timedelta(hours=25))
    assert expire_requests(now=NOW + timedelta(hours=23)) == 0
    assert expire_requests(now=NOW + timedelta(hours=24)) == 1
    assert booking.status == BookingStatus.EXPIRED


def test_a_started_payment_is_left_to_billing(founder, startup, studio, stripe_on):
    booking = book(founder, studio, startup, pp(2026, 11, 24, 10), pp(2026, 11, 24, 12)).first
    assert expire_requests(now=booking.hold_expires_at + timedelta(minutes=1)) == 0
    assert booking.status == BookingStatus.AWAITING_PAYMENT


def test_the_other_founders_are_told_of_a_booking_not_the_one_who_made_it(founder, startup, manager, room):
    from tests.factories import founder_of

    cofounder = founder_of(startup, name="Vanna Keo")
    book(founder, room, startup, pp(2026, 11, 24, 10), pp(2026, 11, 24, 11))
    assert titles(founder) == []
    assert titles(cofounder) == ["Booked: Mekong Meeting Room, 24 November 2026, 10:00 – 11:00"]
    book(manager, room, startup, pp(2026, 11, 25, 10), pp(2026, 11, 25, 11))
    assert len(titles(founder)) == 1 and len(titles(cofounder)) == 2
