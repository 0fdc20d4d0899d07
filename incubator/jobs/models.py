"""Job runs (one row per job and period, the exactly-once record) and the scheduler's heartbeat."""
from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from incubator.db import UTCDateTime, str_enum, utcnow
from incubator.extensions import db


class JobRunStatus(enum.StrEnum):
    SUCCEEDED = "succeeded"
    FAILED = "failed"  # rolled back; the next run for the same period tries again


class JobTrigger(enum.StrEnum):
    SCHEDULED = "scheduled"
    CATCH_UP = "catch_up"  # run on start because the process was down when it was due
    MANUAL = "manual"  # "Run now" on the jobs page
    CLI = "cli"  # flask jobs run-once


class JobRun(db.Model):
    """The record that a job did its work for one period.

    The row is inserted in the same transaction as the job's effect, under a unique
    ``(job_name, period_key)``: a second scheduler, a retry or a restart finds it and does nothing.
    A failed run keeps its row with ``status=failed``; the next attempt claims that row.
    """

    __tablename__ = "job_runs"
    __table_args__ = (
        sa.UniqueConstraint("job_name", "period_key"),
        sa.Index("ix_job_runs_job_name_started_at", "job_name", "started_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    job_name: Mapped[str] = mapped_column(sa.String(80))
    period_key: Mapped[str] = mapped_column(sa.String(80))
    status: Mapped[JobRunStatus] = mapped_column(str_enum(JobRunStatus))
    trigger: Mapped[JobTrigger] = mapped_column(str_enum(JobTrigger))
    triggered_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    attempts: Mapped[int] = mapped_column(default=1)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    finished_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    duration_ms: Mapped[int] = mapped_column(default=0)
    summary: Mapped[str] = mapped_column(sa.String(255), default="")
    error: Mapped[str] = mapped_column(sa.Text, default="")


class SchedulerHeartbeat(db.Model):
    """One row per host running ``flask jobs run``, stamped every minute (for the jobs page and health checks)."""

    __tablename__ = "scheduler_heartbeats"

    id: Mapped[int] = mapped_column(primary_key=True)
    hostname: Mapped[str] = mapped_column(sa.String(255), unique=True)
    pid: Mapped[int] = mapped_column(default=0)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    beat_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
