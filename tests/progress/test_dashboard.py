"""The cohort health dashboard, its filters and sorting, the SVG charts, the CSV exports and the page links."""
from __future__ import annotations

import csv
import io
import re
from datetime import date, timedelta

import pytest

from incubator.cohorts.models import StartupStatus
from incubator.extensions import db
from incubator.progress.periods import add_months, current_month
from incubator.progress.services.checkins import submit_checkin
from incubator.progress.services.kpis import add_metric, correct_kpis, set_exchange_rate, submit_kpis
from incubator.progress.services.milestones import create_milestone, create_template, update_milestone, verify_milestone
from tests.factories import StartupFactory
from tests.progress.conftest import figures

TODAY = date.today()


@pytest.fixture
def cohort_with_progress(manager, founder, cohort, startup):
    """Three startups: one on track, one to watch, one at risk, plus a withdrawn one."""
    last, before = add_months(current_month(), -1), add_months(current_month(), -2)
    watch = StartupFactory(cohort=cohort, name="Angkor Analytics", sector="digital")
    risky = StartupFactory(cohort=cohort, name="Bassac Bio", sector="biotech", currency="KHR")
    StartupFactory(cohort=cohort, name="Zzz Withdrawn", status=StartupStatus.WITHDRAWN)
    # On track: checked in this week, reports up to date, its milestone verified.
    submit_checkin(founder, startup, {"progress": "Signed 3 farms", "morale": 5})
    submit_kpis(founder, startup, before, figures(revenue=100_000))
    submit_kpis(founder, startup, last, figures(revenue=150_000))
    done = create_milestone(founder, startup, {"title": "MVP live", "due_on": TODAY - timedelta(days=3)})
    update_milestone(founder, done, {"status": "done", "evidence_url": "https://kasekor.example.com"})
    verify_milestone(manager, done, approve=True)
    # Watch: one milestone overdue, morale 3, an open help request.
    create_milestone(manager, watch, {"title": "Pilot signed", "due_on": TODAY - timedelta(days=2)})
    submit_checkin(manager, watch, {"progress": "Slow", "morale": 3, "help_text": "Need an accountant",
                                    "help_tags": ["finance"]})
    submit_kpis(manager, watch, last, figures(revenue=100_000))
    # At risk: two overdue milestones, revenue in riel, no check-in since the programme began.
    for title in ("Company registered", "First customer"):
        create_milestone(manager, risky, {"title": title, "due_on": TODAY - timedelta(days=10)})
    submit_kpis(manager, risky, last, figures(revenue=410_000_000))
    set_exchange_rate(manager, cohort, 4100)
    db.session.commit()
    return {"on_track": startup, "watch": watch, "at_risk": risky}


def _rows(page: str) -> list[str]:
    body = page.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return re.findall(r'href="/progress/startups/\d+">([^<]+)</a>', body)


def test_dashboard_shows_each_startup_with_its_health(client, login, manager, cohort, cohort_with_progress):
    login(manager)
    page = client.get(f"/progress/cohorts/{cohort.id}").get_data(as_text=True)
    assert _rows(page) == ["Bassac Bio", "Angkor Analytics", "Kasekor Cold Chain"]  # worst first
    assert "Zzz Withdrawn" not in page
    for label in ("At risk", "Watch", "On track"):
        assert label in page
    assert "2 or more milestones overdue" in page and "1 milestone overdue" in page
    assert "▲ +50%" in page  # Kasekor's revenue month on month
    assert "Need an accountant" in page  # the open help request
    assert "1 / 1 / 1" in page  # verified / done / all for Kasekor


@pytest.mark.parametrize(("query", "expected"), [
    ("health=watch", ["Angkor Analytics"]),
    ("health=at_risk", ["Bassac Bio"]),
    ("sector=digital", ["Angkor Analytics"]),
    ("help=open", ["Angkor Analytics"]),
    ("sort=name", ["Angkor Analytics", "Bassac Bio", "Kasekor Cold Chain"]),
    ("sort=overdue", ["Bassac Bio", "Angkor Analytics", "Kasekor Cold Chain"]),
    ("sort=revenue", ["Kasekor Cold Chain", "Angkor Analytics", "Bassac Bio"]),  # 4,100,000 riel = $1,000
    ("sort=growth", ["Kasekor Cold Chain", "Angkor Analytics", "Bassac Bio"]),
    ("status=all&sort=name", ["Angkor Analytics", "Bassac Bio", "Kasekor Cold Chain", "Zzz Withdrawn"]),
    ("health=nonsense&sort=nonsense", ["Bassac Bio", "Angkor Analytics", "Kasekor Cold Chain"]),
])
def test_dashboard_filters_and_sorts(client, login, manager, cohort, cohort_with_progress, query, expected):
    login(manager)
    page = client.get(f"/progress/cohorts/{cohort.id}?{query}").get_data(as_text=True)
    assert _rows(page) == expected


