"""What the managers' matching pages show: a cohort's pairs, who is short of mentors and why, and counts.

A bounded number of queries whatever the cohort's size: pairs are paginated, shortfalls are capped.
"""
from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import contains_eager, joinedload

from incubator.cohorts.models import Cohort, Startup, StartupStatus
from incubator.extensions import db
from incubator.mentoring.models import ACTIVE_STATUSES, Match, MatchRun, MatchStatus
from incubator.mentoring.services.matching import latest_run, settings_for

MAX_SHORTFALLS = 200


@dataclass
class Shortfall:
    startup: Startup
    have: int
    missing: int
    reason: str  # a ``SHORTFALL_LABELS`` key, or "" when no run explains it
    compatible: int | None = None
    changed_since_run: bool = False


@dataclass
class Board:
    cohort: Cohort
    k: int
    run: MatchRun | None
    counts: dict[str, int]
    startups: int
    pairs: object  # a pagination of active matches
    declined: list[Match]
    shortfalls: list[Shortfall]
    more_shortfalls: int = 0
    locked: int = 0


def board(cohort: Cohort, page: int, per_page: int, status: str = "") -> Board:
    """The proposals page of ``cohort``: one page of active pairs (optionally of one status) and the rest."""
    settings = settings_for(cohort)
    counts = {s.value: 0 for s in MatchStatus}
    counts.update({status.value: n for status, n in db.session.execute(
        sa.select(Match.status, sa.func.count(Match.id)).where(Match.cohort_id == cohort.id).group_by(Match.status))})
    wanted = [MatchStatus(status)] if status in {s.value for s in ACTIVE_STATUSES} else list(ACTIVE_STATUSES)
    query = (sa.select(Match).join(Startup, Startup.id == Match.startup_id)
             .where(Match.cohort_id == cohort.id, Match.status.in_(wanted))
             .options(joinedload(Match.mentor), contains_eager(Match.startup))
             .order_by(Startup.name, Match.id))
    pairs = db.paginate(query, page=page, per_page=per_page, error_out=False)
    declined = list(db.session.scalars(
        sa.select(Match).where(Match.cohort_id == cohort.id, Match.status == MatchStatus.DECLINED)
        .options(joinedload(Match.mentor), joinedload(Match.startup)).order_by(Match.answered_at.desc()).limit(20)))
    run = latest_run(cohort)
    active = (sa.select(Match.startup_id, sa.func.count(Match.id).label("n"))
              .where(Match.cohort_id == cohort.id, Match.status.in_(ACTIVE_STATUSES))
              .group_by(Match.startup_id).subquery())
    have = sa.func.coalesce(active.c.n, 0)
    short_query = (sa.select(Startup, have).outerjoin(active, active.c.startup_id == Startup.id)
                   .where(Startup.cohort_id == cohort.id, Startup.status == StartupStatus.ACTIVE,
                          have < settings.mentors_per_startup).order_by(Startup.name))
    total_short = db.session.scalar(sa.select(sa.func.count()).select_from(short_query.subquery()))
    explained = {s["startup_id"]: s for s in (run.shortfalls if run else [])}
    shortfalls = []
    for startup, got in db.session.execute(short_query.limit(MAX_SHORTFALLS)):
        found = explained.get(startup.id)
        missing = settings.mentors_per_startup - got
        shortfalls.append(Shortfall(
            startup=startup, have=got, missing=missing, reason=found["reason"] if found else "",
            compatible=found["compatible"] if found else None,
            changed_since_run=bool(found) and found["missing"] != missing))
    startups = db.session.scalar(sa.select(sa.func.count(Startup.id)).where(
        Startup.cohort_id == cohort.id, Startup.status == StartupStatus.ACTIVE))
    locked = db.session.scalar(sa.select(sa.func.count(Match.id)).where(
        Match.cohort_id == cohort.id, Match.status == MatchStatus.PROPOSED, Match.locked.is_(True)))
    return Board(cohort=cohort, k=settings.mentors_per_startup, run=run, counts=counts, startups=startups,
                 pairs=pairs, declined=declined, shortfalls=shortfalls,
                 more_shortfalls=max(0, total_short - len(shortfalls)), locked=locked)


def cohort_counts() -> dict[int, dict[str, int]]:
    """Matches per cohort and status, for the overview."""
    found: dict[int, dict[str, int]] = {}
    for cohort_id, status, n in db.session.execute(
            sa.select(Match.cohort_id, Match.status, sa.func.count(Match.id)).group_by(Match.cohort_id, Match.status)):
        found.setdefault(cohort_id, {})[status.value] = n
    return found
