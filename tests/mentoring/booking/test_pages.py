"""The founder's and mentor's pages: book a mentor, sessions, a session's page, cancel and move, notes, no-shows."""
from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
import time_machine

from incubator.extensions import db
from incubator.mentoring.models.bookings import BookingStatus, MentorBooking, NoteSide
from incubator.mentoring.services import availability
from incubator.mentoring.services.bookings import book_session, save_note
from tests.factories import UserFactory, founder_of
from tests.mentoring.booking.conftest import berlin, hm, utc, weekly

NOW = utc(2026, 3, 20, 12, 0)  # Friday 20 March, 19:00 in Phnom Penh
MONDAY_9 = berlin(2026, 3, 23, 9, 0)  # 15:00 in Phnom Penh
SLOT = "2026-03-23T08:00Z"


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def hours(mentor):
    weekly(mentor, {0: [("09:00", "12:00")]}, location="https://meet.example.org/anna")
    db.session.commit()


def slot_values(html: str) -> list[str]:
    return re.findall(r'name="slot"[^>]*value="([^"]+)"', html)


def flashes(html: str) -> str:
    return " ".join(re.findall(r'class="alert alert-[a-z]+[^"]*"[^>]*>\s*([^<]+)', html))


def test_founder_goes_from_book_a_mentor_to_a_slot(client, login, founder, startup, mentor, hours):
    login(founder)
    assert client.get("/mentoring/book").headers["Location"].endswith(f"/mentoring/startups/{startup.id}/book")
    overview = client.get(f"/mentoring/startups/{startup.id}/book").get_data(as_text=True)
    assert "Anna Becker" in overview and "Europe/Berlin" in overview and "4 h left" in overview
    page = client.get(f"/mentoring/startups/{startup.id}/book/{mentor.id}").get_data(as_text=True)
    assert SLOT in slot_values(page)
    # Founder's time first (Phnom Penh), the mentor's Berlin time under it.
    assert "Monday 23 March" in page and "15:00–15:45" in page and "Mon 09:00 Berlin" in page


def test_slots_follow_the_mentors_clock_change(client, login, founder, startup, mentor, hours):
    login(founder)
    page = client.get(f"/mentoring/startups/{startup.id}/book/{mentor.id}?week=1").get_data(as_text=True)
    assert "Monday 30 March" in page and "14:00–14:45" in page and "2026-03-30T07:00Z" in slot_values(page)


def test_founder_books_and_sees_the_session(client, login, founder, startup, mentor, hours):
    login(founder)
    response = client.post(f"/mentoring/startups/{startup.id}/book/{mentor.id}",
                           data={"slot": SLOT, "agenda": "Export paperwork for Thailand"})
    assert response.status_code == 302
    booking = db.session.scalar(sa.select(MentorBooking))
    assert response.headers["Location"].endswith(f"/mentoring/sessions/{booking.id}")
    page = client.get(f"/mentoring/sessions/{booking.id}").get_data(as_text=True)
    assert "Export paperwork for Thailand" in page and "Monday 23 March 2026, 15:00–15:45" in page
    assert "Mon 23 Mar, 09:00–09:45" in page and "https://meet.example.org/anna" in page
    assert f"/mentoring/sessions/{booking.id}/calendar.ics" in page
    listing = client.get("/mentoring/sessions").get_data(as_text=True)
    assert "Anna Becker" in listing and "Mon 23 Mar 2026, 15:00" in listing


