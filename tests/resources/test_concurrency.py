"""Many people booking the same slot at the same instant: exactly one wins, the others get a 409 (API) or a
clear message (web), never a 500. Real commits and one connection per thread, on SQLite (``BEGIN IMMEDIATE``
serialises the check and the insert) and on PostgreSQL (the exclusion constraint refuses the overlap)."""
from __future__ import annotations

import threading
from datetime import timedelta

import pytest
import sqlalchemy as sa

from incubator.auth.services import create_api_token
from incubator.db import utcnow
from incubator.extensions import db
from incubator.resources.models import Booking, BookingStatus
from tests.factories import StartupFactory, founder_of
from tests.helpers import signed_in_client
from tests.resources.factories import ResourceFactory

pytestmark = pytest.mark.concurrent
THREADS = 6


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
        thread.join(120)
    return results


@pytest.fixture
def world(app):
    room = ResourceFactory(name="Race Room")
    startups = [StartupFactory(name=f"Racer {n}") for n in range(THREADS)]
    founders = [founder_of(startup) for startup in startups]
    tokens = [create_api_token(user, "race")[1] for user in founders]
    db.session.commit()
    start = (utcnow() + timedelta(days=2)).replace(minute=0, second=0, microsecond=0)
    # Keep the slot inside the room's opening hours (07:00-21:00 in Phnom Penh, UTC+7): 10:00 local.
    start = start.replace(hour=3)
    return {"room_id": room.id, "startup_ids": [s.id for s in startups], "emails": [f.email for f in founders],
            "tokens": tokens, "start": start}


def _holding(room_id: int) -> list[Booking]:
    db.session.expire_all()
    return list(db.session.scalars(sa.select(Booking).where(Booking.resource_id == room_id,
                                                            Booking.status == BookingStatus.CONFIRMED)))


def test_one_of_many_api_requests_for_the_same_slot_wins(app, world):
    client = app.test_client()
    start = world["start"]

    def call(n):
        body = {"resource_id": world["room_id"], "startup_id": world["startup_ids"][n],
                "starts_at": (start + timedelta(minutes=30 * (n % 2))).isoformat(),
                "ends_at": (start + timedelta(hours=1, minutes=30 * (n % 2))).isoformat()}
        return client.post("/api/v1/bookings", json=body, headers={"Authorization": f"Bearer {world['tokens'][n]}"})

    responses = _race([lambda n=n: call(n) for n in range(THREADS)])
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [201] + [409] * (THREADS - 1), [r.get_data(as_text=True)[:300] for r in responses]
    for response in responses:
        if response.status_code == 409:
            error = response.get_json()["error"]
            assert error["code"] == "conflict" and error["message"]
    assert len(_holding(world["room_id"])) == 1


def test_one_of_many_web_bookings_wins_and_the_others_are_told(app, world):
    local = world["start"] + timedelta(hours=7)  # Phnom Penh wall clock of the slot
    form = {"day": local.date().isoformat(), "start": f"{local:%H:%M}", "end": f"{local + timedelta(hours=1):%H:%M}",
            "weeks": "1", "purpose": ""}
    clients = [signed_in_client(app, email) for email in world["emails"]]
    responses = _race([
        lambda c=c, s=s: c.post(f"/resources/{world['room_id']}/book", data=form | {"startup_id": str(s)},
                                follow_redirects=True)
        for c, s in zip(clients, world["startup_ids"], strict=True)
    ])
    assert all(r.status_code in (200, 409) for r in responses), [r.status_code for r in responses]
    bodies = [r.get_data(as_text=True) for r in responses]
    assert sum("Booked." in b for b in bodies) == 1
    refused = [b for b in bodies if "Booked." not in b]
    assert len(refused) == THREADS - 1
    assert all("Already booked" in b or "Someone else has just booked this time" in b for b in refused)
    assert len(_holding(world["room_id"])) == 1


def test_two_overlapping_recurring_bookings_at_once(app, world):
    client = app.test_client()
    start = world["start"]

    def call(n):
        body = {"resource_id": world["room_id"], "startup_id": world["startup_ids"][n], "weeks": 3,
                "starts_at": (start + timedelta(days=7 * n)).isoformat(),
                "ends_at": (start + timedelta(days=7 * n, hours=1)).isoformat()}
        return client.post("/api/v1/bookings", json=body, headers={"Authorization": f"Bearer {world['tokens'][n]}"})

    responses = _race([lambda n=n: call(n) for n in range(2)])
    assert sorted(r.status_code for r in responses) == [201, 409]
    holding = _holding(world["room_id"])
    assert len(holding) == 3 and len({b.startup_id for b in holding}) == 1  # all of one series, none of the other
