"""Fast bulk seeding of progress data (startups with milestones, monthly KPIs and check-ins).

Used by the query-count tests and ``bench/progress_dashboard.py``: rows go in with multi-row INSERTs,
not one ORM object at a time, so 2,000 startups x 24 months take seconds. The figures are plausible but
synthetic; the demo's hand-made data lives in ``incubator.demo.loader``.
"""
from __future__ import annotations

from datetime import date, timedelta

import sqlalchemy as sa

from incubator.cohorts.models import Cohort, Startup, StartupStatus
from incubator.db import utcnow
from incubator.extensions import db
from incubator.progress.models import (
    CheckIn,
    KpiReport,
    KpiVersion,
    Milestone,
    MilestoneStatus,
    Verification,
)
from incubator.progress.periods import add_months, month_start, week_start

SECTORS = ("agritech", "digital", "health", "education", "clean_energy", "food")


def _insert(model, rows: list[dict], chunk: int = 2000) -> list[int]:
    """Insert ``rows`` and return their ids in order."""
    ids: list[int] = []
    for start in range(0, len(rows), chunk):
        ids += db.session.scalars(
            sa.insert(model).returning(model.id, sort_by_parameter_order=True), rows[start:start + chunk]
        ).all()
    return ids


def seed_cohort_progress(cohort: Cohort, startups: int, months: int = 24, today: date | None = None,
                         prefix: str = "Bulk") -> list[int]:
    """Add ``startups`` startups to ``cohort``, each with ``months`` monthly reports (the last one corrected
    once), five milestones (verified, done, overdue, planned, in progress) and eight weekly check-ins.

    :return: the new startups' ids.
    """
    today = today or date.today()
    now = utcnow()
    startup_ids = _insert(Startup, [
        {"cohort_id": cohort.id, "name": f"{prefix} {cohort.id}-{n:05d}", "sector": SECTORS[n % len(SECTORS)],
         "stage": "early_revenue", "province": "phnom_penh", "description": "", "website": "",
         "status": StartupStatus.ACTIVE, "currency": "KHR" if n % 5 == 0 else "USD"}
        for n in range(startups)
    ])
    first_month = add_months(month_start(today), -months)
    report_rows = [{"startup_id": sid, "month": add_months(first_month, m), "latest_version": 2 if m == months - 1
                    else 1} for sid in startup_ids for m in range(months)]
    report_ids = _insert(KpiReport, report_rows)
    versions = []
    for index, (report_id, row) in enumerate(zip(report_ids, report_rows, strict=True)):
        n, m = divmod(index, months)
        currency = "KHR" if n % 5 == 0 else "USD"
        scale = 4100 if currency == "KHR" else 1
        base = {"report_id": report_id, "currency": currency, "revenue": (50_000 + 7_500 * m + 900 * (n % 13)) * scale,
                "paying_customers": 5 + m * 2 + n % 7, "active_users": 40 + m * 25 + n % 50,
                "employees_full_time": 2 + m // 6, "employees_full_time_women": 1 + m // 12,
                "employees_part_time": 1 + m % 3, "employees_part_time_women": m % 2,
                "funding_raised": (2_500_000 * scale) if m % 9 == 4 else 0,
                "cash_in_bank": (400_000 + 20_000 * m) * scale, "submitted_at": now}
        versions.append(base | {"version": 1})
        if row["latest_version"] == 2:
            versions.append(base | {"version": 2, "revenue": base["revenue"] + 10_000 * scale, "note": "Late invoice"})
    _insert(KpiVersion, versions)
    plan = [("Company registered", -40, MilestoneStatus.DONE, Verification.VERIFIED),
            ("30 customer interviews", -20, MilestoneStatus.DONE, Verification.PENDING),
            ("MVP live", -5, MilestoneStatus.IN_PROGRESS, Verification.NONE),
            ("First paying customer", 20, MilestoneStatus.PLANNED, Verification.NONE),
            ("Seed round closed", 60, MilestoneStatus.IN_PROGRESS, Verification.NONE)]
    _insert(Milestone, [
        {"startup_id": sid, "title": title, "description": "", "due_on": today + timedelta(days=days),
         "status": status, "verification": verification, "target_unit": "", "evidence_url": "",
         "evidence_name": "", "verification_comment": "",
         "done_at": now - timedelta(days=30) if status == MilestoneStatus.DONE else None,
         "verified_at": now - timedelta(days=25) if verification == Verification.VERIFIED else None}
        for sid in startup_ids for title, days, status, verification in plan
    ])
    monday = week_start(today)
    _insert(CheckIn, [
        {"startup_id": sid, "week_start": monday - timedelta(weeks=w + (n % 4)), "progress": "Weekly progress",
         "blockers": "", "morale": 1 + (n + w) % 5, "help_text": "Need an introduction" if w == 0 and n % 10 == 0
         else "", "help_tags": ["fundraising"] if w == 0 and n % 10 == 0 else [],
         "help_requested": w == 0 and n % 10 == 0, "help_resolution": ""}
        for n, sid in enumerate(startup_ids) for w in range(8)
    ])
    db.session.flush()
    return startup_ids
