"""The figures of a cohort impact report (for funders, donors and government), as JSON-ready data.

Every figure is computed in a fixed number of queries whatever the size of the cohort, and each one is
stored with what it needs to say how it was computed: the period, the months its KPI figures come from,
how many startups reported and the exchange rate used. Figures owned by domains that do not report yet
(mentoring, resources, grants) are stored as ``{"available": false}``.
"""
from __future__ import annotations

from collections import Counter
from datetime import date, datetime, time, timedelta

import sqlalchemy as sa

from incubator.cohorts.models import Cohort, Startup, StartupStatus, TeamMember
from incubator.core.money import convert_minor
from incubator.extensions import db
from incubator.progress.models import KpiReport, KpiVersion, Milestone, MilestoneStatus, Verification
from incubator.progress.periods import incubator_zone, month_start
from incubator.progress.services.kpis import exchange_rate
from incubator.reports import sources
from incubator.reports.models import FundingRound

SCHEMA = 1
CURRENCY = "USD"


def _end_of_day(day: date) -> datetime:
    return datetime.combine(day + timedelta(days=1), time(0, 0), tzinfo=incubator_zone())


def _kpi_rows(cohort_id: int, last_month: date) -> list:
    v = KpiVersion
    return db.session.execute(
        sa.select(KpiReport.startup_id, KpiReport.month, v.currency, v.revenue, v.funding_raised,
                  v.paying_customers, v.active_users, v.employees_full_time, v.employees_part_time,
                  v.employees_full_time_women, v.employees_part_time_women)
        .join(v, sa.and_(v.report_id == KpiReport.id, v.version == KpiReport.latest_version))
        .join(Startup, Startup.id == KpiReport.startup_id)
        .where(Startup.cohort_id == cohort_id, Startup.status != StartupStatus.WITHDRAWN, KpiReport.month <= last_month)
        .order_by(KpiReport.startup_id, KpiReport.month)
    ).all()


def _milestone_counts(cohort_id: int, until: datetime) -> dict[int, tuple[int, int]]:
    verified = sa.func.sum(sa.case((sa.and_(Milestone.verification == Verification.VERIFIED,
                                            Milestone.verified_at < until), 1), else_=0))
    rows = db.session.execute(
        sa.select(Milestone.startup_id, verified, sa.func.count(Milestone.id))
        .join(Startup, Startup.id == Milestone.startup_id)
        .where(Startup.cohort_id == cohort_id, Milestone.status != MilestoneStatus.DROPPED)
        .group_by(Milestone.startup_id)
    ).all()
    return {startup_id: (int(done or 0), int(total or 0)) for startup_id, done, total in rows}


def _founder_genders(cohort_id: int) -> dict[str, int]:
    rows = db.session.execute(
        sa.select(TeamMember.gender, sa.func.count(TeamMember.id)).join(Startup, Startup.id == TeamMember.startup_id)
        .where(Startup.cohort_id == cohort_id, TeamMember.is_founder.is_(True),
               Startup.status != StartupStatus.WITHDRAWN)
        .group_by(TeamMember.gender)
    ).all()
    return {gender or "undisclosed": int(count) for gender, count in rows}


def _declared_funding(cohort_id: int, start: date, end: date, rate: int) -> dict:
    """Funding rounds founders declared on their investor profiles, closed within [start, end], in US dollars."""
    rows = db.session.execute(
        sa.select(FundingRound.currency, sa.func.sum(FundingRound.amount_minor), sa.func.count(FundingRound.id))
        .join(Startup, Startup.id == FundingRound.startup_id)
        .where(Startup.cohort_id == cohort_id, Startup.status != StartupStatus.WITHDRAWN,
               FundingRound.closed_on >= start, FundingRound.closed_on <= end)
        .group_by(FundingRound.currency)
    ).all()
    return {"total": sum(convert_minor(int(amount or 0), currency, CURRENCY, rate) for currency, amount, _n in rows),
            "rounds": sum(int(n) for _c, _a, n in rows)}


def _kpi_figures(rows: list, period_start: date, rate: int) -> tuple[dict, dict, list]:
    """Per startup: its first and latest report and its sums over the period; per month: cohort totals."""
    def usd(amount: int, currency: str) -> int:
        return convert_minor(int(amount or 0), currency, CURRENCY, rate)

    per_startup: dict[int, dict] = {}
    months: dict[str, dict] = {}
    first_month = month_start(period_start)
    for (startup_id, month, currency, revenue, funding, customers, users, full, part, full_w, part_w) in rows:
        point = {"month": month.isoformat()[:7], "revenue": usd(revenue, currency), "employees": full + part,
                 "women": full_w + part_w, "customers": customers, "users": users}
        entry = per_startup.setdefault(startup_id, {"first": point, "revenue_period": 0, "funding_period": 0})
        entry["last"] = point
        if month >= first_month:
            entry["revenue_period"] += point["revenue"]
            entry["funding_period"] += usd(funding, currency)
        total = months.setdefault(point["month"], {"month": point["month"], "reports": 0, "revenue": 0,
                                                   "employees": 0, "women": 0})
        total["reports"] += 1
        for key in ("revenue", "employees", "women"):
            total[key] += point[key]
    reported = list(per_startup.values())
    summary = {
        "startups_reporting": len(reported),
        "first_month": min((e["first"]["month"] for e in reported), default=""),
        "last_month": max((e["last"]["month"] for e in reported), default=""),
        "employees_start": sum(e["first"]["employees"] for e in reported),
        "employees_now": sum(e["last"]["employees"] for e in reported),
        "women_start": sum(e["first"]["women"] for e in reported),
        "women_now": sum(e["last"]["women"] for e in reported),
        "revenue_start": sum(e["first"]["revenue"] for e in reported),
        "revenue_now": sum(e["last"]["revenue"] for e in reported),
        "revenue_period": sum(e["revenue_period"] for e in reported),
        "funding_period": sum(e["funding_period"] for e in reported),
    }
    return summary, per_startup, [months[key] for key in sorted(months)]


