"""The cohort dashboard and the startup page cost the same number of queries for 5 or 200 startups."""
from __future__ import annotations

from datetime import date, timedelta

from incubator.cohorts.models import CohortStatus
from incubator.demo.bulk import seed_cohort_progress
from incubator.extensions import db
from tests.factories import CohortFactory


def _cohort(name: str):
    today = date.today()
    return CohortFactory(status=CohortStatus.RUNNING, name=name, starts_on=today - timedelta(days=730),
                         ends_on=today + timedelta(days=30))


def _count(client, count_queries, url: str) -> int:
    with count_queries() as counter:
        response = client.get(url)
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return counter.count


def test_dashboard_and_startup_page_query_counts_do_not_grow(client, login, manager, count_queries):
    small, big = _cohort("Small"), _cohort("Big")
    small_ids = seed_cohort_progress(small, 5, months=24)
    big_ids = seed_cohort_progress(big, 200, months=24)
    db.session.commit()
    login(manager)

    dashboard = [_count(client, count_queries, f"/progress/cohorts/{c.id}") for c in (small, big)]
    assert dashboard[0] == dashboard[1], dashboard
    assert dashboard[0] <= 14, dashboard
    filtered = [_count(client, count_queries, f"/progress/cohorts/{c.id}?sort=revenue&health=at_risk&currency=KHR")
                for c in (small, big)]
    assert filtered[0] == filtered[1] == dashboard[0]

    startup = [_count(client, count_queries, f"/progress/startups/{ids[-1]}") for ids in (small_ids, big_ids)]
    assert startup[0] == startup[1], startup
    assert startup[0] <= 14, startup


def test_bulk_data_reads_like_real_progress(client, login, manager):
    cohort = _cohort("Seeded")
    ids = seed_cohort_progress(cohort, 10, months=24)
    db.session.commit()
    login(manager)
    page = client.get(f"/progress/cohorts/{cohort.id}").get_data(as_text=True)
    assert "Bulk" in page and "Need an introduction" in page
    startup_page = client.get(f"/progress/startups/{ids[0]}").get_data(as_text=True)
    assert startup_page.count("/progress/kpis/") >= 24 and "v2 (corrected)" in startup_page
