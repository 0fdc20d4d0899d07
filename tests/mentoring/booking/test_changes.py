"""Cancelling and moving sessions: reasons, the cohort's cut-off (managers after it), notifications, the same UID."""
from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from incubator.core.errors import ConflictError, ForbiddenError, ServiceError
from incubator.extensions import db
from incubator.mentoring.models import MatchStatus
from incubator.mentoring.models.bookings import BookingStatus
from incubator.mentoring.services import availability
from incubator.mentoring.services.bookings import book_session, cancel_session, reschedule_session
from incubator.notifications.models import Notification
from tests.mentoring.booking.conftest import berlin, utc, weekly

NOW = utc(2026, 3, 20, 12, 0)
MONDAY_9, MONDAY_10 = berlin(2026, 3, 23, 9, 0), berlin(2026, 3, 23, 10, 0)


@pytest.fixture
def booking(founder, startup, mentor):
    weekly(mentor, {0: [("09:00", "12:00")]})
    return book_session(founder, startup, mentor, MONDAY_9, "Our pitch deck", now=NOW)


def titles(user) -> list[str]:
    return list(db.session.scalars(sa.select(Notification.title).where(Notification.user_id == user.id)
                                   .order_by(Notification.id)))


def test_founder_cancels_with_a_reason_and_the_mentor_is_told(booking, founder, mentor):
    cancel_session(founder, booking, "  Our CEO is ill  ", now=NOW)
    assert booking.status == BookingStatus.CANCELLED and booking.cancel_reason == "Our CEO is ill"
    assert booking.cancelled_by_id == founder.id and booking.sequence == 1
    assert titles(mentor)[-1].startswith("Cancelled: mentoring session with Kasekor Cold Chain")
    body = db.session.scalar(sa.select(Notification.body).where(Notification.user_id == mentor.id)
                             .order_by(Notification.id.desc()).limit(1))
    assert "Our CEO is ill" in body and founder.name in body
    # The time is free again.
    assert MONDAY_9 in [s.starts_at for s in availability.regular_open_slots(mentor, NOW, NOW + timedelta(days=4),
                                                                            NOW)]


def test_cancelling_needs_a_reason_and_happens_once(booking, mentor):
    with pytest.raises(ServiceError) as caught:
        cancel_session(mentor, booking, " ", now=NOW)
    assert "reason" in caught.value.fields
    cancel_session(mentor, booking, "Travelling", now=NOW)
    with pytest.raises(ConflictError, match="already cancelled"):
        cancel_session(mentor, booking, "Again", now=NOW)


def test_after_the_cut_off_only_managers_cancel(booking, founder, mentor, manager):
    late = MONDAY_9 - timedelta(hours=23)  # the default cut-off is 24 hours
    for person in (founder, mentor):
        with pytest.raises(ForbiddenError, match="until 24 hours before"):
            cancel_session(person, booking, "Something came up", now=late)
    assert booking.status == BookingStatus.CONFIRMED
    cancel_session(manager, booking, "Mentor's flight was cancelled", now=late)
    assert booking.status == BookingStatus.CANCELLED
    assert titles(founder)[-1].startswith("Cancelled:") and titles(mentor)[-1].startswith("Cancelled:")


def test_cut_off_is_set_per_cohort(booking, founder, manager, startup):
    availability.save_policy(manager, startup.cohort, monthly_minutes=240, cancel_cutoff_hours=2)
    cancel_session(founder, booking, "Fine three hours before", now=MONDAY_9 - timedelta(hours=3))
    assert booking.status == BookingStatus.CANCELLED


def test_a_started_session_cannot_be_cancelled(booking, manager):
    with pytest.raises(ConflictError, match="already started"):
        cancel_session(manager, booking, "Too late", now=MONDAY_9 + timedelta(minutes=1))


def test_moving_keeps_the_event_and_raises_its_sequence(booking, mentor, founder):
    uid = booking.uid
    reschedule_session(mentor, booking, MONDAY_10, "A board meeting moved", now=NOW)
    assert (booking.starts_at, booking.uid, booking.sequence) == (MONDAY_10, uid, 1)
    assert booking.reschedule_reason == "A board meeting moved" and booking.scheduled_at == NOW
    assert titles(founder)[-1].startswith("Mentoring session with Anna Becker moved to")
    open_now = [s.starts_at for s in availability.regular_open_slots(mentor, NOW, NOW + timedelta(days=4), NOW)]
    assert MONDAY_9 in open_now and MONDAY_10 not in open_now


def test_moving_to_a_taken_or_closed_time_is_refused(booking, founder, startup, mentor, manager):
    book_session(manager, startup, mentor, MONDAY_10, "Second topic", now=NOW)
    with pytest.raises(ConflictError, match="Someone booked this time"):
        reschedule_session(founder, booking, MONDAY_10, "Later please", now=NOW)
    with pytest.raises(ServiceError, match="different time"):
        reschedule_session(founder, booking, MONDAY_9, "Same", now=NOW)
    with pytest.raises(ServiceError, match="open times"):
        reschedule_session(founder, booking, berlin(2026, 3, 23, 15, 0), "Afternoon", now=NOW)
    assert booking.starts_at == MONDAY_9 and booking.sequence == 0


def test_moving_within_its_own_slot_neighbourhood_ignores_itself(booking, founder, mentor):
    # Moving one slot later is allowed although the session's own time is within the buffer of the new one.
    reschedule_session(founder, booking, MONDAY_10, "An hour later", now=NOW)
    assert booking.starts_at == MONDAY_10


def test_moving_after_the_cut_off_is_for_managers(booking, founder, manager):
    late = MONDAY_9 - timedelta(hours=20)
    with pytest.raises(ForbiddenError, match="moved by the mentor or the founders until 24 hours"):
        reschedule_session(founder, booking, MONDAY_10, "Late change", now=late)
    reschedule_session(manager, booking, MONDAY_10, "Arranged by phone", now=late)
    assert booking.starts_at == MONDAY_10


def test_an_ended_match_keeps_sessions_but_stops_weekly_moves(booking, founder, mentor):
    from incubator.mentoring.models import Match

    match = db.session.scalar(sa.select(Match).where(Match.mentor_id == mentor.id))
    match.status = MatchStatus.ENDED
    with pytest.raises(ForbiddenError, match="no longer matched"):
        reschedule_session(founder, booking, MONDAY_10, "Later", now=NOW)
    cancel_session(founder, booking, "We stopped working together", now=NOW)
    assert booking.status == BookingStatus.CANCELLED
