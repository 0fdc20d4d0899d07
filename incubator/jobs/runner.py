"""The one runner every job goes through: app context, exactly-once claim, commit or rollback, a record.

``run_job`` opens a fresh app context (its own session and transaction), claims ``(job_name,
period_key)`` in ``job_runs``, calls the task, and commits the claim together with the task's effect.
Whoever comes second (another scheduler, a retry, a restart) finds the row and does nothing: on
PostgreSQL its insert waits for the first transaction and then hits the unique constraint; on SQLite
``BEGIN IMMEDIATE`` makes it wait and then it sees the committed row. If the task raises, everything
is rolled back and a ``failed`` row is written in a second transaction; the next attempt for that
period claims that row. Emails queued by the task are sent only after the commit.
"""
from __future__ import annotations

import importlib
import logging
import time
import traceback
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import Flask, current_app
from sqlalchemy.exc import IntegrityError

from incubator.db import is_unique_violation, utcnow
from incubator.extensions import db
from incubator.jobs.models import JobRun, JobRunStatus, JobTrigger
from incubator.jobs.periods import Period, parse_period, period_containing
from incubator.jobs.registry import JobSpec, all_jobs, get_job
from incubator.notifications.email import deliver_committed

log = logging.getLogger(__name__)

SUCCEEDED, FAILED, SKIPPED = "succeeded", "failed", "skipped"
# Catch-up retries a failed period by itself at most this many times; "Run now" can always retry.
CATCH_UP_MAX_ATTEMPTS = 3


class UnknownJob(LookupError):
    """No job of that name in the registry."""


@dataclass(frozen=True)
class RunContext:
    """What a task is told about its run.

    :param period: the period the run is for (the current one, or the one asked for with ``--period``).
    :param run_key: the exactly-once key recorded in ``job_runs``: ``period.key``, or
        ``manual:<timestamp>`` for a forced run. Build dedupe keys for emails from it.
    """

    job_name: str
    period: Period
    run_key: str
    trigger: JobTrigger
    started_at: datetime
    forced: bool
    timezone: str


@dataclass(frozen=True)
class RunOutcome:
    job_name: str
    period_key: str
    status: str  # succeeded, failed or skipped (already done for this period)
    summary: str = ""
    error: str = ""
    duration_ms: int = 0


def _task(path: str) -> Callable[[RunContext], object]:
    module, _, name = path.partition(":")
    return getattr(importlib.import_module(module), name)


def run_job(
    app: Flask,
    name: str,
    *,
    period: str | None = None,
    force: bool = False,
    trigger: JobTrigger = JobTrigger.SCHEDULED,
    user_id: int | None = None,
    now: datetime | None = None,
) -> RunOutcome:
    """Run the job ``name`` once for a period, in its own app context and transaction.

    :param period: a period key of the job's granularity (``2026-W48``); default: the current period.
    :param force: run even if the period already ran, under the distinct key ``manual:<timestamp>``.
    :param trigger: what started it (recorded).
    :param user_id: who pressed "Run now" (recorded).
    :param now: the current time (tests); default: now.
    :return: the outcome; a failing task never raises out of here.
    :raises UnknownJob: no such job. ``ValueError``: ``period`` is not a key of the job's granularity.
    """
    spec = get_job(name)
    if spec is None:
        raise UnknownJob(name)
    with app.app_context():
        tz = current_app.config["DEFAULT_TIMEZONE"]
        started = now or utcnow()
        natural = parse_period(spec.period, period, tz) if period else period_containing(spec.period, started, tz)
        key = "manual:" + started.strftime("%Y-%m-%dT%H:%M:%S.%fZ") if force else natural.key
        context = RunContext(spec.name, natural, key, JobTrigger(trigger), started, force, tz)
        return _run(spec, context, user_id)


def _run(spec: JobSpec, context: RunContext, user_id: int | None) -> RunOutcome:
    clock = time.monotonic()
    run = None
    try:
        run = _claim(spec, context, user_id)
        if run is None:
            db.session.rollback()
            log.info("job %s: %s already done; skipped", spec.name, context.run_key)
            return RunOutcome(spec.name, context.run_key, SKIPPED)
        summary = str(_task(spec.task)(context) or "")[:255]
        run.status = JobRunStatus.SUCCEEDED
        run.summary, run.error = summary, ""
        run.finished_at = utcnow()
        run.duration_ms = duration = int((time.monotonic() - clock) * 1000)
        db.session.commit()
    except BaseException as exc:
        # Roll back the claim together with everything the task did, then record the failure apart.
        db.session.rollback()
        if not isinstance(exc, Exception):
            raise
        if run is None and isinstance(exc, IntegrityError) and is_unique_violation(exc):
            log.info("job %s: %s done by another runner; skipped", spec.name, context.run_key)
            return RunOutcome(spec.name, context.run_key, SKIPPED)
        duration = int((time.monotonic() - clock) * 1000)
        error = "".join(traceback.format_exception(exc))[-4000:]
        log.exception("job %s (%s) failed", spec.name, context.run_key)
        _record_failure(spec, context, user_id, error, duration)
        return RunOutcome(spec.name, context.run_key, FAILED, error=f"{type(exc).__name__}: {exc}"[:500],
                          duration_ms=duration)
    deliver_committed()
    log.info("job %s (%s) succeeded in %d ms: %s", spec.name, context.run_key, duration, summary)
    return RunOutcome(spec.name, context.run_key, SUCCEEDED, summary, duration_ms=duration)


