"""What the cohort dashboard and the startup progress page show, in a fixed number of queries.

Each function issues the same statements whatever the number of startups, milestones or months:
aggregates and window functions in SQL, everything per startup assembled in Python.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import contains_eager, joinedload, selectinload

from incubator.cohorts.models import Cohort, Startup, StartupStatus
from incubator.core.money import convert_minor
from incubator.extensions import db
from incubator.progress.burnup import BurnUp, cohort_burnup
from incubator.progress.health import (
    HEALTH_RANK,
    HealthInputs,
    HealthResult,
    assess,
    days_since,
    kpi_months_behind,
)
from incubator.progress.models import (
    CheckIn,
    KpiMetric,
    KpiReport,
    KpiVersion,
    Milestone,
    MilestoneStatus,
    Verification,
)
from incubator.progress.models.milestones import overdue_clause
from incubator.progress.periods import add_months, incubator_zone
from incubator.progress.services.kpis import exchange_rate

SNAPSHOT_FIELDS = ("revenue", "paying_customers", "active_users", "employees_full_time", "employees_part_time",
                   "funding_raised", "cash_in_bank")


@dataclass(frozen=True)
class KpiSnapshot:
    """One month's current figures for one startup."""

    month: date
    currency: str
    values: dict

    @property
    def employees(self) -> int:
        return self.values["employees_full_time"] + self.values["employees_part_time"]


@dataclass
class StartupProgress:
    """One dashboard row."""

    startup: Startup
    programme_start: date
    milestones_total: int = 0
    milestones_done: int = 0
    milestones_verified: int = 0
    milestones_overdue: int = 0
    last_checkin_on: date | None = None
    days_since_checkin: int = 0
    latest_morale: int | None = None
    open_flags: int = 0
    oldest_flag_days: int | None = None
    latest: KpiSnapshot | None = None
    previous: KpiSnapshot | None = None
    kpi_months_behind: int = 0
    revenue_converted: int | None = None
    health: HealthResult | None = None

    def change(self, key: str) -> float | None:
        """Month-on-month change of ``key`` as a fraction (None without the month before or from zero)."""
        if self.latest is None or self.previous is None or self.latest.currency != self.previous.currency:
            return None
        before = self.previous.values[key] if key != "employees" else self.previous.employees
        now = self.latest.values[key] if key != "employees" else self.latest.employees
        return None if before == 0 else (now - before) / before


@dataclass
class MonthTotal:
    """The cohort's summed figures for a month (money converted to one currency)."""

    month: date
    reports: int = 0
    revenue: int = 0
    funding_raised: int = 0
    cash_in_bank: int = 0
    paying_customers: int = 0
    active_users: int = 0
    employees_full_time: int = 0
    employees_part_time: int = 0
    employees_women: int = 0


@dataclass
class Dashboard:
    cohort: Cohort
    today: date
    currency: str
    khr_per_usd: int
    rate_is_default: bool
    rows: list[StartupProgress]
    open_flags: list[CheckIn]
    totals: list[MonthTotal]
    burnup: BurnUp = field(default_factory=BurnUp)


def _local_date(value: datetime | None) -> date | None:
    return value.astimezone(incubator_zone()).date() if value else None


def programme_start(cohort: Cohort, startup: Startup) -> date:
    """When the startup's programme began: the cohort start, or the day it joined if later."""
    joined = _local_date(startup.created_at) or cohort.starts_on
    return max(cohort.starts_on, joined)


def _milestone_counts(cohort_id: int, today: date) -> dict[int, tuple]:
    m = Milestone

    def count_if(condition):
        return sa.func.sum(sa.case((condition, 1), else_=0))

    rows = db.session.execute(
        sa.select(m.startup_id, count_if(m.status != MilestoneStatus.DROPPED),
                  count_if(m.status == MilestoneStatus.DONE), count_if(m.verification == Verification.VERIFIED),
                  count_if(overdue_clause(today)))
        .join(Startup, Startup.id == m.startup_id).where(Startup.cohort_id == cohort_id).group_by(m.startup_id)
    ).all()
    return {row[0]: tuple(int(v or 0) for v in row[1:]) for row in rows}


def _latest_checkins(cohort_id: int) -> dict[int, tuple]:
    # The newest week per startup, then its row through the (startup_id, week_start) unique index.
    newest = (
        sa.select(CheckIn.startup_id, sa.func.max(CheckIn.week_start).label("week"))
        .join(Startup, Startup.id == CheckIn.startup_id).where(Startup.cohort_id == cohort_id)
        .group_by(CheckIn.startup_id).subquery()
    )
    rows = db.session.execute(
        sa.select(CheckIn.startup_id, CheckIn.created_at, CheckIn.morale)
        .join(newest, sa.and_(CheckIn.startup_id == newest.c.startup_id, CheckIn.week_start == newest.c.week))
    ).all()
    return {startup_id: (created_at, morale) for startup_id, created_at, morale in rows}


