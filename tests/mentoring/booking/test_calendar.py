"""Calendar files and feeds, parsed back with ``icalendar``: UID, DTSTAMP, UTC times, organizer, attendees,
SEQUENCE, METHOD:CANCEL; private feed URLs that work without signing in and stop working when revoked."""
from __future__ import annotations

import re
from datetime import datetime, timezone
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa
import time_machine
from icalendar import Calendar

from incubator.extensions import db
from incubator.mentoring.models.bookings import CalendarFeed
from incubator.mentoring.services.bookings import book_session, cancel_session, reschedule_session
from tests.factories import UserFactory, founder_of
from tests.mentoring.booking.conftest import berlin, utc, weekly

NOW = utc(2026, 3, 20, 12, 0)
MONDAY_9, MONDAY_10 = berlin(2026, 3, 23, 9, 0), berlin(2026, 3, 23, 10, 0)


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def booking(founder, startup, mentor):
    weekly(mentor, {0: [("09:00", "12:00")]}, location="https://meet.example.org/anna")
    made = book_session(founder, startup, mentor, MONDAY_9, "Pricing; margins, and\nexport", now=NOW)
    db.session.commit()
    return made


def parse(response) -> Calendar:
    assert response.status_code == 200 and response.mimetype == "text/calendar"
    return Calendar.from_ical(response.get_data())


def the_event(calendar: Calendar):
    events = calendar.walk("VEVENT")
    assert len(events) == 1
    return events[0]


def test_the_ics_file_describes_the_session(client, login, founder, mentor, booking):
    second = founder_of(booking.startup, name="Vanna Ouk")
    db.session.commit()
    login(founder)
    response = client.get(f"/mentoring/sessions/{booking.id}/calendar.ics")
    assert 'filename="mentoring-session-' in response.headers["Content-Disposition"]
    calendar = parse(response)
    assert (str(calendar["VERSION"]), str(calendar["METHOD"])) == ("2.0", "PUBLISH") and calendar["PRODID"]
    event = the_event(calendar)
    assert str(event["UID"]) == f"mentoring-{booking.uid}@127.0.0.1"
    assert event["DTSTART"].dt == datetime(2026, 3, 23, 8, 0, tzinfo=timezone.utc)
    assert event["DTEND"].dt == datetime(2026, 3, 23, 8, 45, tzinfo=timezone.utc)
    assert event["DTSTAMP"].dt == NOW
    raw = response.get_data(as_text=True)
    assert "DTSTART:20260323T080000Z" in raw and "DTEND:20260323T084500Z" in raw  # UTC, no VTIMEZONE needed
    assert str(event["ORGANIZER"]) == f"mailto:{mentor.email}" and event["ORGANIZER"].params["CN"] == "Anna Becker"
    attendees = event["ATTENDEE"] if isinstance(event["ATTENDEE"], list) else [event["ATTENDEE"]]
    assert sorted(str(a) for a in attendees) == sorted(f"mailto:{u.email}" for u in (founder, second))
    assert {a.params["ROLE"] for a in attendees} == {"REQ-PARTICIPANT"}
    assert int(event["SEQUENCE"]) == 0 and str(event["STATUS"]) == "CONFIRMED"
    assert "Pricing; margins, and\nexport" in str(event["DESCRIPTION"])
    assert str(event["LOCATION"]) == "https://meet.example.org/anna"
    assert str(event["SUMMARY"]) == "Mentoring: Kasekor Cold Chain with Anna Becker"


def test_a_moved_session_keeps_its_uid_with_a_higher_sequence(client, login, founder, mentor, booking):
    before = str(the_event(Calendar.from_ical(_ics(client, login, founder, booking)))["UID"])
    reschedule_session(mentor, booking, MONDAY_10, "Clash", now=NOW)
    db.session.commit()
    event = the_event(Calendar.from_ical(_ics(client, login, founder, booking)))
    assert str(event["UID"]) == before and int(event["SEQUENCE"]) == 1
    assert event["DTSTART"].dt == datetime(2026, 3, 23, 9, 0, tzinfo=timezone.utc)


