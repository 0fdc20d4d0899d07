"""Tasks for the job tests: each leaves one audit entry (the "effect") labelled with its run key."""
from __future__ import annotations

import time

import sqlalchemy as sa

from incubator.audit.models import AuditEntry
from incubator.extensions import db

EFFECT = "test.job_effect"
CONTROL = {"crash": False, "sleep": 0.0}


def _effect(run) -> None:
    db.session.add(AuditEntry(actor_id=None, action=EFFECT, target_type="job_runs", target_id=0,
                              target_label=run.run_key, details={"job": run.job_name, "period": run.period.key}))
    db.session.flush()


def record_effect(run) -> str:
    _effect(run)
    if CONTROL["sleep"]:
        time.sleep(CONTROL["sleep"])
    return f"effect for {run.period.key}"


def crash_midway(run) -> str:
    """Does half its work, then crashes when CONTROL["crash"] is set."""
    _effect(run)
    if CONTROL["crash"]:
        raise RuntimeError("disk full halfway through")
    return "done"


def always_fails(run) -> str:
    raise RuntimeError("this job is broken")


def effects() -> list[AuditEntry]:
    db.session.expire_all()
    return db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == EFFECT)).all()
