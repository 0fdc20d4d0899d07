"""The monthly_reports job: what it builds, one failure does not stop it, reruns skip what is built."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest
import sqlalchemy as sa

from incubator.cohorts.models import CohortStatus, StartupStatus
from incubator.extensions import db
from incubator.jobs.registry import get_job
from incubator.jobs.runner import SUCCEEDED, run_job
from incubator.reports import tasks
from incubator.reports.models import ReportBatch, ReportKind, ReportSnapshot
from tests.factories import CohortFactory, StartupFactory

FIRST_OF_MONTH = datetime(2026, 12, 1, 0, 0, tzinfo=timezone.utc)  # 07:00 in Phnom Penh, after the 06:00 run


@pytest.fixture
def cohorts(cohort, startup):
    """The running cohort (two active startups, a withdrawn and a graduated one) and a completed cohort."""
    StartupFactory(cohort=cohort, name="Solar Srok")
    StartupFactory(cohort=cohort, name="Gone Away", status=StartupStatus.WITHDRAWN)
    StartupFactory(cohort=cohort, name="Grown Up", status=StartupStatus.GRADUATED)
    StartupFactory(cohort=CohortFactory(status=CohortStatus.COMPLETED), name="Old Orchard")
    db.session.commit()
    return cohort


def _snapshots() -> list[tuple]:
    db.session.expire_all()
    rows = db.session.scalars(sa.select(ReportSnapshot))
    return sorted((s.kind.value, s.title, s.locale, s.source.value) for s in rows)


def test_the_job_is_registered_monthly_and_catches_up():
    spec = get_job("monthly_reports")
    assert spec.schedule.fields == {"day": 1, "hour": 6, "minute": 0}
    assert spec.period.value == "month" and spec.catch_up and spec.task == "incubator.reports.tasks:monthly_reports"


def test_builds_every_active_one_pager_and_the_cohort_report(app, cohorts):
    outcome = run_job(app, "monthly_reports", now=FIRST_OF_MONTH)
    assert outcome.status == SUCCEEDED, outcome.error
    assert outcome.summary == "4 reports built, 0 failed, 0 already built"
    assert _snapshots() == [
        ("cohort_impact", "Cohort Mekong", "en", "monthly"), ("cohort_impact", "Cohort Mekong", "km", "monthly"),
        ("one_pager", "Kasekor Cold Chain", "en", "monthly"), ("one_pager", "Solar Srok", "en", "monthly"),
    ]
    snapshot = db.session.scalar(sa.select(ReportSnapshot).limit(1))
    assert snapshot.as_of.isoformat() == "2026-12-01" and snapshot.created_by_id is None
    batch = db.session.scalar(sa.select(ReportBatch))
    assert (batch.period_key, batch.planned, batch.built, batch.failures) == ("2026-12", 4, 4, [])
    assert batch.finished_at is not None


def test_one_failing_startup_does_not_stop_the_batch(app, cohorts, monkeypatch):
    real = tasks.gather_onepager

    def gather(startup, locale, as_of=None):
        if startup.name == "Solar Srok":
            raise RuntimeError("logo file is corrupt")
        return real(startup, locale, as_of)

    monkeypatch.setattr(tasks, "gather_onepager", gather)
    outcome = run_job(app, "monthly_reports", now=FIRST_OF_MONTH)
    assert outcome.status == SUCCEEDED
    assert outcome.summary.startswith("3 reports built, 1 failed, 0 already built: Solar Srok (RuntimeError")
    assert [title for _kind, title, _locale, _source in _snapshots()].count("Solar Srok") == 0
    batch = db.session.scalar(sa.select(ReportBatch))
    assert batch.failures == [{"subject": batch.failures[0]["subject"], "title": "Solar Srok", "locale": "en",
                               "error": "RuntimeError: logo file is corrupt"}]

    # "Run again" builds only what is missing this month.
    monkeypatch.setattr(tasks, "gather_onepager", real)
    again = run_job(app, "monthly_reports", now=FIRST_OF_MONTH.replace(hour=5), force=True)
    assert again.summary == "1 reports built, 0 failed, 3 already built"
    assert [title for _k, title, _l, _s in _snapshots()].count("Solar Srok") == 1


def test_a_month_runs_once(app, cohorts):
    assert run_job(app, "monthly_reports", now=FIRST_OF_MONTH).status == SUCCEEDED
    assert run_job(app, "monthly_reports", now=FIRST_OF_MONTH.replace(hour=3)).status == "skipped"
    assert len(_snapshots()) == 4


def test_the_reports_page_shows_the_last_batch(app, client, login, manager, cohorts, monkeypatch):
    monkeypatch.setattr(tasks, "plan_items", lambda: [(ReportKind.COHORT_IMPACT, cohorts.id, "en")])
    tasks.run_batch("2026-12", "2026-12", FIRST_OF_MONTH.date(),
                    builder=lambda *args: (_ for _ in ()).throw(ValueError("disk full")))
    login(manager)
    body = client.get("/reports/").get_data(as_text=True)
    assert "0 built, 1 failed" in body and "disk full" in body
    assert db.session.scalar(sa.select(sa.func.count(ReportSnapshot.id))) == 0
