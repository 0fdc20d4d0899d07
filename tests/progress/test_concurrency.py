"""Double submissions at the same instant: the database keeps one report per month and one check-in per week.

Real commits and one connection per thread, on SQLite (BEGIN IMMEDIATE) and PostgreSQL (unique keys
and row locks), whichever the suite runs on. The loser gets a clear refusal, never a 500.
"""
from __future__ import annotations

import threading

import pytest
import sqlalchemy as sa

from incubator.auth.models import Role
from incubator.auth.services import create_api_token
from incubator.cohorts.models import CohortStatus
from incubator.extensions import db
from incubator.progress.models import CheckIn, KpiReport, KpiVersion
from incubator.progress.periods import add_months, current_month
from incubator.progress.services.kpis import submit_kpis
from tests.factories import CohortFactory, StartupFactory, UserFactory, founder_of
from tests.helpers import signed_in_client
from tests.progress.conftest import figures, kpi_form

pytestmark = pytest.mark.concurrent


def _race(calls):
    """Run each zero-argument call at the same instant; return the results in order."""
    db.session.rollback()  # on SQLite an open transaction would hold the write lock
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def run(i, call):
        barrier.wait()
        results[i] = call()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return results


@pytest.fixture
def world(app):
    startup = StartupFactory(cohort=CohortFactory(status=CohortStatus.RUNNING))
    founders = [founder_of(startup), founder_of(startup)]
    manager = UserFactory(role=Role.MANAGER)
    tokens = [create_api_token(user, "race")[1] for user in founders]
    db.session.commit()
    return {"startup_id": startup.id, "founders": [f.email for f in founders], "tokens": tokens,
            "manager": manager}


def test_two_founders_submit_the_same_month_at_once(app, world):
    month = f"{add_months(current_month(), -1):%Y-%m}"
    url = f"/progress/startups/{world['startup_id']}/kpis/new"
    clients = [signed_in_client(app, email) for email in world["founders"]]
    responses = _race([lambda c=c, r=r: c.post(url, data=kpi_form(month, revenue=r), follow_redirects=True)
                       for c, r in zip(clients, ("1000", "2000"), strict=True)])
    assert all(r.status_code < 500 for r in responses)
    bodies = [r.get_data(as_text=True) for r in responses]
    assert sum("is saved" in b for b in bodies) == 1
    assert sum("already has a report" in b for b in bodies) == 1
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count(KpiReport.id))) == 1
    assert db.session.scalar(sa.select(sa.func.count(KpiVersion.id))) == 1


def test_two_checkins_for_one_week_through_the_api_at_once(app, world):
    url = f"/api/v1/startups/{world['startup_id']}/checkins"
    db.session.rollback()
    client = app.test_client()
    responses = _race([
        lambda t=t: client.post(url, json={"progress": "Race", "morale": 3}, headers={"Authorization": f"Bearer {t}"})
        for t in world["tokens"]
    ])
    assert sorted(r.status_code for r in responses) == [201, 409]
    loser = next(r for r in responses if r.status_code == 409).get_json()
    assert loser["error"]["code"] == "conflict" and "already has a check-in" in loser["error"]["message"]
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count(CheckIn.id))) == 1


def test_two_corrections_of_the_same_version_at_once(app, world):
    startup_id = world["startup_id"]
    from incubator.cohorts.models import Startup

    startup = db.session.get(Startup, startup_id)
    report = submit_kpis(world["manager"], startup, add_months(current_month(), -1), figures())
    db.session.commit()
    url = f"/api/v1/kpi-reports/{report.id}/versions"
    body = {key: str(value / 100) if key in ("revenue", "funding_raised", "cash_in_bank") else value
            for key, value in figures().items()}
    db.session.rollback()
    client = app.test_client()
    responses = _race([
        lambda t=t, n=n: client.post(url, json=body | {"revenue": str(n), "note": f"fix {n}", "base_version": 1},
                                     headers={"Authorization": f"Bearer {t}"})
        for t, n in zip(world["tokens"], (111, 222), strict=True)
    ])
    assert sorted(r.status_code for r in responses) == [201, 409]
    db.session.expire_all()
    assert db.session.get(KpiReport, report.id).latest_version == 2
    assert db.session.scalar(sa.select(sa.func.count(KpiVersion.id))) == 2