def open_help_flags(cohort_id: int) -> list[CheckIn]:
    """The cohort's unresolved help requests, oldest first, each with its startup loaded."""
    return list(db.session.scalars(
        sa.select(CheckIn).join(CheckIn.startup)
        .where(Startup.cohort_id == cohort_id, CheckIn.help_requested.is_(True), CheckIn.help_resolved_at.is_(None))
        .options(contains_eager(CheckIn.startup)).order_by(CheckIn.created_at, CheckIn.id)
    ))


def _current_versions():
    return sa.and_(KpiVersion.report_id == KpiReport.id, KpiVersion.version == KpiReport.latest_version)


def _latest_kpis(cohort_id: int) -> dict[int, list[KpiSnapshot]]:
    # Each startup's newest month and the newest before it (grouped maxima, portable), then their rows.
    in_cohort = sa.and_(Startup.id == KpiReport.startup_id, Startup.cohort_id == cohort_id)
    newest = (
        sa.select(KpiReport.startup_id, sa.func.max(KpiReport.month).label("month"))
        .join(Startup, in_cohort).group_by(KpiReport.startup_id).subquery()
    )
    before = (
        sa.select(KpiReport.startup_id, sa.func.max(KpiReport.month).label("month"))
        .join(newest, sa.and_(KpiReport.startup_id == newest.c.startup_id, KpiReport.month < newest.c.month))
        .group_by(KpiReport.startup_id)
    )
    picked = sa.union_all(sa.select(newest.c.startup_id, newest.c.month), before).subquery()
    columns = [getattr(KpiVersion, name) for name in SNAPSHOT_FIELDS]
    rows = db.session.execute(
        sa.select(KpiReport.startup_id, KpiReport.month, KpiVersion.currency, *columns)
        .join(picked, sa.and_(KpiReport.startup_id == picked.c.startup_id, KpiReport.month == picked.c.month))
        .join(KpiVersion, _current_versions())
        .order_by(KpiReport.startup_id, KpiReport.month.desc())
    ).mappings()
    latest: dict[int, list[KpiSnapshot]] = {}
    for row in rows:
        snapshot = KpiSnapshot(row["month"], row["currency"], {name: row[name] for name in SNAPSHOT_FIELDS})
        latest.setdefault(row["startup_id"], []).append(snapshot)
    return latest


def cohort_totals(cohort_id: int, currency: str, khr_per_usd: int) -> list[MonthTotal]:
    """Per month, the sum of every startup's current report, money converted to ``currency``."""
    v = KpiVersion
    rows = db.session.execute(
        sa.select(KpiReport.month, v.currency, sa.func.count(v.id), sa.func.sum(v.revenue),
                  sa.func.sum(v.funding_raised), sa.func.sum(v.cash_in_bank), sa.func.sum(v.paying_customers),
                  sa.func.sum(v.active_users), sa.func.sum(v.employees_full_time), sa.func.sum(v.employees_part_time),
                  sa.func.sum(v.employees_full_time_women + v.employees_part_time_women))
        .join(v, _current_versions()).join(Startup, Startup.id == KpiReport.startup_id)
        .where(Startup.cohort_id == cohort_id).group_by(KpiReport.month, v.currency).order_by(KpiReport.month)
    ).all()
    totals: dict[date, MonthTotal] = {}
    for month, cur, count, revenue, funding, cash, customers, users, full, part, women in rows:
        total = totals.setdefault(month, MonthTotal(month))
        total.reports += count
        total.revenue += convert_minor(int(revenue or 0), cur, currency, khr_per_usd)
        total.funding_raised += convert_minor(int(funding or 0), cur, currency, khr_per_usd)
        total.cash_in_bank += convert_minor(int(cash or 0), cur, currency, khr_per_usd)
        total.paying_customers += int(customers or 0)
        total.active_users += int(users or 0)
        total.employees_full_time += int(full or 0)
        total.employees_part_time += int(part or 0)
        total.employees_women += int(women or 0)
    return [totals[month] for month in sorted(totals)]


