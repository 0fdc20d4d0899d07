"""Demo mentoring sessions: weekly hours of the mentors in Phnom Penh, Seoul, Shanghai and Berlin, a day off,
office hours, the running cohort's allowance, past sessions with notes, ratings and one no-show, and upcoming
sessions (Sokha Chan's Kasekor Cold Chain has one with Dara Pich in a few days).

Called at the end of ``incubator.mentoring.demo.load_demo``, once matches are accepted. Everything goes
through the services; past sessions are booked "as of" a past moment and their stamps (and the
notifications they caused) are moved back to it, as the progress demo does.
"""
from __future__ import annotations

from datetime import datetime, time, timedelta

import sqlalchemy as sa

from incubator.auth.models import User
from incubator.cohorts.models import Startup
from incubator.core.errors import ServiceError
from incubator.db import utcnow
from incubator.extensions import db
from incubator.mentoring.models.bookings import MentorBooking, NoteSide
from incubator.mentoring.queries import startups_of_mentor
from incubator.mentoring.services import availability
from incubator.mentoring.services.bookings import book_session, save_note, set_no_show
from incubator.mentoring.slots import Slot
from incubator.notifications.models import Notification, OutboxMessage
from incubator.progress.reminders import founders_of

MON, TUE, WED, THU, FRI = range(5)


def _hours(*spans: tuple[str, str]) -> list[tuple[time, time]]:
    return [(time.fromisoformat(a), time.fromisoformat(b)) for a, b in spans]


# Demo account key -> (weekly hours in the mentor's own zone, booking settings)
AVAILABILITY = {
    "mentor": ({TUE: _hours(("09:00", "12:00"), ("14:00", "16:00")), WED: _hours(("09:00", "12:00")),
                THU: _hours(("14:00", "17:00"))},
               {"slot_minutes": 45, "buffer_minutes": 15, "notice_hours": 12, "window_days": 30,
                "location": "Meeting room 2, Techo Startup Center, Phnom Penh", "paused": False}),
    "seoul": ({MON: _hours(("10:00", "12:00")), THU: _hours(("10:00", "12:00"), ("15:00", "18:00"))},
              {"slot_minutes": 60, "buffer_minutes": 0, "notice_hours": 24, "window_days": 21,
               "location": "https://meet.example.org/park-jiwoo", "paused": False}),
    "shanghai": ({MON: _hours(("14:00", "17:00")), FRI: _hours(("14:00", "17:00"))},
                 {"slot_minutes": 30, "buffer_minutes": 10, "notice_hours": 12, "window_days": 30,
                  "location": "https://meet.example.org/li-wei", "paused": False}),
    # Berlin mornings are Phnom Penh afternoons (15:00 in winter, 14:00 in summer).
    "berlin": ({MON: _hours(("08:00", "11:00")), WED: _hours(("08:00", "11:00")), FRI: _hours(("07:30", "09:30"))},
               {"slot_minutes": 45, "buffer_minutes": 15, "notice_hours": 12, "window_days": 30,
                "location": "https://meet.example.org/anna-becker", "paused": False}),
}
AGENDAS = (
    "Pricing for our first export contract: cost-plus or market price?",
    "Review of the pitch deck before the bank's SME day.",
    "How to hire our first engineer without overpaying.",
    "Cold storage suppliers: lease or buy the second unit?",
    "Preparing the grant application budget.",
)
MENTOR_NOTES = (
    ("Strong on customers, weak on unit economics. Suggested tracking margin per delivery.", 4,
     "A focused team that listens and comes back with numbers. Clear progress since our first session."),
    ("Deck is too long. Cut to 12 slides and lead with traction.", 3, ""),
    ("Hiring plan is realistic. Introduced them to two recruiters.", 5,
     "One of the most coachable founding teams I have worked with in Cambodia."),
)
FOUNDER_NOTES = (("Very practical advice; we changed our pricing the next day.", 5),
                 ("Useful, but we needed more time on the budget.", 4))


def _next_week(mentor: User, weekday: int, now: datetime):
    """That weekday of next week, on the mentor's calendar."""
    today = availability.mentor_today(mentor, now)
    return today + timedelta(days=(weekday - today.weekday()) % 7 + 7)


def _book(*args, **kwargs) -> MentorBooking | None:
    """Book, or skip quietly when a rule refuses (a startup's allowance used up by its other mentors)."""
    try:
        return book_session(*args, **kwargs)
    except ServiceError:
        return None


def _first_open(mentor: User, start: datetime, now: datetime, days: int = 14) -> Slot | None:
    found = availability.regular_open_slots(mentor, start, start + timedelta(days=days), now)
    return found[0] if found else None


def _booker(startup: Startup, fallback: User) -> User:
    return (founders_of({startup.id}).get(startup.id) or [fallback])[0]


