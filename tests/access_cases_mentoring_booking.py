"""Access-matrix cases for mentoring sessions: availability, booking, sessions, calendar feeds, mentor hours (web
and API).

World: ``mentor`` is matched (ACCEPTED) with the founder's startup (built by ``access_cases_mentoring``, which
sorts before this module; the match is created here only if it is missing), has weekly hours, an exception,
office hours for the running cohort and an upcoming session with the founder's startup. ``other_founder``'s
startup is in the same cohort (so it may book the office hours, but not through the founder's startup's URLs).
The founder has a calendar feed; its token is the feed URL's only key.
"""
from __future__ import annotations

from datetime import date, time, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from incubator.db import utcnow
from incubator.extensions import db
from incubator.mentoring.models import Match, MatchStatus
from incubator.mentoring.models.bookings import MentorBooking
from incubator.mentoring.services import availability, calendar_feeds
from incubator.mentoring.services.bookings import book_session
from tests.access_cases import EVERYONE, MANAGERS, Route, page, submit

FOUNDERS = frozenset({"founder", "other_founder"})
MENTORS = frozenset({"mentor", "other_mentor"})
SESSION_USERS = MANAGERS | MENTORS | FOUNDERS  # everyone with sessions (not investors)
BOOKERS = MANAGERS | {"founder"}  # the founder's startup's booking pages
SIDES = MANAGERS | {"founder", "mentor"}  # the session between the founder's startup and the mentor
RUNNING = {"cohort_id": "running_cohort_id"}
MENTOR = {"mentor_id": "matched_mentor_id"}
OFFICE = {"office_hours_id": "mentor_office_hours_id"}
SESSION = {"booking_id": "mentor_booking_id"}
FEED = {"token": "calendar_feed_token"}
HOURS_CSV = {"kind": "mentor_hours_kind"}

ROUTES: dict[tuple[str, str], Route] = {
    # Mentors: availability, exceptions, office hours ----------------------------------------------
    ("mentor_booking.availability", "GET"): page(MENTORS),
    ("mentor_booking.availability", "POST"): submit(MENTORS),
    ("mentor_booking.add_exception", "POST"): submit(MENTORS),
    ("mentor_booking.delete_exception", "POST"): submit({"mentor"}, args={"exception_id": "mentor_exception_id"}),
    ("mentor_booking.open_office_hours", "POST"): submit(MENTORS),
    ("mentor_booking.close_office_hours", "POST"): submit(MANAGERS | {"mentor"}, args=OFFICE),
    # Founders (and managers on a startup's behalf): book a mentor ----------------------------------
    ("mentor_booking.book_start", "GET"): Route(MANAGERS | FOUNDERS, ok=frozenset({200, 302})),
    ("mentor_booking.book_overview", "GET"): page(BOOKERS),
    ("mentor_booking.book_mentor", "GET"): page(BOOKERS, args=MENTOR),
    ("mentor_booking.book_mentor", "POST"): submit(BOOKERS, args=MENTOR),
    ("mentor_booking.book_office_hours", "GET"): page(BOOKERS, args=OFFICE),
    ("mentor_booking.book_office_hours", "POST"): submit(BOOKERS, args=OFFICE),
    # Sessions -------------------------------------------------------------------------------------
    ("mentor_booking.list_sessions", "GET"): page(SESSION_USERS),
    ("mentor_booking.view_booking", "GET"): page(SIDES, args=SESSION),
    ("mentor_booking.booking_ics", "GET"): page(SIDES, args=SESSION),
    ("mentor_booking.cancel_booking", "POST"): submit(SIDES, args=SESSION),
    ("mentor_booking.reschedule_booking", "GET"): page(SIDES, args=SESSION),
    ("mentor_booking.reschedule_booking", "POST"): submit(SIDES, args=SESSION),
    # Notes are each side's own; managers read them but do not write them.
    ("mentor_booking.save_notes", "POST"): submit({"founder", "mentor"}, args=SESSION),
    ("mentor_booking.mark_no_show", "POST"): submit(MANAGERS | {"mentor"}, args=SESSION),
    # Calendar feeds: your own; the feed itself needs no sign-in (the signed token is the key) -----
    ("mentor_booking.create_feed", "POST"): submit(SESSION_USERS),
    ("mentor_booking.revoke_feed", "POST"): submit(SESSION_USERS),
    ("mentor_booking.calendar_feed", "GET"): page(EVERYONE, args=FEED),
    # Managers: mentor hours and the cohort's policy ------------------------------------------------
    ("mentor_booking.mentor_hours", "GET"): page(MANAGERS),
    ("mentor_booking.mentor_hours_csv", "GET"): page(MANAGERS, args=HOURS_CSV),
    ("mentor_booking.cohort_policy", "GET"): page(MANAGERS, args=RUNNING),
    ("mentor_booking.cohort_policy", "POST"): submit(MANAGERS, args=RUNNING),
    # API ------------------------------------------------------------------------------------------
    # The mentor themself, managers, and founders whose startup may book some of the mentor's time (the
    # other founder's startup may book the office hours of its cohort).
    ("api_v1.list_mentor_slots", "GET"): page(MANAGERS | FOUNDERS | {"mentor"}, args=MENTOR),
    ("api_v1.list_mentor_bookings", "GET"): page(SESSION_USERS),
    ("api_v1.create_mentor_booking", "POST"): submit(MANAGERS | FOUNDERS),
    ("api_v1.get_mentor_booking", "GET"): page(SIDES, args=SESSION),
    ("api_v1.cancel_mentor_booking", "POST"): submit(SIDES, args=SESSION),
    ("api_v1.reschedule_mentor_booking", "POST"): submit(SIDES, args=SESSION),
}


