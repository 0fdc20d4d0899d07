"""Seeders for ``bench/seed_large.py`` beyond cohorts and progress: mentoring (mentors, profiles, accepted
matches, sessions) and resources (a catalog of rooms, desks and equipment with a long booking history).

Each seeder is ``seed(ctx) -> {table: rows}`` and goes in with multi-row INSERTs. Bookings are laid out on a
fixed grid so that no two bookings of one resource, and no two sessions of one mentor, overlap: the
PostgreSQL exclusion constraints would refuse the whole chunk otherwise.
"""
from __future__ import annotations

import secrets
from collections import defaultdict
from datetime import date, datetime, time, timedelta, timezone
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from incubator.auth.models import Role, User
from incubator.cohorts.models import Cohort, Startup
from incubator.db import utcnow
from incubator.demo.bulk import SECTORS, _insert
from incubator.extensions import db
from incubator.mentoring.models.bookings import BookingStatus as SessionStatus
from incubator.mentoring.models.bookings import MentorBooking
from incubator.mentoring.models.matching import Match, MatchStatus
from incubator.mentoring.models.profiles import (
    ExpertiseTag,
    MentorLanguage,
    MentorProfile,
    MentorSector,
    NeedPriority,
    StartupNeeds,
    StartupNeedTag,
    mentor_expertise,
)
from incubator.resources.models import Booking, BookingStatus, OpeningHours, Resource, ResourceType

if TYPE_CHECKING:
    from bench.seed_large import Context

INCUBATOR_TZ = ZoneInfo("Asia/Phnom_Penh")
# Where the bench mentors live, with the language each speaks besides English ("other" is named).
MENTOR_HOMES = [("Asia/Phnom_Penh", "km", ""), ("Asia/Seoul", "ko", ""), ("Asia/Shanghai", "zh", ""),
                ("Europe/Berlin", "other", "German"), ("Europe/Paris", "fr", "")]
TAG_CATEGORIES = ["Business", "Technology", "Finance", "Marketing", "Operations"]
TAG_TOPICS = ["strategy", "pricing", "fundraising", "cloud", "mobile apps", "data", "accounting", "legal",
              "export", "supply chain", "branding", "sales", "hiring", "impact", "product"]
# Resources: (type, how many, capacity, price per hour in cents, needs approval)
CATALOG = [(ResourceType.MEETING_ROOM, 8, 8, 0, False), (ResourceType.EVENT_SPACE, 2, 80, 2500, True),
           (ResourceType.HOT_DESK, 4, 1, 0, False), (ResourceType.EQUIPMENT, 4, 2, 1000, False),
           (ResourceType.SERVICE, 2, 1, 0, True)]
# Four two-hour blocks a day per resource (local time); a booking fills 60, 90 or 120 minutes of one.
BLOCKS = (8, 10, 13, 15)
LENGTHS = (120, 60, 90, 120)


def _now_and_cohorts() -> tuple[datetime, dict[int, int], list[tuple[date, date, list[int]]]]:
    """The startups' cohorts, and each cohort's dates with its startups (oldest first)."""
    cohort_of = dict(db.session.execute(sa.select(Startup.id, Startup.cohort_id)).all())
    members: dict[int, list[int]] = defaultdict(list)
    for startup_id, cohort_id in cohort_of.items():
        members[cohort_id].append(startup_id)
    cohorts = db.session.execute(sa.select(Cohort.id, Cohort.starts_on, Cohort.ends_on).order_by(Cohort.starts_on))
    return utcnow(), cohort_of, [(start, end, sorted(members[cid])) for cid, start, end in cohorts if members[cid]]


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    """A wall-clock time in Phnom Penh as an aware UTC datetime."""
    return datetime.combine(day, time(hour, minute), INCUBATOR_TZ).astimezone(timezone.utc)


