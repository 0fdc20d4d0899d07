"""Scheduled mentoring work (see ``incubator/jobs/registry.py``): reminders before sessions.

``mentor_session_reminders`` runs every 5 minutes without catch-up. Each sweep looks at every confirmed
session starting within the next 24 hours and sends the reminder it is due: the day-before one while it
is more than an hour away, the hour-before one after that. Dedupe keys name the session, its
``sequence`` and the reminder (``mentor_session_reminders:<id>:<sequence>:24h:<user>``), so each person
gets each reminder once however many sweeps see the session, a missed sweep is covered by the next one,
and a moved session is reminded again for its new time. A reminder whose period the session was booked
(or moved) inside is skipped: the confirmation was just sent.
"""
from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from incubator.extensions import db
from incubator.mentoring.booking_notices import session_changed
from incubator.mentoring.models.bookings import BookingStatus, MentorBooking
from incubator.progress.reminders import founders_of

DAY_BEFORE, HOUR_BEFORE = timedelta(hours=24), timedelta(hours=1)


def _due(booking: MentorBooking, now) -> str | None:
    """Which reminder the session is due now (``24h``/``1h``), or ``None`` when it was arranged too late for it."""
    lead, kind = (HOUR_BEFORE, "1h") if booking.starts_at - now <= HOUR_BEFORE else (DAY_BEFORE, "24h")
    return kind if booking.scheduled_at <= booking.starts_at - lead else None


def mentor_session_reminders(run) -> str:
    """Remind both sides of sessions about a day and about an hour before they start.

    :param run: the job's ``RunContext`` (its ``started_at`` is "now").
    :return: a short summary for the jobs page.
    """
    now = run.started_at
    bookings = db.session.scalars(
        sa.select(MentorBooking)
        .where(MentorBooking.status == BookingStatus.CONFIRMED, MentorBooking.starts_at > now,
               MentorBooking.starts_at <= now + DAY_BEFORE)
        .options(joinedload(MentorBooking.mentor), joinedload(MentorBooking.startup))
        .order_by(MentorBooking.starts_at)).all()
    founders = founders_of({b.startup_id for b in bookings})
    sent, sessions = 0, 0
    for booking in bookings:
        kind = _due(booking, now)
        if kind is None:
            continue
        told = session_changed(booking, f"reminder_{kind}", None, founders=founders,
                               dedupe=f"{run.job_name}:{booking.id}:{booking.sequence}:{kind}")
        sent += told
        sessions += told > 0
    return f"{sent} reminders for {sessions} of {len(bookings)} sessions in the next 24 hours"