def build_impact(cohort: Cohort, as_of: date) -> dict:
    """Every figure of the cohort impact report as of ``as_of`` (the incubator's local date).

    The period runs from the cohort's start to ``as_of``. Withdrawn startups are counted in the status
    breakdown only; every other figure covers active and graduated startups.

    :return: JSON-ready data (money in minor units of US dollars, converted at the cohort's rate).
    """
    rate, rate_row = exchange_rate(cohort.id)
    period_start = min(cohort.starts_on, as_of)
    startups = db.session.execute(
        sa.select(Startup.id, Startup.name, Startup.sector, Startup.stage, Startup.province, Startup.status)
        .where(Startup.cohort_id == cohort.id).order_by(Startup.name)
    ).all()
    counted = [s for s in startups if s.status != StartupStatus.WITHDRAWN]
    kpi_summary, kpi_by_startup, trend = _kpi_figures(_kpi_rows(cohort.id, month_start(as_of)), period_start, rate)
    milestones = _milestone_counts(cohort.id, _end_of_day(as_of))
    minutes = sources.mentor_minutes(cohort.id, period_start, as_of)
    resources = sources.resource_use(cohort.id, period_start, as_of)
    grants = sources.grant_totals(cohort.id)

    rows = []
    for s in counted:
        kpi = kpi_by_startup.get(s.id)
        done, total = milestones.get(s.id, (0, 0))
        grant = (grants or {}).get(s.id)
        use = (resources or {}).get(s.id)
        rows.append({
            "id": s.id, "name": s.name, "sector": s.sector, "stage": s.stage, "province": s.province,
            "status": s.status.value,
            "employees_start": kpi["first"]["employees"] if kpi else None,
            "employees_now": kpi["last"]["employees"] if kpi else None,
            "women_now": kpi["last"]["women"] if kpi else None,
            "revenue_start": kpi["first"]["revenue"] if kpi else None,
            "revenue_now": kpi["last"]["revenue"] if kpi else None,
            "funding_period": kpi["funding_period"] if kpi else None,
            "milestones_verified": done, "milestones_total": total,
            "mentor_minutes": (minutes or {}).get(s.id, 0) if minutes is not None else None,
            "resource_hours": use["hours"] if use else (0 if resources is not None else None),
            "grant": grant,
        })

    grant_totals: dict[str, dict] = {}
    for grant in (grants or {}).values():
        bucket = grant_totals.setdefault(grant["currency"], {"committed_minor": 0, "disbursed_minor": 0})
        bucket["committed_minor"] += grant["committed_minor"]
        bucket["disbursed_minor"] += grant["disbursed_minor"]
    return {
        "schema": SCHEMA,
        "as_of": as_of.isoformat(),
        "cohort": {"id": cohort.id, "name": cohort.name, "programme": cohort.program.name if cohort.program else "",
                   "starts_on": cohort.starts_on.isoformat(), "ends_on": cohort.ends_on.isoformat()},
        "period": {"start": period_start.isoformat(), "end": as_of.isoformat()},
        "currency": CURRENCY, "khr_per_usd": rate, "rate_is_default": rate_row is None,
        "startups": {
            "total": len(counted),
            "by_status": dict(Counter(s.status.value for s in startups)),
            "by_sector": dict(Counter(s.sector for s in counted)),
            "by_province": dict(Counter(s.province for s in counted)),
            "by_stage": dict(Counter(s.stage for s in counted)),
        },
        "founders": {"by_gender": _founder_genders(cohort.id)},
        "kpis": kpi_summary,
        "declared_funding": _declared_funding(cohort.id, period_start, as_of, rate),
        "trend": trend,
        "milestones": {"verified": sum(r["milestones_verified"] for r in rows),
                       "total": sum(r["milestones_total"] for r in rows)},
        "mentoring": {"available": minutes is not None, "minutes": sum((minutes or {}).values()),
                      "startups": sum(1 for v in (minutes or {}).values() if v)},
        "resources": {"available": resources is not None,
                      "hours": round(sum(u["hours"] for u in (resources or {}).values()), 1),
                      "bookings": sum(u["bookings"] for u in (resources or {}).values()),
                      "startups": len(resources or {})},
        "grants": {"available": grants is not None, "by_currency": grant_totals, "startups": len(grants or {})},
        "rows": rows,
    }
