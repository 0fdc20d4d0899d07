"""What the jobs page shows: recent runs per job and whether a scheduler is alive."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa

from incubator.extensions import db
from incubator.jobs.models import JobRun, SchedulerHeartbeat

ALIVE_WITHIN = timedelta(minutes=3)


def recent_runs(names: list[str], per_job: int = 5) -> dict[str, list[JobRun]]:
    """The latest ``per_job`` runs of each job, newest first, in one query."""
    rank = sa.func.row_number().over(
        partition_by=JobRun.job_name, order_by=(JobRun.started_at.desc(), JobRun.id.desc())
    ).label("rank")
    ranked = sa.select(JobRun.id, rank).where(JobRun.job_name.in_(names)).subquery()
    runs = db.session.scalars(
        sa.select(JobRun).join(ranked, ranked.c.id == JobRun.id).where(ranked.c.rank <= per_job)
        .order_by(JobRun.started_at.desc(), JobRun.id.desc())
    ).all()
    grouped: dict[str, list[JobRun]] = {name: [] for name in names}
    for run in runs:
        grouped[run.job_name].append(run)
    return grouped


@dataclass(frozen=True)
class SchedulerStatus:
    alive: list[SchedulerHeartbeat]
    last_seen: SchedulerHeartbeat | None


def scheduler_status(now: datetime) -> SchedulerStatus:
    """Schedulers that beat within ``ALIVE_WITHIN``, and the most recent heartbeat of any."""
    beats = db.session.scalars(sa.select(SchedulerHeartbeat).order_by(SchedulerHeartbeat.beat_at.desc())).all()
    return SchedulerStatus([b for b in beats if now - b.beat_at <= ALIVE_WITHIN], beats[0] if beats else None)
