"""Resources for the demo: the incubator's rooms, desks, lab equipment, legal clinic and AWS credits at the
NSTC building in Phnom Penh, the running cohort's allowances, and four weeks of bookings.

- Kasekor Cold Chain (the demo founder's startup) is certified on the 3D printer, not on the PCR machine;
  it has used and missed bookings, a weekly team meeting, a 3D print beyond its allowance (to be invoiced,
  as the demo runs without Stripe) and an event-hall request waiting for approval.
- Other startups' bookings were made for them by the front desk (the demo manager); some were no-shows.
- An upcoming public holiday closes everything; the 3D printer has a maintenance window.

Everything goes through the resource services, with ``now`` set to the moment each booking was made.
"""
from __future__ import annotations

import io
import logging
from datetime import date, datetime, time, timedelta, timezone

import sqlalchemy as sa
from PIL import Image, ImageDraw, ImageFont

from incubator.cohorts.models import Startup, StartupStatus, TeamMember
from incubator.core.errors import ServiceError
from incubator.db import utcnow
from incubator.extensions import db
from incubator.notifications.models import Notification, OutboxMessage
from incubator.resources.models import BookingStatus, ResourceType
from incubator.resources.services.bookings import create_booking
from incubator.resources.services.catalog import add_blackout, certify, save_resource, set_allowance
from incubator.resources.services.lifecycle import check_in, release_no_shows

log = logging.getLogger(__name__)

BUILDING = "NSTC building, Phnom Penh"
WEEKDAYS = [(d, time(8), time(18)) for d in range(5)] + [(5, time(8), time(12))]
DESK_HOURS = [(d, time(7, 30), time(20)) for d in range(5)]
LAB_HOURS = [(d, time(8, 30), time(17)) for d in range(5)]
CLINIC_HOURS = [(1, time(14), time(17)), (3, time(14), time(17))]
# Fixed-date public holidays in Cambodia (month, day, name); Khmer New Year and Pchum Ben move each year.
HOLIDAYS = ((1, 1, "International New Year Day"), (1, 7, "Victory over Genocide Day"),
            (3, 8, "International Women's Day"), (5, 1, "International Labour Day"),
            (5, 14, "King Norodom Sihamoni's Birthday"), (6, 18, "Queen Mother's Birthday"),
            (9, 24, "Constitution Day"), (10, 15, "Commemoration Day of King Father Norodom Sihanouk"),
            (10, 29, "Coronation Day of King Norodom Sihamoni"), (11, 9, "Independence Day"),
            (12, 29, "Peace Day in Cambodia"))