def cohort_dashboard(cohort: Cohort, today: date, currency: str = "USD") -> Dashboard:
    """Every startup of the cohort with its progress figures and health, plus flags, totals and burn-up data.

    :param today: the incubator's local date (overdue, check-in age and KPI lateness are measured from it).
    :param currency: the currency cohort totals and revenue comparisons are converted to.
    """
    khr_per_usd, rate_row = exchange_rate(cohort.id)
    startups = db.session.scalars(sa.select(Startup).where(Startup.cohort_id == cohort.id)
                                  .order_by(Startup.name)).all()
    milestones = _milestone_counts(cohort.id, today)
    checkins = _latest_checkins(cohort.id)
    flags = open_help_flags(cohort.id)
    kpis = _latest_kpis(cohort.id)
    flag_ages: dict[int, list[int]] = {}
    for flag in flags:
        flag_ages.setdefault(flag.startup_id, []).append((today - _local_date(flag.created_at)).days)
    rows = []
    for startup in startups:
        row = StartupProgress(startup, programme_start(cohort, startup))
        (row.milestones_total, row.milestones_done, row.milestones_verified,
         row.milestones_overdue) = milestones.get(startup.id, (0, 0, 0, 0))
        created_at, row.latest_morale = checkins.get(startup.id, (None, None))
        row.last_checkin_on = _local_date(created_at)
        row.days_since_checkin = days_since(row.last_checkin_on, row.programme_start, today)
        ages = flag_ages.get(startup.id, [])
        row.open_flags, row.oldest_flag_days = len(ages), (max(ages) if ages else None)
        snapshots = kpis.get(startup.id, [])
        row.latest = snapshots[0] if snapshots else None
        if len(snapshots) > 1 and snapshots[1].month == add_months(snapshots[0].month, -1):
            row.previous = snapshots[1]
        if row.latest:
            row.revenue_converted = convert_minor(row.latest.values["revenue"], row.latest.currency, currency,
                                                  khr_per_usd)
        row.kpi_months_behind = kpi_months_behind(row.latest.month if row.latest else None, row.programme_start,
                                                  today)
        row.health = assess(HealthInputs(
            overdue_milestones=row.milestones_overdue, days_since_checkin=row.days_since_checkin,
            latest_morale=row.latest_morale, open_help_flags=row.open_flags, oldest_help_days=row.oldest_flag_days,
            kpi_months_behind=row.kpi_months_behind, revenue_change=row.change("revenue"),
        ))
        rows.append(row)
    return Dashboard(cohort=cohort, today=today, currency=currency, khr_per_usd=khr_per_usd,
                     rate_is_default=rate_row is None, rows=rows, open_flags=flags,
                     totals=cohort_totals(cohort.id, currency, khr_per_usd), burnup=cohort_burnup(cohort, today))


def is_tracked(row: StartupProgress) -> bool:
    """Active startups are the ones the dashboard follows by default."""
    return row.startup.status == StartupStatus.ACTIVE


# The startup page -----------------------------------------------------------------------------------


@dataclass
class StartupPage:
    milestones: list[Milestone]
    reports: list[tuple[KpiReport, KpiVersion]]  # newest month first, each with its current version
    metrics: list[KpiMetric]
    checkins: list[CheckIn]
    khr_per_usd: int


RECENT_CHECKINS = 12


def startup_page(startup: Startup) -> StartupPage:
    """A startup's milestones, every monthly report (current version), its cohort's metrics and recent check-ins."""
    milestones = list(db.session.scalars(
        sa.select(Milestone).where(Milestone.startup_id == startup.id).order_by(Milestone.due_on, Milestone.id)
    ))
    reports = [tuple(row) for row in db.session.execute(
        sa.select(KpiReport, KpiVersion).join(KpiVersion, _current_versions())
        .where(KpiReport.startup_id == startup.id).order_by(KpiReport.month.desc())
        .options(selectinload(KpiVersion.custom_values))
    )]
    metrics = list(db.session.scalars(
        sa.select(KpiMetric).where(KpiMetric.cohort_id == startup.cohort_id).order_by(KpiMetric.position, KpiMetric.id)
    ))
    checkins = list(db.session.scalars(
        sa.select(CheckIn).where(CheckIn.startup_id == startup.id).options(joinedload(CheckIn.help_resolved_by))
        .order_by(CheckIn.week_start.desc()).limit(RECENT_CHECKINS)
    ))
    khr_per_usd, _row = exchange_rate(startup.cohort_id)
    return StartupPage(milestones=milestones, reports=reports, metrics=metrics, checkins=checkins,
                       khr_per_usd=khr_per_usd)


def select_rows(rows: list[StartupProgress], health: str = "", sector: str = "", status: str = "active",
                help_open: bool = False, sort: str = "health") -> list[StartupProgress]:
    """Filter and order dashboard rows (in Python: health is computed, not stored).

    :param status: ``active`` keeps active startups only; anything else keeps all.
    :param sort: one of ``health`` (worst first), ``name``, ``overdue``, ``checkin``, ``revenue``, ``growth``,
        ``flags``; ties go by name.
    """
    kept = [
        row for row in rows
        if (status != "active" or is_tracked(row))
        and (not health or row.health.status == health)
        and (not sector or row.startup.sector == sector)
        and (not help_open or row.open_flags)
    ]
    keys = {
        "name": lambda r: (),
        "health": lambda r: (HEALTH_RANK[r.health.status], -len(r.health.reasons)),
        "overdue": lambda r: (-r.milestones_overdue,),
        "checkin": lambda r: (-r.days_since_checkin,),
        "revenue": lambda r: (r.revenue_converted is None, -(r.revenue_converted or 0)),
        "growth": lambda r: (r.change("revenue") is None, -(r.change("revenue") or 0)),
        "flags": lambda r: (-r.open_flags, -(r.oldest_flag_days or 0)),
    }
    key = keys.get(sort, keys["health"])
    return sorted(kept, key=lambda r: (*key(r), r.startup.name.lower(), r.startup.id))
