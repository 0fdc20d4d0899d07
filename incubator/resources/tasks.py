"""Scheduled booking work (see ``incubator/jobs/registry.py``): releasing no-shows, letting unanswered
requests expire and reminding people of bookings about to start.

Each runs every few minutes with no catch-up: every sweep handles everything that is due, so the next
sweep covers one that was missed. Messages carry dedupe keys per booking, so a repeated or forced run
never tells anyone twice.
"""
from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import joinedload

from incubator.extensions import db
from incubator.resources import notices
from incubator.resources.models import Booking, BookingStatus
from incubator.resources.services.lifecycle import expire_requests, release_no_shows

REMIND_AHEAD = timedelta(minutes=60)


def release_no_show_bookings(run) -> str:
    """Every 15 minutes: release startup bookings not checked in within 15 minutes of their start.

    :param run: the job's ``RunContext``; its start time is "now".
    :return: a short summary for the jobs page.
    """
    return f"{release_no_shows(run.started_at)} bookings released as no-shows"


def expire_booking_requests(run) -> str:
    """Every 15 minutes: let go of requests no manager answered within 48 hours (or before their start).

    :param run: the job's ``RunContext``.
    :return: a short summary for the jobs page.
    """
    return f"{expire_requests(run.started_at)} unanswered requests expired"


def booking_reminders(run) -> str:
    """Every 5 minutes: remind the people of each confirmed startup booking starting within the hour,
    with the check-in link (once per booking).

    :param run: the job's ``RunContext``.
    :return: a short summary for the jobs page.
    """
    now = run.started_at
    upcoming = db.session.scalars(
        sa.select(Booking)
        .where(Booking.status == BookingStatus.CONFIRMED, Booking.units.is_(None), Booking.startup_id.is_not(None),
               Booking.starts_at > now, Booking.starts_at <= now + REMIND_AHEAD)
        .options(joinedload(Booking.resource), joinedload(Booking.booked_by))
        .order_by(Booking.starts_at)
    ).all()
    sent = 0
    for booking in upcoming:
        title = _l("Starting soon: %(resource)s, %(when)s", resource=booking.resource.name,
                   when=notices.when(booking))
        body = _l("Check in from 15 minutes before the start until 15 minutes after it, or the booking is "
                  "released.")
        sent += notices.tell(notices.people_of(booking), booking, title, body,
                             dedupe=f"booking_reminder:{booking.id}")
    return f"{sent} reminders for {len(upcoming)} bookings"
