"""Reusable mentoring queries: who mentors whom once a mentor has accepted a match, and the pages' lists.

Booking and session features rely on the first three: a founder may book a mentor only when
:func:`accepted_match` finds an ``ACCEPTED`` match between them.
"""
from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import contains_eager, joinedload, selectinload

from incubator.auth.models import Role, User
from incubator.cohorts.choices import SECTORS
from incubator.cohorts.models import Cohort, CohortStatus, Startup, StartupStatus, TeamMember
from incubator.cohorts.permissions import is_manager
from incubator.extensions import db
from incubator.mentoring.models.bookings import MentorBooking
from incubator.mentoring.models.matching import ACTIVE_STATUSES, Match, MatchStatus
from incubator.mentoring.models.profiles import (
    LANGUAGES,
    ExpertiseTag,
    MentorConflict,
    MentorLanguage,
    MentorProfile,
    MentorSector,
    StartupNeedTag,
    mentor_expertise,
)


def accepted_match(mentor_id: int, startup_id: int) -> Match | None:
    """The accepted match between a mentor and a startup, if any.

    :param mentor_id: the mentor's user id.
    :param startup_id: the startup's id.
    :return: the most recent ``ACCEPTED`` match, or ``None``.
    """
    return db.session.scalars(
        sa.select(Match)
        .where(Match.mentor_id == mentor_id, Match.startup_id == startup_id, Match.status == MatchStatus.ACCEPTED)
        .order_by(Match.id.desc())
        .limit(1)
    ).first()


def mentors_of_startup(startup_id: int) -> list[User]:
    """The mentors who accepted a match with a startup, by name.

    :param startup_id: the startup's id.
    :return: distinct users, ordered by name.
    """
    accepted = sa.select(Match.mentor_id).where(Match.startup_id == startup_id, Match.status == MatchStatus.ACCEPTED)
    return list(db.session.scalars(sa.select(User).where(User.id.in_(accepted)).order_by(User.name, User.id)))


def startups_of_mentor(mentor_id: int) -> list[Startup]:
    """The startups whose match a mentor accepted, by name.

    :param mentor_id: the mentor's user id.
    :return: distinct startups, ordered by name.
    """
    accepted = sa.select(Match.startup_id).where(Match.mentor_id == mentor_id, Match.status == MatchStatus.ACCEPTED)
    query = sa.select(Startup).where(Startup.id.in_(accepted)).order_by(Startup.name, Startup.id)
    return list(db.session.scalars(query))


# Pages ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DirectoryFilters:
    """The mentor directory's search: free text, one tag, one language, one sector."""

    q: str = ""
    tag: int | None = None
    language: str = ""
    sector: str = ""
    available: bool = False  # only mentors with free capacity

    @classmethod
    def from_args(cls, args) -> DirectoryFilters:
        tag = args.get("tag", type=int)
        return cls(q=(args.get("q") or "").strip()[:80], tag=tag if tag and 0 < tag < 2**31 else None,
                   language=args.get("language") if args.get("language") in LANGUAGES else "",
                   sector=args.get("sector") if args.get("sector") in SECTORS else "",
                   available=args.get("available") == "1")

    def args(self) -> dict:
        return {k: v for k, v in (("q", self.q), ("tag", self.tag), ("language", self.language),
                                  ("sector", self.sector), ("available", "1" if self.available else "")) if v}


def _active_count():
    return (sa.select(sa.func.count(Match.id)).where(Match.mentor_id == MentorProfile.user_id,
                                                     Match.status.in_(ACTIVE_STATUSES))
            .correlate(MentorProfile).scalar_subquery())


def directory_query(filters: DirectoryFilters) -> sa.Select:
    """Active mentors with a profile matching ``filters``, by name (tags, languages, sectors eager-loaded)."""
    query = (
        sa.select(MentorProfile).join(User, User.id == MentorProfile.user_id)
        .where(User.role == Role.MENTOR, User.is_active.is_(True))
        .options(contains_eager(MentorProfile.user), selectinload(MentorProfile.expertise),
                 selectinload(MentorProfile.language_rows), selectinload(MentorProfile.sector_rows))
        .order_by(User.name, User.id)
    )
    if filters.q:
        like = f"%{filters.q.replace('%', '').replace('_', '')}%"
        tagged = sa.select(mentor_expertise.c.mentor_id).join(ExpertiseTag).where(ExpertiseTag.name.ilike(like))
        query = query.where(sa.or_(User.name.ilike(like), MentorProfile.headline.ilike(like),
                                   MentorProfile.bio.ilike(like), MentorProfile.user_id.in_(tagged)))
    if filters.tag:
        query = query.where(MentorProfile.user_id.in_(
            sa.select(mentor_expertise.c.mentor_id).where(mentor_expertise.c.tag_id == filters.tag)))
    if filters.language:
        query = query.where(MentorProfile.user_id.in_(
            sa.select(MentorLanguage.mentor_id).where(MentorLanguage.code == filters.language)))
    if filters.sector:
        query = query.where(MentorProfile.user_id.in_(
            sa.select(MentorSector.mentor_id).where(MentorSector.code == filters.sector)))
    if filters.available:
        query = query.where(MentorProfile.capacity > _active_count())
    return query