def seed_mentoring(ctx: Context) -> dict[str, int]:
    """``ctx.mentors`` mentor accounts with profiles (languages, sectors, four expertise tags, capacity 5-8),
    a 75-tag taxonomy, every startup's needs, and accepted matches: one mentor per startup, two in running
    cohorts, spread evenly so no mentor goes over capacity."""
    now, cohort_of, _ = _now_and_cohorts()
    users = []
    for n in range(ctx.mentors):
        zone, _code, _other = MENTOR_HOMES[n % len(MENTOR_HOMES)]
        users.append({"email": f"mentor{n}@bench.example.org", "name": f"Mentor {n}", "role": Role.MENTOR,
                      "password_hash": ctx.password_hash, "locale": "en", "timezone": zone,
                      "session_nonce": "bench", "is_admin": False, "is_active": True})
    mentor_ids = _insert(User, users)
    tag_ids = _insert(ExpertiseTag, [
        {"name": f"{category} {topic}", "category": category, "description": "", "archived": False,
         "created_at": now, "updated_at": now} for category in TAG_CATEGORIES for topic in TAG_TOPICS])
    profiles, languages, sectors, expertise = [], [], [], []
    for n, mentor_id in enumerate(mentor_ids):
        _zone, code, other = MENTOR_HOMES[n % len(MENTOR_HOMES)]
        profiles.append({"user_id": mentor_id, "headline": f"Mentor {n}, {SECTORS[n % len(SECTORS)]} operator",
                         "bio": "", "other_languages": other, "capacity": 5 + n % 4,
                         "created_at": now, "updated_at": now})
        languages += [{"mentor_id": mentor_id, "code": "en"}, {"mentor_id": mentor_id, "code": code}]
        sectors += [{"mentor_id": mentor_id, "code": SECTORS[(n + k) % len(SECTORS)]} for k in range(2)]
        expertise += [{"mentor_id": mentor_id, "tag_id": tag_ids[(n * 7 + k * 13) % len(tag_ids)]} for k in range(4)]
    for model, rows in ((MentorProfile, profiles), (MentorLanguage, languages), (MentorSector, sectors),
                        (mentor_expertise, expertise)):
        table = model if isinstance(model, sa.Table) else model.__table__
        for start in range(0, len(rows), 5000):
            db.session.execute(sa.insert(table), rows[start:start + 5000])

    startups = ctx.ids["startups"]
    running = set(ctx.ids["running_cohorts"])
    needs = [{"startup_id": sid, "languages": ["km", "en"], "notes": "", "created_at": now, "updated_at": now}
             for sid in startups]
    need_tags = [{"startup_id": sid, "tag_id": tag_ids[(n * 11 + k * 17) % len(tag_ids)],
                  "priority": NeedPriority.MUST if k == 0 else NeedPriority.NICE}
                 for n, sid in enumerate(startups) for k in range(3)]
    db.session.execute(sa.insert(StartupNeeds), needs)
    for start in range(0, len(need_tags), 5000):
        db.session.execute(sa.insert(StartupNeedTag), need_tags[start:start + 5000])

    # Round-robin over the mentors: consecutive slots go to different mentors, so pairs are unique and the
    # load is even (2,200 matches on 500 mentors: at most 5 each, capacity 5-8).
    matches, slot = [], 0
    for sid in startups:
        for _k in range(2 if cohort_of[sid] in running else 1):
            matches.append({"cohort_id": cohort_of[sid], "startup_id": sid, "mentor_id": mentor_ids[slot % len(
                mentor_ids)], "status": MatchStatus.ACCEPTED, "locked": False, "score": 0.5 + (slot % 50) / 100,
                "explanation": {"shared_tags": [], "languages": ["en"]}, "published_at": now, "answered_at": now,
                "decline_reason": "", "created_at": now, "updated_at": now})
            slot += 1
    _insert(Match, matches)
    ctx.ids["mentors"] = mentor_ids
    ctx.ids["match_mentor"] = [m["mentor_id"] for m in matches]
    ctx.ids["match_startup"] = [m["startup_id"] for m in matches]
    return {"users (mentors)": len(mentor_ids), "expertise_tags": len(tag_ids), "mentor_profiles": len(profiles),
            "mentor_languages": len(languages), "mentor_sectors": len(sectors), "mentor_expertise": len(expertise),
            "startup_needs": len(needs), "startup_need_tags": len(need_tags), "mentor_matches": len(matches)}


