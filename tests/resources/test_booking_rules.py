"""The booking rules of one interval: grid, length, past, horizon, opening hours, blackouts, overlaps, training."""
from __future__ import annotations

from datetime import time, timedelta

import pytest
import sqlalchemy as sa

from incubator.cohorts.models import StartupStatus
from incubator.core.errors import ConflictError, ForbiddenError, ServiceError
from incubator.extensions import db
from incubator.resources.models import Blackout, Booking, BookingStatus
from incubator.resources.models.catalog import BlackoutKind
from incubator.resources.services.bookings import create_booking
from tests.resources.conftest import NOW, pp
from tests.resources.factories import BookingFactory, CertificationFactory, CreditsFactory, ResourceFactory


def book(actor, resource, startup, start, end, **kwargs):
    return create_booking(actor, resource, startup=startup, starts_at=start, ends_at=end, now=NOW, **kwargs)


def test_a_free_slot_is_booked_and_confirmed(founder, startup, room):
    outcome = book(founder, room, startup, pp(2026, 11, 24, 10), pp(2026, 11, 24, 11, 30), purpose="Interviews")
    booking = outcome.first
    assert (booking.status, booking.startup_id, booking.booked_by_id) == (BookingStatus.CONFIRMED, startup.id,
                                                                         founder.id)
    assert booking.minutes == 90 and booking.purpose == "Interviews"
    assert outcome.charge is None and outcome.series is None


@pytest.mark.parametrize(("start", "end", "field", "message"), [
    (pp(2026, 11, 24, 10), pp(2026, 11, 24, 10), "ends_at", "The end must be after the start."),
    (pp(2026, 11, 24, 10, 10), pp(2026, 11, 24, 11), "starts_at", "30-minute grid"),
    (pp(2026, 11, 24, 10), pp(2026, 11, 24, 10, 15), "starts_at", "30-minute grid"),
    (pp(2026, 11, 24, 10), pp(2026, 11, 24, 15), "ends_at", "Book at most 4 h at a time."),
    (pp(2026, 11, 23, 8), pp(2026, 11, 23, 9), "starts_at", "That time has already passed."),
])
def test_shape_rules_refuse_with_a_field_error(founder, startup, room, start, end, field, message):
    with pytest.raises(ServiceError) as caught:
        book(founder, room, startup, start, end)
    assert message in caught.value.fields[field][0]
    assert db.session.scalar(sa.select(sa.func.count(Booking.id))) == 0


def test_shortest_booking(founder, startup):
    resource = ResourceFactory(min_minutes=60, slot_minutes=30)
    with pytest.raises(ServiceError) as caught:
        book(founder, resource, startup, pp(2026, 11, 24, 10), pp(2026, 11, 24, 10, 30))
    assert caught.value.fields["ends_at"] == ["Book at least 1 h."]


def test_a_booking_may_start_within_the_check_in_grace(founder, startup, room):
    # It is 09:00: a start 15 minutes ago can still be booked (and checked in).
    resource = ResourceFactory(slot_minutes=15)
    outcome = book(founder, resource, startup, pp(2026, 11, 23, 8, 45), pp(2026, 11, 23, 10))
    assert outcome.first.status == BookingStatus.CONFIRMED


def test_booking_horizon(founder, startup, manager):
    resource = ResourceFactory(advance_days=7)
    with pytest.raises(ConflictError) as caught:
        book(founder, resource, startup, pp(2026, 12, 1, 10), pp(2026, 12, 1, 11))
    assert "at most 7 days ahead" in caught.value.message
    assert book(manager, resource, startup, pp(2026, 12, 1, 10), pp(2026, 12, 1, 11)).first.id


def test_opening_hours_per_weekday(founder, startup, manager):
    # Open Monday to Friday 08:00-12:00 and 13:00-17:00 (lunch closed), closed at the weekend.
    hours = [(d, time(8), time(12)) for d in range(5)] + [(d, time(13), time(17)) for d in range(5)]
    resource = ResourceFactory(open_hours=hours)
    assert book(founder, resource, startup, pp(2026, 11, 24, 8), pp(2026, 11, 24, 12)).first.id
    for start, end in [(pp(2026, 11, 24, 11), pp(2026, 11, 24, 13, 30)),  # over lunch
                       (pp(2026, 11, 28, 9), pp(2026, 11, 28, 10)),  # Saturday
                       (pp(2026, 11, 24, 16, 30), pp(2026, 11, 24, 17, 30))]:  # past closing
        with pytest.raises(ConflictError) as caught:
            book(founder, resource, startup, start, end)
        assert "is not open for bookings" in caught.value.message
    # Managers may book outside opening hours (an evening event).
    assert book(manager, resource, startup, pp(2026, 11, 28, 9), pp(2026, 11, 28, 10)).first.id


