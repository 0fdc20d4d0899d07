"""Monthly KPIs: one report per startup and month, corrections as versions, validation, currencies and rates."""
from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from incubator.core.errors import ConflictError, ServiceError
from incubator.core.money import convert_minor
from incubator.extensions import db
from incubator.progress.models import KpiReport, KpiVersion, MetricKind
from incubator.progress.periods import add_months, current_month
from incubator.progress.queries import cohort_totals
from incubator.progress.services.kpis import (
    DEFAULT_KHR_PER_USD,
    add_metric,
    archive_metric,
    correct_kpis,
    exchange_rate,
    set_exchange_rate,
    submit_kpis,
)
from tests.factories import CohortFactory, StartupFactory
from tests.progress.conftest import figures, kpi_form


@pytest.fixture
def last_month(app):
    return add_months(current_month(), -1)


def _versions(report) -> list[KpiVersion]:
    return list(db.session.scalars(sa.select(KpiVersion).where(KpiVersion.report_id == report.id)
                                   .order_by(KpiVersion.version)))


# One report per month -------------------------------------------------------------------------------


def test_a_report_is_version_one_in_the_startups_currency(founder, startup, last_month):
    startup.currency = "KHR"
    report = submit_kpis(founder, startup, last_month, figures(revenue=410_000_000))
    [version] = _versions(report)
    assert (report.latest_version, version.version, version.currency, version.revenue) == (1, 1, "KHR", 410_000_000)
    assert version.submitted_by_id == founder.id


def test_a_second_report_for_the_same_month_is_refused(founder, startup, last_month):
    submit_kpis(founder, startup, last_month, figures())
    with pytest.raises(ConflictError) as caught:
        submit_kpis(founder, startup, last_month, figures(revenue=1))
    assert "already has a report" in caught.value.fields["month"][0]


def test_the_database_allows_one_report_per_startup_and_month(startup, last_month):
    db.session.add_all([KpiReport(startup_id=startup.id, month=last_month),
                        KpiReport(startup_id=startup.id, month=last_month)])
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_the_database_allows_one_row_per_version(founder, startup, last_month):
    report = submit_kpis(founder, startup, last_month, figures())
    db.session.add(KpiVersion(report_id=report.id, version=1, currency="USD", **figures()))
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


@pytest.mark.parametrize("column_values", [{"revenue": -1}, {"employees_full_time": -2},
                                           {"employees_full_time": 1, "employees_full_time_women": 2}])
def test_the_database_refuses_impossible_figures(founder, startup, last_month, column_values):
    report = submit_kpis(founder, startup, last_month, figures())
    db.session.add(KpiVersion(report_id=report.id, version=2, currency="USD", **figures(**column_values)))
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


# Corrections --------------------------------------------------------------------------------------------


def test_a_correction_adds_a_version_and_keeps_the_old_one(founder, manager, startup, last_month):
    report = submit_kpis(founder, startup, last_month, figures(revenue=150_000))
    correct_kpis(manager, report, figures(revenue=175_000), {}, "Two invoices were missing.", base_version=1)
    first, second = _versions(report)
    assert (first.revenue, second.revenue, report.latest_version) == (150_000, 175_000, 2)
    assert second.note == "Two invoices were missing." and second.submitted_by_id == manager.id


def test_a_correction_needs_a_note_and_a_change(founder, startup, last_month):
    report = submit_kpis(founder, startup, last_month, figures())
    with pytest.raises(ServiceError) as caught:
        correct_kpis(founder, report, figures(revenue=1), {}, "  ")
    assert "note" in caught.value.fields
    with pytest.raises(ServiceError, match="nothing to correct"):
        correct_kpis(founder, report, figures(), {}, "Checked again")


def test_a_correction_from_an_old_version_is_refused(founder, manager, startup, last_month):
    report = submit_kpis(founder, startup, last_month, figures())
    correct_kpis(manager, report, figures(revenue=1), {}, "Manager fix", base_version=1)
    with pytest.raises(ConflictError, match="now at version 2"):
        correct_kpis(founder, report, figures(revenue=2), {}, "Founder fix", base_version=1)
    assert report.latest_version == 2


