"""The database's own guard against double bookings: PostgreSQL's exclusion constraint, declared on the model
for PostgreSQL only (SQLite serialises writers with ``BEGIN IMMEDIATE`` instead)."""
from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.schema import CreateTable

from incubator.core.errors import ConflictError
from incubator.db import is_unique_violation
from incubator.extensions import db
from incubator.mentoring.models.bookings import BookingStatus, MentorBooking
from incubator.mentoring.services import bookings as services
from tests.mentoring.booking.conftest import utc


def _row(startup, mentor, start, end, status=BookingStatus.CONFIRMED) -> MentorBooking:
    return MentorBooking(mentor_id=mentor.id, startup_id=startup.id, cohort_id=startup.cohort_id,
                         starts_at=start, ends_at=end, status=status, agenda="x")


def test_the_constraint_is_declared_for_postgresql_only():
    table = MentorBooking.__table__
    pg = str(CreateTable(table).compile(dialect=postgresql.dialect()))
    assert "CONSTRAINT ex_mentor_bookings_no_overlap EXCLUDE USING gist " \
           "(mentor_id WITH =, tstzrange(starts_at, ends_at) WITH &&) WHERE (status <> 'cancelled')" in pg
    assert "EXCLUDE" not in str(CreateTable(table).compile(dialect=sqlite.dialect()))


def test_postgresql_refuses_overlapping_active_sessions(founder, startup, mentor, other_startup):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("the exclusion constraint exists on PostgreSQL only")
    definition = db.session.scalar(sa.text(
        "SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conname = 'ex_mentor_bookings_no_overlap'"))
    assert "EXCLUDE USING gist (mentor_id WITH =, tstzrange(starts_at, ends_at) WITH &&)" in definition
    db.session.add(_row(startup, mentor, utc(2026, 3, 23, 8), utc(2026, 3, 23, 8, 45)))
    db.session.flush()
    with pytest.raises(IntegrityError) as caught, db.session.begin_nested():
        db.session.add(_row(other_startup, mentor, utc(2026, 3, 23, 8, 30), utc(2026, 3, 23, 9, 15)))
    assert is_unique_violation(caught.value) and caught.value.orig.sqlstate == "23P01"
    # Touching end to start is fine, and a cancelled session does not hold the time.
    db.session.add(_row(other_startup, mentor, utc(2026, 3, 23, 8, 45), utc(2026, 3, 23, 9, 30)))
    db.session.add(_row(other_startup, mentor, utc(2026, 3, 23, 8, 0), utc(2026, 3, 23, 8, 45),
                        BookingStatus.CANCELLED))
    db.session.flush()


def test_a_clash_caught_by_the_database_becomes_a_conflict(founder, startup, mentor, other_startup):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("the exclusion constraint exists on PostgreSQL only")
    db.session.add(_row(startup, mentor, utc(2026, 3, 23, 8), utc(2026, 3, 23, 8, 45)))
    db.session.flush()
    with pytest.raises(ConflictError, match="Someone booked this time"), services._slot_stays_single():
        db.session.add(_row(other_startup, mentor, utc(2026, 3, 23, 8), utc(2026, 3, 23, 8, 45)))