def test_dashboard_totals_in_either_currency(client, login, manager, cohort, cohort_with_progress):
    login(manager)
    page = client.get(f"/progress/cohorts/{cohort.id}").get_data(as_text=True)
    assert "4,100 riel per dollar" in page and "Cohort revenue and funding (USD)" in page
    # Revenue last month: $1,500 + $1,000 + 4,100,000 riel ($1,000) = $3,500.
    assert "$3,500.00" in page
    riel = client.get(f"/progress/cohorts/{cohort.id}?currency=KHR").get_data(as_text=True)
    assert "Cohort revenue and funding (KHR)" in riel and "14,350,000\xa0KHR" in riel


def test_dashboard_charts_are_accessible_svg(client, login, manager, cohort, cohort_with_progress):
    login(manager)
    page = client.get(f"/progress/cohorts/{cohort.id}").get_data(as_text=True)
    svgs = re.findall(r"<svg class=\"chart-svg\"[^>]*>", page)
    assert len(svgs) == 4  # revenue, customers, jobs, milestone burn-up
    assert all('role="img"' in svg and "aria-labelledby" in svg for svg in svgs)
    assert '<title id="cohort-burnup-t">Milestone burn-up</title>' in page
    assert '<desc id="total-revenue-d">Revenue went from' in page
    main = page.split("<main", 1)[1].split("</main>", 1)[0]
    assert "<polyline" in main and "Show the figures" in main and "<script" not in main  # no JavaScript needed


def test_startup_page_has_kpi_trends_and_burnup(client, login, founder, startup, cohort_with_progress):
    login(founder)
    page = client.get(f"/progress/startups/{startup.id}").get_data(as_text=True)
    for chart in ("kpi-revenue", "kpi-customers", "kpi-team", "kpi-cash", "startup-burnup"):
        assert f'aria-labelledby="{chart}-t {chart}-d"' in page
    assert "Signed 3 farms" in page and "MVP live" in page


def test_charts_escape_names(app, manager, founder, cohort, startup):
    add_metric(manager, cohort, "<script>alert(1)</script>", "", "count")
    from incubator.progress.charts import Series, count_format, line_chart

    with app.test_request_context():
        svg = str(line_chart("x", "<b>T</b>", ["Jan"], [Series("<i>s</i>", [1])], count_format))
    assert "<b>" not in svg and "&lt;b&gt;T&lt;/b&gt;" in svg and "&lt;i&gt;s&lt;/i&gt;" in svg


def test_a_chart_without_figures_says_so(app):
    from incubator.progress.charts import count_format, line_chart

    with app.test_request_context():
        assert "No figures yet." in str(line_chart("x", "Empty", [], [], count_format))


def test_empty_cohort_dashboard(client, login, manager, cohort):
    login(manager)
    page = client.get(f"/progress/cohorts/{cohort.id}").get_data(as_text=True)
    assert "No startup matches these filters." in page and "No open help requests." in page


def test_dashboard_is_paginated(client, login, manager, cohort):
    for n in range(55):
        StartupFactory(cohort=cohort, name=f"Startup {n:02d}")
    db.session.commit()
    login(manager)
    first = client.get(f"/progress/cohorts/{cohort.id}?sort=name").get_data(as_text=True)
    second = client.get(f"/progress/cohorts/{cohort.id}?sort=name&page=2").get_data(as_text=True)
    assert len(_rows(first)) == 50 and _rows(second) == ["Startup 50", "Startup 51", "Startup 52", "Startup 53",
                                                          "Startup 54"]
    assert "Page 1 of 2" in first


# CSV exports ---------------------------------------------------------------------------------------------


def _csv(response) -> list[list[str]]:
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


