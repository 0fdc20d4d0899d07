"""Managers' pages: resources with hours and photo, blackouts, approvals, certifications, allowances, all
bookings (cancel with a reason) and the utilization report with its CSV."""
from __future__ import annotations

import csv
import io
import re
from datetime import time

import pytest
import sqlalchemy as sa

from incubator.audit.models import AuditEntry
from incubator.extensions import db
from incubator.notifications.models import Notification
from incubator.resources.models import (
    Allowance,
    AllowancePeriod,
    Blackout,
    Booking,
    BookingSeries,
    BookingStatus,
    Certification,
    Resource,
    ResourceType,
)
from tests.resources.conftest import pp
from tests.resources.factories import BookingFactory, CertificationFactory, ResourceFactory

pytestmark = pytest.mark.usefixtures("clock")


def text(response) -> str:
    return re.sub(r"\s+", " ", response.get_data(as_text=True))


def resource_form(**overrides) -> dict:
    data = {"name": "Mekong Meeting Room", "type": "meeting_room", "location": "2nd floor", "description": "Screen",
            "capacity": "8", "slot_minutes": "30", "min_minutes": "30", "max_minutes": "240", "advance_days": "30",
            "cancel_cutoff_hours": "2", "price": "0", "currency": "USD", "unit_label": "", "max_units": ""}
    for day in range(7):
        data[f"hours-{day}-opens"] = "08:00" if day < 5 else ""
        data[f"hours-{day}-closes"] = "17:30" if day < 5 else ""
    data.update(overrides)
    return data


def test_create_a_resource_with_hours_price_and_photo(client, login, manager, png_bytes):
    login(manager)
    assert "Opening hours (Phnom Penh time)" in text(client.get("/resources/manage/new"))
    data = resource_form(name="3D printer", type="equipment", price="3.50", requires_training="y",
                         **{"hours-0-closes": "12:00", "hours-0-opens_again": "13:00", "hours-0-closes_again": "17:30"})
    data["photo"] = (io.BytesIO(png_bytes), "printer.png")
    response = client.post("/resources/manage/new", data=data, content_type="multipart/form-data")
    assert response.status_code == 302
    resource = db.session.scalar(sa.select(Resource).where(Resource.name == "3D printer"))
    assert (resource.price_minor, resource.requires_training, resource.photo_path.endswith(".png")) == (350, True,
                                                                                                        True)
    assert [(h.weekday, h.opens, h.closes) for h in resource.hours] == \
        [(0, time(8), time(12)), (0, time(13), time(17, 30))] + [(d, time(8), time(17, 30)) for d in range(1, 5)]
    page = client.get(f"/resources/{resource.id}/edit").get_data(as_text=True)
    assert 'id="hours-0-opens_again" name="hours-0-opens_again" type="time" value="13:00"' in page
    assert client.get(f"/resources/{resource.id}/photo").status_code == 200
    assert db.session.scalar(sa.select(AuditEntry.action).where(AuditEntry.target_id == resource.id)) == \
        "resource.created"


def test_a_photo_is_checked_by_its_content(client, login, manager):
    login(manager)
    data = resource_form()
    data["photo"] = (io.BytesIO(b"<?php echo 'not an image'; ?>"), "room.png")
    response = client.post("/resources/manage/new", data=data, content_type="multipart/form-data")
    assert response.status_code == 422 and "must be a PNG, JPEG or WebP image" in text(response)
    assert db.session.scalar(sa.select(sa.func.count(Resource.id))) == 0


@pytest.mark.parametrize(("overrides", "message"), [
    ({"hours-0-closes": ""}, "Give both an opening and a closing time for Monday, or neither."),
    ({"hours-0-closes": "07:00"}, "closing time must be after its opening time"),
    ({"min_minutes": "120", "max_minutes": "60"}, "The longest booking cannot be shorter than the shortest."),
    ({"price": "-1"}, "Number must be at least 0."),
])
def test_resource_form_errors(client, login, manager, overrides, message):
    login(manager)
    response = client.post("/resources/manage/new", data=resource_form(**overrides))
    assert response.status_code == 422 and message in text(response)


def test_edit_rename_clash_and_archive(client, login, manager, room):
    other = ResourceFactory(name="Tonle Sap Room")
    db.session.commit()
    login(manager)
    page = client.get(f"/resources/{room.id}/edit").get_data(as_text=True)
    assert 'value="Mekong Meeting Room"' in page and 'value="07:00"' in page
    response = client.post(f"/resources/{room.id}/edit", data=resource_form(name=other.name))
    assert response.status_code == 422 and "There is already a resource called" in text(response)
    assert client.post(f"/resources/{room.id}/edit", data=resource_form(capacity="10")).status_code == 302
    db.session.expire_all()
    assert db.session.get(Resource, room.id).capacity == 10
    assert [h.weekday for h in db.session.get(Resource, room.id).hours] == [0, 1, 2, 3, 4]
    client.post(f"/resources/{room.id}/archive")
    db.session.expire_all()
    assert db.session.get(Resource, room.id).is_active is False