def test_hours_that_touch_make_one_opening(founder, startup):
    resource = ResourceFactory(open_hours=[(1, time(8), time(12)), (1, time(12), time(17))])
    assert book(founder, resource, startup, pp(2026, 11, 24, 11), pp(2026, 11, 24, 13)).first.id


@pytest.mark.parametrize("everywhere", [True, False])
def test_blackouts_refuse_even_managers(founder, startup, manager, room, everywhere):
    db.session.add(Blackout(resource_id=None if everywhere else room.id, kind=BlackoutKind.HOLIDAY,
                            starts_at=pp(2026, 11, 25), ends_at=pp(2026, 11, 26), reason="Water Festival"))
    db.session.flush()
    for actor in (founder, manager):
        with pytest.raises(ConflictError) as caught:
            book(actor, room, startup, pp(2026, 11, 25, 10), pp(2026, 11, 25, 11))
        assert "Water Festival" in caught.value.message
    assert book(founder, room, startup, pp(2026, 11, 26, 10), pp(2026, 11, 26, 11)).first.id


def test_another_resources_blackout_does_not_matter(founder, startup, room):
    other = ResourceFactory()
    db.session.add(Blackout(resource_id=other.id, kind=BlackoutKind.MAINTENANCE, starts_at=pp(2026, 11, 25),
                            ends_at=pp(2026, 11, 26), reason="Painting"))
    db.session.flush()
    assert book(founder, room, startup, pp(2026, 11, 25, 10), pp(2026, 11, 25, 11)).first.id


@pytest.mark.parametrize("status", [BookingStatus.PENDING, BookingStatus.AWAITING_PAYMENT, BookingStatus.CONFIRMED,
                                    BookingStatus.CHECKED_IN])
def test_overlap_with_a_holding_booking_is_refused(founder, startup, other_startup, room, status):
    BookingFactory(resource=room, startup=other_startup, starts_at=pp(2026, 11, 24, 10),
                   ends_at=pp(2026, 11, 24, 11), status=status)
    with pytest.raises(ConflictError) as caught:
        book(founder, room, startup, pp(2026, 11, 24, 10, 30), pp(2026, 11, 24, 11, 30))
    assert "Already booked" in caught.value.message
    assert caught.value.status == 409


@pytest.mark.parametrize("status", [BookingStatus.CANCELLED, BookingStatus.REJECTED, BookingStatus.EXPIRED,
                                    BookingStatus.NO_SHOW])
def test_released_bookings_free_the_slot(founder, startup, other_startup, room, status):
    BookingFactory(resource=room, startup=other_startup, starts_at=pp(2026, 11, 24, 10),
                   ends_at=pp(2026, 11, 24, 11), status=status)
    assert book(founder, room, startup, pp(2026, 11, 24, 10), pp(2026, 11, 24, 11)).first.id


def test_back_to_back_bookings_do_not_overlap(founder, startup, other_startup, room):
    BookingFactory(resource=room, startup=other_startup, starts_at=pp(2026, 11, 24, 10), ends_at=pp(2026, 11, 24, 11))
    assert book(founder, room, startup, pp(2026, 11, 24, 11), pp(2026, 11, 24, 12)).first.id
    assert book(founder, room, startup, pp(2026, 11, 24, 9), pp(2026, 11, 24, 10)).first.id


def test_the_same_time_on_another_resource_is_fine(founder, startup, other_startup, room):
    BookingFactory(resource=room, startup=other_startup, starts_at=pp(2026, 11, 24, 10), ends_at=pp(2026, 11, 24, 11))
    assert book(founder, ResourceFactory(), startup, pp(2026, 11, 24, 10), pp(2026, 11, 24, 11)).first.id


