"""The resources API: catalog, availability, bookings (create, cancel, check in, pay, decide), allowances left,
the JSON error shape for 401/403/404/409/422, and the OpenAPI document."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from incubator.extensions import db
from incubator.resources.models import Booking, BookingStatus, ResourceType
from tests.resources.conftest import pp
from tests.resources.factories import AllowanceFactory, BookingFactory, CreditsFactory, ResourceFactory

pytestmark = pytest.mark.usefixtures("clock")


def _error(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.get_data(as_text=True)
    body = response.get_json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message", "fields"}
    assert body["error"]["code"] == code and body["error"]["message"]
    return body["error"]


def booking_body(resource, startup, start=(2026, 11, 24, 10), end=(2026, 11, 24, 11), **extra) -> dict:
    return {"resource_id": resource.id, "startup_id": startup.id, "starts_at": pp(*start).isoformat(),
            "ends_at": pp(*end).isoformat(), **extra}


def test_catalog_and_resource_detail(client, api_token, founder, room):
    ResourceFactory(name="Old", is_active=False)
    CreditsFactory(name="AWS credits")
    headers = api_token(founder)
    body = client.get("/api/v1/resources", headers=headers).get_json()
    assert {item["name"] for item in body["items"]} == {"AWS credits", "Mekong Meeting Room"}
    assert body["total"] == 2
    rooms = client.get("/api/v1/resources?type=meeting_room", headers=headers).get_json()
    assert [item["name"] for item in rooms["items"]] == ["Mekong Meeting Room"]
    detail = client.get(f"/api/v1/resources/{room.id}", headers=headers).get_json()
    assert detail["opening_hours"][0] == {"weekday": 0, "opens": "07:00:00", "closes": "21:00:00"}
    assert detail["certified"] is True and detail["counted"] is False and detail["price_minor"] == 0
    _error(client.get("/api/v1/resources/999999", headers=headers), 404, "not_found")
    _error(client.get("/api/v1/resources?type=spaceship", headers=headers), 422, "invalid")


def test_availability_in_utc(client, api_token, founder, startup, other_startup, room):
    BookingFactory(resource=room, startup=startup, starts_at=pp(2026, 11, 24, 10), ends_at=pp(2026, 11, 24, 11))
    BookingFactory(resource=room, startup=other_startup, starts_at=pp(2026, 11, 24, 12), ends_at=pp(2026, 11, 24, 13))
    body = client.get(f"/api/v1/resources/{room.id}/availability?start=2026-11-24T07:00:00%2B07:00&days=1",
                      headers=api_token(founder)).get_json()
    assert body["free"] == [
        {"starts_at": "2026-11-24T00:00:00Z", "ends_at": "2026-11-24T03:00:00Z"},
        {"starts_at": "2026-11-24T04:00:00Z", "ends_at": "2026-11-24T05:00:00Z"},
        {"starts_at": "2026-11-24T06:00:00Z", "ends_at": "2026-11-24T14:00:00Z"},
    ]
    assert [(t["kind"], t["label"]) for t in body["taken"]] == [("mine", "Kasekor Cold Chain"), ("busy", "")]


def test_book_check_in_and_cancel_through_the_api(client, api_token, founder, startup, room, clock):
    headers = api_token(founder)
    response = client.post("/api/v1/bookings", json=booking_body(room, startup, (2026, 11, 23, 9),
                                                                  (2026, 11, 23, 10)), headers=headers)
    assert response.status_code == 201, response.get_data(as_text=True)
    created = response.get_json()
    booking = created["bookings"][0]
    assert created["payment_required"] is False and created["series_id"] is None
    assert booking["status"] == "confirmed" and booking["starts_at"] == "2026-11-23T02:00:00Z"
    assert response.headers["Location"].endswith(f"/api/v1/bookings/{booking['id']}")
    checked = client.post(f"/api/v1/bookings/{booking['id']}/check-in", headers=headers).get_json()
    assert checked["status"] == "checked_in"
    _error(client.post(f"/api/v1/bookings/{booking['id']}/check-in", headers=headers), 409, "conflict")
    later = client.post("/api/v1/bookings", json=booking_body(room, startup), headers=headers).get_json()
    later_id = later["bookings"][0]["id"]
    cancelled = client.post(f"/api/v1/bookings/{later_id}/cancel", json={}, headers=headers).get_json()
    assert cancelled["status"] == "cancelled"
    listed = client.get("/api/v1/bookings", headers=headers).get_json()
    assert [item["id"] for item in listed["items"]] == [booking["id"], later_id]


def test_booking_errors(client, api_token, founder, other_founder, startup, other_startup, cohort, room):
    headers = api_token(founder)
    _error(client.post("/api/v1/bookings", json={}, headers=headers), 422, "invalid")
    _error(client.post("/api/v1/bookings", data="not json", headers=headers | {"Content-Type": "application/json"}),
           400, "bad_request")
    _error(client.post("/api/v1/bookings", json=booking_body(room, other_startup), headers=headers), 403,
           "forbidden")
    _error(client.post("/api/v1/bookings", json=booking_body(room, startup) | {"resource_id": 999999},
                       headers=headers), 404, "not_found")
    error = _error(client.post("/api/v1/bookings", json=booking_body(room, startup, end=(2026, 11, 24, 10, 10)),
                               headers=headers), 422, "invalid")
    assert "ends_at" in error["fields"] or "starts_at" in error["fields"]
    BookingFactory(resource=room, startup=other_startup, starts_at=pp(2026, 12, 1, 10), ends_at=pp(2026, 12, 1, 11))
    error = _error(client.post("/api/v1/bookings", json=booking_body(room, startup, weeks=3), headers=headers), 409,
                   "conflict")
    assert error["fields"]["clashes"] == ["Tue 1 Dec 2026, 10:00–11:00: Already booked Tue 1 Dec 2026, 10:00–11:00."]
    AllowanceFactory(cohort=cohort, resource=room, amount=30)
    error = _error(client.post("/api/v1/bookings", json=booking_body(room, startup), headers=headers), 422, "invalid")
    assert "0.5 h left per week" in error["fields"]["ends_at"][0]
    printer = ResourceFactory(requires_training=True)
    _error(client.post("/api/v1/bookings", json=booking_body(printer, startup), headers=headers), 403, "forbidden")
    credits = CreditsFactory()
    _error(client.post("/api/v1/bookings", json=booking_body(credits, startup), headers=headers), 422, "invalid")
    _error(client.post("/api/v1/bookings", json={"resource_id": room.id, "startup_id": startup.id, "units": 3},
                       headers=headers), 422, "invalid")


def test_credits_through_the_api(client, api_token, founder, startup):
    credits = CreditsFactory(requires_approval=True)
    body = client.post("/api/v1/bookings", json={"resource_id": credits.id, "startup_id": startup.id, "units": 250},
                       headers=api_token(founder)).get_json()
    assert body["bookings"][0]["status"] == "pending" and body["bookings"][0]["units"] == 250


def test_other_founders_and_mentors_are_refused(client, api_token, founder, other_founder, startup, room):
    from incubator.auth.models import Role
    from tests.factories import UserFactory

    booking = BookingFactory(resource=room, startup=startup, booked_by=founder)
    db.session.commit()
    other = api_token(other_founder)
    _error(client.get(f"/api/v1/bookings/{booking.id}", headers=other), 403, "forbidden")
    _error(client.post(f"/api/v1/bookings/{booking.id}/cancel", json={}, headers=other), 403, "forbidden")
    _error(client.get(f"/api/v1/startups/{startup.id}/allowances", headers=other), 403, "forbidden")
    assert client.get("/api/v1/bookings", headers=other).get_json()["items"] == []
    _error(client.get(f"/api/v1/bookings?startup_id={startup.id}", headers=other), 403, "forbidden")
    mentor = api_token(UserFactory(role=Role.MENTOR))
    _error(client.get("/api/v1/resources", headers=mentor), 403, "forbidden")
    _error(client.get("/api/v1/bookings/999999", headers=other), 404, "not_found")
    _error(client.get("/api/v1/resources"), 401, "unauthorized")


def test_managers_decide_and_cancel_with_a_reason(client, api_token, manager, founder, startup):
    hall = ResourceFactory(requires_approval=True)
    pending = BookingFactory(resource=hall, startup=startup, booked_by=founder, status=BookingStatus.PENDING,
                             starts_at=pp(2026, 11, 26, 10), ends_at=pp(2026, 11, 26, 11),
                             hold_expires_at=pp(2026, 11, 25, 9))
    db.session.commit()
    headers = api_token(manager)
    _error(client.post(f"/api/v1/bookings/{pending.id}/decision", json={"decision": "rejected"}, headers=headers),
           422, "invalid")
    _error(client.post(f"/api/v1/bookings/{pending.id}/decision", json={"decision": "approved"},
                       headers=api_token(founder)), 403, "forbidden")
    body = client.post(f"/api/v1/bookings/{pending.id}/decision", json={"decision": "approved"},
                       headers=headers).get_json()
    assert body["status"] == "confirmed"
    _error(client.post(f"/api/v1/bookings/{pending.id}/decision", json={"decision": "approved"}, headers=headers),
           409, "conflict")
    error = _error(client.post(f"/api/v1/bookings/{pending.id}/cancel", json={}, headers=headers), 422, "invalid")
    assert "reason" in error["fields"]
    body = client.post(f"/api/v1/bookings/{pending.id}/cancel", json={"reason": "Flooding"}, headers=headers)
    assert body.get_json()["cancel_reason"] == "Flooding"
    everything = client.get(f"/api/v1/bookings?startup_id={startup.id}&upcoming=false", headers=headers).get_json()
    assert everything["total"] == 1


def test_checkout_when_nothing_is_owed(client, api_token, founder, startup, room):
    booking = BookingFactory(resource=room, startup=startup, booked_by=founder)
    db.session.commit()
    _error(client.post(f"/api/v1/bookings/{booking.id}/checkout", headers=api_token(founder)), 409, "conflict")


def test_allowances_left(client, api_token, founder, startup, cohort, room):
    AllowanceFactory(cohort=cohort, resource_type=ResourceType.MEETING_ROOM, amount=240)
    BookingFactory(resource=room, startup=startup, starts_at=pp(2026, 11, 24, 10), ends_at=pp(2026, 11, 24, 11))
    body = client.get(f"/api/v1/startups/{startup.id}/allowances", headers=api_token(founder)).get_json()
    assert body["items"] == [{
        "allowance_id": body["items"][0]["allowance_id"], "target": "Meeting room", "resource_id": None,
        "resource_type": "meeting_room", "period": "week", "period_start": "2026-11-23", "period_end": "2026-11-29",
        "counted": False, "amount": 240, "used": 60, "remaining": 180, "scope": "cohort"}]
    only = client.get(f"/api/v1/startups/{startup.id}/allowances?resource_id={room.id}",
                      headers=api_token(founder)).get_json()
    assert [item["remaining"] for item in only["items"]] == [180]


def test_every_resource_operation_is_documented(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    for path, method in [("/resources", "get"), ("/resources/{resource_id}", "get"),
                         ("/resources/{resource_id}/availability", "get"), ("/bookings", "get"),
                         ("/bookings", "post"), ("/bookings/{booking_id}", "get"),
                         ("/bookings/{booking_id}/cancel", "post"), ("/bookings/{booking_id}/check-in", "post"),
                         ("/bookings/{booking_id}/checkout", "post"), ("/bookings/{booking_id}/decision", "post"),
                         ("/startups/{startup_id}/allowances", "get")]:
        operation = paths[path][method]
        assert operation["tags"] == ["resources"] and "401" in operation["responses"]
    assert "409" in paths["/bookings"]["post"]["responses"]
    assert db.session.scalar(sa.select(sa.func.count(Booking.id))) == 0
