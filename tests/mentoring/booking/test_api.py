"""The mentoring-session API: open slots, booking, listing, cancelling and moving, with the web's rules and errors."""
from __future__ import annotations

import pytest
import sqlalchemy as sa
import time_machine

from incubator.extensions import db
from incubator.mentoring.models.bookings import BookingStatus, MentorBooking
from incubator.mentoring.services import availability
from incubator.mentoring.services.bookings import book_session
from tests.factories import UserFactory
from tests.mentoring.booking.conftest import berlin, hm, utc, weekly

NOW = utc(2026, 3, 20, 12, 0)
MONDAY_9 = berlin(2026, 3, 23, 9, 0)


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def hours(mentor):
    weekly(mentor, {0: [("09:00", "12:00")]})
    db.session.commit()


def error_of(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.get_data(as_text=True)
    body = response.get_json()
    assert set(body) == {"error"} and body["error"]["code"] == code
    return body["error"]


def test_slots_across_the_spring_change_in_the_founders_zone(client, api_token, founder, startup, mentor, hours):
    response = client.get(f"/api/v1/mentors/{mentor.id}/slots?start=2026-03-23&end=2026-03-30",
                          headers=api_token(founder))
    assert response.status_code == 200
    body = response.get_json()
    assert (body["startup_id"], body["timezone"], body["mentor_timezone"]) == (startup.id, "Asia/Phnom_Penh",
                                                                                "Europe/Berlin")
    firsts = [s for s in body["items"] if s["mentor_local_start"].endswith(("09:00:00+01:00", "09:00:00+02:00"))]
    assert [(s["starts_at"], s["local_start"]) for s in firsts] == [
        ("2026-03-23T08:00:00Z", "2026-03-23T15:00:00+07:00"), ("2026-03-30T07:00:00Z", "2026-03-30T14:00:00+07:00")]
    assert {s["kind"] for s in body["items"]} == {"weekly"} and len(body["items"]) == 6


def test_slots_query_is_checked(client, api_token, founder, mentor, hours):
    headers = api_token(founder)
    for query, field in (("start=2026-03-30&end=2026-03-23", "end"), ("start=2026-03-01&end=2026-06-01", "end"),
                         ("tz=Mars/Olympus", "tz"), ("start=yesterday", "start")):
        error = error_of(client.get(f"/api/v1/mentors/{mentor.id}/slots?{query}", headers=headers), 422, "invalid")
        assert field in error["fields"], query
    error_of(client.get("/api/v1/mentors/999999/slots", headers=headers), 404, "not_found")


def test_who_may_list_a_mentors_slots(client, api_token, mentor, hours, other_founder, manager):
    assert client.get(f"/api/v1/mentors/{mentor.id}/slots", headers=api_token(mentor)).status_code == 200
    assert client.get(f"/api/v1/mentors/{mentor.id}/slots", headers=api_token(manager)).status_code == 200
    error_of(client.get(f"/api/v1/mentors/{mentor.id}/slots", headers=api_token(other_founder)), 403, "forbidden")
    other_mentor = UserFactory(role=mentor.role)
    db.session.commit()
    error_of(client.get(f"/api/v1/mentors/{mentor.id}/slots", headers=api_token(other_mentor)), 403, "forbidden")


def test_office_hours_slots_for_another_startup_of_the_cohort(client, api_token, mentor, cohort, other_founder):
    block = availability.open_office_hours(mentor, cohort, {
        "day": MONDAY_9.date(), "start_time": hm("14:00"), "end_time": hm("15:00"), "slot_minutes": 30,
        "repeat_weeks": 1}, now=NOW)[0]
    db.session.commit()
    body = client.get(f"/api/v1/mentors/{mentor.id}/slots?start=2026-03-23&end=2026-03-23",
                      headers=api_token(other_founder)).get_json()
    assert [(s["kind"], s["office_hours_id"], s["starts_at"]) for s in body["items"]] == [
        ("office_hours", block.id, "2026-03-23T13:00:00Z")]


def test_founder_books_lists_and_reads_a_session(client, api_token, founder, startup, mentor, hours):
    headers = api_token(founder)
    response = client.post("/api/v1/mentor-bookings", headers=headers, json={
        "mentor_id": mentor.id, "startup_id": startup.id, "starts_at": "2026-03-23T15:00:00+07:00",
        "agenda": "Pricing"})
    assert response.status_code == 201
    body = response.get_json()
    assert response.headers["Location"].endswith(f"/api/v1/mentor-bookings/{body['id']}")
    assert (body["starts_at"], body["ends_at"], body["minutes"], body["status"], body["held"]) == (
        "2026-03-23T08:00:00Z", "2026-03-23T08:45:00Z", 45, "confirmed", False)
    assert body["ics_url"].endswith(f"/mentoring/sessions/{body['id']}/calendar.ics")
    listing = client.get("/api/v1/mentor-bookings", headers=headers).get_json()
    assert [item["id"] for item in listing["items"]] == [body["id"]] and listing["total"] == 1
    assert client.get("/api/v1/mentor-bookings?scope=past", headers=headers).get_json()["total"] == 0
    assert client.get(f"/api/v1/mentor-bookings/{body['id']}", headers=api_token(mentor)).status_code == 200


def test_booking_errors(client, api_token, founder, startup, mentor, hours, other_founder, other_startup, manager):
    headers = api_token(founder)
    base = {"mentor_id": mentor.id, "startup_id": startup.id, "starts_at": "2026-03-23T08:00:00Z", "agenda": "x"}
    error = error_of(client.post("/api/v1/mentor-bookings", headers=headers, json=base | {"agenda": ""}), 422,
                     "invalid")
    assert "agenda" in error["fields"]
    error_of(client.post("/api/v1/mentor-bookings", headers=headers, json=base | {"starts_at": "2026-03-23T08:00"}),
             422, "invalid")
    error = error_of(client.post("/api/v1/mentor-bookings", headers=headers,
                                 json=base | {"starts_at": "2026-03-20T23:00:00Z"}), 422, "invalid")
    assert "notice" in error["message"]
    error_of(client.post("/api/v1/mentor-bookings", headers=headers, json=base | {"startup_id": other_startup.id}),
             403, "forbidden")
    error_of(client.post("/api/v1/mentor-bookings", headers=api_token(other_founder),
                         json=base | {"startup_id": other_startup.id}), 403, "forbidden")
    error_of(client.post("/api/v1/mentor-bookings", headers=api_token(mentor), json=base), 403, "forbidden")
    error_of(client.post("/api/v1/mentor-bookings", headers=headers, json=base | {"office_hours_id": 999}), 404,
             "not_found")
    assert client.post("/api/v1/mentor-bookings", headers=headers, json=base).status_code == 201
    error = error_of(client.post("/api/v1/mentor-bookings", headers=api_token(manager), json=base), 409, "conflict")
    assert "Someone booked this time" in error["message"]


def test_allowance_is_a_409_with_what_is_left(client, api_token, founder, startup, mentor, hours, manager):
    availability.save_policy(manager, startup.cohort, monthly_minutes=60, cancel_cutoff_hours=24)
    db.session.commit()
    headers = api_token(founder)
    base = {"mentor_id": mentor.id, "startup_id": startup.id, "agenda": "x"}
    assert client.post("/api/v1/mentor-bookings", headers=headers,
                       json=base | {"starts_at": "2026-03-23T08:00:00Z"}).status_code == 201
    error = error_of(client.post("/api/v1/mentor-bookings", headers=headers,
                                 json=base | {"starts_at": "2026-03-23T09:00:00Z"}), 409, "conflict")
    assert "15 min left of 1 h" in error["message"]


@pytest.fixture
def booking(founder, startup, mentor, hours):
    made = book_session(founder, startup, mentor, MONDAY_9, "Pitch", now=NOW)
    db.session.commit()
    return made


def test_cancel_and_reschedule(client, api_token, founder, mentor, booking):
    headers = api_token(mentor)
    moved = client.post(f"/api/v1/mentor-bookings/{booking.id}/reschedule", headers=headers,
                        json={"starts_at": "2026-03-23T09:00:00Z", "reason": "Clash"})
    assert moved.status_code == 200 and moved.get_json()["sequence"] == 1
    assert moved.get_json()["starts_at"] == "2026-03-23T09:00:00Z"
    error = error_of(client.post(f"/api/v1/mentor-bookings/{booking.id}/reschedule", headers=headers,
                                 json={"starts_at": "2026-03-23T09:20:00Z", "reason": "Odd time"}), 422, "invalid")
    assert "starts_at" in error["fields"]
    error_of(client.post(f"/api/v1/mentor-bookings/{booking.id}/cancel", headers=headers, json={}), 422, "invalid")
    cancelled = client.post(f"/api/v1/mentor-bookings/{booking.id}/cancel", headers=api_token(founder),
                            json={"reason": "We pivoted"})
    assert cancelled.status_code == 200 and cancelled.get_json()["status"] == "cancelled"
    error_of(client.post(f"/api/v1/mentor-bookings/{booking.id}/cancel", headers=headers, json={"reason": "x"}),
             409, "conflict")


def test_after_the_cut_off_only_managers_change_it(client, api_token, founder, manager, booking, clock):
    clock.move_to(utc(2026, 3, 22, 12, 0))
    error = error_of(client.post(f"/api/v1/mentor-bookings/{booking.id}/cancel", headers=api_token(founder),
                                 json={"reason": "Late"}), 403, "forbidden")
    assert "until 24 hours before" in error["message"]
    db.session.expire_all()
    assert db.session.get(MentorBooking, booking.id).status == BookingStatus.CONFIRMED
    response = client.post(f"/api/v1/mentor-bookings/{booking.id}/cancel", headers=api_token(manager),
                           json={"reason": "Mentor ill"})
    assert response.status_code == 200


def test_strangers_cannot_read_or_change_a_session(client, api_token, booking, other_founder):
    headers = api_token(other_founder)
    error_of(client.get(f"/api/v1/mentor-bookings/{booking.id}", headers=headers), 403, "forbidden")
    error_of(client.post(f"/api/v1/mentor-bookings/{booking.id}/cancel", headers=headers, json={"reason": "x"}),
             403, "forbidden")
    assert client.get("/api/v1/mentor-bookings", headers=headers).get_json()["total"] == 0
    error_of(client.get("/api/v1/mentor-bookings/99999", headers=headers), 404, "not_found")
    assert db.session.scalar(sa.select(MentorBooking.status)) == BookingStatus.CONFIRMED


def test_operations_are_in_the_openapi_document(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    assert set(paths["/mentor-bookings"]) == {"get", "post"}
    assert "409" in paths["/mentor-bookings"]["post"]["responses"]
    for path in ("/mentors/{mentor_id}/slots", "/mentor-bookings/{booking_id}",
                 "/mentor-bookings/{booking_id}/cancel", "/mentor-bookings/{booking_id}/reschedule"):
        assert path in paths
