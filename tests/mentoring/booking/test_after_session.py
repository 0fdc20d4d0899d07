"""After the session: each side's private notes and rating, no-shows, mentor hours and shared endorsements."""
from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine

from incubator.core.errors import ConflictError, ServiceError
from incubator.mentoring.models import MatchStatus
from incubator.mentoring.models.bookings import BookingStatus, NoteSide
from incubator.mentoring.reporting import (
    hours_report,
    mentor_endorsements,
    mentor_hours_by_mentor,
    mentor_hours_by_startup,
)
from incubator.mentoring.services.bookings import book_session, cancel_session, save_note, set_no_show
from tests.factories import UserFactory
from tests.mentoring.booking.conftest import berlin, utc, weekly
from tests.mentoring.factories import match

NOW = utc(2026, 3, 20, 12, 0)
MONDAY_9, MONDAY_10, MONDAY_11 = (berlin(2026, 3, 23, h, 0) for h in (9, 10, 11))
AFTER = utc(2026, 3, 24, 12, 0)
MARCH = (utc(2026, 3, 1), utc(2026, 4, 1))


@pytest.fixture
def booking(founder, startup, mentor):
    weekly(mentor, {0: [("09:00", "12:00")]})
    return book_session(founder, startup, mentor, MONDAY_9, "Pricing", now=NOW)


def test_notes_open_once_the_session_started(booking, founder):
    with pytest.raises(ConflictError, match="once the session has started"):
        save_note(founder, booking, NoteSide.STARTUP, {"body": "Too early"}, now=MONDAY_9 - timedelta(minutes=1))
    note = save_note(founder, booking, NoteSide.STARTUP, {"body": "Useful", "rating": 5}, now=MONDAY_9)
    assert (note.side, note.rating, note.author_id) == (NoteSide.STARTUP, 5, founder.id)


def test_each_side_keeps_one_note_it_can_update(booking, founder, mentor):
    save_note(mentor, booking, NoteSide.MENTOR, {"body": "Needs a CFO", "rating": 3}, now=AFTER)
    save_note(mentor, booking, NoteSide.MENTOR, {"body": "Needs a CFO soon", "rating": 4}, now=AFTER)
    save_note(founder, booking, NoteSide.STARTUP, {"rating": 5}, now=AFTER)
    assert sorted((n.side.value, n.body, n.rating) for n in booking.notes) == [
        ("mentor", "Needs a CFO soon", 4), ("startup", "", 5)]


@pytest.mark.parametrize("data, field", [
    ({"rating": 6}, "rating"), ({"rating": 0}, "rating"), ({"body": "x" * 5001}, "body"), ({}, "body"),
    ({"rating": 4, "share": True}, "shared_comment"),
])
def test_bad_notes_are_refused(booking, mentor, data, field):
    with pytest.raises(ServiceError) as caught:
        save_note(mentor, booking, NoteSide.MENTOR, data, now=AFTER)
    assert field in caught.value.fields


def test_founders_cannot_share_an_endorsement(booking, founder):
    note = save_note(founder, booking, NoteSide.STARTUP, {"rating": 2, "shared_comment": "Share me", "share": True},
                     now=AFTER)
    assert (note.share, note.shared_comment) == (False, "")


def test_no_notes_on_a_cancelled_session(booking, founder):
    cancel_session(founder, booking, "Ill", now=NOW)
    with pytest.raises(ConflictError, match="cancelled"):
        save_note(founder, booking, NoteSide.STARTUP, {"rating": 1}, now=AFTER)


def test_mentor_marks_a_no_show_and_can_undo_it(booking, mentor):
    with pytest.raises(ConflictError, match="once the session has started"):
        set_no_show(mentor, booking, True, now=MONDAY_9 - timedelta(minutes=5))
    set_no_show(mentor, booking, True, now=MONDAY_9 + timedelta(minutes=15))
    assert booking.status == BookingStatus.NO_SHOW and booking.no_show_marked_by_id == mentor.id
    with pytest.raises(ConflictError, match="already marked"):
        set_no_show(mentor, booking, True, now=AFTER)
    set_no_show(mentor, booking, False, now=AFTER)
    assert booking.status == BookingStatus.CONFIRMED and booking.no_show_marked_by_id is None