def _existing(spec: JobSpec, key: str) -> JobRun | None:
    return db.session.scalar(
        sa.select(JobRun).where(JobRun.job_name == spec.name, JobRun.period_key == key).with_for_update()
    )


def _claim(spec: JobSpec, context: RunContext, user_id: int | None) -> JobRun | None:
    """The ``job_runs`` row this attempt owns until commit, or ``None`` if the period is already done."""
    run = _existing(spec, context.run_key)
    if run is not None and run.status == JobRunStatus.SUCCEEDED:
        return None
    if run is None:
        run = JobRun(job_name=spec.name, period_key=context.run_key, attempts=0)
        db.session.add(run)
    run.attempts += 1
    run.status = JobRunStatus.SUCCEEDED  # only ever visible once committed, i.e. once it really succeeded
    run.trigger, run.triggered_by_id, run.started_at = context.trigger, user_id, context.started_at
    db.session.flush()  # the unique constraint speaks now, before any work is done
    return run


def _record_failure(spec: JobSpec, context: RunContext, user_id: int | None, error: str, duration: int) -> None:
    try:
        run = _existing(spec, context.run_key)
        if run is not None and run.status == JobRunStatus.SUCCEEDED:
            db.session.rollback()  # another runner did the work meanwhile
            return
        if run is None:
            run = JobRun(job_name=spec.name, period_key=context.run_key, attempts=0)
            db.session.add(run)
        run.attempts += 1
        run.status, run.trigger, run.triggered_by_id = JobRunStatus.FAILED, context.trigger, user_id
        run.started_at, run.finished_at, run.duration_ms = context.started_at, utcnow(), duration
        run.summary, run.error = "", error
        db.session.commit()
    except Exception as exc:
        db.session.rollback()
        if isinstance(exc, IntegrityError) and is_unique_violation(exc):
            return  # another runner claimed the period meanwhile (and did the work)
        log.exception("could not record the failure of job %s (%s)", spec.name, context.run_key)


# Catching up ---------------------------------------------------------------------------------


def missed_time(spec: JobSpec, now: datetime, tz: str) -> datetime | None:
    """The latest scheduled time of the current period that has already passed, if any.

    :return: ``None`` when this period's scheduled time is still ahead, or is older than
        ``spec.catch_up_within``.
    """
    period = period_containing(spec.period, now, tz)
    trigger = spec.schedule.trigger(tz)
    fire = trigger.get_next_fire_time(None, period.start)
    missed = None
    for _ in range(10_000):  # bounded: a period holds few fire times for the schedules we use
        if fire is None or fire > now or not period.contains(fire):
            break
        missed = fire
        fire = trigger.get_next_fire_time(fire, fire + timedelta(seconds=1))
    if missed is None or (spec.catch_up_within is not None and now - missed > spec.catch_up_within):
        return None
    return missed


def _needs_catch_up(spec: JobSpec, now: datetime, tz: str) -> bool:
    if not spec.catch_up or missed_time(spec, now, tz) is None:
        return False
    key = period_containing(spec.period, now, tz).key
    run = db.session.scalar(sa.select(JobRun).where(JobRun.job_name == spec.name, JobRun.period_key == key))
    db.session.rollback()  # end the read: on SQLite every transaction holds the write lock
    return run is None or (run.status == JobRunStatus.FAILED and run.attempts < CATCH_UP_MAX_ATTEMPTS)


def catch_up(app: Flask, now: datetime | None = None, jobs: Iterable[JobSpec] | None = None) -> list[RunOutcome]:
    """Run, once, each catch-up job whose scheduled time in the current period passed without success.

    However many periods were missed, only the current one is run. A failing job does not stop the
    others. The scheduler calls this on start and every few minutes (which also retries failures).

    :return: one outcome per job that was run.
    """
    outcomes = []
    for spec in jobs if jobs is not None else all_jobs():
        try:
            with app.app_context():
                now_ = now or utcnow()
                due = _needs_catch_up(spec, now_, current_app.config["DEFAULT_TIMEZONE"])
            if due:
                outcomes.append(run_job(app, spec.name, trigger=JobTrigger.CATCH_UP, now=now_))
        except Exception:
            log.exception("catch-up of job %s failed", spec.name)
    return outcomes