def test_training_gate(founder, startup, manager):
    printer = ResourceFactory(name="3D printer", requires_training=True)
    with pytest.raises(ForbiddenError) as caught:
        book(founder, printer, startup, pp(2026, 11, 24, 10), pp(2026, 11, 24, 11))
    assert caught.value.status == 403 and "needs training" in caught.value.message
    assert book(manager, printer, startup, pp(2026, 11, 24, 12), pp(2026, 11, 24, 13)).first.id
    CertificationFactory(resource=printer, user=founder)
    assert book(founder, printer, startup, pp(2026, 11, 24, 10), pp(2026, 11, 24, 11)).first.id


def test_a_certification_on_another_resource_does_not_count(founder, startup):
    printer = ResourceFactory(requires_training=True)
    CertificationFactory(resource=ResourceFactory(requires_training=True), user=founder)
    with pytest.raises(ForbiddenError):
        book(founder, printer, startup, pp(2026, 11, 24, 10), pp(2026, 11, 24, 11))


def test_archived_resource_and_inactive_startup(founder, startup, room):
    room.is_active = False
    with pytest.raises(ConflictError, match="no longer available"):
        book(founder, room, startup, pp(2026, 11, 24, 10), pp(2026, 11, 24, 11))
    room.is_active = True
    startup.status = StartupStatus.GRADUATED
    with pytest.raises(ConflictError, match="no longer active"):
        book(founder, room, startup, pp(2026, 11, 24, 10), pp(2026, 11, 24, 11))


def test_only_managers_book_for_the_incubator(founder, manager, room):
    with pytest.raises(ServiceError) as caught:
        book(founder, room, None, pp(2026, 11, 24, 10), pp(2026, 11, 24, 11))
    assert "startup_id" in caught.value.fields
    booking = book(manager, room, None, pp(2026, 11, 24, 10), pp(2026, 11, 24, 11)).first
    assert booking.startup_id is None and booking.status == BookingStatus.CONFIRMED


def test_approval_needed_holds_the_slot_as_pending(founder, startup, manager):
    hall = ResourceFactory(requires_approval=True)
    pending = book(founder, hall, startup, pp(2026, 11, 24, 10), pp(2026, 11, 24, 11)).first
    assert pending.status == BookingStatus.PENDING
    assert pending.hold_expires_at == NOW + timedelta(hours=24 + 1)  # at its start, sooner than 48 hours
    later = book(founder, hall, startup, pp(2026, 12, 10, 10), pp(2026, 12, 10, 11)).first
    assert later.hold_expires_at == NOW + timedelta(hours=48)
    with pytest.raises(ConflictError):
        book(manager, hall, startup, pp(2026, 11, 24, 10), pp(2026, 11, 24, 11))  # the pending request holds it
    assert book(manager, hall, None, pp(2026, 11, 24, 12), pp(2026, 11, 24, 13)).first.status == BookingStatus.CONFIRMED


def test_a_purpose_that_is_too_long(founder, startup, room):
    with pytest.raises(ServiceError) as caught:
        book(founder, room, startup, pp(2026, 11, 24, 10), pp(2026, 11, 24, 11), purpose="x" * 201)
    assert "purpose" in caught.value.fields


def test_credits_are_counted_not_timed(founder, startup):
    credits = CreditsFactory(max_units=500)
    booking = create_booking(founder, credits, startup=startup, units=200, now=NOW).first
    assert (booking.units, booking.starts_at, booking.ends_at) == (200, NOW, NOW)
    assert booking.quantity == 200
    # Counted bookings hold no time: another request at the same moment is fine.
    assert create_booking(founder, credits, startup=startup, units=100, now=NOW).first.id
    for units, message in [(None, "at least one"), (0, "at least one"), (501, "at most 500")]:
        with pytest.raises(ServiceError) as caught:
            create_booking(founder, credits, startup=startup, units=units, now=NOW)
        assert message in caught.value.fields["units"][0]


def test_missing_times(founder, startup, room):
    with pytest.raises(ServiceError) as caught:
        create_booking(founder, room, startup=startup, starts_at=None, ends_at=None, now=NOW)
    assert set(caught.value.fields) == {"starts_at", "ends_at"}