def seed_resources(ctx: Context) -> dict[str, int]:
    """20 resources open Monday to Saturday 08:00-18:00, and ``ctx.resource_bookings`` bookings: four two-hour
    blocks a day per resource, going back in time from about four months ahead, each by a startup of a
    cohort running that day (checked in, no-show or cancelled in the past; confirmed or pending ahead)."""
    now, _, cohorts = _now_and_cohorts()
    today = now.astimezone(INCUBATOR_TZ).date()
    manager_id = ctx.ids["staff"][0]
    founder_of = dict(zip(ctx.ids["startups"], ctx.ids["founders"], strict=True))
    resources = []
    for rtype, count, capacity, price, approval in CATALOG:
        for k in range(count):
            resources.append({
                "name": f"Bench {rtype.value.replace('_', ' ')} {k + 1}", "type": rtype, "description": "",
                "location": f"Floor {1 + k % 3}", "capacity": capacity, "slot_minutes": 30, "min_minutes": 30,
                "max_minutes": 240, "advance_days": 180, "cancel_cutoff_hours": 2, "requires_approval": approval,
                "requires_training": rtype == ResourceType.EQUIPMENT, "price_minor": price, "currency": "USD",
                "unit_label": "", "max_units": None, "is_active": True, "created_by_id": manager_id,
                "created_at": now, "updated_at": now})
    resource_ids = _insert(Resource, resources)
    hours = [{"resource_id": rid, "weekday": day, "opens": time(8), "closes": time(18)}
             for rid in resource_ids for day in range(6)]
    db.session.execute(sa.insert(OpeningHours), hours)

    per_resource = -(-ctx.resource_bookings // len(resource_ids))
    rows, day, made = [], today + timedelta(days=120), 0
    while made < per_resource:
        day -= timedelta(days=1)
        if day.weekday() == 6:
            continue
        active = [ids for start, end, ids in cohorts if start <= day <= end] or [ctx.ids["startups"]]
        for start_hour in BLOCKS:
            if made == per_resource:
                break
            for r, rid in enumerate(resource_ids):
                if len(rows) == ctx.resource_bookings:
                    break
                pool = active[(made + r) % len(active)]
                sid = pool[(made * 7 + r * 31) % len(pool)]
                starts = _at(day, start_hour)
                ends = starts + timedelta(minutes=LENGTHS[(made + r) % len(LENGTHS)])
                past = ends <= now
                roll = (made * 3 + r) % 20
                if past:
                    status = (BookingStatus.NO_SHOW if roll == 0 else BookingStatus.CANCELLED if roll == 1
                              else BookingStatus.CHECKED_IN)
                else:
                    status = BookingStatus.PENDING if resources[r]["requires_approval"] and roll < 5 \
                        else BookingStatus.CONFIRMED
                booked = starts - timedelta(days=3 + roll % 10)
                rows.append({
                    "resource_id": rid, "startup_id": sid, "booked_by_id": founder_of[sid], "starts_at": starts,
                    "ends_at": ends, "units": None, "status": status, "purpose": "Customer meeting",
                    "paid_quantity": 0, "amount_minor": 0, "currency": "USD",
                    "hold_expires_at": now + timedelta(days=2) if status == BookingStatus.PENDING else None,
                    "decision_note": "", "checked_in_at": starts if status == BookingStatus.CHECKED_IN else None,
                    "cancelled_at": booked + timedelta(days=1) if status == BookingStatus.CANCELLED else None,
                    "cancel_reason": "Plans changed" if status == BookingStatus.CANCELLED else "",
                    "released_at": ends if status == BookingStatus.NO_SHOW else None,
                    "created_at": booked, "updated_at": booked})
            made += 1
    _insert(Booking, rows)
    return {"resources": len(resource_ids), "resource_hours": len(hours), "bookings": len(rows)}


def seed_mentor_sessions(ctx: Context) -> dict[str, int]:
    """``ctx.mentor_sessions`` one-hour sessions spread evenly over the mentors: one a week each (on a weekday
    and hour that depend on the mentor), going back from about four months ahead, with the startups the mentor
    is matched with in turn. Past ones are held, with 5% no-shows and 5% cancellations."""
    now, cohort_of, _ = _now_and_cohorts()
    today = now.astimezone(INCUBATOR_TZ).date()
    founder_of = dict(zip(ctx.ids["startups"], ctx.ids["founders"], strict=True))
    matched: dict[int, list[int]] = defaultdict(list)
    for mentor_id, sid in zip(ctx.ids["match_mentor"], ctx.ids["match_startup"], strict=True):
        matched[mentor_id].append(sid)
    mentors = [m for m in ctx.ids["mentors"] if matched[m]]
    per_mentor = -(-ctx.mentor_sessions // len(mentors))
    first_monday = today + timedelta(weeks=17) - timedelta(days=today.weekday())
    rows = []
    for week in range(per_mentor):
        monday = first_monday - timedelta(weeks=week)
        for n, mentor_id in enumerate(mentors):
            if len(rows) == ctx.mentor_sessions:
                break
            sid = matched[mentor_id][week % len(matched[mentor_id])]
            # Within the mentor's own working day too: European mentors get Phnom Penh's afternoons.
            hour = 9 + n % 8 if n % len(MENTOR_HOMES) < 3 else 14 + n % 3
            starts = _at(monday + timedelta(days=n % 5), hour)
            ends = starts + timedelta(hours=1)
            roll = (week + n) % 20
            status = SessionStatus.CONFIRMED
            if ends <= now and roll == 0:
                status = SessionStatus.NO_SHOW
            elif ends <= now and roll == 1:
                status = SessionStatus.CANCELLED
            booked = starts - timedelta(days=4 + roll % 7)
            rows.append({
                "uid": secrets.token_hex(16), "mentor_id": mentor_id, "startup_id": sid, "cohort_id": cohort_of[sid],
                "office_hours_id": None, "booked_by_id": founder_of[sid], "starts_at": starts, "ends_at": ends,
                "status": status, "agenda": "Go-to-market review", "location": "Video call", "sequence": 0,
                "scheduled_at": booked, "reschedule_reason": "",
                "cancel_reason": "Mentor travelling" if status == SessionStatus.CANCELLED else "",
                "cancelled_at": booked + timedelta(days=1) if status == SessionStatus.CANCELLED else None,
                "cancelled_by_id": mentor_id if status == SessionStatus.CANCELLED else None,
                "no_show_marked_by_id": mentor_id if status == SessionStatus.NO_SHOW else None,
                "created_at": booked, "updated_at": booked})
    _insert(MentorBooking, rows)
    return {"mentor_bookings": len(rows)}


DOMAIN_SEEDERS = [seed_mentoring, seed_resources, seed_mentor_sessions]