def test_mentor_hours_count_held_sessions_only(founder, startup, mentor, manager, other_startup, other_founder):
    weekly(mentor, {0: [("09:00", "12:00")]})
    second = UserFactory(role=mentor.role, name="Li Wei", timezone="Asia/Shanghai")
    weekly(second, {0: [("15:00", "18:00")]}, slot_minutes=60, buffer_minutes=0)
    match(startup, second, MatchStatus.ACCEPTED)
    match(other_startup, mentor, MatchStatus.ACCEPTED)
    held = book_session(founder, startup, mentor, MONDAY_9, "A", now=NOW)  # 45 min
    book_session(other_founder, other_startup, mentor, MONDAY_10, "B", now=NOW)  # 45 min, other startup
    absent = book_session(founder, startup, mentor, MONDAY_11, "C", now=NOW)
    cancelled = book_session(founder, startup, second, utc(2026, 3, 23, 8, 0), "D", now=NOW)
    cancel_session(founder, cancelled, "Double booked", now=NOW)
    shanghai = book_session(founder, startup, second, berlin(2026, 3, 23, 10, 0), "E", now=NOW)  # 60 min
    future = book_session(founder, startup, mentor, berlin(2026, 3, 30, 9, 0), "F", now=NOW)
    set_no_show(mentor, absent, True, now=AFTER)
    with time_machine.travel(AFTER, tick=False):
        assert mentor_hours_by_mentor(startup.cohort_id, *MARCH) == {mentor.id: 90, second.id: 60}
        assert mentor_hours_by_startup(startup.cohort_id, *MARCH) == {startup.id: 105, other_startup.id: 45}
        assert mentor_hours_by_startup(startup.cohort_id, utc(2026, 3, 23, 8, 30), utc(2026, 4, 1)) == \
            {startup.id: 60, other_startup.id: 45}  # by start time: the 08:00 UTC session is left out
        assert mentor_hours_by_mentor(startup.cohort_id + 999, *MARCH) == {}
        mentors, startups = hours_report(startup.cohort_id, *MARCH)
    assert [(r.name, r.minutes, r.sessions, r.no_shows, len(r.counterparts)) for r in mentors] == [
        ("Anna Becker", 90, 2, 1, 2), ("Li Wei", 60, 1, 0, 1)]
    assert [(r.name, r.minutes, r.sessions, r.no_shows) for r in startups] == [
        ("Kasekor Cold Chain", 105, 2, 1), ("Mekong Pay", 45, 1, 0)]
    assert held.was_held(AFTER) and shanghai.was_held(AFTER) and not future.was_held(AFTER)


def test_endorsements_are_only_what_mentors_chose_to_share(booking, founder, startup, mentor):
    second_time = book_session(founder, startup, mentor, MONDAY_10, "Follow-up", now=NOW)
    save_note(mentor, booking, NoteSide.MENTOR, {"body": "Private: cash runs out in May", "rating": 4,
                                                 "shared_comment": "A focused, coachable team.", "share": True},
              now=AFTER)
    save_note(mentor, second_time, NoteSide.MENTOR, {"body": "Private again", "rating": 2,
                                                     "shared_comment": "Not for sharing", "share": False}, now=AFTER)
    save_note(founder, booking, NoteSide.STARTUP, {"body": "Great", "rating": 5}, now=AFTER)
    with time_machine.travel(AFTER, tick=False):
        shared = mentor_endorsements(startup.id)
    assert shared == [{"booking_id": booking.id, "mentor_id": mentor.id, "mentor_name": "Anna Becker",
                       "session_date": MONDAY_9.date(), "rating": 4, "comment": "A focused, coachable team."}]
    assert "Private" not in str(shared)
