"""Grant totals for overviews and reports: committed, disbursed, remaining and payable now, per currency.

Every function reads in a fixed number of grouped queries, whatever the number of grants or entries.
"Payable now" is what unlocked tranches still wait for (milestone verified or date reached, not fully paid).
Riel and dollars are never added directly: ``converted`` turns a per-currency total into one currency at the
cohort's rate (the riel-per-dollar rate a manager sets in the cohort's progress settings, or the default).
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa

from incubator.cohorts.models import Startup
from incubator.core.money import CURRENCIES, convert_minor
from incubator.extensions import db
from incubator.grants.models import Grant, Tranche, unlocked_clause
from incubator.progress.models import ExchangeRate, Milestone
from incubator.progress.periods import local_today
from incubator.progress.services.kpis import DEFAULT_KHR_PER_USD


@dataclass
class Totals:
    """Money of several grants in one currency (minor units)."""

    currency: str
    grants: int = 0
    committed_minor: int = 0
    disbursed_minor: int = 0
    payable_minor: int = 0

    @property
    def remaining_minor(self) -> int:
        return self.committed_minor - self.disbursed_minor

    def add(self, other: Totals) -> None:
        self.grants += other.grants
        self.committed_minor += other.committed_minor
        self.disbursed_minor += other.disbursed_minor
        self.payable_minor += other.payable_minor


@dataclass(frozen=True)
class Rate:
    """The riel per dollar used for a cohort, and whether a manager set it or it is the default."""

    khr_per_usd: int
    is_set: bool


def grant_totals_by_startup(cohort_id: int) -> dict[int, dict]:
    """Each grant of the cohort's startups, by startup id (one query).

    :return: ``{startup_id: {"currency", "committed_minor", "disbursed_minor"}}``; startups without a grant
        are left out.
    """
    rows = db.session.execute(
        sa.select(Grant.startup_id, Grant.currency, Grant.total_minor, Grant.disbursed_minor)
        .join(Startup, Startup.id == Grant.startup_id).where(Startup.cohort_id == cohort_id)
    ).all()
    return {startup_id: {"currency": currency, "committed_minor": total, "disbursed_minor": disbursed}
            for startup_id, currency, total, disbursed in rows}


def grant_totals_by_cohort(cohort_id: int, today: date | None = None) -> dict[str, dict]:
    """The cohort's grants added up per currency (two queries).

    :param today: the incubator's date for "payable now" (default: today in Asia/Phnom_Penh).
    :return: ``{currency: {"grants", "committed_minor", "disbursed_minor", "remaining_minor", "payable_minor"}}``
        for each currency that has at least one grant.
    """
    totals = totals_by_cohort([cohort_id], today).get(cohort_id, {})
    return {currency: {"grants": t.grants, "committed_minor": t.committed_minor, "disbursed_minor": t.disbursed_minor,
                       "remaining_minor": t.remaining_minor, "payable_minor": t.payable_minor}
            for currency, t in totals.items()}


def totals_by_cohort(cohort_ids: list[int] | None = None, today: date | None = None) -> dict[int, dict[str, Totals]]:
    """Per cohort and currency: how many grants, committed, disbursed and payable now (two queries).

    :param cohort_ids: the cohorts to add up; ``None`` for every cohort that has a grant.
    """
    today = today or local_today()
    scope = Startup.cohort_id.in_(cohort_ids) if cohort_ids is not None else sa.true()
    result: dict[int, dict[str, Totals]] = defaultdict(dict)
    for cohort_id, currency, count, committed, disbursed in db.session.execute(
        sa.select(Startup.cohort_id, Grant.currency, sa.func.count(Grant.id), sa.func.sum(Grant.total_minor),
                  sa.func.sum(Grant.disbursed_minor))
        .join(Startup, Startup.id == Grant.startup_id).where(scope).group_by(Startup.cohort_id, Grant.currency)
    ):
        result[cohort_id][currency] = Totals(currency, count, int(committed or 0), int(disbursed or 0))
    for cohort_id, currency, payable in db.session.execute(
        sa.select(Startup.cohort_id, Grant.currency, sa.func.sum(Tranche.amount_minor - Tranche.disbursed_minor))
        .join(Grant, Grant.id == Tranche.grant_id).join(Startup, Startup.id == Grant.startup_id)
        .outerjoin(Milestone, Milestone.id == Tranche.milestone_id)
        .where(scope, unlocked_clause(today), Tranche.disbursed_minor < Tranche.amount_minor)
        .group_by(Startup.cohort_id, Grant.currency)
    ):
        if currency in result.get(cohort_id, {}):
            result[cohort_id][currency].payable_minor = int(payable or 0)
    return dict(result)


def rates_for(cohort_ids: list[int]) -> dict[int, Rate]:
    """Each cohort's riel-per-dollar rate (one query); cohorts without one get the default."""
    stored = dict(db.session.execute(
        sa.select(ExchangeRate.cohort_id, ExchangeRate.khr_per_usd).where(ExchangeRate.cohort_id.in_(cohort_ids))
    ).tuples().all()) if cohort_ids else {}
    return {cohort_id: Rate(stored[cohort_id], True) if cohort_id in stored else Rate(DEFAULT_KHR_PER_USD, False)
            for cohort_id in cohort_ids}


def converted(totals: dict[str, Totals], target: str, rate: Rate) -> Totals:
    """Every currency's total expressed in ``target``: each currency's sum is converted once at ``rate``
    (rounded half up to the target's minor unit), then added to the amounts already in ``target``."""
    result = Totals(target)
    for currency in CURRENCIES:
        part = totals.get(currency)
        if part is None:
            continue
        result.grants += part.grants
        for name in ("committed_minor", "disbursed_minor", "payable_minor"):
            value = convert_minor(getattr(part, name), currency, target, rate.khr_per_usd)
            setattr(result, name, getattr(result, name) + value)
    return result
