"""The database is the last word on overlaps. On PostgreSQL the exclusion constraint refuses two holding bookings
of one resource that overlap, even when the check in Python was skipped (two requests that both passed it);
the service turns the refusal into a 409. SQLite has no exclusion constraints: there every transaction starts
with ``BEGIN IMMEDIATE``, so the check and the insert cannot interleave (see ``test_concurrency.py``)."""
from __future__ import annotations

import pytest
from sqlalchemy.exc import IntegrityError

from incubator.core.errors import ConflictError
from incubator.db import is_unique_violation
from incubator.extensions import db
from incubator.resources.models import BookingStatus
from incubator.resources.services import bookings as booking_services
from incubator.resources.services.bookings import create_booking
from tests.resources.conftest import NOW, pp
from tests.resources.factories import BookingFactory


@pytest.fixture
def postgresql_only():
    if db.engine.dialect.name != "postgresql":
        pytest.skip("exclusion constraints exist only on PostgreSQL; SQLite serialises writers instead")


def test_overlapping_holding_bookings_violate_the_constraint(postgresql_only, startup, other_startup, room):
    BookingFactory(resource=room, startup=startup, starts_at=pp(2026, 11, 24, 10), ends_at=pp(2026, 11, 24, 11))
    with pytest.raises(IntegrityError) as caught, db.session.begin_nested():
        BookingFactory(resource=room, startup=other_startup, starts_at=pp(2026, 11, 24, 10, 30),
                       ends_at=pp(2026, 11, 24, 11, 30))
    assert is_unique_violation(caught.value)  # SQLSTATE 23P01


def test_released_and_adjacent_bookings_are_allowed(postgresql_only, startup, other_startup, room):
    BookingFactory(resource=room, startup=startup, starts_at=pp(2026, 11, 24, 10), ends_at=pp(2026, 11, 24, 11),
                   status=BookingStatus.CANCELLED)
    BookingFactory(resource=room, startup=other_startup, starts_at=pp(2026, 11, 24, 10), ends_at=pp(2026, 11, 24, 11))
    BookingFactory(resource=room, startup=startup, starts_at=pp(2026, 11, 24, 11), ends_at=pp(2026, 11, 24, 12))


def test_a_race_past_the_check_becomes_a_conflict(postgresql_only, founder, startup, other_startup, room,
                                                  monkeypatch):
    BookingFactory(resource=room, startup=other_startup, starts_at=pp(2026, 11, 24, 10), ends_at=pp(2026, 11, 24, 11))
    monkeypatch.setattr(booking_services, "clashes", lambda *args, **kwargs: [])  # as if the other was not seen yet
    with pytest.raises(ConflictError) as caught:
        create_booking(founder, room, startup=startup, starts_at=pp(2026, 11, 24, 10), ends_at=pp(2026, 11, 24, 11),
                       now=NOW)
    assert caught.value.status == 409
    assert caught.value.fields["starts_at"] == ["Someone else has just booked this time. Choose another one."]
