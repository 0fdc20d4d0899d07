"""Mentor hours delivered (for recognising mentors and for donor reports) and mentors' shared endorsements.

Only held sessions count: confirmed, already over, nobody marked a no-show. A session belongs to the
period its start falls in. Each function is one query, whatever the number of sessions.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa

from incubator.auth.models import User
from incubator.cohorts.models import Startup
from incubator.db import utcnow
from incubator.extensions import db
from incubator.mentoring.models.bookings import BookingStatus, MentorBooking, NoteSide, SessionNote


def _minutes(starts_at: datetime, ends_at: datetime) -> int:
    return int((ends_at - starts_at).total_seconds() // 60)


def _held(cohort_id: int | None, start: datetime, end: datetime, now: datetime | None = None) -> sa.Select:
    now = now or utcnow()
    query = sa.select(MentorBooking.mentor_id, MentorBooking.startup_id, MentorBooking.starts_at,
                      MentorBooking.ends_at).where(
        MentorBooking.status == BookingStatus.CONFIRMED, MentorBooking.ends_at <= now,
        MentorBooking.starts_at >= start, MentorBooking.starts_at < end)
    return query if cohort_id is None else query.where(MentorBooking.cohort_id == cohort_id)


def _sum_by(index: int, cohort_id: int | None, start: datetime, end: datetime) -> dict[int, int]:
    totals: dict[int, int] = defaultdict(int)
    # Summed in Python: interval arithmetic differs between PostgreSQL and SQLite.
    for row in db.session.execute(_held(cohort_id, start, end)):
        totals[row[index]] += _minutes(row.starts_at, row.ends_at)
    return dict(totals)


def mentor_hours_by_mentor(cohort_id: int | None, start: datetime, end: datetime) -> dict[int, int]:
    """Minutes of held sessions per mentor (user id) that started in [start, end).

    :param cohort_id: one cohort, or ``None`` for every cohort.
    :return: mentor id to minutes delivered; mentors without held sessions are left out.
    """
    return _sum_by(0, cohort_id, start, end)


def mentor_hours_by_startup(cohort_id: int | None, start: datetime, end: datetime) -> dict[int, int]:
    """Minutes of held sessions per startup that started in [start, end).

    :param cohort_id: one cohort, or ``None`` for every cohort.
    :return: startup id to minutes received; startups without held sessions are left out.
    """
    return _sum_by(1, cohort_id, start, end)


@dataclass
class HoursRow:
    """One line of the mentor-hours page: a mentor or a startup, with what it gave or received."""

    id: int
    name: str
    minutes: int = 0
    sessions: int = 0
    no_shows: int = 0
    counterparts: set[int] = field(default_factory=set)
    detail: str = ""  # the mentor's time zone, or the startup's cohort

    @property
    def hours(self) -> float:
        return round(self.minutes / 60, 2)


def hours_report(cohort_id: int | None, start: datetime, end: datetime,
                 now: datetime | None = None) -> tuple[list[HoursRow], list[HoursRow]]:
    """Held sessions and no-shows per mentor and per startup, with names, for the page and the CSV (2 queries).

    :return: (mentor rows, startup rows), most minutes first.
    """
    now = now or utcnow()
    query = (sa.select(MentorBooking.mentor_id, MentorBooking.startup_id, MentorBooking.starts_at,
                       MentorBooking.ends_at, MentorBooking.status)
             .where(MentorBooking.status.in_((BookingStatus.CONFIRMED, BookingStatus.NO_SHOW)),
                    MentorBooking.ends_at <= now, MentorBooking.starts_at >= start, MentorBooking.starts_at < end))
    if cohort_id is not None:
        query = query.where(MentorBooking.cohort_id == cohort_id)
    rows = db.session.execute(query).all()
    mentor_ids, startup_ids = {r.mentor_id for r in rows}, {r.startup_id for r in rows}
    names = {("m", uid): (name, tz) for uid, name, tz in db.session.execute(
        sa.select(User.id, User.name, User.timezone).where(User.id.in_(mentor_ids)))} if mentor_ids else {}
    if startup_ids:
        names |= {("s", sid): (name, "") for sid, name in db.session.execute(
            sa.select(Startup.id, Startup.name).where(Startup.id.in_(startup_ids)))}
    mentors: dict[int, HoursRow] = {}
    startups: dict[int, HoursRow] = {}
    for row in rows:
        if row.mentor_id not in mentors:
            name, zone = names[("m", row.mentor_id)]
            mentors[row.mentor_id] = HoursRow(row.mentor_id, name, detail=zone)
        if row.startup_id not in startups:
            startups[row.startup_id] = HoursRow(row.startup_id, names[("s", row.startup_id)][0])
        mentor, startup = mentors[row.mentor_id], startups[row.startup_id]
        for line, other in ((mentor, row.startup_id), (startup, row.mentor_id)):
            if row.status == BookingStatus.NO_SHOW:
                line.no_shows += 1
                continue
            line.minutes += _minutes(row.starts_at, row.ends_at)
            line.sessions += 1
            line.counterparts.add(other)
    def most_first(row: HoursRow) -> tuple:
        return -row.minutes, row.name.lower()

    return sorted(mentors.values(), key=most_first), sorted(startups.values(), key=most_first)


def mentor_endorsements(startup_id: int) -> list[dict]:
    """What mentors chose to share about a startup: their rating and shared comment of each held session.

    A mentor's private notes never appear here; only the separate comment they wrote for sharing, and
    only where they ticked "share" on that session.

    :return: newest first: ``{"booking_id", "mentor_id", "mentor_name", "session_date", "rating", "comment"}``.
    """
    rows = db.session.execute(
        sa.select(MentorBooking.id, MentorBooking.mentor_id, User.name, MentorBooking.starts_at,
                  SessionNote.rating, SessionNote.shared_comment)
        .join(SessionNote, SessionNote.booking_id == MentorBooking.id)
        .join(User, User.id == MentorBooking.mentor_id)
        .where(MentorBooking.startup_id == startup_id, MentorBooking.status == BookingStatus.CONFIRMED,
               MentorBooking.ends_at <= utcnow(), SessionNote.side == NoteSide.MENTOR, SessionNote.share.is_(True))
        .order_by(MentorBooking.starts_at.desc())
    ).all()
    return [{"booking_id": r[0], "mentor_id": r[1], "mentor_name": r[2], "session_date": r[3].date(),
             "rating": r[4], "comment": r[5]} for r in rows]