def _backdate(booking: MentorBooking, when: datetime) -> None:
    """Date a past session's booking, and the messages it caused, like the moment it was made."""
    booking.created_at = booking.updated_at = booking.scheduled_at = when
    for model in (Notification, OutboxMessage):
        key = model.dedupe_key
        rows = db.session.scalars(sa.select(model).where(sa.or_(
            key.like(f"mentor-session:{booking.id}:%"), key.like(f"notify:mentor-session:{booking.id}:%"))))
        for row in rows:
            row.created_at = when
            if model is Notification:
                row.read_at = when + timedelta(hours=2)


def _past_sessions(mentor: User, startups: list[Startup], manager: User, now: datetime, seed: int) -> None:
    for weeks_ago, startup in zip((5, 3, 1), startups * 3, strict=False):
        booked_at = now - timedelta(weeks=weeks_ago, days=3)
        slot = _first_open(mentor, booked_at + timedelta(days=2), booked_at)
        if slot is None or slot.ends_at >= now:
            continue
        booking = _book(_booker(startup, manager), startup, mentor, slot.starts_at,
                        AGENDAS[(seed + weeks_ago) % len(AGENDAS)], now=booked_at)
        if booking is None:
            continue
        _backdate(booking, booked_at)
        after = slot.ends_at + timedelta(hours=2)
        if (seed + weeks_ago) % 7 == 0:
            set_no_show(mentor, booking, True, now=slot.starts_at + timedelta(minutes=20))
            continue
        if weeks_ago == 1 and seed % 2 == 0:
            continue  # last week's session: notes not written yet (the sessions list flags it)
        body, rating, shared = MENTOR_NOTES[(seed + weeks_ago) % len(MENTOR_NOTES)]
        save_note(mentor, booking, NoteSide.MENTOR, {"body": body, "rating": rating, "shared_comment": shared,
                                                     "share": bool(shared)}, now=after)
        founder_body, founder_rating = FOUNDER_NOTES[weeks_ago % len(FOUNDER_NOTES)]
        save_note(_booker(startup, manager), booking, NoteSide.STARTUP, {"body": founder_body,
                                                                         "rating": founder_rating}, now=after)


def load_demo(context) -> None:
    """Availability, office hours, policy and sessions on ``context`` (``incubator.demo.loader.DemoContext``)."""
    now = utcnow()
    manager, running = context.people["manager"], context.running
    availability.save_policy(manager, running, monthly_minutes=240, cancel_cutoff_hours=24)
    for key, (hours, settings) in AVAILABILITY.items():
        availability.save_availability(context.people[key], hours, settings)
    berlin = context.people["berlin"]
    availability.add_exception(berlin, {"day": _next_week(berlin, WED, now), "kind": "off",
                                        "note": "Conference in Munich"}, now=now)
    shanghai = context.people["shanghai"]
    availability.open_office_hours(shanghai, running, {
        "day": _next_week(shanghai, THU, now), "start_time": time(15, 0), "end_time": time(17, 0),
        "slot_minutes": 30, "repeat_weeks": 2,
        "topic": "Sourcing and manufacturing in China: bring your questions",
        "location": "https://meet.example.org/li-wei-office-hours"}, now=now)
    office = availability.open_office_hours(berlin, running, {
        "day": _next_week(berlin, TUE, now), "start_time": time(8, 0), "end_time": time(10, 0),
        "slot_minutes": 30, "repeat_weeks": 1,
        "topic": "Fundraising office hours: decks, term sheets and grants", "location": ""}, now=now)[0]
    founder = context.people["founder"]
    for seed, key in enumerate(AVAILABILITY):
        mentor = context.people[key]
        startups = [s for s in startups_of_mentor(mentor.id) if s.cohort_id == running.id]
        # The demo founder's startup first, so Sokha Chan has sessions to look at.
        startups.sort(key=lambda s: not any(m.user_id == founder.id for m in s.members))
        _past_sessions(mentor, startups[:2], manager, now, seed)
        for startup in startups[:1]:
            slot = _first_open(mentor, now + timedelta(days=2 + seed), now)
            if slot is not None:
                upcoming = _book(_booker(startup, manager), startup, mentor, slot.starts_at,
                                 AGENDAS[seed % len(AGENDAS)], now=now)
                if upcoming is not None:
                    _backdate(upcoming, now - timedelta(days=2, hours=seed))  # booked (and seen) a while ago
    others = db.session.scalars(sa.select(Startup).where(Startup.cohort_id == running.id).order_by(Startup.name))
    guest = next((s for s in others if founders_of({s.id}).get(s.id)), None)
    open_slots = availability.office_hours_open_slots(office, now)
    if guest is not None and open_slots:
        _book(_booker(guest, manager), guest, berlin, open_slots[0].starts_at,
              "Our first term sheet: what is a fair valuation cap?", office_hours=office, now=now)
    db.session.flush()
