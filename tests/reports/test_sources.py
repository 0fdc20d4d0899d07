"""Figures from other domains (mentoring, resources, grants): wired when their reporting module exists,
"not available yet" (never a misleading zero) when it does not."""
from __future__ import annotations

from datetime import date, datetime

from incubator.reports import sources
from incubator.reports.impact import build_impact
from incubator.reports.models import ReportKind
from incubator.reports.render import render_body


def test_missing_domains_say_not_available(monkeypatch, cohort, figures):
    monkeypatch.setattr(sources, "_provider", lambda module, function: None)
    data = build_impact(cohort, date.today())
    assert data["mentoring"]["available"] is False and data["resources"]["available"] is False
    assert data["grants"]["available"] is False
    assert data["rows"][0]["mentor_minutes"] is None
    body = render_body(ReportKind.COHORT_IMPACT, data, "en")
    assert body.count("Not available yet") == 3


def test_providers_are_called_with_the_period_in_phnom_penh(monkeypatch, cohort, figures):
    calls = {}

    def minutes(cohort_id, start, end):
        calls["minutes"] = (cohort_id, start, end)
        return {figures.id: 90}

    def endorsements(startup_id):
        return [{"mentor_name": "Anna Becker", "rating": 5, "comment": "Sharp team.",
                 "session_date": date(2026, 10, 2)}]

    def grants(cohort_id):
        return {figures.id: {"currency": "USD", "committed_minor": 500_000, "disbursed_minor": 200_000}}

    providers = {"mentor_hours_by_startup": minutes, "mentor_endorsements": endorsements,
                 "grant_totals_by_startup": grants, "resource_use_by_startup": lambda *a: {}}
    monkeypatch.setattr(sources, "_provider", lambda module, function: providers[function])
    data = build_impact(cohort, date(2026, 11, 30))
    cohort_id, start, end = calls["minutes"]
    assert cohort_id == cohort.id and isinstance(start, datetime) and start.utcoffset().total_seconds() == 7 * 3600
    assert (end - start).days == (date(2026, 11, 30) - cohort.starts_on).days + 1
    assert (data["mentoring"]["minutes"], data["rows"][0]["mentor_minutes"]) == (90, 90)
    assert data["grants"]["by_currency"] == {"USD": {"committed_minor": 500_000, "disbursed_minor": 200_000}}
    assert sources.mentor_endorsements(figures.id) == [
        {"mentor": "Anna Becker", "rating": 5, "comment": "Sharp team.", "date": "2026-10-02"}]
    body = render_body(ReportKind.COHORT_IMPACT, data, "en")
    assert "1.5" in body and "$5,000.00" in body and "Not available yet" not in body


def test_the_real_domain_modules_are_wired(cohort, figures):
    # Mentoring, resources and grants ship their reporting modules: the report uses them.
    data = build_impact(cohort, date.today())
    assert data["mentoring"]["available"] and data["resources"]["available"] and data["grants"]["available"]
    assert sources.mentor_endorsements(figures.id) == []
