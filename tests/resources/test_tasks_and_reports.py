"""Scheduled booking jobs through the job runner, utilization figures, ``resource_use_by_startup`` for the investor
reports, and the calendar in the viewer's zone."""
from __future__ import annotations

from datetime import date, timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from incubator.extensions import db
from incubator.jobs.registry import get_job
from incubator.jobs.runner import SKIPPED, SUCCEEDED, run_job
from incubator.notifications.models import Notification
from incubator.resources.availability import calendar, merge, subtract
from incubator.resources.models import Blackout, Booking, BookingStatus
from incubator.resources.models.catalog import BlackoutKind
from incubator.resources.reporting import resource_use_by_startup
from incubator.resources.utilization import to_csv, totals, utilization
from tests.factories import StartupFactory
from tests.resources.conftest import NOW, pp
from tests.resources.factories import BookingFactory, CreditsFactory, ResourceFactory


def _status(booking_id: int) -> BookingStatus:
    db.session.expire_all()
    return db.session.get(Booking, booking_id).status


# Jobs ---------------------------------------------------------------------------------------------


def test_the_jobs_are_registered_every_few_minutes_without_catch_up():
    for name, minutes in (("release_no_shows", 15), ("expire_booking_requests", 15), ("booking_reminders", 5)):
        spec = get_job(name)
        assert spec.period.value == "minute" and spec.catch_up is False
        assert spec.schedule.every_minutes == minutes


def test_release_no_shows_job(app, startup, founder, room):
    missed = BookingFactory(resource=room, startup=startup, booked_by=founder, starts_at=pp(2026, 11, 23, 8),
                            ends_at=pp(2026, 11, 23, 9))
    early = BookingFactory(resource=room, startup=startup, booked_by=founder, starts_at=pp(2026, 11, 23, 9),
                           ends_at=pp(2026, 11, 23, 10))
    db.session.commit()
    outcome = run_job(app, "release_no_shows", now=NOW)
    assert (outcome.status, outcome.summary) == (SUCCEEDED, "1 bookings released as no-shows")
    assert (_status(missed.id), _status(early.id)) == (BookingStatus.NO_SHOW, BookingStatus.CONFIRMED)
    assert run_job(app, "release_no_shows", now=NOW).status == SKIPPED  # once per period


def test_expire_booking_requests_job(app, startup, founder):
    hall = ResourceFactory(requires_approval=True)
    lapsed = BookingFactory(resource=hall, startup=startup, booked_by=founder, status=BookingStatus.PENDING,
                            hold_expires_at=NOW - timedelta(minutes=1))
    waiting = BookingFactory(resource=hall, startup=startup, booked_by=founder, status=BookingStatus.PENDING,
                             starts_at=pp(2026, 11, 30, 10), ends_at=pp(2026, 11, 30, 11),
                             hold_expires_at=NOW + timedelta(hours=3))
    db.session.commit()
    assert run_job(app, "expire_booking_requests", now=NOW).summary == "1 unanswered requests expired"
    assert (_status(lapsed.id), _status(waiting.id)) == (BookingStatus.EXPIRED, BookingStatus.PENDING)


def test_booking_reminders_once_per_booking(app, startup, founder, room):
    soon = BookingFactory(resource=room, startup=startup, booked_by=founder, starts_at=NOW + timedelta(minutes=45),
                          ends_at=NOW + timedelta(minutes=105))
    BookingFactory(resource=room, startup=startup, booked_by=founder, starts_at=NOW + timedelta(hours=3),
                   ends_at=NOW + timedelta(hours=4))
    db.session.commit()
    assert run_job(app, "booking_reminders", now=NOW).summary == "1 reminders for 1 bookings"
    assert run_job(app, "booking_reminders", now=NOW + timedelta(minutes=5)).summary == "0 reminders for 1 bookings"
    [title] = db.session.scalars(sa.select(Notification.title).where(Notification.user_id == founder.id))
    assert title.startswith("Starting soon: Mekong Meeting Room") and soon.id


# Utilization -------------------------------------------------------------------------------------


def test_utilization_splits_by_period_and_counts_no_shows_and_billing(startup, room):
    BookingFactory(resource=room, startup=startup, starts_at=pp(2026, 11, 29, 20), ends_at=pp(2026, 11, 30, 1),
                   status=BookingStatus.CHECKED_IN)  # 4 h in the week of 23 November, 1 h in the next
    BookingFactory(resource=room, startup=startup, starts_at=pp(2026, 11, 30, 10), ends_at=pp(2026, 11, 30, 12),
                   status=BookingStatus.NO_SHOW, amount_minor=500, paid_quantity=60)
    BookingFactory(resource=room, startup=startup, starts_at=pp(2026, 12, 1, 10), ends_at=pp(2026, 12, 1, 11),
                   status=BookingStatus.CANCELLED, amount_minor=900)
    BookingFactory(resource=room, startup=None, starts_at=pp(2026, 12, 2, 8), ends_at=pp(2026, 12, 2, 10))
    rows = utilization("week", date(2026, 11, 23), date(2026, 12, 6), room.id, now=pp(2026, 12, 2, 9))
    first, second = rows
    assert (first.period.first_day, first.booked_minutes, first.used_minutes) == (date(2026, 11, 23), 240, 240)
    # 1 h checked in, a 2 h no-show and the incubator's own 2 h (started an hour ago: 1 h used so far).
    assert (second.booked_minutes, second.used_minutes, second.no_shows, second.no_show_minutes) == (300, 120, 1, 120)
    assert second.billed_minor == 500 and second.bookings == 2  # the cancelled booking is not counted
    assert first.bookable_minutes == 7 * 14 * 60
    assert [t["booked"] for t in totals(rows)] == [240, 300]
    text = to_csv(rows)
    assert text.splitlines()[0].startswith("resource_id,resource,type,period_start")
    assert f"{room.id},Mekong Meeting Room,meeting_room,2026-11-30,2026-12-06,98.00,5.00,2.00,5.1,2,1,2.00,0,5.00,USD" \
        in text


