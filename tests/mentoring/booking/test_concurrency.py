"""Many people booking one slot at the same instant: exactly one gets it, the others a 409 or a clear message.

Real commits and one connection per thread, on SQLite (``BEGIN IMMEDIATE``) and on PostgreSQL (row locks,
and the exclusion constraint as the last word), whichever the suite runs on.
"""
from __future__ import annotations

import threading

import pytest
import sqlalchemy as sa
import time_machine

from incubator.auth.models import Role
from incubator.auth.services import create_api_token
from incubator.extensions import db
from incubator.mentoring.models import MatchStatus
from incubator.mentoring.models.bookings import MentorBooking
from tests.factories import StartupFactory, UserFactory, founder_of
from tests.helpers import signed_in_client
from tests.mentoring.booking.conftest import utc, weekly
from tests.mentoring.factories import match

pytestmark = pytest.mark.concurrent

NOW = utc(2026, 3, 20, 12, 0)
SLOT = "2026-03-23T08:00Z"  # Monday 09:00 in Berlin


def _race(calls):
    """Run each zero-argument call at the same instant; return the results in order."""
    db.session.rollback()  # on SQLite an open transaction would hold the write lock
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def run(i, call):
        barrier.wait()
        results[i] = call()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return results


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def world(app, clock, cohort):
    mentor = UserFactory(role=Role.MENTOR, timezone="Europe/Berlin", name="Anna Becker")
    startups = [StartupFactory(cohort=cohort), StartupFactory(cohort=cohort)]
    for startup in startups:
        match(startup, mentor, MatchStatus.ACCEPTED)
    founders = [founder_of(startups[0]) for _ in range(3)] + [founder_of(startups[1]) for _ in range(3)]
    weekly(mentor, {0: [("09:00", "12:00")]})
    tokens = [create_api_token(user, "race")[1] for user in founders]
    db.session.commit()
    return {"mentor_id": mentor.id, "startup_ids": [s.id for s in startups], "founders": [f.email for f in founders],
            "tokens": tokens}


def _web(app, email: str, url: str, data: dict):
    client = signed_in_client(app, email)
    return lambda: client.post(url, data=data)


def _api(app, token: str, body: dict):
    client = app.test_client()
    return lambda: client.post("/api/v1/mentor-bookings", json=body, headers={"Authorization": f"Bearer {token}"})


def test_many_requests_for_one_slot_book_it_once(app, world):
    mentor_id, (first, second) = world["mentor_id"], world["startup_ids"]
    calls = []
    for index, (email, token) in enumerate(zip(world["founders"], world["tokens"], strict=True)):
        startup_id = first if index < 3 else second
        if index % 2 == 0:
            calls.append(_web(app, email, f"/mentoring/startups/{startup_id}/book/{mentor_id}",
                              {"slot": SLOT, "agenda": f"Web {index}"}))
        else:
            calls.append(_api(app, token, {"mentor_id": mentor_id, "startup_id": startup_id,
                                           "starts_at": "2026-03-23T08:00:00Z", "agenda": f"API {index}"}))
    responses = _race(calls)

    assert all(r.status_code < 500 for r in responses), [r.status_code for r in responses]
    won = [r for r in responses if r.status_code in (201, 302)]
    assert len(won) == 1, [r.status_code for r in responses]
    for response in responses:
        if response is won[0]:
            continue
        if response.is_json:
            assert response.status_code == 409
            assert "Someone booked this time" in response.get_json()["error"]["message"]
        else:
            assert response.status_code == 422
            assert "Someone booked this time a moment ago" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count(MentorBooking.id))) == 1


def test_different_slots_booked_at_once_all_succeed(app, world):
    mentor_id, (first, second) = world["mentor_id"], world["startup_ids"]
    times = ("2026-03-23T08:00:00Z", "2026-03-23T09:00:00Z", "2026-03-23T10:00:00Z")
    calls = [_api(app, world["tokens"][i * 2], {"mentor_id": mentor_id, "startup_id": first if i < 2 else second,
                                               "starts_at": at, "agenda": "Different times"})
             for i, at in enumerate(times)]
    responses = _race(calls)
    assert sorted(r.status_code for r in responses) == [201, 201, 201]
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count(MentorBooking.id))) == 3