def test_blackout_cancels_the_bookings_it_overlaps_and_tells_the_founders(client, login, manager, founder, startup,
                                                                         room):
    booking = BookingFactory(resource=room, startup=startup, booked_by=founder, starts_at=pp(2026, 11, 25, 10),
                             ends_at=pp(2026, 11, 25, 11))
    kept = BookingFactory(resource=room, startup=startup, booked_by=founder, starts_at=pp(2026, 11, 26, 10),
                          ends_at=pp(2026, 11, 26, 11))
    db.session.commit()
    login(manager)
    response = client.post("/resources/blackouts", data={
        "resource_id": str(room.id), "kind": "maintenance", "starts_at": "2026-11-25T08:00",
        "ends_at": "2026-11-25T18:00", "reason": "Air conditioning repair", "cancel_clashing": "y"},
        follow_redirects=True)
    assert "1 bookings were cancelled" in text(response)
    db.session.expire_all()
    assert db.session.get(Booking, booking.id).status == BookingStatus.CANCELLED
    assert db.session.get(Booking, booking.id).cancel_reason == "Closed: Air conditioning repair"
    assert db.session.get(Booking, kept.id).status == BookingStatus.CONFIRMED
    assert db.session.scalar(sa.select(Notification.body).where(Notification.user_id == founder.id)) == \
        "Closed: Air conditioning repair"
    blackout = db.session.scalar(sa.select(Blackout))
    assert blackout.starts_at == pp(2026, 11, 25, 8)
    assert "Air conditioning repair" in text(client.get("/resources/blackouts"))
    client.post(f"/resources/blackouts/{blackout.id}/delete")
    assert db.session.scalar(sa.select(sa.func.count(Blackout.id))) == 0


def test_a_holiday_without_cancelling_warns_about_what_overlaps(client, login, manager, startup, room):
    BookingFactory(resource=room, startup=startup, starts_at=pp(2026, 11, 25, 10), ends_at=pp(2026, 11, 25, 11))
    db.session.commit()
    login(manager)
    response = client.post("/resources/blackouts", data={
        "resource_id": "0", "kind": "holiday", "starts_at": "2026-11-25T00:00", "ends_at": "2026-11-26T00:00",
        "reason": "Water Festival"}, follow_redirects=True)
    assert "1 bookings still overlap it" in text(response)
    assert db.session.scalar(sa.select(Blackout.resource_id)) is None


def test_approvals_queue_and_decisions(client, login, manager, founder, startup):
    hall = ResourceFactory(name="Event hall", requires_approval=True)
    series = BookingSeries(resource_id=hall.id, startup_id=startup.id, weeks=2)
    db.session.add(series)
    db.session.flush()
    weekly = [BookingFactory(resource=hall, startup=startup, booked_by=founder, status=BookingStatus.PENDING,
                             series_id=series.id, starts_at=day, ends_at=day.replace(hour=11),
                             hold_expires_at=pp(2026, 11, 25, 9))
              for day in (pp(2026, 11, 26, 10), pp(2026, 12, 3, 10))]
    single = BookingFactory(resource=hall, startup=startup, booked_by=founder, status=BookingStatus.PENDING,
                            starts_at=pp(2026, 11, 27, 10), ends_at=pp(2026, 11, 27, 11),
                            hold_expires_at=pp(2026, 11, 25, 9))
    db.session.commit()
    login(manager)
    page = text(client.get("/resources/approvals"))
    assert page.count("Approve</button>") == 2 and "2 weeks" in page
    response = client.post(f"/resources/bookings/{single.id}/decide", data={"reject": "1", "note": ""},
                           follow_redirects=True)
    assert "Say why" in text(response)
    client.post(f"/resources/bookings/{single.id}/decide", data={"reject": "1", "note": "Booked for Demo Day"})
    client.post(f"/resources/bookings/{weekly[0].id}/decide", data={"approve": "1", "note": ""})
    db.session.expire_all()
    assert db.session.get(Booking, single.id).status == BookingStatus.REJECTED
    assert {db.session.get(Booking, b.id).status for b in weekly} == {BookingStatus.CONFIRMED}
    assert "Nothing is waiting for a decision." in text(client.get("/resources/approvals"))


