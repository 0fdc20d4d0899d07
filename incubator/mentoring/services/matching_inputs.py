"""Turn the database into the matcher's plain data (``StartupData``, ``MentorData``) in a fixed number of queries.

What a run keeps and what it may change:

- kept pairs (published, accepted, and locked proposals) stay, count towards ``k`` for their startup and
  use their mentor's capacity;
- unlocked proposals of the cohort are about to be replaced, so they use no capacity;
- active matches in other cohorts use capacity (capacity is "startups at once", across cohorts);
- declined and removed pairs of the cohort are never proposed again.
"""
from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import selectinload

from incubator.auth.models import Role, User
from incubator.cohorts.models import Cohort, Startup, StartupStatus, TeamMember
from incubator.db import utcnow
from incubator.extensions import db
from incubator.mentoring.matching import MentorData, StartupData
from incubator.mentoring.models import (
    ACTIVE_STATUSES,
    KEPT_STATUSES,
    ExpertiseTag,
    Match,
    MatchStatus,
    MentorConflict,
    MentorProfile,
    NeedPriority,
    StartupNeeds,
)
from incubator.mentoring.services.profiles import DEFAULT_STARTUP_LANGUAGES


@dataclass
class Problem:
    """A cohort's matching problem and the objects behind it (for names in explanations)."""

    startups: list[StartupData]
    mentors: list[MentorData]
    startup_rows: dict[int, Startup] = field(default_factory=dict)
    mentor_rows: dict[int, User] = field(default_factory=dict)
    tag_names: dict[int, str] = field(default_factory=dict)
    declared_needs: set[int] = field(default_factory=set)  # startups that filled in their needs
    kept: int = 0