RESOURCES = [
    # name, type, location, capacity, hours, extra settings, photo colour
    ("Mekong Meeting Room", ResourceType.MEETING_ROOM, "2nd floor, room 204", 8, WEEKDAYS,
     {"description": "Screen, whiteboard and video-call camera. Good for investor calls."}, "#0072B2"),
    ("Tonle Sap Meeting Room", ResourceType.MEETING_ROOM, "2nd floor, room 206", 4, WEEKDAYS,
     {"description": "A small room for interviews and calls."}, "#56B4E9"),
    ("Angkor Event Hall", ResourceType.EVENT_SPACE, "Ground floor", 80, WEEKDAYS,
     {"description": "Projector, sound system and 80 chairs. For pitch nights and workshops.",
      "requires_approval": True, "slot_minutes": 60, "min_minutes": 60, "max_minutes": 480,
      "price_minor": 2500, "cancel_cutoff_hours": 48}, "#E69F00"),
    ("Hot desk A1", ResourceType.HOT_DESK, "3rd floor, open space", 1, DESK_HOURS,
     {"slot_minutes": 60, "min_minutes": 60, "max_minutes": 720}, "#009E73"),
    ("Hot desk A2", ResourceType.HOT_DESK, "3rd floor, open space", 1, DESK_HOURS,
     {"slot_minutes": 60, "min_minutes": 60, "max_minutes": 720}, "#009E73"),
    ("Hot desk A3", ResourceType.HOT_DESK, "3rd floor, open space", 1, DESK_HOURS,
     {"slot_minutes": 60, "min_minutes": 60, "max_minutes": 720}, "#009E73"),
    ("3D printer (Prusa MK4)", ResourceType.EQUIPMENT, "Fab lab, 1st floor", 2, LAB_HOURS,
     {"description": "PLA and PETG, build plate 25 x 21 cm. Bring your STL file on a USB stick.",
      "requires_training": True, "price_minor": 300, "max_minutes": 480}, "#D55E00"),
    ("PCR machine (Bio-Rad T100)", ResourceType.EQUIPMENT, "Bio lab, 1st floor", 2, LAB_HOURS,
     {"description": "96-well thermal cycler. Reagents are not included.", "requires_training": True,
      "requires_approval": True, "slot_minutes": 60, "min_minutes": 60, "max_minutes": 360,
      "price_minor": 4_000_000, "currency": "KHR"}, "#CC79A7"),
    ("Legal clinic: company registration", ResourceType.SERVICE, "Online or room 206", 1, CLINIC_HOURS,
     {"description": "One hour with a volunteer lawyer: registering with the Ministry of Commerce, "
                     "shareholder agreements, employment contracts.", "slot_minutes": 60, "min_minutes": 60,
      "max_minutes": 60, "cancel_cutoff_hours": 24}, "#F0E442"),
    ("AWS Activate credits", ResourceType.CREDITS, "Sent by email as a promotional code", 1, [],
     {"description": "Amazon Web Services credits for hosting and data.", "unit_label": "USD of AWS credit",
      "max_units": 1000, "requires_approval": True}, "#999999"),
]

ALLOWANCES = [
    # target (type or resource name), period, amount (minutes or units)
    (ResourceType.MEETING_ROOM, "week", 6 * 60), (ResourceType.MEETING_ROOM, "month", 20 * 60),
    (ResourceType.EVENT_SPACE, "month", 8 * 60), (ResourceType.HOT_DESK, "week", 40 * 60),
    ("3D printer (Prusa MK4)", "month", 4 * 60), ("PCR machine (Bio-Rad T100)", "month", 2 * 60),
    (ResourceType.SERVICE, "month", 2 * 60), (ResourceType.CREDITS, "cohort", 1000),
]


def _photo(colour: str, name: str, kind: ResourceType) -> io.BytesIO:
    """A simple illustrated card (the demo has no real photos): a pictogram of the kind and the name."""
    image = Image.new("RGB", (640, 360), colour)
    draw = ImageDraw.Draw(image)
    white = (255, 255, 255)
    if kind in (ResourceType.MEETING_ROOM, ResourceType.EVENT_SPACE):
        draw.rounded_rectangle((200, 110, 440, 170), 12, fill=white)
        for x in range(215, 440, 50):
            draw.ellipse((x, 75, x + 26, 101), fill=white)
            draw.ellipse((x, 179, x + 26, 205), fill=white)
    elif kind == ResourceType.HOT_DESK:
        draw.rectangle((220, 120, 420, 140), fill=white)
        draw.rectangle((235, 140, 250, 210), fill=white)
        draw.rectangle((390, 140, 405, 210), fill=white)
        draw.rectangle((280, 70, 360, 115), outline=white, width=6)
    elif kind == ResourceType.EQUIPMENT:
        draw.rectangle((230, 60, 410, 210), outline=white, width=8)
        draw.rectangle((270, 150, 370, 170), fill=white)
        draw.polygon([(300, 90), (340, 90), (320, 130)], fill=white)
    elif kind == ResourceType.SERVICE:
        draw.line((320, 60, 320, 200), fill=white, width=8)
        draw.line((240, 90, 400, 90), fill=white, width=8)
        draw.polygon([(225, 150), (255, 90), (285, 150)], outline=white, width=6)
        draw.polygon([(355, 150), (385, 90), (415, 150)], outline=white, width=6)
    else:
        draw.ellipse((250, 70, 390, 150), fill=white)
        draw.ellipse((210, 110, 310, 190), fill=white)
        draw.ellipse((330, 110, 430, 190), fill=white)
        draw.rectangle((260, 150, 380, 190), fill=white)
    font = ImageFont.load_default(size=30)
    width = draw.textlength(name, font=font)
    draw.text(((640 - width) / 2, 265), name, fill=white, font=font)
    out = io.BytesIO()
    image.save(out, "PNG", optimize=True)
    out.seek(0)
    return out


