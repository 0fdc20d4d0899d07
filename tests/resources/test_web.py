"""The booking pages as founders and managers use them: catalog, calendar in the viewer's zone, booking form
(refusals with what is left, recurring clash list), my bookings, check-in and cancelling."""
from __future__ import annotations

import re
from datetime import time

import pytest
import sqlalchemy as sa

from incubator.extensions import db
from incubator.resources.models import Booking, BookingStatus, ResourceType
from tests.resources.conftest import pp
from tests.resources.factories import AllowanceFactory, BookingFactory, CertificationFactory, ResourceFactory

pytestmark = pytest.mark.usefixtures("clock")


def form(day="2026-11-24", start="10:00", end="11:00", **extra) -> dict:
    return {"day": day, "start": start, "end": end, "weeks": "1", "purpose": "", **extra}


def text(response) -> str:
    return re.sub(r"\s+", " ", response.get_data(as_text=True))


def test_catalog_shows_badges_and_prices(client, login, founder, room):
    ResourceFactory(name="3D printer", type=ResourceType.EQUIPMENT, requires_training=True, price_minor=300)
    ResourceFactory(name="Event hall", requires_approval=True)
    ResourceFactory(name="Old room", is_active=False)
    login(founder)
    page = text(client.get("/resources/"))
    assert "Mekong Meeting Room" in page and "3D printer" in page and "Old room" not in page
    assert "Needs training" in page and "Needs approval" in page
    assert "$3.00 per hour beyond the allowance" in page and "Free (within the allowance)" in page


def test_resource_page_shows_the_remaining_allowance_and_the_calendar(client, login, founder, startup, cohort, room,
                                                                      other_startup):
    AllowanceFactory(cohort=cohort, resource=room, amount=240)
    BookingFactory(resource=room, startup=startup, starts_at=pp(2026, 11, 23, 14), ends_at=pp(2026, 11, 23, 15))
    BookingFactory(resource=room, startup=other_startup, starts_at=pp(2026, 11, 23, 16),
                   ends_at=pp(2026, 11, 23, 17))
    login(founder)
    page = text(client.get(f"/resources/{room.id}"))
    assert "3 h left</strong> of 4 h per week" in page
    assert "14:00–15:00 your booking: Kasekor Cold Chain" in page
    assert "16:00–17:00 booked" in page and "AngkorPay" not in page  # other startups stay anonymous
    assert "09:00–14:00" in page  # free from now (09:00) until the founder's booking
    assert f'href="/resources/{room.id}?view=week&amp;day=2026-11-23&amp;start=09:00&amp;end=10:00' in page


def test_the_calendar_is_in_the_viewers_time_zone(client, login, founder, room):
    founder.timezone = "Asia/Seoul"  # two hours ahead of Phnom Penh
    db.session.commit()
    login(founder)
    page = text(client.get(f"/resources/{room.id}?view=day&day=2026-11-24"))
    assert "Times in your time zone (Asia/Seoul)" in page
    assert ">09:00–23:00</a>" in page  # open 07:00-21:00 in Phnom Penh


def test_prefilled_form_from_a_free_slot(client, login, founder, room):
    login(founder)
    page = client.get(f"/resources/{room.id}?day=2026-11-24&start=10:00&end=11:30").get_data(as_text=True)
    assert 'value="2026-11-24"' in page and 'value="10:00"' in page and 'value="11:30"' in page


def test_founder_books_and_sees_it_in_my_bookings(client, login, founder, startup, room):
    login(founder)
    response = client.post(f"/resources/{room.id}/book", data=form(startup_id=startup.id, purpose="Interviews"))
    assert response.status_code == 302
    booking = db.session.scalar(sa.select(Booking))
    assert response.headers["Location"].endswith(f"/resources/bookings/{booking.id}")
    assert (booking.starts_at, booking.ends_at) == (pp(2026, 11, 24, 10), pp(2026, 11, 24, 11))
    page = text(client.get("/resources/bookings"))
    assert "Tue 24 Nov 2026, 10:00–11:00" in page and "Confirmed" in page


def test_the_form_is_read_in_the_viewers_zone(client, login, founder, startup, room):
    founder.timezone = "Europe/Berlin"  # UTC+1 in November: 04:00 in Berlin is 10:00 in Phnom Penh
    db.session.commit()
    login(founder)
    assert client.post(f"/resources/{room.id}/book", data=form(start="04:00", end="05:00",
                                                               startup_id=startup.id)).status_code == 302
    assert db.session.scalar(sa.select(Booking.starts_at)) == pp(2026, 11, 24, 10)


def test_an_end_before_the_start_is_the_next_day(client, login, founder, startup):
    desk = ResourceFactory(open_hours=[(d, time(0), time(23, 59)) for d in range(7)], max_minutes=600)
    login(founder)
    client.post(f"/resources/{desk.id}/book", data=form(start="22:00", end="01:00", startup_id=startup.id))
    booking = db.session.scalar(sa.select(Booking))
    assert (booking.starts_at, booking.ends_at) == (pp(2026, 11, 24, 22), pp(2026, 11, 25, 1))


def test_beyond_the_allowance_of_a_free_resource_is_refused_with_what_is_left(client, login, founder, startup,
                                                                              cohort, room):
    AllowanceFactory(cohort=cohort, resource=room, amount=90)
    login(founder)
    response = client.post(f"/resources/{room.id}/book", data=form(end="12:00", startup_id=startup.id))
    assert response.status_code == 422
    page = text(response)
    assert "This is beyond your allowance for Mekong Meeting Room: 1.5 h left per week starting 23 Nov " \
           "(this booking needs 2 h)." in page
    assert "1.5 h left" in page  # the allowance panel
    assert db.session.scalar(sa.select(sa.func.count(Booking.id))) == 0