def build(world: dict) -> dict:
    """The mentor's availability, office hours, one upcoming session and the founder's calendar feed."""
    users, startup = world["users"], world["startup"]
    mentor, founder = users["mentor"], users["founder"]
    accepted = db.session.scalar(sa.select(Match).where(Match.mentor_id == mentor.id, Match.startup_id == startup.id,
                                                        Match.status == MatchStatus.ACCEPTED))
    if accepted is None:
        db.session.add(Match(cohort_id=startup.cohort_id, startup_id=startup.id, mentor_id=mentor.id,
                             status=MatchStatus.ACCEPTED))
    now = utcnow()
    every_day = {day: [(time(0, 0), time(23, 30))] for day in range(7)}
    availability.save_availability(mentor, every_day, {"slot_minutes": 45, "buffer_minutes": 15, "notice_hours": 1,
                                                       "window_days": 30, "location": "", "paused": False})
    exception = availability.add_exception(mentor, {"day": date.today() + timedelta(days=20), "kind": "off"}, now=now)
    in_a_week = (now + timedelta(days=7)).astimezone(ZoneInfo(mentor.timezone)).date()
    block = availability.open_office_hours(mentor, startup.cohort, {
        "day": in_a_week, "start_time": time(10, 0), "end_time": time(12, 0), "slot_minutes": 30,
        "repeat_weeks": 1}, now=now)[0]
    slot = availability.regular_open_slots(mentor, now + timedelta(days=3), now + timedelta(days=4), now)[0]
    booking = book_session(founder, startup, mentor, slot.starts_at, "Pricing and the first export order", now=now)
    feed = calendar_feeds.create_feed(founder)
    token = calendar_feeds.feed_url(feed).rsplit("/", 1)[-1].removesuffix(".ics")
    db.session.commit()
    assert db.session.get(MentorBooking, booking.id) is not None
    return {"matched_mentor_id": mentor.id, "mentor_exception_id": exception.id, "mentor_office_hours_id": block.id,
            "mentor_booking_id": booking.id, "calendar_feed_token": token, "mentor_hours_kind": "mentors"}
