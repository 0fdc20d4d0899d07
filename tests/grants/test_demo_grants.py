"""``flask demo`` gives the running cohort grants worth looking at: USD and KHR, payments, a reversal, payable."""
from __future__ import annotations

import sqlalchemy as sa

from incubator.cohorts.models import Cohort, CohortStatus, Startup
from incubator.core.uploads import upload_path
from incubator.extensions import db
from incubator.grants.models import EntryKind, Grant, LedgerEntry, TrancheState
from incubator.grants.queries import payable_now
from incubator.progress.periods import local_today


def test_demo_grants(app):
    result = app.test_cli_runner().invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    running = db.session.scalar(sa.select(Cohort).where(Cohort.status == CohortStatus.RUNNING))
    grants = {g.startup.name: g for g in db.session.scalars(
        sa.select(Grant).join(Grant.startup).where(Startup.cohort_id == running.id))}
    assert len(grants) == 5 and {g.currency for g in grants.values()} == {"USD", "KHR"}
    kasekor = grants["Kasekor Cold Chain"]
    assert (kasekor.total_minor, kasekor.disbursed_minor, len(kasekor.tranches)) == (1_000_000, 600_000, 3)
    entries = db.session.scalars(sa.select(LedgerEntry).where(LedgerEntry.grant_id == kasekor.id)
                                 .order_by(LedgerEntry.seq)).all()
    assert [e.kind for e in entries] == [EntryKind.DISBURSEMENT, EntryKind.DISBURSEMENT, EntryKind.REVERSAL,
                                         EntryKind.DISBURSEMENT]
    assert entries[2].reverses_id == entries[1].id and upload_path(entries[0].receipt_path).is_file()
    today = local_today()
    assert [t.state(today) for t in kasekor.tranches] == [TrancheState.PAID, TrancheState.PAID, TrancheState.WAITING]
    assert payable_now(grants["AngkorPay"], today) == 300_000
    assert payable_now(grants["Dey Eth Pottery"], today) == 600_000_000
    for grant in grants.values():
        ledger = db.session.scalars(sa.select(LedgerEntry.amount_minor).where(LedgerEntry.grant_id == grant.id)).all()
        assert sum(ledger) == grant.disbursed_minor
