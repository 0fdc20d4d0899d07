"""The monthly batch commits report by report and holds no transaction while it renders a PDF."""
from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from incubator.audit.models import AuditEntry
from incubator.cohorts.models import CohortStatus
from incubator.extensions import db
from incubator.reports import generation, tasks
from incubator.reports.models import ReportSnapshot
from tests.factories import CohortFactory, StartupFactory

pytestmark = pytest.mark.concurrent


def test_each_report_is_committed_and_others_can_write_meanwhile(app, monkeypatch):
    cohort = CohortFactory(status=CohortStatus.RUNNING, name="Cohort Busy")
    for name in ("Alpha Agri", "Beta Bio", "Gamma Grain"):
        StartupFactory(cohort=cohort, name=name)
    db.session.commit()
    cohort_id = cohort.id
    seen = []
    real_render = generation.render_snapshot_files

    def render_while_someone_writes(draft):
        # Another connection (a web request) writes while the PDF renders. Were the batch holding a
        # transaction, SQLite would keep it waiting for the write lock until its busy timeout and fail.
        with db.engine.begin() as other:
            other.execute(sa.insert(AuditEntry).values(action="test.write", target_type="cohorts",
                                                       target_id=cohort_id, target_label="", details={}))
            seen.append(other.execute(sa.select(sa.func.count(ReportSnapshot.id))).scalar())
        return real_render(draft)

    monkeypatch.setattr(tasks, "render_snapshot_files", render_while_someone_writes)
    db.session.rollback()
    batch = tasks.run_batch("2026-12", "2026-12", date(2026, 12, 1))
    # Before each render, the reports already built were visible to the other connection: committed one by one.
    assert seen == [0, 1, 2, 3, 4]
    assert (batch.built, batch.failures) == (5, [])