def _data(name: str, kind: ResourceType, location: str, capacity: int, extra: dict) -> dict:
    data = {"name": name, "type": kind.value, "description": "", "location": f"{location}, {BUILDING}",
            "capacity": capacity, "slot_minutes": 30, "min_minutes": 30, "max_minutes": 240, "advance_days": 60,
            "cancel_cutoff_hours": 2, "requires_approval": False, "requires_training": False, "price_minor": 0,
            "currency": "USD", "unit_label": "", "max_units": None}
    return data | extra


def _at(day: date, zone, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=zone).astimezone(timezone.utc)


def _weekday(today: date, weekday: int, weeks_ahead: int) -> date:
    return today + timedelta(days=(weekday - today.weekday()) % 7 + 7 * weeks_ahead)


def _book(actor, resource, startup, day: date, zone, start: tuple, end: tuple, purpose: str = "", **kwargs):
    starts_at, ends_at = _at(day, zone, *start), _at(day, zone, *end)
    made = min(starts_at - timedelta(days=2), utcnow())
    try:
        return create_booking(actor, resource, startup=startup, starts_at=starts_at, ends_at=ends_at,
                              purpose=purpose, now=made, **kwargs)
    except ServiceError as exc:
        # A demo slot that happens to fall on a holiday or clash is simply left out.
        log.info("demo booking of %s on %s left out: %s %s", resource.name, day, exc.message, exc.fields or "")
        return None


def load_demo(context) -> None:
    """Create the catalog, allowances, certifications, blackouts and bookings (see the module docstring).

    :param context: the demo's ``DemoContext`` (accounts, cohorts, today and the incubator's zone).
    """
    manager, founder, today, zone = context.people["manager"], context.people["founder"], context.today, context.zone
    resources = {}
    for name, kind, location, capacity, hours, extra, colour in RESOURCES:
        resources[name] = save_resource(manager, None, _data(name, kind, location, capacity, extra), hours,
                                        _photo(colour, name, kind))
    for target, period, amount in ALLOWANCES:
        resource = resources.get(target) if isinstance(target, str) else None
        set_allowance(manager, cohort=context.running, startup=None, resource=resource,
                      resource_type=None if resource else target.value, period=period, amount=amount)
    certify(manager, resources["3D printer (Prusa MK4)"], founder, "Safety induction and first print")
    _blackouts(manager, resources, today, zone)

    startups = list(db.session.scalars(
        sa.select(Startup).where(Startup.cohort_id == context.running.id, Startup.status == StartupStatus.ACTIVE)
        .order_by(Startup.name)))
    own = db.session.scalar(sa.select(Startup).join(TeamMember).where(
        TeamMember.user_id == founder.id, Startup.cohort_id == context.running.id))
    others = [s for s in startups if s.id != getattr(own, "id", None)]
    _history(manager, founder, own, others, resources, today, zone)
    release_no_shows()  # the past bookings nobody checked in to
    # Weeks-old bookings and no-shows are not news: the demo's inboxes start with what is current.
    db.session.execute(sa.delete(Notification).where(Notification.category == "bookings"))
    db.session.execute(sa.delete(OutboxMessage).where(OutboxMessage.category == "bookings"))
    _upcoming(manager, founder, own, others, resources, today, zone)