def utc_offset_minutes(zone: str, at: datetime) -> int:
    """The zone's offset from UTC at ``at``, in minutes (DST included); unknown zones count as the default."""
    try:
        tz = ZoneInfo(zone)
    except (KeyError, ValueError):
        tz = ZoneInfo(current_app.config["DEFAULT_TIMEZONE"])
    return int(at.astimezone(tz).utcoffset().total_seconds() // 60)


def startup_zones(startup_ids: list[int]) -> dict[int, str]:
    """Each startup's time zone: the one most of its founders' accounts use, else the incubator's."""
    default = current_app.config["DEFAULT_TIMEZONE"]
    zones: dict[int, Counter] = defaultdict(Counter)
    if startup_ids:
        rows = db.session.execute(
            sa.select(TeamMember.startup_id, User.timezone).join(User, User.id == TeamMember.user_id)
            .where(TeamMember.startup_id.in_(startup_ids), TeamMember.is_founder.is_(True))
        )
        for startup_id, zone in rows:
            zones[startup_id][zone] += 1
    return {sid: (sorted(zones[sid].items(), key=lambda kv: (-kv[1], kv[0]))[0][0] if zones[sid] else default)
            for sid in startup_ids}


def mentor_rows(mentor_ids: list[int] | None = None) -> list[tuple[User, MentorProfile]]:
    """Active mentor accounts with a profile (tags, languages, sectors loaded), by id."""
    query = (
        sa.select(User, MentorProfile).join(MentorProfile, MentorProfile.user_id == User.id)
        .where(User.role == Role.MENTOR, User.is_active.is_(True))
        .options(selectinload(MentorProfile.expertise), selectinload(MentorProfile.language_rows),
                 selectinload(MentorProfile.sector_rows))
        .order_by(User.id)
    )
    if mentor_ids is not None:
        query = query.where(User.id.in_(mentor_ids))
    return [(user, profile) for user, profile in db.session.execute(query)]


def mentor_loads(replaceable_cohort_id: int | None = None, skip_match_id: int | None = None) -> dict[int, int]:
    """Active matches per mentor (what uses their capacity).

    :param replaceable_cohort_id: a cohort about to be re-run: its unlocked proposals do not count.
    :param skip_match_id: a match being changed (a swap): it does not count either.
    """
    query = sa.select(Match.mentor_id, sa.func.count(Match.id)).where(Match.status.in_(ACTIVE_STATUSES))
    if replaceable_cohort_id is not None:
        query = query.where(sa.not_(sa.and_(Match.cohort_id == replaceable_cohort_id,
                                            Match.status == MatchStatus.PROPOSED, Match.locked.is_(False))))
    if skip_match_id is not None:
        query = query.where(Match.id != skip_match_id)
    return dict(db.session.execute(query.group_by(Match.mentor_id)).tuples().all())


def mentor_data(user: User, profile: MentorProfile, load: int, conflicts: frozenset[int], now: datetime) -> MentorData:
    return MentorData(
        id=user.id, expertise=frozenset(t.id for t in profile.expertise), sectors=frozenset(profile.sectors),
        languages=frozenset(profile.languages), utc_offset_minutes=utc_offset_minutes(user.timezone, now),
        capacity=profile.capacity, load=load, conflicts=conflicts,
    )


def conflicts_by_mentor(mentor_ids: list[int] | None = None) -> dict[int, frozenset[int]]:
    query = sa.select(MentorConflict.mentor_id, MentorConflict.startup_id)
    if mentor_ids is not None:
        query = query.where(MentorConflict.mentor_id.in_(mentor_ids))
    found: dict[int, set[int]] = defaultdict(set)
    for mentor_id, startup_id in db.session.execute(query):
        found[mentor_id].add(startup_id)
    return {mentor_id: frozenset(ids) for mentor_id, ids in found.items()}


def startup_data(startup: Startup, needs: StartupNeeds | None, zone: str, now: datetime,
                 kept: frozenset[int] = frozenset(), excluded: frozenset[int] = frozenset()) -> StartupData:
    tags = needs.tags if needs else []
    return StartupData(
        id=startup.id, sector=startup.sector,
        must=frozenset(t.tag_id for t in tags if t.priority == NeedPriority.MUST),
        nice=frozenset(t.tag_id for t in tags if t.priority == NeedPriority.NICE),
        languages=frozenset(needs.languages if needs and needs.languages else DEFAULT_STARTUP_LANGUAGES),
        utc_offset_minutes=utc_offset_minutes(zone, now), kept=kept, excluded=excluded,
    )


def build_problem(cohort: Cohort, now: datetime | None = None) -> Problem:
    """The cohort's active startups and every available mentor, as the matcher's input."""
    now = now or utcnow()
    startups = list(db.session.scalars(
        sa.select(Startup).where(Startup.cohort_id == cohort.id, Startup.status == StartupStatus.ACTIVE)
        .order_by(Startup.id)))
    ids = [s.id for s in startups]
    needs = {n.startup_id: n for n in db.session.scalars(
        sa.select(StartupNeeds).where(StartupNeeds.startup_id.in_(ids)).options(selectinload(StartupNeeds.tags)))}
    kept: dict[int, set[int]] = defaultdict(set)
    excluded: dict[int, set[int]] = defaultdict(set)
    pairs = sa.select(Match.startup_id, Match.mentor_id, Match.status, Match.locked).where(Match.cohort_id == cohort.id)
    for startup_id, mentor_id, status, locked in db.session.execute(pairs):
        if status in KEPT_STATUSES or (status == MatchStatus.PROPOSED and locked):
            kept[startup_id].add(mentor_id)
        elif status in (MatchStatus.DECLINED, MatchStatus.ENDED):
            excluded[startup_id].add(mentor_id)
    zones = startup_zones(ids)
    loads = mentor_loads(replaceable_cohort_id=cohort.id)
    conflicts = conflicts_by_mentor()
    pool = mentor_rows()
    tag_ids = {t.id for _, p in pool for t in p.expertise} | {t.tag_id for n in needs.values() for t in n.tags}
    names = dict(db.session.execute(sa.select(ExpertiseTag.id, ExpertiseTag.name)
                                    .where(ExpertiseTag.id.in_(tag_ids))).tuples().all()) if tag_ids else {}
    return Problem(
        startups=[startup_data(s, needs.get(s.id), zones[s.id], now, frozenset(kept[s.id]),
                               frozenset(excluded[s.id] - kept[s.id])) for s in startups],
        mentors=[mentor_data(u, p, loads.get(u.id, 0), conflicts.get(u.id, frozenset()), now) for u, p in pool],
        startup_rows={s.id: s for s in startups}, mentor_rows={u.id: u for u, _ in pool}, tag_names=names,
        declared_needs={sid for sid, n in needs.items() if n.tags}, kept=sum(len(v) for v in kept.values()),
    )
