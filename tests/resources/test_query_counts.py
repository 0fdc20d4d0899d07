"""Lists and calendars cost the same number of queries whatever the number of resources, bookings and startups."""
from __future__ import annotations

from datetime import timedelta

import pytest

from incubator.auth.models import Role
from incubator.extensions import db
from incubator.resources.models import BookingStatus, ResourceType
from tests.factories import StartupFactory, UserFactory, founder_of
from tests.resources.conftest import pp
from tests.resources.factories import AllowanceFactory, BookingFactory, CertificationFactory, ResourceFactory

pytestmark = pytest.mark.usefixtures("clock")


def _seed(size: int, cohort, founder, startup) -> dict:
    """``size`` resources, startups and bookings of every kind (this week, past, pending) for one founder's view."""
    rooms = [ResourceFactory(name=f"Room {size}-{n}", requires_training=n % 3 == 0) for n in range(size)]
    startups = [StartupFactory(cohort=cohort, name=f"Startup {size}-{n}") for n in range(size)]
    bookers = [founder_of(s) for s in startups]
    for n in range(size):
        day = pp(2026, 11, 23 + n % 7, 7) + timedelta(minutes=30 * (n // 7))
        BookingFactory(resource=rooms[0], startup=startups[n], booked_by=bookers[n], starts_at=day,
                       ends_at=day + timedelta(minutes=30))
        past = pp(2026, 11, 2, 8) + timedelta(hours=n % 12, days=n // 12)
        BookingFactory(resource=rooms[n % len(rooms)], startup=startup, booked_by=founder, starts_at=past,
                       ends_at=past + timedelta(minutes=30),
                       status=BookingStatus.CHECKED_IN if n % 2 else BookingStatus.NO_SHOW)
        future = pp(2026, 12, 1, 8) + timedelta(hours=n % 12, days=n // 12)
        BookingFactory(resource=rooms[n % len(rooms)], startup=startup if n % 2 else startups[n], booked_by=founder,
                       starts_at=future, ends_at=future + timedelta(minutes=30),
                       status=BookingStatus.PENDING if n % 3 == 0 else BookingStatus.CONFIRMED,
                       hold_expires_at=pp(2026, 11, 25))
        CertificationFactory(resource=rooms[n], user=bookers[n])
    db.session.commit()
    return {"room_id": rooms[0].id}


def _count(client, count_queries, url: str, headers: dict | None = None) -> int:
    with count_queries() as counter:
        response = client.get(url, headers=headers or {})
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return counter.count


PAGES = ["/resources/", "/resources/{room_id}", "/resources/{room_id}?view=day", "/resources/bookings",
         "/resources/bookings?tab=past"]
MANAGER_PAGES = ["/resources/manage", "/resources/approvals", "/resources/all-bookings",
                 "/resources/all-bookings?show=all", "/resources/certifications", "/resources/allowances",
                 "/resources/blackouts", "/resources/utilization?granularity=week&start=2026-11-01&end=2026-12-31",
                 "/resources/utilization.csv?granularity=month&start=2026-11-01&end=2026-12-31"]
API = ["/api/v1/resources", "/api/v1/bookings", "/api/v1/bookings?upcoming=false",
       "/api/v1/resources/{room_id}/availability", "/api/v1/startups/{startup_id}/allowances"]


@pytest.mark.parametrize("who", ["founder", "manager"])
def test_pages_and_api_lists_do_not_grow(app, client, login, api_token, count_queries, cohort, startup, founder, who):
    manager = UserFactory(role=Role.MANAGER)
    AllowanceFactory(cohort=cohort, resource_type=ResourceType.MEETING_ROOM, amount=600)
    small = _seed(4, cohort, founder, startup)
    user = founder if who == "founder" else manager
    login(user)
    headers = api_token(user)
    client.get("/api/v1/resources", headers=headers)  # the token's first use stamps it (one UPDATE)
    urls = PAGES + (MANAGER_PAGES if who == "manager" else [])
    before = {url: _count(client, count_queries, url.format(room_id=small["room_id"], startup_id=startup.id))
              for url in urls}
    before_api = {url: _count(client, count_queries, url.format(room_id=small["room_id"], startup_id=startup.id),
                              headers) for url in API}
    large = _seed(40, cohort, founder, startup)
    after = {url: _count(client, count_queries, url.format(room_id=large["room_id"], startup_id=startup.id))
             for url in urls}
    after_api = {url: _count(client, count_queries, url.format(room_id=large["room_id"], startup_id=startup.id),
                             headers) for url in API}
    assert after == before
    assert after_api == before_api
    assert max(after.values()) <= 20, after