def test_csv_exports(client, login, manager, founder, cohort, startup, cohort_with_progress):
    report = submit_kpis(founder, startup, add_months(current_month(), -3), figures(revenue=90_000))
    correct_kpis(founder, report, figures(revenue=95_000), {}, "=HYPERLINK(\"http://evil\")")
    db.session.commit()
    login(manager)
    response = client.get(f"/progress/cohorts/{cohort.id}/export/kpis.csv")
    assert response.mimetype == "text/csv"
    assert "attachment;" in response.headers["Content-Disposition"]
    rows = _csv(response)
    header = rows[0]
    assert header[:5] == ["Startup", "Month", "Version", "Currency", "Revenue"]
    by_key = {(r[0], r[1]): dict(zip(header, r, strict=True)) for r in rows[1:]}
    assert len(by_key) == 5
    corrected = by_key[("Kasekor Cold Chain", f"{add_months(current_month(), -3):%Y-%m}")]
    assert (corrected["Version"], corrected["Revenue"]) == ("2", "950.00")
    assert corrected["Note"].startswith("'=")  # never run as a spreadsheet formula
    riel = by_key[("Bassac Bio", f"{add_months(current_month(), -1):%Y-%m}")]
    assert (riel["Currency"], riel["Revenue"], riel["Revenue in USD"]) == ("KHR", "4100000.00", "1000.00")

    milestones = _csv(client.get(f"/progress/cohorts/{cohort.id}/export/milestones.csv"))
    assert milestones[0][:3] == ["Startup", "Milestone", "From the cohort plan"]
    states = {(r[0], r[1]): (r[4], r[5], r[6]) for r in milestones[1:]}
    assert states[("Kasekor Cold Chain", "MVP live")] == ("Done", "no", "Verified")
    assert states[("Bassac Bio", "First customer")] == ("Planned", "yes", "Not submitted")

    checkins = _csv(client.get(f"/progress/cohorts/{cohort.id}/export/checkins.csv"))
    assert checkins[0][:4] == ["Startup", "Week", "Week starting", "Morale (1-5)"]
    angkor = next(r for r in checkins[1:] if r[0] == "Angkor Analytics")
    assert (angkor[3], angkor[6], angkor[7], angkor[8]) == ("3", "Need an accountant", "Finance", "open")


def test_csv_export_of_an_unknown_kind_is_404(client, login, manager, cohort):
    login(manager)
    assert client.get(f"/progress/cohorts/{cohort.id}/export/passwords.csv").status_code == 404


# Links from the existing pages ------------------------------------------------------------------------------


def test_existing_pages_link_to_progress(client, login, manager, founder, cohort, startup):
    create_template(manager, cohort, {"title": "Company registered", "due_on": TODAY})
    db.session.commit()
    login(founder)
    home = client.get("/").get_data(as_text=True)
    assert f"/progress/startups/{startup.id}/checkin" in home and f"/progress/startups/{startup.id}\"" in home
    assert f"/progress/startups/{startup.id}\"" in client.get(f"/cohorts/startups/{startup.id}").get_data(
        as_text=True)
    client.post("/auth/logout")
    login(manager)
    assert f"/progress/cohorts/{cohort.id}\"" in client.get("/").get_data(as_text=True)
    cohort_page = client.get(f"/cohorts/{cohort.id}").get_data(as_text=True)
    assert f"/progress/cohorts/{cohort.id}\"" in cohort_page and f"/progress/cohorts/{cohort.id}/plan" in cohort_page


def test_planning_cohort_page_links_only_the_plan(client, login, manager):
    from tests.factories import CohortFactory

    planning = CohortFactory()
    db.session.commit()
    login(manager)
    page = client.get(f"/cohorts/{planning.id}").get_data(as_text=True)
    assert f"/progress/cohorts/{planning.id}/plan" in page and f"/progress/cohorts/{planning.id}\"" not in page


def test_cohort_burnup_in_sql_matches_the_python_count(manager, founder, cohort, startup, cohort_with_progress):
    from incubator.progress.burnup import cohort_burnup, milestones_burnup
    from incubator.progress.models import Milestone
    from incubator.progress.periods import local_today

    today = local_today()
    milestones = db.session.scalars(db.select(Milestone).join(Milestone.startup).where(
        Milestone.startup.has(cohort_id=cohort.id))).all()
    in_sql = cohort_burnup(cohort, today)
    in_python = milestones_burnup(list(milestones), cohort.starts_on, cohort.ends_on, today)
    assert in_sql.points == in_python.points and in_sql.counts == in_python.counts
    assert in_sql.counts["scope"][-1] == 4 and in_sql.counts["due"][-1] == 4
    assert max(v for v in in_sql.counts["verified"] if v is not None) == 1
    assert in_sql.counts["done"][-1] is None  # nothing is drawn after today


def test_progress_pages_render_in_khmer(client, login, manager, founder, cohort, startup, cohort_with_progress):
    for user, urls in ((manager, [f"/progress/cohorts/{cohort.id}", f"/progress/cohorts/{cohort.id}?currency=KHR",
                                  f"/progress/cohorts/{cohort.id}/export/kpis.csv"]),
                       (founder, [f"/progress/startups/{startup.id}", f"/progress/startups/{startup.id}/checkin",
                                  f"/progress/startups/{startup.id}/kpis/new"])):
        user.locale = "km"
        db.session.commit()
        login(user)
        for url in urls:
            response = client.get(url, follow_redirects=True)  # the KPI form may send on to the month's report
            assert response.status_code == 200, url
        client.post("/auth/logout")
