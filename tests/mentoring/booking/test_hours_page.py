"""Managers' mentor-hours page and its CSV files (per mentor and per startup, for a cohort and a date range)."""
from __future__ import annotations

import csv
import io

import pytest
import time_machine

from incubator.extensions import db
from incubator.mentoring.services.bookings import book_session, set_no_show
from tests.mentoring.booking.conftest import berlin, utc, weekly

AFTER = utc(2026, 3, 25, 12, 0)


@pytest.fixture
def held(founder, startup, mentor):
    weekly(mentor, {0: [("09:00", "12:00")]})
    booked = utc(2026, 3, 20, 12, 0)
    first = book_session(founder, startup, mentor, berlin(2026, 3, 23, 9, 0), "A", now=booked)
    book_session(founder, startup, mentor, berlin(2026, 3, 23, 10, 0), "B", now=booked)
    absent = book_session(founder, startup, mentor, berlin(2026, 3, 23, 11, 0), "C", now=booked)
    set_no_show(mentor, absent, True, now=AFTER)
    db.session.commit()
    return first


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(AFTER, tick=False) as traveller:
        yield traveller


def test_the_page_totals_held_sessions(client, login, manager, held, cohort):
    login(manager)
    html = client.get(f"/mentoring/hours?cohort_id={cohort.id}&start=2026-03-01&end=2026-03-31").get_data(
        as_text=True)
    assert "Anna Becker" in html and "Kasekor Cold Chain" in html and ">1.5<" in html
    empty = client.get(f"/mentoring/hours?cohort_id={cohort.id}&start=2026-02-01&end=2026-02-28").get_data(
        as_text=True)
    assert "No held sessions in this period." in empty
    # Dates the wrong way round are swapped, nonsense falls back to this month.
    assert "Anna Becker" in client.get("/mentoring/hours?cohort_id=all&start=2026-03-31&end=2026-03-01").get_data(
        as_text=True)
    assert client.get("/mentoring/hours?start=junk&cohort_id=junk").status_code == 200


def test_csv_per_mentor_and_per_startup(client, login, manager, held, cohort):
    login(manager)
    query = f"cohort_id={cohort.id}&start=2026-03-01&end=2026-03-31"
    response = client.get(f"/mentoring/hours/mentors.csv?{query}")
    assert response.mimetype == "text/csv"
    assert 'filename="mentor-hours-mentors-2026-03-01-2026-03-31.csv"' in response.headers["Content-Disposition"]
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows == [["Mentor", "Time zone", "Sessions held", "Hours", "Minutes", "Startups mentored", "No-shows"],
                    ["Anna Becker", "Europe/Berlin", "2", "1.50", "90", "1", "1"]]
    rows = list(csv.reader(io.StringIO(client.get(f"/mentoring/hours/startups.csv?{query}").get_data(
        as_text=True).lstrip("\ufeff"))))
    assert rows[1] == ["Kasekor Cold Chain", "2", "1.50", "90", "1", "1"]
    assert client.get(f"/mentoring/hours/people.csv?{query}").status_code == 404