def test_the_report_page_shows_every_version_and_what_changed(client, login, founder, startup, last_month):
    report = submit_kpis(founder, startup, last_month, figures(revenue=150_000))
    correct_kpis(founder, report, figures(revenue=175_000), {}, "Late invoices")
    db.session.commit()
    login(founder)
    page = client.get(f"/progress/kpis/{report.id}").get_data(as_text=True)
    assert "Version 2" in page and "Version 1" in page and "Late invoices" in page
    assert "$1,750.00" in page and "$1,500.00" in page
    assert page.count("table-warning") == 1  # only revenue changed
    assert "v2 (corrected)" in client.get(f"/progress/startups/{startup.id}").get_data(as_text=True)


def test_correcting_through_the_web(client, login, founder, startup, last_month):
    report = submit_kpis(founder, startup, last_month, figures())
    db.session.commit()
    login(founder)
    form = client.get(f"/progress/kpis/{report.id}/correct").get_data(as_text=True)
    assert 'name="base_version" type="hidden" value="1"' in form and 'value="1500.00"' in form
    bad = client.post(f"/progress/kpis/{report.id}/correct", data=kpi_form("2000-01", revenue="1600", note=""))
    assert bad.status_code == 422
    response = client.post(f"/progress/kpis/{report.id}/correct",
                           data=kpi_form("2000-01", revenue="1600", note="Fixed", base_version="1"))
    assert response.status_code == 302
    db.session.expire_all()
    report = db.session.get(KpiReport, report.id)
    assert report.latest_version == 2 and report.month == last_month  # the month cannot be changed


# Validation -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("values", "field", "message"), [
    (figures(revenue=-100), "revenue", "Revenue cannot be negative."),
    (figures(employees_full_time=-1), "employees_full_time", "Full-time employees cannot be negative."),
    (figures(employees_part_time=1, employees_part_time_women=3), "employees_part_time_women",
     "There cannot be more women than employees (1)."),
    (figures(active_users=None), "active_users", "Active users is required (enter 0 if there was none)."),
    (figures(cash_in_bank=10**16), "cash_in_bank", "Cash in bank is too large."),
    (figures(paying_customers=1.5), "paying_customers", "Paying customers must be a number."),
])
def test_impossible_figures_are_refused_with_clear_messages(founder, startup, last_month, values, field, message):
    with pytest.raises(ServiceError) as caught:
        submit_kpis(founder, startup, last_month, values)
    assert caught.value.fields[field] == [message]
    assert db.session.scalar(sa.select(sa.func.count(KpiReport.id))) == 0


def test_a_future_month_is_refused(founder, startup):
    with pytest.raises(ServiceError) as caught:
        submit_kpis(founder, startup, add_months(current_month(), 1), figures())
    assert "you cannot report a month in the future" in caught.value.fields["month"][0]


def test_the_current_month_and_old_months_are_accepted(founder, startup):
    submit_kpis(founder, startup, current_month(), figures())
    submit_kpis(founder, startup, date(2024, 1, 1), figures())
    with pytest.raises(ServiceError):
        submit_kpis(founder, startup, date(1999, 12, 1), figures())


def test_the_web_form_shows_each_problem_beside_its_field(client, login, founder, startup):
    login(founder)
    future = add_months(current_month(), 2)
    response = client.post(f"/progress/startups/{startup.id}/kpis/new", data=kpi_form(
        f"{future:%Y-%m}", revenue="-5", employees_full_time="1", employees_full_time_women="4"))
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    # Every figure is checked first; the month is checked once the figures are fine.
    assert "Revenue cannot be negative." in page
    assert "There cannot be more women than employees (1)." in page
    response = client.post(f"/progress/startups/{startup.id}/kpis/new", data=kpi_form(f"{future:%Y-%m}"))
    assert "you cannot report a month in the future" in response.get_data(as_text=True)
    response = client.post(f"/progress/startups/{startup.id}/kpis/new", data=kpi_form("2026-13"))
    assert response.status_code == 422
    response = client.post(f"/progress/startups/{startup.id}/kpis/new", data=kpi_form("2026-01", revenue="lots"))
    assert response.status_code == 422
    assert db.session.scalar(sa.select(sa.func.count(KpiReport.id))) == 0