def active_loads(mentor_ids: list[int]) -> dict[int, int]:
    """Active matches (proposed, published, accepted) per mentor, for "2 of 3 places taken"."""
    if not mentor_ids:
        return {}
    return dict(db.session.execute(
        sa.select(Match.mentor_id, sa.func.count(Match.id))
        .where(Match.mentor_id.in_(mentor_ids), Match.status.in_(ACTIVE_STATUSES)).group_by(Match.mentor_id)
    ).tuples().all())


def conflicts_of(mentor_id: int) -> list[MentorConflict]:
    return list(db.session.scalars(
        sa.select(MentorConflict).where(MentorConflict.mentor_id == mentor_id)
        .options(joinedload(MentorConflict.startup).joinedload(Startup.cohort)).order_by(MentorConflict.id)))


def startups_for_conflicts() -> list[Startup]:
    """Startups a mentor may declare a conflict with: active ones in cohorts that are not completed."""
    return list(db.session.scalars(
        sa.select(Startup).join(Cohort).where(Startup.status == StartupStatus.ACTIVE,
                                              Cohort.status != CohortStatus.COMPLETED)
        .options(contains_eager(Startup.cohort)).order_by(Startup.name, Startup.id)))


def all_tags() -> list[ExpertiseTag]:
    return list(db.session.scalars(sa.select(ExpertiseTag).order_by(ExpertiseTag.category, ExpertiseTag.name)))


def group_by_category(tags: list[ExpertiseTag]) -> list[tuple[str, list[ExpertiseTag]]]:
    """Tags grouped by category (uncategorised last), keeping each group's order."""
    groups: dict[str, list[ExpertiseTag]] = {}
    for tag in sorted(tags, key=lambda t: (not t.category, t.category.lower(), t.name.lower())):
        groups.setdefault(tag.category, []).append(tag)
    return list(groups.items())


def tag_usage() -> dict[int, tuple[int, int]]:
    """Per tag: (mentors who offer it, startups who need it)."""
    mentors = dict(db.session.execute(sa.select(mentor_expertise.c.tag_id, sa.func.count())
                                      .group_by(mentor_expertise.c.tag_id)).tuples().all())
    startups = dict(db.session.execute(sa.select(StartupNeedTag.tag_id, sa.func.count())
                                       .group_by(StartupNeedTag.tag_id)).tuples().all())
    return {tag_id: (mentors.get(tag_id, 0), startups.get(tag_id, 0)) for tag_id in mentors.keys() | startups.keys()}


def startup_matches(startup_id: int) -> list[Match]:
    """A startup's published, accepted and declined matches (not proposals), newest first, with mentor profiles."""
    matches = list(db.session.scalars(
        sa.select(Match).where(Match.startup_id == startup_id, Match.status != MatchStatus.PROPOSED)
        .options(joinedload(Match.mentor)).order_by(Match.id.desc())))
    profiles = {p.user_id: p for p in db.session.scalars(
        sa.select(MentorProfile).where(MentorProfile.user_id.in_({m.mentor_id for m in matches}))
        .options(selectinload(MentorProfile.expertise), selectinload(MentorProfile.language_rows)))}
    for match in matches:
        match.mentor_profile = profiles.get(match.mentor_id)
    return matches


def sessions_query(user, tab: str, now) -> sa.Select:
    """The sessions ``user`` may list: ``upcoming`` (soonest first), ``past`` or ``all`` (latest first)."""
    query = sa.select(MentorBooking).options(joinedload(MentorBooking.startup), joinedload(MentorBooking.mentor),
                                             selectinload(MentorBooking.notes))
    if user.role == Role.MENTOR:
        query = query.where(MentorBooking.mentor_id == user.id)
    elif not is_manager(user):
        query = query.where(MentorBooking.startup_id.in_(
            sa.select(TeamMember.startup_id).where(TeamMember.user_id == user.id)))
    if tab == "all":
        return query.order_by(MentorBooking.starts_at.desc(), MentorBooking.id)
    if tab == "past":
        return query.where(MentorBooking.ends_at <= now).order_by(MentorBooking.starts_at.desc(), MentorBooking.id)
    return query.where(MentorBooking.ends_at > now).order_by(MentorBooking.starts_at, MentorBooking.id)