def test_a_cancelled_session_file_cancels_the_event(client, login, founder, mentor, booking):
    cancel_session(mentor, booking, "Ill", now=NOW)
    db.session.commit()
    calendar = Calendar.from_ical(_ics(client, login, founder, booking))
    event = the_event(calendar)
    assert str(calendar["METHOD"]) == "CANCEL" and str(event["STATUS"]) == "CANCELLED"
    assert int(event["SEQUENCE"]) == 1


def _ics(client, login, user, booking) -> bytes:
    login(user)
    data = client.get(f"/mentoring/sessions/{booking.id}/calendar.ics").get_data()
    client.post("/auth/logout")
    return data


def _feed_url(client) -> str:
    html = client.get("/mentoring/sessions").get_data(as_text=True)
    found = re.search(r'id="feed-url"[^>]*value="([^"]+)"', html)
    return urlsplit(found.group(1)).path if found else ""


def test_a_private_feed_serves_the_users_sessions_without_signing_in(client, login, founder, mentor, booking,
                                                                     clock):
    login(mentor)
    assert _feed_url(client) == ""
    assert client.post("/mentoring/calendar-feed").status_code == 302
    url = _feed_url(client)
    assert url.startswith("/mentoring/calendar/") and url.endswith(".ics")
    client.post("/auth/logout")
    clock.move_to(utc(2026, 3, 21, 6, 0))
    anonymous = client.application.test_client()
    calendar = parse(anonymous.get(url))
    assert str(calendar["X-WR-CALNAME"]) == "Mentoring sessions – Anna Becker"
    assert "REFRESH-INTERVAL" in calendar
    assert str(the_event(calendar)["UID"]).startswith(f"mentoring-{booking.uid}")
    feed = db.session.scalar(sa.select(CalendarFeed).where(CalendarFeed.user_id == mentor.id))
    assert feed.last_fetched_at == utc(2026, 3, 21, 6, 0)


def test_cancelled_sessions_stay_in_the_feed_marked_cancelled(client, login, founder, booking):
    cancel_session(founder, booking, "Ill", now=NOW)
    db.session.commit()
    login(founder)
    client.post("/mentoring/calendar-feed")
    path = _feed_url(client)
    event = the_event(parse(client.get(path)))
    assert str(event["STATUS"]) == "CANCELLED" and int(event["SEQUENCE"]) == 1


def test_revoking_or_renewing_kills_the_old_address(client, login, founder, booking):
    login(founder)
    client.post("/mentoring/calendar-feed")
    first = _feed_url(client)
    client.post("/mentoring/calendar-feed")
    second = _feed_url(client)
    assert first != second
    assert client.get(first).status_code == 404 and client.get(second).status_code == 200
    client.post("/mentoring/calendar-feed/revoke")
    assert _feed_url(client) == "" and client.get(second).status_code == 404


def test_feed_tokens_cannot_be_forged_and_die_with_the_account(client, login, founder, booking):
    login(founder)
    client.post("/mentoring/calendar-feed")
    path = _feed_url(client)
    assert client.get(path.replace(".ics", "x.ics")).status_code == 404
    assert client.get("/mentoring/calendar/not-a-token.ics").status_code == 404
    founder.is_active = False
    db.session.commit()
    assert client.application.test_client().get(path).status_code == 404


def test_a_feed_shows_only_its_owners_sessions(client, login, booking, other_founder):
    login(other_founder)
    client.post("/mentoring/calendar-feed")
    path = _feed_url(client)
    assert parse(client.get(path)).walk("VEVENT") == []


def test_investors_have_no_feed(client, login):
    investor = UserFactory(role="investor")
    db.session.commit()
    login(investor)
    assert client.post("/mentoring/calendar-feed").status_code == 403
