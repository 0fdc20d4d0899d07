"""``flask demo`` gives the running cohort progress worth looking at: every health status, flags, history."""
from __future__ import annotations

import sqlalchemy as sa

from incubator.cohorts.models import Cohort, CohortStatus, Startup
from incubator.extensions import db
from incubator.progress.models import CheckIn, KpiReport, Milestone, Verification
from incubator.progress.periods import local_today
from incubator.progress.queries import cohort_dashboard, is_tracked


def test_demo_running_cohort_has_meaningful_progress(app):
    result = app.test_cli_runner().invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    running = db.session.scalar(sa.select(Cohort).where(Cohort.status == CohortStatus.RUNNING))
    board = cohort_dashboard(running, local_today())
    rows = [row for row in board.rows if is_tracked(row)]
    assert {row.health.status.value for row in rows} == {"on_track", "watch", "at_risk"}
    assert all(row.latest is not None for row in rows)
    months = db.session.execute(sa.select(KpiReport.startup_id, sa.func.count()).group_by(KpiReport.startup_id)).all()
    assert len(months) == len(rows) and min(count for _, count in months) >= 6
    assert len(board.open_flags) >= 2
    milestones = db.session.scalars(sa.select(Milestone).join(Startup).where(Startup.cohort_id == running.id)).all()
    today = local_today()
    assert any(m.verification == Verification.VERIFIED for m in milestones)
    assert any(m.verification == Verification.PENDING for m in milestones)
    assert any(m.verification == Verification.SENT_BACK for m in milestones)
    assert any(m.is_overdue(today) for m in milestones)
    assert any(m.evidence_path for m in milestones)
    assert len(board.totals) >= 6 and board.khr_per_usd == 4100

    kasekor = db.session.scalar(sa.select(Startup).where(Startup.name == "Kasekor Cold Chain"))
    assert db.session.scalar(sa.select(sa.func.max(KpiReport.latest_version)).where(
        KpiReport.startup_id == kasekor.id)) == 2
    resolved = db.session.scalar(sa.select(CheckIn).where(CheckIn.startup_id == kasekor.id,
                                                          CheckIn.help_resolved_at.is_not(None)))
    assert "legal aid clinic" in resolved.help_resolution
