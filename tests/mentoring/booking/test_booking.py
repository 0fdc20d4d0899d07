"""Booking rules: open slots only, notice and window, matched startups, office hours, the monthly allowance."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from incubator.audit.models import AuditEntry
from incubator.cohorts.models import CohortStatus
from incubator.core.errors import ConflictError, ForbiddenError, ServiceError
from incubator.extensions import db
from incubator.mentoring.models.bookings import BookingStatus, MentorBooking
from incubator.mentoring.services import availability
from incubator.mentoring.services.bookings import allowance_left, book_session, cancel_session, minutes_used
from incubator.notifications.models import Notification, OutboxMessage
from tests.factories import CohortFactory, StartupFactory, founder_of
from tests.mentoring.booking.conftest import berlin, hm, pp, utc, weekly

NOW = utc(2026, 3, 20, 12, 0)  # Friday; Monday 23 March 09:00 in Berlin is 08:00 UTC
MONDAY_9 = berlin(2026, 3, 23, 9, 0)


@pytest.fixture
def hours(mentor):
    weekly(mentor, {0: [("09:00", "12:00")], 1: [("20:00", "21:00")]}, location="https://meet.example.org/anna")


def book(founder, startup, mentor, at, agenda="Pricing for the cold rooms", **kwargs):
    return book_session(founder, startup, mentor, at, agenda, now=kwargs.pop("now", NOW), **kwargs)


def test_founder_books_an_open_slot_and_the_mentor_is_told_in_her_time(founder, startup, mentor, hours):
    second = founder_of(startup, name="Vanna Ouk", timezone="Asia/Phnom_Penh")
    booking = book(founder, startup, mentor, MONDAY_9)

    assert (booking.starts_at, booking.ends_at) == (utc(2026, 3, 23, 8, 0), utc(2026, 3, 23, 8, 45))
    assert booking.status == BookingStatus.CONFIRMED and booking.sequence == 0
    assert booking.location == "https://meet.example.org/anna" and booking.cohort_id == startup.cohort_id
    notes = {n.user_id: n for n in db.session.scalars(sa.select(Notification))}
    assert set(notes) == {mentor.id, second.id}  # everyone but the founder who booked
    assert "Kasekor Cold Chain" in notes[mentor.id].title and "09:00" in notes[mentor.id].title
    assert "15:00" in notes[second.id].title  # 08:00 UTC is 15:00 in Phnom Penh
    mail = db.session.scalar(sa.select(OutboxMessage).where(OutboxMessage.to_email == mentor.email))
    assert "Pricing for the cold rooms" in mail.body_text and "/calendar.ics" in mail.body_text
    assert "09:00 Central European Standard Time" in mail.body_text  # the mentor's email speaks Berlin time
    theirs = db.session.scalar(sa.select(OutboxMessage).where(OutboxMessage.to_email == second.email)).body_text
    assert "15:00 Indochina Time" in theirs and "The mentor's local time: Mon 23 Mar, 09:00" in theirs
    assert db.session.scalar(sa.select(AuditEntry.action).where(AuditEntry.target_id == booking.id)) == \
        "mentoring.session_booked"


def test_after_the_spring_change_the_same_berlin_time_is_an_hour_earlier_in_utc(founder, startup, mentor, hours):
    booking = book(founder, startup, mentor, berlin(2026, 3, 30, 9, 0))
    assert booking.starts_at == utc(2026, 3, 30, 7, 0)
    assert booking.starts_at == pp(2026, 3, 30, 14, 0)


def test_a_slot_can_be_booked_once(founder, startup, mentor, hours, other_startup, manager):
    book(founder, startup, mentor, MONDAY_9)
    with pytest.raises(ConflictError, match="Someone booked this time"):
        book(manager, startup, mentor, MONDAY_9)
    assert db.session.scalar(sa.select(sa.func.count(MentorBooking.id))) == 1


def test_a_time_off_the_grid_is_refused(founder, startup, mentor, hours):
    with pytest.raises(ServiceError) as caught:
        book(founder, startup, mentor, MONDAY_9 + timedelta(minutes=20))
    assert "starts_at" in caught.value.fields and "open times" in caught.value.message


def test_minimum_notice_and_booking_window(founder, startup, mentor, hours):
    with pytest.raises(ServiceError, match="12 hours' notice"):
        book(founder, startup, mentor, MONDAY_9, now=MONDAY_9 - timedelta(hours=11, minutes=59))
    assert book(founder, startup, mentor, MONDAY_9, now=MONDAY_9 - timedelta(hours=12)).starts_at == MONDAY_9
    far = berlin(2026, 4, 27, 9, 0)  # 38 days after NOW
    with pytest.raises(ServiceError, match="at most 30 days ahead"):
        book(founder, startup, mentor, far)
    assert book(founder, startup, mentor, far, now=far - timedelta(days=30)).starts_at == far


def test_only_a_matched_startup_books_weekly_hours(other_founder, other_startup, mentor, hours):
    with pytest.raises(ForbiddenError, match="not matched"):
        book(other_founder, other_startup, mentor, MONDAY_9)


def test_an_agenda_is_required(founder, startup, mentor, hours):
    with pytest.raises(ServiceError) as caught:
        book(founder, startup, mentor, MONDAY_9, agenda="   ")
    assert "agenda" in caught.value.fields


def test_paused_mentor_takes_no_weekly_bookings(founder, startup, mentor):
    weekly(mentor, {0: [("09:00", "12:00")]}, paused=True)
    with pytest.raises(ConflictError, match="not taking new bookings"):
        book(founder, startup, mentor, MONDAY_9)


def test_a_day_off_removes_the_slot(founder, startup, mentor, hours):
    availability.add_exception(mentor, {"day": MONDAY_9.date(), "kind": "off", "start_time": None,
                                        "end_time": None, "note": "Conference"}, now=NOW)
    with pytest.raises(ServiceError, match="open times"):
        book(founder, startup, mentor, MONDAY_9)


def test_allowance_refuses_beyond_and_says_what_is_left(founder, startup, mentor, hours, manager):
    availability.save_policy(manager, startup.cohort, monthly_minutes=60, cancel_cutoff_hours=24)
    first = book(founder, startup, mentor, MONDAY_9)
    assert allowance_left(startup, MONDAY_9.date().replace(day=1)) == 15
    with pytest.raises(ConflictError) as caught:
        book(founder, startup, mentor, berlin(2026, 3, 23, 10, 0))
    assert "15 min left of 1 h" in caught.value.message and "2026-03" in caught.value.message
    # Another month has its own allowance; a cancelled session gives its time back.
    assert book(founder, startup, mentor, berlin(2026, 4, 6, 9, 0)).id
    cancel_session(founder, first, "Clash with a bank meeting", now=NOW)
    assert book(founder, startup, mentor, berlin(2026, 3, 23, 10, 0)).id


def test_allowance_months_follow_phnom_penh_time(founder, startup, mentor, hours, manager):
    availability.save_policy(manager, startup.cohort, monthly_minutes=45, cancel_cutoff_hours=24)
    # Tuesday 31 March, 20:00 in Berlin is 18:00 UTC: already 1 April in Phnom Penh.
    late = book(founder, startup, mentor, berlin(2026, 3, 31, 20, 0))
    assert late.starts_at == pp(2026, 4, 1, 1, 0)
    assert minutes_used(startup.id, late.starts_at.date().replace(month=4, day=1)) == 45
    assert book(founder, startup, mentor, MONDAY_9).id  # March is still untouched


def test_no_limit_when_the_allowance_is_zero(founder, startup, mentor, hours, manager):
    availability.save_policy(manager, startup.cohort, monthly_minutes=0, cancel_cutoff_hours=24)
    for hour in (9, 10, 11):
        book(founder, startup, mentor, berlin(2026, 3, 23, hour, 0))
    assert allowance_left(startup, MONDAY_9.date().replace(day=1)) is None


@pytest.fixture
def office_hours(mentor, cohort):
    return availability.open_office_hours(mentor, cohort, {
        "day": date(2026, 3, 26), "start_time": hm("14:00"), "end_time": hm("16:00"), "slot_minutes": 30,
        "repeat_weeks": 1, "topic": "Fundraising questions", "location": "Zoom room 2"}, now=NOW)[0]


def test_any_startup_of_the_cohort_books_office_hours(other_founder, other_startup, mentor, office_hours):
    booking = book(other_founder, other_startup, mentor, berlin(2026, 3, 26, 14, 0), office_hours=office_hours)
    assert booking.office_hours_id == office_hours.id and booking.minutes == 30
    assert booking.location == "Zoom room 2"


def test_office_hours_are_for_their_cohort_only(mentor, office_hours):
    elsewhere = StartupFactory(cohort=CohortFactory(status=CohortStatus.RUNNING))
    with pytest.raises(ForbiddenError):
        book(founder_of(elsewhere), elsewhere, mentor, berlin(2026, 3, 26, 14, 0), office_hours=office_hours)


def test_closed_office_hours_take_no_bookings(other_founder, other_startup, mentor, office_hours):
    availability.close_office_hours(mentor, office_hours, now=NOW)
    with pytest.raises(ConflictError, match="closed"):
        book(other_founder, other_startup, mentor, berlin(2026, 3, 26, 14, 0), office_hours=office_hours)
    with pytest.raises(ConflictError, match="already closed"):
        availability.close_office_hours(mentor, office_hours, now=NOW)


def test_office_hours_are_not_weekly_slots(founder, startup, mentor, cohort):
    weekly(mentor, {3: [("13:00", "17:00")]}, slot_minutes=60, buffer_minutes=0)
    block = availability.open_office_hours(mentor, cohort, {
        "day": date(2026, 3, 26), "start_time": hm("14:00"), "end_time": hm("15:00"), "slot_minutes": 30,
        "repeat_weeks": 1}, now=NOW)[0]
    found = availability.regular_open_slots(mentor, NOW, NOW + timedelta(days=7), NOW)
    assert [s.starts_at for s in found] == [berlin(2026, 3, 26, 13), berlin(2026, 3, 26, 15), berlin(2026, 3, 26, 16)]
    with pytest.raises(ServiceError, match="open times"):
        book(founder, startup, mentor, berlin(2026, 3, 26, 14, 0))
    assert book(founder, startup, mentor, berlin(2026, 3, 26, 14, 0), office_hours=block).office_hours_id == block.id


def test_only_active_startups_of_running_cohorts_book(founder, startup, mentor, hours):
    from incubator.cohorts.models import StartupStatus

    startup.status = StartupStatus.WITHDRAWN
    with pytest.raises(ConflictError, match="not an active startup of a running cohort"):
        book(founder, startup, mentor, MONDAY_9)
    startup.status = StartupStatus.ACTIVE
    startup.cohort.status = CohortStatus.COMPLETED
    with pytest.raises(ConflictError, match="running cohort"):
        book(founder, startup, mentor, MONDAY_9)