def test_certifications(client, login, manager, founder):
    printer = ResourceFactory(name="3D printer", requires_training=True)
    db.session.commit()
    login(manager)
    response = client.post("/resources/certifications", data={"resource_id": str(printer.id),
                                                               "user_id": str(founder.id), "note": "Induction"})
    assert response.status_code == 302
    response = client.post("/resources/certifications", data={"resource_id": str(printer.id),
                                                               "user_id": str(founder.id)})
    assert response.status_code == 422 and "is already certified" in text(response)
    certification = db.session.scalar(sa.select(Certification))
    assert "Induction" in text(client.get("/resources/certifications"))
    client.post(f"/resources/certifications/{certification.id}/revoke")
    assert db.session.scalar(sa.select(sa.func.count(Certification.id))) == 0


def test_certifying_a_manager_is_refused(client, login, manager):
    printer = CertificationFactory().resource
    db.session.commit()
    login(manager)
    response = client.post("/resources/certifications", data={"resource_id": str(printer.id),
                                                               "user_id": str(manager.id)})
    assert response.status_code == 422


def test_allowances_in_hours_and_units(client, login, manager, cohort, startup, room):
    login(manager)
    page = text(client.get("/resources/allowances"))
    assert "Each startup of Cohort Mekong" in page and "All: Meeting room" in page
    client.post("/resources/allowances", data={"scope": f"c:{cohort.id}", "target": "t:meeting_room",
                                               "period": "week", "amount": "2.5"})
    client.post("/resources/allowances", data={"scope": f"c:{cohort.id}", "target": "t:meeting_room",
                                               "period": "week", "amount": "3"})  # the same one again: changed
    client.post("/resources/allowances", data={"scope": f"s:{startup.id}", "target": "t:credits",
                                               "period": "cohort", "amount": "500"})
    response = client.post("/resources/allowances", data={"scope": f"s:{startup.id}", "target": "t:credits",
                                                          "period": "cohort", "amount": "1.5"})
    assert response.status_code == 422 and "whole units" in text(response)
    rows = {(a.resource_type, a.period): a.amount for a in db.session.scalars(sa.select(Allowance))}
    assert rows == {(ResourceType.MEETING_ROOM, AllowancePeriod.WEEK): 180,
                    (ResourceType.CREDITS, AllowancePeriod.COHORT): 500}
    page = text(client.get("/resources/allowances"))
    assert "3 h per week" in page and "500 units for the whole programme" in page
    allowance = db.session.scalar(sa.select(Allowance).where(Allowance.startup_id == startup.id))
    client.post(f"/resources/allowances/{allowance.id}/delete")
    assert db.session.scalar(sa.select(sa.func.count(Allowance.id))) == 1


def test_all_bookings_and_manager_cancel_with_a_reason(client, login, manager, founder, startup, room):
    booking = BookingFactory(resource=room, startup=startup, booked_by=founder, starts_at=pp(2026, 11, 25, 10),
                             ends_at=pp(2026, 11, 25, 11), purpose="Team meeting")
    db.session.commit()
    login(manager)
    page = text(client.get(f"/resources/all-bookings?resource_id={room.id}"))
    assert "Wed 25 Nov 2026, 10:00–11:00" in page and "Kasekor Cold Chain" in page
    response = client.post(f"/resources/bookings/{booking.id}/cancel", data={"reason": "", "next": "all"},
                           follow_redirects=True)
    assert "Give a reason; the founders are told." in text(response)
    response = client.post(f"/resources/bookings/{booking.id}/cancel", data={"reason": "Maintenance", "next": "all"})
    assert response.headers["Location"].endswith("/resources/all-bookings")
    db.session.expire_all()
    assert db.session.get(Booking, booking.id).cancel_reason == "Maintenance"


def test_utilization_page_and_csv(client, login, manager, startup, room):
    BookingFactory(resource=room, startup=startup, starts_at=pp(2026, 11, 16, 9), ends_at=pp(2026, 11, 16, 11),
                   status=BookingStatus.CHECKED_IN)
    BookingFactory(resource=room, startup=startup, starts_at=pp(2026, 11, 17, 9), ends_at=pp(2026, 11, 17, 10),
                   status=BookingStatus.NO_SHOW)
    db.session.commit()
    login(manager)
    page = text(client.get("/resources/utilization?granularity=week&start=2026-11-16&end=2026-11-22"))
    assert '<svg class="chart-svg"' in page and "Hours booked, used and lost to no-shows per week" in page
    assert "3 h" in page and "2 h" in page
    response = client.get("/resources/utilization.csv?granularity=week&start=2026-11-16&end=2026-11-22")
    assert response.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert [(r["resource"], r["period_start"], r["booked_hours"], r["used_hours"], r["no_shows"], r["bookable_hours"])
            for r in rows] == [("Mekong Meeting Room", "2026-11-16", "3.00", "2.00", "1", "98.00")]