def test_one_submission_lists_missing_fields_and_broken_rules_together(client, login, founder, startup):
    login(founder)
    future = add_months(current_month(), 1)
    data = {"month": f"{future:%Y-%m}", "revenue": "-50", "employees_full_time": "2",
            "employees_full_time_women": "5"}
    page = client.post(f"/progress/startups/{startup.id}/kpis/new", data=data).get_data(as_text=True)
    for message in ("Revenue cannot be negative.", "There cannot be more women than employees (2).",
                    "you cannot report a month in the future", "Enter a whole number (0 if none)."):
        assert message in page
    assert db.session.scalar(sa.select(sa.func.count(KpiReport.id))) == 0


def test_the_web_form_submits_and_refuses_the_same_month_again(client, login, founder, startup, last_month):
    login(founder)
    data = kpi_form(f"{last_month:%Y-%m}", revenue="1,234.56")
    assert client.post(f"/progress/startups/{startup.id}/kpis/new", data=data).status_code == 302
    again = client.post(f"/progress/startups/{startup.id}/kpis/new", data=data)
    assert again.status_code == 422
    assert "already has a report. Open it to correct it." in again.get_data(as_text=True)
    version = db.session.scalars(sa.select(KpiVersion)).one()
    assert version.revenue == 123_456


def test_the_form_sends_founders_to_correct_a_month_already_reported(client, login, founder, startup):
    from incubator.progress.health import expected_kpi_month
    from incubator.progress.periods import local_today

    due = expected_kpi_month(local_today())
    login(founder)
    assert client.get(f"/progress/startups/{startup.id}/kpis/new").status_code == 200  # nothing reported yet
    report = submit_kpis(founder, startup, due, figures())
    response = client.get(f"/progress/startups/{startup.id}/kpis/new")
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/progress/kpis/{report.id}")
    assert "already in; you can correct it here" in client.get(response.headers["Location"]).get_data(as_text=True)
    asked = client.get(f"/progress/startups/{startup.id}/kpis/new?month={add_months(due, -1):%Y-%m}")
    assert asked.status_code == 200  # an explicitly chosen month still opens the form


# Custom metrics ------------------------------------------------------------------------------------------


def test_custom_metrics_are_reported_and_survive_archiving(manager, founder, cohort, startup, last_month):
    farmers = add_metric(manager, cohort, "Farmers reached", "farmers", MetricKind.COUNT)
    grants = add_metric(manager, cohort, "Grant income", "", "money")
    report = submit_kpis(founder, startup, last_month, figures(), {farmers.id: 120, grants.id: 50_000})
    assert _versions(report)[0].custom() == {farmers.id: 120, grants.id: 50_000}
    archive_metric(manager, farmers)
    correct_kpis(founder, report, figures(), {grants.id: 60_000}, "Grant tranche arrived")
    assert _versions(report)[1].custom() == {farmers.id: 120, grants.id: 60_000}


def test_custom_metric_rules(manager, founder, cohort, startup, last_month):
    metric = add_metric(manager, cohort, "Hectares", "ha", "count")
    with pytest.raises(ConflictError):
        add_metric(manager, cohort, "Hectares", "", "count")
    with pytest.raises(ServiceError):
        add_metric(manager, cohort, "", "", "count")
    elsewhere = add_metric(manager, CohortFactory(), "Elsewhere", "", "count")
    with pytest.raises(ServiceError) as caught:
        submit_kpis(founder, startup, last_month, figures(), {elsewhere.id: 1, metric.id: -3})
    assert set(caught.value.fields) == {f"metric_{elsewhere.id}", f"metric_{metric.id}"}


def test_the_kpi_form_asks_for_custom_metrics(client, login, manager, founder, cohort, startup, last_month):
    metric = add_metric(manager, cohort, "Farmers reached", "farmers", "count")
    db.session.commit()
    login(founder)
    assert "Farmers reached (farmers)" in client.get(f"/progress/startups/{startup.id}/kpis/new").get_data(
        as_text=True)
    client.post(f"/progress/startups/{startup.id}/kpis/new",
                data=kpi_form(f"{last_month:%Y-%m}", **{f"metric_{metric.id}": "75"}))
    assert db.session.scalars(sa.select(KpiVersion)).one().custom() == {metric.id: 75}


# Currencies and the cohort's rate --------------------------------------------------------------------------


