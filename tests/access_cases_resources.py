"""Access-matrix entries for resources and bookings (issue 5).

Managers and founders browse the catalog, see calendars and book (founders for their own startup; an empty
booking form is a 422 for both founders). A booking is seen and acted on by managers, whoever made it and its
startup's founders (the world's booking is the founder's: the other founder gets 403). Mentors and investors do
not book. Everything that manages the catalog, approvals, certifications, allowances and reports is for managers.
"""
from __future__ import annotations

from datetime import time, timedelta

from incubator.db import utcnow
from incubator.extensions import db
from incubator.resources.models import (
    Allowance,
    AllowancePeriod,
    Blackout,
    Booking,
    BookingStatus,
    Certification,
    OpeningHours,
    Resource,
    ResourceType,
)
from incubator.resources.models.catalog import BlackoutKind
from tests.access_cases import MANAGERS, page, submit

BOOKERS = MANAGERS | {"founder", "other_founder"}  # may browse the catalog and book (for their own startup)
BOOKING_PEOPLE = MANAGERS | {"founder"}  # the world's booking: made by the founder for the founder's startup
BOOKING = {"booking_id": "resource_booking_id"}

ROUTES = {
    ("resources.list_resources", "GET"): page(BOOKERS),
    ("resources.view_resource", "GET"): page(BOOKERS),
    ("resources.resource_photo", "GET"): page(BOOKERS),
    ("resources.book", "POST"): submit(BOOKERS, note="an empty form is a 422"),
    ("resources.my_bookings", "GET"): page(BOOKERS),
    ("resources.view_booking", "GET"): page(BOOKING_PEOPLE, args=BOOKING),
    ("resources.check_in", "POST"): submit(BOOKING_PEOPLE, args=BOOKING),
    ("resources.cancel_booking", "POST"): submit(BOOKING_PEOPLE, args=BOOKING),
    ("resources.cancel_series", "POST"): submit(BOOKING_PEOPLE, args=BOOKING),
    ("resources.pay", "POST"): submit(BOOKING_PEOPLE, args=BOOKING, note="nothing to pay: 409"),
    ("resources.manage_resources", "GET"): page(MANAGERS),
    ("resources.create_resource", "GET"): page(MANAGERS),
    ("resources.create_resource", "POST"): submit(MANAGERS),
    ("resources.edit_resource", "GET"): page(MANAGERS),
    ("resources.edit_resource", "POST"): submit(MANAGERS),
    ("resources.toggle_resource", "POST"): submit(MANAGERS),
    ("resources.blackouts", "GET"): page(MANAGERS),
    ("resources.blackouts", "POST"): submit(MANAGERS),
    ("resources.delete_blackout", "POST"): submit(MANAGERS),
    ("resources.approvals", "GET"): page(MANAGERS),
    ("resources.decide", "POST"): submit(MANAGERS, args={"booking_id": "pending_booking_id"}),
    ("resources.certifications", "GET"): page(MANAGERS),
    ("resources.certifications", "POST"): submit(MANAGERS),
    ("resources.revoke_certification", "POST"): submit(MANAGERS),
    ("resources.allowances", "GET"): page(MANAGERS),
    ("resources.allowances", "POST"): submit(MANAGERS),
    ("resources.delete_allowance", "POST"): submit(MANAGERS),
    ("resources.all_bookings", "GET"): page(MANAGERS),
    ("resources.utilization_report", "GET"): page(MANAGERS),
    ("resources.utilization_csv", "GET"): page(MANAGERS),
    # JSON API v1 ---------------------------------------------------------------------------------
    ("api_v1.list_resources", "GET"): page(BOOKERS),
    ("api_v1.get_resource", "GET"): page(BOOKERS),
    ("api_v1.get_resource_availability", "GET"): page(BOOKERS),
    ("api_v1.list_resource_bookings", "GET"): page(BOOKERS),
    ("api_v1.create_resource_booking", "POST"): submit(BOOKERS, note="an empty body is a 422"),
    ("api_v1.get_resource_booking", "GET"): page(BOOKING_PEOPLE, args=BOOKING),
    ("api_v1.cancel_resource_booking", "POST"): submit(BOOKING_PEOPLE, args=BOOKING),
    ("api_v1.check_in_resource_booking", "POST"): submit(BOOKING_PEOPLE, args=BOOKING),
    ("api_v1.pay_resource_booking", "POST"): submit(BOOKING_PEOPLE, args=BOOKING),
    ("api_v1.decide_resource_booking", "POST"): submit(MANAGERS, args={"booking_id": "pending_booking_id"}),
    ("api_v1.list_startup_allowances", "GET"): page(BOOKING_PEOPLE),
}


def build(world: dict) -> dict:
    """A room with a photo, a booking of the founder's startup made by the founder, a pending request on a hall
    that needs approval, a blackout, a certification and an allowance for the running cohort."""
    admin, founder = world["users"]["admin"], world["users"]["founder"]
    startup = world["startup"]
    room = Resource(name="Matrix Meeting Room", type=ResourceType.MEETING_ROOM, photo_path="matrix/logo.png",
                    created_by_id=admin.id)
    hall = Resource(name="Matrix Event Hall", type=ResourceType.EVENT_SPACE, requires_approval=True,
                    requires_training=True)
    db.session.add_all([room, hall])
    db.session.flush()
    for resource in (room, hall):
        for weekday in range(7):
            db.session.add(OpeningHours(resource_id=resource.id, weekday=weekday, opens=time(7), closes=time(21)))
    start = utcnow().replace(minute=0, second=0, microsecond=0) + timedelta(days=3)
    booking = Booking(resource_id=room.id, startup_id=startup.id, booked_by_id=founder.id, starts_at=start,
                      ends_at=start + timedelta(hours=1), status=BookingStatus.CONFIRMED, currency="USD")
    pending = Booking(resource_id=hall.id, startup_id=startup.id, booked_by_id=founder.id, starts_at=start,
                      ends_at=start + timedelta(hours=2), status=BookingStatus.PENDING, currency="USD",
                      hold_expires_at=utcnow() + timedelta(hours=40))
    blackout = Blackout(resource_id=room.id, kind=BlackoutKind.MAINTENANCE, starts_at=start + timedelta(days=2),
                        ends_at=start + timedelta(days=2, hours=3), reason="Projector repair")
    certification = Certification(resource_id=hall.id, user_id=founder.id, certified_by_id=admin.id)
    allowance = Allowance(key=Allowance.make_key(world["running_cohort_id"], None, None, "meeting_room", "week"),
                          cohort_id=world["running_cohort_id"], resource_type=ResourceType.MEETING_ROOM,
                          period=AllowancePeriod.WEEK, amount=600)
    db.session.add_all([booking, pending, blackout, certification, allowance])
    db.session.flush()
    return {"resource_id": room.id, "resource_booking_id": booking.id, "pending_booking_id": pending.id,
            "blackout_id": blackout.id, "certification_id": certification.id, "allowance_id": allowance.id}