def _blackouts(manager, resources, today: date, zone) -> None:
    for offset in range(1, 60):
        day = today + timedelta(days=offset)
        holiday = next((name for month, dom, name in HOLIDAYS if (day.month, day.day) == (month, dom)), None)
        if holiday:
            add_blackout(manager, None, _at(day, zone, 0), _at(day + timedelta(days=1), zone, 0), "holiday", holiday)
            break
    printer_day = _weekday(today, 2, 1)
    add_blackout(manager, resources["3D printer (Prusa MK4)"], _at(printer_day, zone, 13),
                 _at(printer_day, zone, 17), "maintenance", "Nozzle replacement and calibration")


def _history(manager, founder, own, others, resources, today: date, zone) -> None:
    """Four past weeks: most bookings checked in, some left as no-shows (released at the end)."""
    room, small = resources["Mekong Meeting Room"], resources["Tonle Sap Meeting Room"]
    desks = [resources[f"Hot desk A{n}"] for n in (1, 2, 3)]
    for weeks_back in range(4, 0, -1):
        monday = today - timedelta(days=today.weekday() + 7 * weeks_back)
        made = []
        if own is not None:
            made.append(_book(founder, room, own, monday + timedelta(days=1), zone, (9, 0), (10, 30),
                              "Weekly team meeting"))
            made.append(_book(founder, desks[0], own, monday + timedelta(days=2), zone, (8, 0), (17, 0)))
            if weeks_back == 2:  # beyond the month's 4 hours: one hour of paid use, to be invoiced
                made.append(_book(founder, resources["3D printer (Prusa MK4)"], own, monday + timedelta(days=3),
                                  zone, (9, 0), (14, 0), "Sensor housing prototypes"))
        for n, startup in enumerate(others[:5]):
            made.append(_book(manager, small if n % 2 else room, startup, monday + timedelta(days=n % 5), zone,
                              (13 + n % 3, 0), (14 + n % 3, 30), "Customer interviews"))
            made.append(_book(manager, desks[1 + n % 2], startup, monday + timedelta(days=(n + 2) % 5), zone,
                              (9, 0), (13, 0)))
        for index, outcome in enumerate(b for b in made if b is not None):
            booking = outcome.first
            if booking.status == BookingStatus.CONFIRMED and (index + weeks_back) % 5:
                check_in(manager, booking, now=booking.starts_at + timedelta(minutes=5))


def _upcoming(manager, founder, own, others, resources, today: date, zone) -> None:
    room, small, hall = (resources["Mekong Meeting Room"], resources["Tonle Sap Meeting Room"],
                         resources["Angkor Event Hall"])
    if own is not None:
        _book(founder, small, own, _weekday(today, 1, 0), zone, (14, 0), (15, 0),
              "Stand-up with the Kampot farm partners", weeks=4)
        _book(founder, room, own, today + timedelta(days=1), zone, (10, 0), (11, 30), "Investor call with Mekong "
              "Angels")
        _book(founder, resources["3D printer (Prusa MK4)"], own, _weekday(today, 3, 1), zone, (9, 0), (14, 0),
              "Enclosure batch for the pilot")
        _book(founder, hall, own, _weekday(today, 4, 2), zone, (15, 0), (18, 0), "Pilot results evening")
        _book(founder, resources["Legal clinic: company registration"], own, _weekday(today, 3, 0), zone, (14, 0),
              (15, 0), "Shareholder agreement questions")
    for n, startup in enumerate(others[:4]):
        _book(manager, room if n % 2 else small, startup, today + timedelta(days=1 + n), zone, (9 + n, 0),
              (10 + n, 0), "Investor meeting")
        _book(manager, resources["Hot desk A2"], startup, today + timedelta(days=2 + n), zone, (8, 0), (12, 0))
    _book(manager, hall, None, _weekday(today, 3, 2), zone, (17, 0), (20, 0), "Demo Day rehearsal")