@pytest.mark.parametrize(("amount", "currency", "target", "rate", "expected"), [
    (410_000_000, "KHR", "USD", 4100, 100_000),  # 4,100,000 riel = $1,000.00
    (100_000, "USD", "KHR", 4100, 410_000_000),
    (1_000, "KHR", "USD", 4100, 0),  # 10 riel rounds to $0.00
    (20_500, "KHR", "USD", 4100, 5),  # 205 riel = $0.05
    (12_345, "USD", "USD", 4100, 12_345),
])
def test_convert_minor(amount, currency, target, rate, expected):
    assert convert_minor(amount, currency, target, rate) == expected


def test_cohort_totals_convert_riel_at_the_cohorts_rate(manager, founder, cohort, startup, last_month):
    riel = StartupFactory(cohort=cohort, name="Riel Startup", currency="KHR")
    submit_kpis(founder, startup, last_month, figures(revenue=100_000, employees_full_time=3,
                                                      employees_full_time_women=1))
    submit_kpis(manager, riel, last_month, figures(revenue=410_000_000, employees_full_time=2,
                                                   employees_full_time_women=2))
    assert exchange_rate(cohort.id)[0] == DEFAULT_KHR_PER_USD == 4100
    [total] = cohort_totals(cohort.id, "USD", 4100)
    assert (total.revenue, total.reports, total.employees_full_time) == (200_000, 2, 5)
    [in_riel] = cohort_totals(cohort.id, "KHR", 4100)
    assert in_riel.revenue == 820_000_000
    set_exchange_rate(manager, cohort, 4000)
    assert exchange_rate(cohort.id)[0] == 4000
    assert cohort_totals(cohort.id, "USD", 4000)[0].revenue == 202_500  # 4,100,000 riel at 4,000 = $1,025


def test_a_startup_that_changes_currency_keeps_old_reports_in_theirs(founder, startup, last_month):
    startup.currency = "KHR"
    report = submit_kpis(founder, startup, add_months(last_month, -1), figures(revenue=41_000_000))
    startup.currency = "USD"
    correct_kpis(founder, report, figures(revenue=82_000_000), {}, "Doubled")
    assert [v.currency for v in _versions(report)] == ["KHR", "KHR"]
    assert _versions(submit_kpis(founder, startup, last_month, figures()))[0].currency == "USD"


@pytest.mark.parametrize("rate", [0, -4100, None, 100_001, True])
def test_bad_rates_are_refused(manager, cohort, rate):
    with pytest.raises(ServiceError) as caught:
        set_exchange_rate(manager, cohort, rate)
    assert "khr_per_usd" in caught.value.fields


def test_settings_page_sets_the_rate_and_adds_metrics(client, login, manager, cohort):
    login(manager)
    assert "Not set yet" in client.get(f"/progress/cohorts/{cohort.id}/settings").get_data(as_text=True)
    assert client.post(f"/progress/cohorts/{cohort.id}/rate", data={"khr_per_usd": "-1"}).status_code == 422
    assert client.post(f"/progress/cohorts/{cohort.id}/rate", data={"khr_per_usd": "4050"}).status_code == 302
    assert client.post(f"/progress/cohorts/{cohort.id}/metrics",
                       data={"name": "Farmers", "unit": "", "kind": "count"}).status_code == 302
    again = client.post(f"/progress/cohorts/{cohort.id}/metrics", data={"name": "Farmers", "unit": "", "kind": "count"})
    assert again.status_code == 422 and "already has a metric" in again.get_data(as_text=True)
    page = client.get(f"/progress/cohorts/{cohort.id}/settings").get_data(as_text=True)
    assert "4,050" in page and "Farmers" in page
    assert exchange_rate(cohort.id)[0] == 4050


def test_startup_currency_is_editable_on_the_profile(client, login, founder, startup):
    login(founder)
    data = {"name": startup.name, "sector": "agritech", "stage": "prototype", "province": "phnom_penh",
            "description": "", "website": "", "currency": "KHR"}
    assert client.post(f"/cohorts/startups/{startup.id}/edit", data=data).status_code == 302
    db.session.expire_all()
    assert startup.currency == "KHR"
    assert client.post(f"/cohorts/startups/{startup.id}/edit", data=data | {"currency": "EUR"}).status_code == 200