def test_recurring_clashes_are_listed(client, login, founder, startup, other_startup, room):
    BookingFactory(resource=room, startup=other_startup, starts_at=pp(2026, 12, 8, 10), ends_at=pp(2026, 12, 8, 11))
    login(founder)
    response = client.post(f"/resources/{room.id}/book", data=form(weeks="3", startup_id=startup.id))
    assert response.status_code == 409
    page = text(response)
    assert "1 of the 3 weeks clash, so nothing was booked." in page
    assert "Tue 8 Dec 2026, 10:00–11:00: Already booked Tue 8 Dec 2026, 10:00–11:00." in page
    response = client.post(f"/resources/{room.id}/book", data=form(weeks="2", startup_id=startup.id),
                           follow_redirects=True)
    assert "Booked for 2 weeks." in text(response)


def test_training_gate_on_the_page_and_the_form(client, login, founder, startup):
    printer = ResourceFactory(name="3D printer", requires_training=True)
    login(founder)
    page = text(client.get(f"/resources/{printer.id}"))
    assert "You need to be certified for this resource" in page
    response = client.post(f"/resources/{printer.id}/book", data=form(startup_id=startup.id))
    assert response.status_code == 403 and "needs training first" in text(response)
    CertificationFactory(resource=printer, user=founder)
    db.session.commit()
    assert client.post(f"/resources/{printer.id}/book", data=form(startup_id=startup.id)).status_code == 302


def test_a_founder_cannot_book_for_another_startup(client, login, founder, other_startup, room):
    login(founder)
    response = client.post(f"/resources/{room.id}/book", data=form(startup_id=other_startup.id))
    assert response.status_code == 422 and "Choose one of your startups." in text(response)
    assert db.session.scalar(sa.select(sa.func.count(Booking.id))) == 0


def test_managers_book_for_the_incubator(client, login, manager, room):
    login(manager)
    page = text(client.get(f"/resources/{room.id}"))
    assert "The incubator&#39;s own use (no startup)" in page
    response = client.post(f"/resources/{room.id}/book", data=form(startup_id="0", purpose="Workshop"))
    assert response.status_code == 302
    assert db.session.scalar(sa.select(Booking.startup_id)) is None


def test_booking_page_check_in_and_cancel(client, login, founder, startup, room, clock):
    booking = BookingFactory(resource=room, startup=startup, booked_by=founder, starts_at=pp(2026, 11, 23, 9),
                             ends_at=pp(2026, 11, 23, 10))
    later = BookingFactory(resource=room, startup=startup, booked_by=founder, starts_at=pp(2026, 11, 24, 9),
                           ends_at=pp(2026, 11, 24, 10))
    db.session.commit()
    login(founder)
    page = text(client.get(f"/resources/bookings/{booking.id}"))
    assert "Check in now" in page
    response = client.post(f"/resources/bookings/{booking.id}/check-in", follow_redirects=True)
    assert "Checked in. Enjoy!" in text(response)
    db.session.expire_all()
    assert db.session.get(Booking, booking.id).status == BookingStatus.CHECKED_IN
    page = text(client.get(f"/resources/bookings/{later.id}"))
    assert "Check in now" not in page and "Check-in opens at" in page and "You can cancel until" in page
    response = client.post(f"/resources/bookings/{later.id}/cancel", data={"reason": ""}, follow_redirects=True)
    assert "Booking cancelled." in text(response)
    db.session.expire_all()
    assert db.session.get(Booking, later.id).status == BookingStatus.CANCELLED


def test_cancel_after_the_cut_off_shows_why(client, login, founder, startup, room):
    booking = BookingFactory(resource=room, startup=startup, booked_by=founder, starts_at=pp(2026, 11, 23, 10),
                             ends_at=pp(2026, 11, 23, 11))
    db.session.commit()
    login(founder)
    response = client.post(f"/resources/bookings/{booking.id}/cancel", data={"reason": ""}, follow_redirects=True)
    assert "can be cancelled until 2 hours before the start" in text(response)
    db.session.expire_all()
    assert db.session.get(Booking, booking.id).status == BookingStatus.CONFIRMED


def test_other_founders_do_not_see_a_booking(client, login, founder, other_founder, startup, room):
    booking = BookingFactory(resource=room, startup=startup, booked_by=founder)
    db.session.commit()
    login(other_founder)
    assert client.get(f"/resources/bookings/{booking.id}").status_code == 403
    assert client.post(f"/resources/bookings/{booking.id}/cancel").status_code == 403
    assert client.get("/resources/bookings/999999").status_code == 404


@pytest.mark.parametrize("role_fixture", ["mentor", "investor"])
def test_mentors_and_investors_do_not_book(client, login, room, role_fixture):
    from incubator.auth.models import Role
    from tests.factories import UserFactory

    user = UserFactory(role=Role(role_fixture))
    login(user)
    assert client.get("/resources/").status_code == 403
    assert client.post(f"/resources/{room.id}/book", data=form()).status_code == 403


def test_archived_resources_are_hidden_from_founders(client, login, founder, manager):
    old = ResourceFactory(is_active=False)
    db.session.commit()
    login(founder)
    assert client.get(f"/resources/{old.id}").status_code == 404
    client.post("/auth/logout")
    login(manager)
    assert client.get(f"/resources/{old.id}").status_code == 200
