"""Reading grants for the pages and the API, in a fixed number of queries whatever the data size."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload

from incubator.cohorts.models import Cohort, CohortStatus, Startup
from incubator.extensions import db
from incubator.grants.models import Grant, LedgerEntry, Tranche, TrancheState
from incubator.grants.reporting import Rate, Totals, converted, rates_for, totals_by_cohort

LEDGER_PAGE = 50


def grant_query(grant_id: int) -> sa.Select:
    """One grant with its startup (cohort, team: for the permission check) and tranches with their milestones."""
    return (
        sa.select(Grant).where(Grant.id == grant_id)
        .options(joinedload(Grant.startup).joinedload(Startup.cohort),
                 joinedload(Grant.startup).selectinload(Startup.members),
                 selectinload(Grant.tranches).joinedload(Tranche.milestone))
    )


def grant_of_startup(startup_id: int) -> int | None:
    """The id of the startup's grant, if it has one."""
    return db.session.scalar(sa.select(Grant.id).where(Grant.startup_id == startup_id))


def entries_query(grant_id: int) -> sa.Select:
    """The grant's ledger in order, with who recorded each line and what reverses what."""
    return (
        sa.select(LedgerEntry).where(LedgerEntry.grant_id == grant_id).order_by(LedgerEntry.seq)
        .options(joinedload(LedgerEntry.recorded_by), joinedload(LedgerEntry.reverses),
                 selectinload(LedgerEntry.reversed_by))
    )


def entry_query(entry_id: int) -> sa.Select:
    return sa.select(LedgerEntry).where(LedgerEntry.id == entry_id).options(
        joinedload(LedgerEntry.grant).joinedload(Grant.startup).selectinload(Startup.members),
        joinedload(LedgerEntry.tranche), joinedload(LedgerEntry.recorded_by), joinedload(LedgerEntry.reverses),
        selectinload(LedgerEntry.reversed_by),
    )


def payable_now(grant: Grant, today: date) -> int:
    """What the unlocked tranches of ``grant`` still wait for (minor units)."""
    return sum(t.left_minor for t in grant.tranches if t.left_minor > 0 and t.is_unlocked(today))


def next_to_unlock(grant: Grant, today: date) -> Tranche | None:
    """The first tranche, in payment order, that is neither paid nor payable yet."""
    return next((t for t in grant.tranches if t.state(today) in (TrancheState.WAITING, TrancheState.NO_CONDITION)),
                None)


@dataclass
class StartupRow:
    startup: Startup
    grant: Grant | None
    payable_minor: int = 0
    next_tranche: Tranche | None = None


@dataclass
class CohortGrants:
    """The cohort page: every startup with its grant (or none), totals per currency and converted."""

    cohort: Cohort
    rows: list[StartupRow]
    totals: dict[str, Totals]
    rate: Rate
    converted: dict[str, Totals] = field(default_factory=dict)


def cohort_grants(cohort: Cohort, today: date) -> CohortGrants:
    """Four queries: startups with their grants, tranches with milestones, the totals, the exchange rate."""
    pairs = db.session.execute(
        sa.select(Startup, Grant).outerjoin(Grant, Grant.startup_id == Startup.id)
        .where(Startup.cohort_id == cohort.id).order_by(Startup.name)
        .options(selectinload(Grant.tranches).joinedload(Tranche.milestone))
    ).all()
    rows = [StartupRow(startup, grant) for startup, grant in pairs]
    totals: dict[str, Totals] = {}
    for row in rows:
        if row.grant is None:
            continue
        row.payable_minor = payable_now(row.grant, today)
        row.next_tranche = next_to_unlock(row.grant, today)
        bucket = totals.setdefault(row.grant.currency, Totals(row.grant.currency))
        bucket.add(Totals(row.grant.currency, 1, row.grant.total_minor, row.grant.disbursed_minor,
                          row.payable_minor))
    rate = rates_for([cohort.id])[cohort.id]
    both = {target: converted(totals, target, rate) for target in ("USD", "KHR")} if len(totals) > 1 else {}
    return CohortGrants(cohort, rows, dict(sorted(totals.items(), reverse=True)), rate, both)


@dataclass
class CohortLine:
    cohort: Cohort
    totals: dict[str, Totals]
    rate: Rate
    converted: Totals | None


def overview(target: str, today: date) -> list[CohortLine]:
    """Every cohort that has a grant or is running, newest first, with its totals per currency and their sum
    in ``target`` (four queries)."""
    by_cohort = totals_by_cohort(None, today)
    cohorts = db.session.scalars(
        sa.select(Cohort).where(sa.or_(Cohort.id.in_(list(by_cohort)), Cohort.status == CohortStatus.RUNNING))
        .options(joinedload(Cohort.program)).order_by(Cohort.starts_on.desc(), Cohort.id.desc())
    ).all()
    rates = rates_for([c.id for c in cohorts])
    lines = []
    for cohort in cohorts:
        totals = dict(sorted(by_cohort.get(cohort.id, {}).items(), reverse=True))
        lines.append(CohortLine(cohort, totals, rates[cohort.id], converted(totals, target, rates[cohort.id])))
    return lines