def test_the_second_booking_of_a_slot_gets_a_clear_message(client, login, founder, startup, mentor, hours):
    second = founder_of(startup)
    db.session.commit()
    login(founder)
    client.post(f"/mentoring/startups/{startup.id}/book/{mentor.id}", data={"slot": SLOT, "agenda": "First"})
    client.post("/auth/logout")
    login(second)
    response = client.post(f"/mentoring/startups/{startup.id}/book/{mentor.id}", data={"slot": SLOT,
                                                                                       "agenda": "Second"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Someone booked this time a moment ago" in html or "open times" in html
    assert SLOT not in slot_values(html)
    assert db.session.scalar(sa.select(sa.func.count(MentorBooking.id))) == 1


def test_booking_without_a_slot_or_agenda_is_refused(client, login, founder, startup, mentor, hours):
    login(founder)
    response = client.post(f"/mentoring/startups/{startup.id}/book/{mentor.id}", data={"slot": "", "agenda": ""})
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and "Choose a time." in html and "so the mentor can prepare" in html
    bad = client.post(f"/mentoring/startups/{startup.id}/book/{mentor.id}", data={"slot": "tomorrow", "agenda": "x"})
    assert "Choose a time from the list." in bad.get_data(as_text=True)


def test_over_the_allowance_the_page_says_what_is_left(client, login, founder, startup, mentor, hours, manager):
    availability.save_policy(manager, startup.cohort, monthly_minutes=60, cancel_cutoff_hours=24)
    book_session(founder, startup, mentor, MONDAY_9, "First", now=NOW)
    db.session.commit()
    login(founder)
    response = client.post(f"/mentoring/startups/{startup.id}/book/{mentor.id}",
                           data={"slot": "2026-03-23T09:00Z", "agenda": "Second"})
    assert response.status_code == 422
    assert "15 min left of 1 h" in flashes(response.get_data(as_text=True))


def test_unmatched_founders_cannot_book_weekly_hours(client, login, other_founder, other_startup, mentor, hours):
    login(other_founder)
    assert client.get(f"/mentoring/startups/{other_startup.id}/book/{mentor.id}").status_code == 403
    overview = client.get(f"/mentoring/startups/{other_startup.id}/book").get_data(as_text=True)
    assert "No mentor is matched" in overview


def test_office_hours_are_booked_by_any_startup_of_the_cohort(client, login, other_founder, other_startup, mentor,
                                                              cohort):
    block = availability.open_office_hours(mentor, cohort, {
        "day": MONDAY_9.date(), "start_time": hm("14:00"), "end_time": hm("16:00"), "slot_minutes": 30,
        "repeat_weeks": 1, "topic": "Fundraising questions"}, now=NOW)[0]
    db.session.commit()
    login(other_founder)
    overview = client.get(f"/mentoring/startups/{other_startup.id}/book").get_data(as_text=True)
    assert "Fundraising questions" in overview
    url = f"/mentoring/startups/{other_startup.id}/office-hours/{block.id}"
    # 30-minute sessions with the mentor's 15-minute break between them.
    assert slot_values(client.get(url).get_data(as_text=True)) == [
        f"2026-03-23T{t}Z@{block.id}" for t in ("13:00", "13:45", "14:30")]
    assert client.post(url, data={"slot": "2026-03-23T13:00Z", "agenda": "x"}).status_code == 422  # not this block's
    response = client.post(url, data={"slot": f"2026-03-23T13:45Z@{block.id}", "agenda": "Seed round terms"})
    assert response.status_code == 302
    assert db.session.scalar(sa.select(MentorBooking.office_hours_id)) == block.id


@pytest.fixture
def booking(founder, startup, mentor, hours):
    made = book_session(founder, startup, mentor, MONDAY_9, "Our pitch", now=NOW)
    db.session.commit()
    return made


def test_only_its_people_and_managers_see_a_session(client, login, booking, other_founder, manager):
    for user, status in ((other_founder, 403), (UserFactory(role=booking.mentor.role), 403), (manager, 200)):
        db.session.commit()
        login(user)
        assert client.get(f"/mentoring/sessions/{booking.id}").status_code == status
        assert client.get(f"/mentoring/sessions/{booking.id}/calendar.ics").status_code == status
        client.post("/auth/logout")


def test_founder_cancels_before_the_cut_off(client, login, founder, booking):
    login(founder)
    refused = client.post(f"/mentoring/sessions/{booking.id}/cancel", data={"reason": ""})
    assert refused.status_code == 422 and "Give a reason" in refused.get_data(as_text=True)
    response = client.post(f"/mentoring/sessions/{booking.id}/cancel", data={"reason": "Investor meeting"},
                           follow_redirects=True)
    assert "The session is cancelled" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(MentorBooking, booking.id).status == BookingStatus.CANCELLED


def test_after_the_cut_off_the_founder_is_refused_and_a_manager_cancels(client, login, founder, manager, booking,
                                                                        clock):
    clock.move_to(utc(2026, 3, 22, 12, 0))  # 20 hours before: inside the 24-hour cut-off
    login(founder)
    page = client.get(f"/mentoring/sessions/{booking.id}").get_data(as_text=True)
    assert "Only the incubator team can cancel or move it now" in page
    response = client.post(f"/mentoring/sessions/{booking.id}/cancel", data={"reason": "Late"}, follow_redirects=True)
    assert "until 24 hours before they start" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(MentorBooking, booking.id).status == BookingStatus.CONFIRMED
    client.post("/auth/logout")
    login(manager)
    response = client.post(f"/mentoring/sessions/{booking.id}/cancel", data={"reason": "Mentor is ill"},
                           follow_redirects=True)
    assert "The session is cancelled" in response.get_data(as_text=True)


def test_mentor_moves_the_session_to_another_slot(client, login, mentor, booking):
    login(mentor)
    page = client.get(f"/mentoring/sessions/{booking.id}/reschedule").get_data(as_text=True)
    assert "2026-03-23T09:00Z" in slot_values(page) and SLOT not in slot_values(page)
    response = client.post(f"/mentoring/sessions/{booking.id}/reschedule",
                           data={"slot": "2026-03-23T10:00Z", "reason": "A call ran late"})
    assert response.status_code == 302
    db.session.expire_all()
    moved = db.session.get(MentorBooking, booking.id)
    assert (moved.starts_at, moved.sequence) == (utc(2026, 3, 23, 10, 0), 1)


def test_notes_are_private_to_each_side_and_managers(client, login, founder, mentor, manager, booking, clock):
    clock.move_to(utc(2026, 3, 23, 9, 0))  # after the session
    login(mentor)
    response = client.post(f"/mentoring/sessions/{booking.id}/notes", data={
        "body": "Cash runway is short", "rating": "4", "shared_comment": "Coachable team", "share": "y"})
    assert response.status_code == 302
    client.post("/auth/logout")
    login(founder)
    client.post(f"/mentoring/sessions/{booking.id}/notes", data={"body": "Great advice on pricing", "rating": "5"})
    founder_page = client.get(f"/mentoring/sessions/{booking.id}").get_data(as_text=True)
    assert "Great advice on pricing" in founder_page and "Cash runway is short" not in founder_page
    client.post("/auth/logout")
    login(manager)
    manager_page = client.get(f"/mentoring/sessions/{booking.id}").get_data(as_text=True)
    assert "Great advice on pricing" in manager_page and "Cash runway is short" in manager_page
    assert "Shared in reports" in manager_page
    assert client.post(f"/mentoring/sessions/{booking.id}/notes", data={"body": "x"}).status_code == 403


def test_mentor_marks_a_no_show_on_the_page(client, login, mentor, founder, booking, clock):
    clock.move_to(utc(2026, 3, 23, 8, 20))
    login(founder)
    assert client.post(f"/mentoring/sessions/{booking.id}/no-show", data={"no_show": "1"}).status_code == 403
    client.post("/auth/logout")
    login(mentor)
    client.post(f"/mentoring/sessions/{booking.id}/no-show", data={"no_show": "1"})
    db.session.expire_all()
    assert db.session.get(MentorBooking, booking.id).status == BookingStatus.NO_SHOW
    client.post(f"/mentoring/sessions/{booking.id}/no-show", data={"no_show": "0"})
    db.session.expire_all()
    assert db.session.get(MentorBooking, booking.id).status == BookingStatus.CONFIRMED


def test_sessions_list_has_upcoming_and_past_tabs(client, login, founder, startup, mentor, booking, clock):
    save_note(mentor, booking, NoteSide.MENTOR, {"rating": 3}, now=utc(2026, 3, 24))
    db.session.commit()
    clock.move_to(utc(2026, 3, 24, 12, 0))
    login(founder)
    assert "No upcoming sessions." in client.get("/mentoring/sessions").get_data(as_text=True)
    past = client.get("/mentoring/sessions?tab=past").get_data(as_text=True)
    assert "Held" in past and "Add notes" in past


def test_investors_have_no_sessions(client, login):
    investor = UserFactory(role="investor")
    db.session.commit()
    login(investor)
    assert client.get("/mentoring/sessions").status_code == 403
    assert client.get("/mentoring/book").status_code == 403