def test_utilization_months_and_blackouts(startup):
    lab = ResourceFactory()
    db.session.add(Blackout(resource_id=None, kind=BlackoutKind.HOLIDAY, starts_at=pp(2026, 12, 10),
                            ends_at=pp(2026, 12, 11), reason="Human Rights Day"))
    credits = CreditsFactory()
    BookingFactory(resource=credits, startup=startup, starts_at=pp(2026, 12, 3, 10), ends_at=pp(2026, 12, 3, 10),
                   units=250)
    rows = {row.resource.id: row for row in utilization("month", date(2026, 12, 1), date(2026, 12, 31))}
    assert rows[lab.id].bookable_minutes == (31 - 1) * 14 * 60
    assert rows[credits.id].units == 250 and rows[credits.id].bookable_minutes == 0


def test_resource_use_by_startup(cohort, startup, other_startup, room):
    quiet = StartupFactory(cohort=cohort, name="Quiet")
    other_cohort = StartupFactory(name="Elsewhere")
    BookingFactory(resource=room, startup=startup, starts_at=pp(2026, 11, 30, 23), ends_at=pp(2026, 12, 1, 1),
                   status=BookingStatus.CHECKED_IN)  # half inside the range
    BookingFactory(resource=room, startup=startup, starts_at=pp(2026, 12, 2, 9), ends_at=pp(2026, 12, 2, 10, 30))
    BookingFactory(resource=room, startup=startup, starts_at=pp(2026, 12, 3, 9), ends_at=pp(2026, 12, 3, 10),
                   status=BookingStatus.NO_SHOW)
    BookingFactory(resource=room, startup=other_startup, starts_at=pp(2026, 12, 4, 9), ends_at=pp(2026, 12, 4, 10),
                   status=BookingStatus.CANCELLED)
    BookingFactory(resource=room, startup=other_cohort, starts_at=pp(2026, 12, 5, 9), ends_at=pp(2026, 12, 5, 10))
    BookingFactory(resource=CreditsFactory(), startup=other_startup, starts_at=pp(2026, 12, 6, 9),
                   ends_at=pp(2026, 12, 6, 9), units=300)
    use = resource_use_by_startup(cohort.id, pp(2026, 12, 1), pp(2027, 1, 1))
    assert use == {startup.id: {"hours": 2.5, "bookings": 2, "units": 0},
                   other_startup.id: {"hours": 0.0, "bookings": 0, "units": 300},
                   quiet.id: {"hours": 0.0, "bookings": 0, "units": 0}}


# The calendar ------------------------------------------------------------------------------------


def test_interval_arithmetic():
    a, b, c, d = pp(2026, 1, 1, 8), pp(2026, 1, 1, 10), pp(2026, 1, 1, 12), pp(2026, 1, 1, 14)
    assert merge([(c, d), (a, b), (b, c)]) == [(a, d)]
    assert subtract([(a, d)], [(b, c)]) == [(a, b), (c, d)]
    assert subtract([(a, b)], [(a, b)]) == []


@pytest.mark.usefixtures("clock")
def test_calendar_for_a_viewer_in_seoul(founder, startup, other_startup, room):
    BookingFactory(resource=room, startup=startup, starts_at=pp(2026, 11, 24, 10), ends_at=pp(2026, 11, 24, 11))
    BookingFactory(resource=room, startup=other_startup, starts_at=pp(2026, 11, 24, 12), ends_at=pp(2026, 11, 24, 13))
    seoul = ZoneInfo("Asia/Seoul")
    [day] = calendar(room, date(2026, 11, 24), 1, seoul, now=NOW, mine=[startup.id])
    kinds = [(s.start.astimezone(seoul).strftime("%H:%M"), s.end.astimezone(seoul).strftime("%H:%M"), s.kind, s.label)
             for s in day.segments]
    assert kinds == [("00:00", "09:00", "closed", ""), ("09:00", "12:00", "free", ""),
                     ("12:00", "13:00", "mine", "Kasekor Cold Chain"), ("13:00", "14:00", "free", ""),
                     ("14:00", "15:00", "busy", ""), ("15:00", "23:00", "free", ""), ("23:00", "00:00", "closed", "")]
