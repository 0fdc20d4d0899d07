"""Who the progress jobs tell about what: bulk queries, grouped in Python (a fixed number of statements).

Only active startups of running cohorts are reminded about or reported on. A startup's founders are
the active founder accounts on its team (as in ``cohorts.permissions.is_founder_of``); managers are
the active manager accounts. There is no manager per startup, so every manager hears about every
running cohort.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa

from incubator.auth.models import Role, User
from incubator.cohorts.models import Cohort, CohortStatus, Startup, StartupStatus, TeamMember
from incubator.extensions import db
from incubator.progress.models import CheckIn, Milestone
from incubator.progress.models.milestones import overdue_clause

TOP_ITEMS = 5  # items listed per section of the digest; the counts cover everything


@dataclass(frozen=True)
class OverdueItem:
    milestone_id: int
    startup_id: int
    startup_name: str
    title: str
    due_on: date


@dataclass(frozen=True)
class HelpItem:
    checkin_id: int
    startup_id: int
    startup_name: str
    week_start: date
    help_text: str
    help_tags: tuple[str, ...]


@dataclass
class CohortDigest:
    """One running cohort's section of the managers' digest."""

    cohort_id: int
    cohort_name: str
    startups: int = 0
    missing_checkins: list[str] = field(default_factory=list)  # startup names
    overdue: list[OverdueItem] = field(default_factory=list)
    help_flags: list[HelpItem] = field(default_factory=list)

    @property
    def is_quiet(self) -> bool:
        return not (self.missing_checkins or self.overdue or self.help_flags)


def _tracked_startups():
    """Active startups of running cohorts (a condition on ``Startup`` joined to ``Cohort``)."""
    return sa.and_(Startup.status == StartupStatus.ACTIVE, Cohort.status == CohortStatus.RUNNING)


def active_managers() -> list[User]:
    """Every active manager account, in id order (one query)."""
    return list(db.session.scalars(
        sa.select(User).where(User.role == Role.MANAGER, User.is_active.is_(True)).order_by(User.id)
    ))


def founders_without_checkin(week_start: date) -> list[tuple[User, int, str]]:
    """``(founder, startup_id, startup_name)`` for each tracked startup with no check-in for the week (one query).

    :param week_start: the Monday of the ISO week (incubator time zone).
    """
    has_checkin = sa.exists().where(CheckIn.startup_id == Startup.id, CheckIn.week_start == week_start)
    rows = db.session.execute(
        sa.select(User, Startup.id, Startup.name)
        .join(TeamMember, TeamMember.user_id == User.id)
        .join(Startup, Startup.id == TeamMember.startup_id)
        .join(Cohort, Cohort.id == Startup.cohort_id)
        .where(_tracked_startups(), User.role == Role.FOUNDER, User.is_active.is_(True), ~has_checkin)
        .order_by(Startup.id, User.id)
    ).all()
    return [(user, startup_id, name) for user, startup_id, name in rows]


def overdue_milestones(today: date) -> list[OverdueItem]:
    """Every overdue milestone of a tracked startup, oldest due date first (one query)."""
    rows = db.session.execute(
        sa.select(Milestone.id, Milestone.startup_id, Startup.name, Milestone.title, Milestone.due_on)
        .join(Startup, Startup.id == Milestone.startup_id)
        .join(Cohort, Cohort.id == Startup.cohort_id)
        .where(_tracked_startups(), overdue_clause(today))
        .order_by(Milestone.due_on, Milestone.id)
    ).all()
    return [OverdueItem(*row) for row in rows]


def founders_of(startup_ids: set[int]) -> dict[int, list[User]]:
    """The active founder accounts of each startup in ``startup_ids`` (one query, none when empty)."""
    if not startup_ids:
        return {}
    rows = db.session.execute(
        sa.select(User, TeamMember.startup_id)
        .join(TeamMember, TeamMember.user_id == User.id)
        .where(TeamMember.startup_id.in_(sorted(startup_ids)), User.role == Role.FOUNDER, User.is_active.is_(True))
        .order_by(TeamMember.startup_id, User.id)
    ).all()
    founders: dict[int, list[User]] = defaultdict(list)
    for user, startup_id in rows:
        founders[startup_id].append(user)
    return founders


def cohort_digests(last_week: date, today: date) -> list[CohortDigest]:
    """Each running cohort's missing check-ins (for ``last_week``), overdue milestones and open help flags.

    Four queries whatever the number of cohorts and startups.

    :param last_week: the Monday of the week whose check-ins are counted.
    :param today: overdue means due before ``today`` (incubator time zone).
    """
    startups = db.session.execute(
        sa.select(Startup.id, Startup.name, Cohort.id, Cohort.name)
        .join(Cohort, Cohort.id == Startup.cohort_id)
        .where(_tracked_startups()).order_by(Cohort.starts_on, Cohort.id, Startup.name, Startup.id)
    ).all()
    checked_in = set(db.session.scalars(
        sa.select(CheckIn.startup_id).join(Startup, Startup.id == CheckIn.startup_id)
        .join(Cohort, Cohort.id == Startup.cohort_id)
        .where(_tracked_startups(), CheckIn.week_start == last_week)
    ))
    flags = db.session.execute(
        sa.select(CheckIn.id, CheckIn.startup_id, Startup.name, CheckIn.week_start, CheckIn.help_text,
                  CheckIn.help_tags)
        .join(Startup, Startup.id == CheckIn.startup_id).join(Cohort, Cohort.id == Startup.cohort_id)
        .where(_tracked_startups(), CheckIn.help_requested.is_(True), CheckIn.help_resolved_at.is_(None))
        .order_by(CheckIn.created_at, CheckIn.id)
    ).all()
    digests: dict[int, CohortDigest] = {}
    cohort_of: dict[int, int] = {}
    for startup_id, startup_name, cohort_id, cohort_name in startups:
        digest = digests.setdefault(cohort_id, CohortDigest(cohort_id, cohort_name))
        digest.startups += 1
        cohort_of[startup_id] = cohort_id
        if startup_id not in checked_in:
            digest.missing_checkins.append(startup_name)
    # A startup whose status changed between these statements is left out rather than misfiled.
    for item in overdue_milestones(today):
        if item.startup_id in cohort_of:
            digests[cohort_of[item.startup_id]].overdue.append(item)
    for checkin_id, startup_id, name, week, text, tags in flags:
        if startup_id in cohort_of:
            digests[cohort_of[startup_id]].help_flags.append(
                HelpItem(checkin_id, startup_id, name, week, text or "", tuple(tags or ())))
    return list(digests.values())
