"""The figures of a startup's investor one-pager, gathered into plain JSON-ready data.

Only the sections passed in are read and stored: a section the founders did not share is never in a
snapshot, so it cannot leak through the page, the PDF or the CSV. Money stays in minor units with its
currency; dates are ISO strings. Formatting happens when the data is rendered, in the report's language.
"""
from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from incubator.cohorts.models import Startup, TeamMember
from incubator.core.money import convert_minor
from incubator.extensions import db
from incubator.progress.models import KpiReport, KpiVersion, Milestone, Verification
from incubator.progress.periods import add_months, incubator_zone, month_start
from incubator.progress.services.kpis import exchange_rate
from incubator.reports import sources
from incubator.reports.models import FundingRound, InvestorProfile
from incubator.reports.sections import DEFAULT_SECTIONS, clean_sections

SCHEMA = 1
TRACTION_MONTHS = 24


def profile_for(startup: Startup) -> InvestorProfile:
    """The startup's investor profile, or an unsaved one prefilled from its application."""
    profile = db.session.scalar(sa.select(InvestorProfile).where(InvestorProfile.startup_id == startup.id))
    if profile is not None:
        return profile
    blank = dict.fromkeys(("tagline", "problem", "solution", "ask_instrument", "use_of_funds", "contact_name",
                           "contact_email", "contact_phone"), "")
    profile = InvestorProfile(startup_id=startup.id, ask_currency=startup.currency,
                              shared_sections=list(DEFAULT_SECTIONS), **blank)
    if startup.application_id:
        from incubator.applications.models import Application

        application = db.session.get(Application, startup.application_id)
        if application is not None:
            profile.problem, profile.solution = application.problem, application.solution
    return profile


def _team(startup: Startup) -> list[dict]:
    members = db.session.scalars(
        sa.select(TeamMember).where(TeamMember.startup_id == startup.id).order_by(TeamMember.is_founder.desc(),
                                                                                   TeamMember.id)
    )
    return [{"name": m.name, "role": m.role_title, "founder": m.is_founder} for m in members]


def _traction(startup: Startup, as_of: date) -> dict:
    khr_per_usd, _row = exchange_rate(startup.cohort_id)
    last = month_start(as_of)
    rows = db.session.execute(
        sa.select(KpiReport.month, KpiVersion)
        .join(KpiVersion, sa.and_(KpiVersion.report_id == KpiReport.id, KpiVersion.version == KpiReport.latest_version))
        .where(KpiReport.startup_id == startup.id, KpiReport.month <= last,
               KpiReport.month > add_months(last, -TRACTION_MONTHS))
        .order_by(KpiReport.month)
    ).all()
    currency = startup.currency
    months = []
    for month, version in rows:
        def money(value: int, v=version) -> int:
            return convert_minor(value, v.currency, currency, khr_per_usd)

        months.append({
            "month": month.isoformat()[:7],
            "revenue": money(version.revenue),
            "paying_customers": version.paying_customers,
            "active_users": version.active_users,
            "employees": version.employees,
            "employees_women": version.women_employees,
            "funding_raised": money(version.funding_raised),
            "converted": version.currency != currency,
        })
    return {"currency": currency, "khr_per_usd": khr_per_usd, "months": months}


def _milestones(startup: Startup, as_of: date) -> list[dict]:
    zone = incubator_zone()
    rows = db.session.scalars(
        sa.select(Milestone).where(Milestone.startup_id == startup.id, Milestone.verification == Verification.VERIFIED)
        .order_by(Milestone.verified_at, Milestone.id)
    )
    result = []
    for m in rows:
        verified_on = m.verified_at.astimezone(zone).date() if m.verified_at else m.due_on
        if verified_on > as_of:
            continue
        result.append({"title": m.title, "verified_on": verified_on.isoformat(), "target": m.target_value,
                       "unit": m.target_unit})
    return result


def _funding(startup: Startup, profile: InvestorProfile) -> dict:
    rounds = db.session.scalars(
        sa.select(FundingRound).where(FundingRound.startup_id == startup.id)
        .order_by(FundingRound.closed_on.desc(), FundingRound.id.desc())
    )
    totals: dict[str, int] = {}
    items = []
    for r in rounds:
        totals[r.currency] = totals.get(r.currency, 0) + r.amount_minor
        items.append({"kind": r.kind, "closed_on": r.closed_on.isoformat(), "amount_minor": r.amount_minor,
                      "currency": r.currency, "investors": r.investors})
    ask = None
    if profile.ask_minor:
        ask = {"amount_minor": profile.ask_minor, "currency": profile.ask_currency,
               "instrument": profile.ask_instrument, "use_of_funds": profile.use_of_funds}
    return {"rounds": items, "totals": totals, "ask": ask}


def build_onepager(startup: Startup, as_of: date, sections) -> dict:
    """Everything the one-pager shows for ``sections``, as of ``as_of`` (the incubator's local date).

    :param startup: the startup, with its cohort.
    :param sections: the section keys to include (the founders' consent, or all of them for a manager's preview).
    :return: JSON-ready data; sections not asked for are absent.
    """
    sections = clean_sections(sections)
    profile = profile_for(startup)
    data: dict = {
        "schema": SCHEMA,
        "as_of": as_of.isoformat(),
        "sections": sections,
        "startup": {"id": startup.id, "name": startup.name, "sector": startup.sector, "stage": startup.stage,
                    "tagline": profile.tagline, "cohort": startup.cohort.name},
    }
    if "company" in sections:
        data["company"] = {"province": startup.province, "website": startup.website,
                           "founded_on": startup.founded_on.isoformat() if startup.founded_on else "",
                           "description": startup.description, "has_logo": bool(startup.logo_path)}
    if "team" in sections:
        data["team"] = _team(startup)
    if "problem_solution" in sections:
        data["problem_solution"] = {"problem": profile.problem, "solution": profile.solution}
    if "traction" in sections:
        data["traction"] = _traction(startup, as_of)
    if "milestones" in sections:
        data["milestones"] = _milestones(startup, as_of)
    if "funding" in sections:
        data["funding"] = _funding(startup, profile)
    if "endorsements" in sections:
        endorsements = sources.mentor_endorsements(startup.id)
        data["endorsements"] = {"available": endorsements is not None, "items": endorsements or []}
    if "contact" in sections:
        data["contact"] = {"name": profile.contact_name, "email": profile.contact_email,
                           "phone": profile.contact_phone}
    return data


def load_startup(startup_id: int) -> Startup | None:
    """A startup with its cohort and team loaded (what building a one-pager reads)."""
    return db.session.scalar(
        sa.select(Startup).where(Startup.id == startup_id).options(selectinload(Startup.members),
                                                                  selectinload(Startup.cohort))
    )
