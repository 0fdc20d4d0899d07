"""Report lists and builders run a fixed number of queries, whatever the number of rows."""
from __future__ import annotations

from datetime import date, timedelta

import pytest

from incubator.db import utcnow
from incubator.extensions import db
from incubator.progress.periods import add_months, month_start
from incubator.reports.impact import build_impact
from incubator.reports.models import ReportKind, ReportShare, ReportSnapshot, ShareKind
from tests.factories import StartupFactory, TeamMemberFactory
from tests.reports.conftest import kpi, verified_milestone


def _snapshots(cohort, manager, investor, count: int) -> None:
    for _n in range(count):
        startup = StartupFactory(cohort=cohort)
        snapshot = ReportSnapshot(kind=ReportKind.ONE_PAGER, subject_key=f"startup:{startup.id}",
                                  startup_id=startup.id, cohort_id=cohort.id, title=startup.name, as_of=date.today(),
                                  version=1, locale="en", data={}, sections=[], pdf_path="x.pdf",
                                  created_by_id=manager.id)
        db.session.add(snapshot)
        db.session.flush()
        db.session.add(ReportShare(snapshot_id=snapshot.id, kind=ShareKind.ACCOUNT, recipient_id=investor.id,
                                   expires_at=utcnow() + timedelta(days=3), created_by_id=manager.id))
    db.session.commit()


def _count(client, count_queries, url: str) -> int:
    with count_queries() as counter:
        response = client.get(url)
    assert response.status_code == 200, url
    return counter.count


@pytest.mark.parametrize("url", ["/reports/", "/reports/startups", "/reports/shared", "/"])
def test_lists_do_not_grow_with_the_data(client, login, count_queries, manager, investor, cohort, url):
    _snapshots(cohort, manager, investor, 2)
    user = investor if url in ("/reports/shared", "/") else manager
    login(user)
    small = _count(client, count_queries, url)
    _snapshots(cohort, manager, investor, 30)
    assert _count(client, count_queries, url) == small


def test_the_impact_report_reads_a_fixed_number_of_queries(count_queries, cohort):
    def add(count: int) -> None:
        this_month = month_start(date.today())
        for _n in range(count):
            startup = StartupFactory(cohort=cohort)
            TeamMemberFactory(startup=startup, gender="female", is_founder=True)
            for back in (1, 2, 3):
                kpi(startup, add_months(this_month, -back))
            verified_milestone(startup, "Registered")

    add(2)
    with count_queries() as small:
        build_impact(cohort, date.today())
    add(40)
    with count_queries() as large:
        data = build_impact(cohort, date.today())
    assert large.count == small.count
    assert data["startups"]["total"] == 42 and data["kpis"]["startups_reporting"] == 42
