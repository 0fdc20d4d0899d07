"""The scheduler's own housekeeping."""
from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from incubator.extensions import db
from incubator.jobs.models import JobRun, JobRunStatus, SchedulerHeartbeat
from incubator.jobs.registry import all_jobs

UNKNOWN_JOB_KEEP_DAYS = 90
HEARTBEAT_KEEP_DAYS = 30


def prune_job_runs(run) -> str:
    """Delete job history past each job's ``keep_days`` (failures are kept twice as long).

    :param run: the job's ``RunContext``.
    :return: how many rows were deleted.
    """
    now = run.started_at
    known = [spec.name for spec in all_jobs()]
    deleted = 0
    for spec in all_jobs():
        for status, days in ((JobRunStatus.SUCCEEDED, spec.keep_days), (JobRunStatus.FAILED, 2 * spec.keep_days)):
            deleted += db.session.execute(
                sa.delete(JobRun).where(JobRun.job_name == spec.name, JobRun.status == status,
                                        JobRun.started_at < now - timedelta(days=days))
            ).rowcount
    deleted += db.session.execute(
        sa.delete(JobRun).where(JobRun.job_name.not_in(known),
                                JobRun.started_at < now - timedelta(days=UNKNOWN_JOB_KEEP_DAYS))
    ).rowcount
    db.session.execute(
        sa.delete(SchedulerHeartbeat).where(SchedulerHeartbeat.beat_at < now - timedelta(days=HEARTBEAT_KEEP_DAYS))
    )
    return f"deleted {deleted} old runs"
