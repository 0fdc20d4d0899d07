"""Lists, feeds and reports run a bounded number of queries whatever the number of sessions."""
from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine

from incubator.extensions import db
from incubator.mentoring.models.bookings import BookingStatus, MentorBooking, NoteSide, SessionNote
from incubator.mentoring.services import calendar_feeds
from tests.factories import StartupFactory, founder_of
from tests.mentoring.booking.conftest import utc, weekly

NOW = utc(2026, 3, 20, 12, 0)


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def sessions(startup, mentor, count: int, first) -> None:
    """``count`` sessions an hour apart from ``first``; every other one in the past with notes."""
    for index in range(count):
        start = first + timedelta(hours=index)
        booking = MentorBooking(mentor_id=mentor.id, startup_id=startup.id, cohort_id=startup.cohort_id,
                                starts_at=start, ends_at=start + timedelta(minutes=45), agenda=f"Topic {index}",
                                status=BookingStatus.CONFIRMED)
        db.session.add(booking)
        db.session.flush()
        if start < NOW:
            db.session.add(SessionNote(booking_id=booking.id, side=NoteSide.MENTOR, body="Notes", rating=4))
    db.session.commit()


def counted(count_queries, call) -> int:
    with count_queries() as counter:
        response = call()
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    return counter.count


def _grow(startup, mentor):
    sessions(startup, mentor, 22, NOW - timedelta(days=6))
    sessions(startup, mentor, 20, NOW + timedelta(days=4))


@pytest.mark.parametrize("who", ["founder", "mentor", "manager"])
def test_sessions_pages_and_api_list(client, login, api_token, count_queries, founder, startup, mentor, manager,
                                     who):
    user = {"founder": founder, "mentor": mentor, "manager": manager}[who]
    sessions(startup, mentor, 2, NOW - timedelta(days=3))
    sessions(startup, mentor, 2, NOW + timedelta(days=2))
    headers = api_token(user)
    client.get("/api/v1/mentor-bookings", headers=headers)  # the token's first use stamps it (extra queries)
    login(user)
    pages = ("/mentoring/sessions", "/mentoring/sessions?tab=past")
    small = [counted(count_queries, lambda url=url: client.get(url)) for url in pages]
    small_api = counted(count_queries, lambda: client.get("/api/v1/mentor-bookings?scope=all", headers=headers))
    _grow(startup, mentor)
    large = [counted(count_queries, lambda url=url: client.get(url)) for url in pages]
    large_api = counted(count_queries, lambda: client.get("/api/v1/mentor-bookings?scope=all", headers=headers))
    assert large == small and large_api == small_api


def test_the_calendar_feed(client, count_queries, founder, startup, mentor):
    sessions(startup, mentor, 2, NOW + timedelta(days=2))
    feed = calendar_feeds.create_feed(founder)
    db.session.commit()
    path = "/" + calendar_feeds.feed_url(feed).split("/", 3)[-1]
    client.get(path)  # the first fetch stamps "last fetched" (an hour passes before the next stamp)
    small = counted(count_queries, lambda: client.get(path))
    _grow(startup, mentor)
    assert counted(count_queries, lambda: client.get(path)) == small


def test_the_mentor_hours_page(client, login, count_queries, manager, startup, mentor, cohort):
    sessions(startup, mentor, 2, NOW - timedelta(days=3))
    login(manager)
    url = f"/mentoring/hours?cohort_id={cohort.id}&start=2026-03-01&end=2026-03-31"
    small = counted(count_queries, lambda: client.get(url))
    for index in range(5):
        other = StartupFactory(cohort=cohort)
        founder_of(other)
        sessions(other, mentor, 3, NOW - timedelta(days=10, hours=5 * index))
    assert counted(count_queries, lambda: client.get(url)) == small


def test_a_slot_page_does_not_grow_with_bookings(client, login, count_queries, founder, startup, mentor):
    weekly(mentor, {day: [("08:00", "20:00")] for day in range(7)}, notice_hours=0)
    db.session.commit()
    login(founder)
    url = f"/mentoring/startups/{startup.id}/book/{mentor.id}"
    small = counted(count_queries, lambda: client.get(url))
    sessions(startup, mentor, 30, NOW + timedelta(days=1))
    assert counted(count_queries, lambda: client.get(url)) == small
