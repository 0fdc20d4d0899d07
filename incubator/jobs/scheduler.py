"""The one scheduler: an APScheduler 3 ``BlockingScheduler`` started by ``flask jobs run``, never in a web worker.

Its job store is in memory and belongs to this process only (APScheduler: "job stores must never be
shared between schedulers"); what has run is recorded in ``job_runs`` instead, which is what makes a
second scheduler, a retry or a restart harmless. Schedules are cron triggers in ``DEFAULT_TIMEZONE``
(Asia/Phnom_Penh). Runs missed while the process was down are caught up by ``runner.catch_up`` on start
and every ``CATCH_UP_MINUTES`` (which also retries failed periods); within a running process APScheduler
coalesces late runs into one and drops those later than the job's ``misfire_grace_seconds``.
"""
from __future__ import annotations

import logging
import os
import signal
import socket
import sys
from datetime import datetime, timedelta

import sqlalchemy as sa
from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.jobstores.memory import MemoryJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.interval import IntervalTrigger
from flask import Flask, has_request_context

from incubator.db import utcnow
from incubator.extensions import db
from incubator.jobs.models import SchedulerHeartbeat
from incubator.jobs.registry import all_jobs
from incubator.jobs.runner import catch_up, run_job

log = logging.getLogger(__name__)

THREADS = 4
CATCH_UP_MINUTES = 10
HEARTBEAT_SECONDS = 60


class SchedulerRefused(RuntimeError):
    """Starting a scheduler here would run jobs once per web worker."""


def _refuse_in_web_process() -> None:
    if has_request_context() or "gunicorn.arbiter" in sys.modules:
        raise SchedulerRefused("The scheduler runs in its own process (flask jobs run), never in a web worker.")


def run_scheduled(app: Flask, name: str) -> None:
    """What APScheduler calls: one run through the runner; never raises (a failure is recorded)."""
    try:
        run_job(app, name)
    except Exception:
        log.exception("job %s could not be run", name)


def beat(app: Flask, started_at: datetime) -> None:
    """Stamp this host's heartbeat row (the jobs page and health checks read it)."""
    with app.app_context():
        try:
            hostname = socket.gethostname()[:255]
            row = db.session.scalar(sa.select(SchedulerHeartbeat).where(SchedulerHeartbeat.hostname == hostname))
            if row is None:
                row = SchedulerHeartbeat(hostname=hostname)
                db.session.add(row)
            row.pid, row.started_at, row.beat_at = os.getpid(), started_at, utcnow()
            db.session.commit()
        except Exception:
            db.session.rollback()
            log.exception("heartbeat failed")


def build_scheduler(app: Flask, blocking: bool = True, started_at: datetime | None = None) -> BaseScheduler:
    """A scheduler with every registry job, the heartbeat and the periodic catch-up (not started).

    :param blocking: ``BlockingScheduler`` for ``flask jobs run``; ``BackgroundScheduler`` for tests.
    """
    tz = app.config["DEFAULT_TIMEZONE"]
    scheduler_class = BlockingScheduler if blocking else BackgroundScheduler
    scheduler = scheduler_class(
        timezone=tz,
        jobstores={"default": MemoryJobStore()},
        executors={"default": ThreadPoolExecutor(THREADS)},
        job_defaults={"coalesce": True, "max_instances": 1},
    )
    for spec in all_jobs():
        scheduler.add_job(run_scheduled, trigger=spec.schedule.trigger(tz), args=(app, spec.name), id=spec.name,
                          name=spec.name, misfire_grace_time=spec.misfire_grace_seconds)
    started_at = started_at or utcnow()
    scheduler.add_job(beat, IntervalTrigger(seconds=HEARTBEAT_SECONDS, timezone=tz), args=(app, started_at),
                      id="_heartbeat", name="heartbeat", misfire_grace_time=HEARTBEAT_SECONDS)
    scheduler.add_job(catch_up, IntervalTrigger(minutes=CATCH_UP_MINUTES, timezone=tz), args=(app,),
                      id="_catch_up", name="catch-up", misfire_grace_time=CATCH_UP_MINUTES * 60)
    return scheduler


def start(app: Flask) -> None:
    """Run the scheduler in this process until SIGINT or SIGTERM: heartbeat, catch up, then the schedule.

    :raises SchedulerRefused: called from a web worker.
    """
    _refuse_in_web_process()
    # Our runner logs each run once; APScheduler's "Running job"/"executed successfully" lines would double it.
    logging.getLogger("apscheduler.executors").setLevel(logging.WARNING)
    started_at = utcnow()
    beat(app, started_at)
    for outcome in catch_up(app):
        log.info("caught up %s (%s): %s %s", outcome.job_name, outcome.period_key, outcome.status,
                 outcome.error or outcome.summary)
    scheduler = build_scheduler(app, started_at=started_at)

    def stop(signum, frame):
        log.info("signal %s: stopping the scheduler", signum)
        scheduler.shutdown(wait=False)

    signal.signal(signal.SIGTERM, stop)
    for job in scheduler.get_jobs():
        log.info("scheduled %s: %s", job.id, job.trigger)
    try:
        scheduler.start()
    except KeyboardInterrupt:
        scheduler.shutdown(wait=False)


def next_run_times(app: Flask, now: datetime | None = None) -> dict[str, datetime | None]:
    """Each registry job's next fire time after ``now`` (aware, in ``DEFAULT_TIMEZONE``)."""
    now = now or utcnow()
    tz = app.config["DEFAULT_TIMEZONE"]
    return {spec.name: spec.schedule.next_fire_time(now + timedelta(microseconds=1), tz) for spec in all_jobs()}
