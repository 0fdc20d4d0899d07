"""The founder's home page lists what is coming up: mentor sessions and room or equipment bookings."""
from __future__ import annotations

from datetime import timedelta

from incubator.auth.models import Role
from incubator.cohorts.models import CohortStatus
from incubator.db import utcnow
from incubator.extensions import db
from incubator.mentoring.models.bookings import BookingStatus as SessionStatus
from incubator.mentoring.models.bookings import MentorBooking
from incubator.resources.models import BookingStatus
from tests.factories import CohortFactory, StartupFactory, UserFactory, founder_of
from tests.resources.factories import BookingFactory, ResourceFactory


def _world():
    startup = StartupFactory(cohort=CohortFactory(status=CohortStatus.RUNNING), name="Kasekor Cold Chain")
    founder = founder_of(startup)
    other = StartupFactory(cohort=startup.cohort, name="Mekong Pay")
    mentor = UserFactory(role=Role.MENTOR, name="Anna Becker")
    return startup, founder, other, mentor


def _session(startup, mentor, starts_at, status=SessionStatus.CONFIRMED):
    session = MentorBooking(mentor_id=mentor.id, startup_id=startup.id, cohort_id=startup.cohort_id,
                            starts_at=starts_at, ends_at=starts_at + timedelta(minutes=30), status=status)
    db.session.add(session)
    db.session.flush()
    return session


def test_the_founder_sees_their_next_sessions_and_bookings_only(client, login):
    startup, founder, other, mentor = _world()
    soon = utcnow().replace(microsecond=0) + timedelta(days=2)
    mine = _session(startup, mentor, soon)
    _session(startup, mentor, soon + timedelta(days=1), status=SessionStatus.CANCELLED)
    _session(startup, mentor, soon - timedelta(days=5))  # over
    _session(other, mentor, soon + timedelta(hours=3))  # another startup's
    room = ResourceFactory(name="Mekong meeting room")
    printer = ResourceFactory(name="Prusa 3D printer")
    booking = BookingFactory(resource=room, startup=startup, booked_by=founder, starts_at=soon)
    BookingFactory(resource=printer, startup=startup, booked_by=founder, starts_at=soon, status=BookingStatus.CANCELLED)
    login(founder)
    page = client.get("/").get_data(as_text=True)
    assert f"/mentoring/sessions/{mine.id}" in page and page.count("Anna Becker") == 1
    assert f"/resources/bookings/{booking.id}" in page and "Mekong meeting room" in page
    assert "Prusa 3D printer" not in page


def test_an_empty_week_says_so_and_offers_booking(client, login):
    _startup, founder, _other, _mentor = _world()
    login(founder)
    page = client.get("/").get_data(as_text=True)
    assert "No session booked." in page and "No booking coming up." in page
    assert 'href="/mentoring/book"' in page and 'href="/resources/"' in page


def test_the_home_page_query_count_does_not_grow_with_bookings(client, login, count_queries):
    startup, founder, _other, mentor = _world()
    soon = utcnow().replace(microsecond=0) + timedelta(days=2)
    room = ResourceFactory()
    login(founder)

    def measure() -> int:
        with count_queries() as counted:
            assert client.get("/").status_code == 200
        return counted.count

    _session(startup, mentor, soon)
    BookingFactory(resource=room, startup=startup, booked_by=founder, starts_at=soon)
    few = measure()
    for day in range(1, 12):
        _session(startup, mentor, soon + timedelta(days=day))
        BookingFactory(resource=room, startup=startup, booked_by=founder, starts_at=soon + timedelta(days=day))
    assert measure() == few


def test_the_mentor_sees_their_next_sessions_and_matches_waiting(client, login):
    from incubator.mentoring.models import Match, MatchStatus

    startup, _founder, other, mentor = _world()
    soon = utcnow().replace(microsecond=0) + timedelta(days=2)
    mine = _session(startup, mentor, soon)
    _session(other, UserFactory(role=Role.MENTOR), soon)  # another mentor's session
    db.session.add(Match(cohort_id=other.cohort_id, startup_id=other.id, mentor_id=mentor.id,
                         status=MatchStatus.PUBLISHED))
    db.session.flush()
    login(mentor)
    page = client.get("/").get_data(as_text=True)
    assert f"/mentoring/sessions/{mine.id}" in page and "Kasekor Cold Chain" in page
    assert page.count("/mentoring/sessions/") == 1
    assert "1 startup is waiting for your answer" in page
