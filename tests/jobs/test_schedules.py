"""Schedules and period keys are computed in Asia/Phnom_Penh (UTC+7), whatever the server's clock zone."""
from __future__ import annotations

from datetime import datetime, timezone
from zoneinfo import ZoneInfo

import pytest
import time_machine
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from incubator.jobs.periods import Granularity, parse_period, period_containing
from incubator.jobs.scheduler import SchedulerRefused, build_scheduler, next_run_times, start
from incubator.jobs.schedules import every, monthly, weekly

PP = ZoneInfo("Asia/Phnom_Penh")
TZ = "Asia/Phnom_Penh"


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=timezone.utc)


def test_monday_9am_local_fires_at_2am_utc(app, test_jobs):
    # Friday 20 November 2026, noon in Phnom Penh.
    with time_machine.travel(datetime(2026, 11, 20, 12, 0, tzinfo=PP), tick=False):
        nxt = next_run_times(app)["weekly_monday"]
    assert nxt == utc(2026, 11, 23, 2, 0)
    assert nxt.astimezone(PP).strftime("%A %H:%M") == "Monday 09:00"


def test_monday_9am_when_it_is_monday_morning_utc_but_already_monday_evening_locally(app, test_jobs):
    # Monday 23 Nov 2026 10:00 UTC is Monday 17:00 in Phnom Penh: this week's run is over.
    with time_machine.travel(utc(2026, 11, 23, 10, 0), tick=False):
        assert next_run_times(app)["weekly_monday"] == utc(2026, 11, 30, 2, 0)
    # Sunday 22 Nov 2026 20:00 UTC is already Monday 03:00 in Phnom Penh: the run is 6 hours away.
    with time_machine.travel(utc(2026, 11, 22, 20, 0), tick=False):
        assert next_run_times(app)["weekly_monday"] == utc(2026, 11, 23, 2, 0)


def test_daily_and_minute_schedules(app, test_jobs):
    with time_machine.travel(utc(2026, 11, 22, 23, 30, 10), tick=False):  # 06:30:10 local
        times = next_run_times(app)
    assert times["daily_report"] == utc(2026, 11, 23, 1, 0)  # 08:00 local
    assert times["sweep"] == utc(2026, 11, 22, 23, 35)  # on the next */5 minute
    assert times["deliver_email"] == utc(2026, 11, 22, 23, 31)
    assert monthly(1, 6).next_fire_time(utc(2026, 11, 22), TZ) == datetime(2026, 12, 1, 6, 0, tzinfo=PP)


def test_week_keys_follow_local_time():
    # The same UTC evening is Sunday night (week 47) before 17:00 UTC and Monday (week 48) after.
    assert period_containing("week", utc(2026, 11, 22, 16, 59), TZ).key == "2026-W47"
    week48 = period_containing("week", utc(2026, 11, 22, 17, 0), TZ)
    assert week48.key == "2026-W48"
    assert (week48.start, week48.end) == (utc(2026, 11, 22, 17, 0), utc(2026, 11, 29, 17, 0))


@pytest.mark.parametrize(("granularity", "moment", "key"), [
    ("minute", utc(2026, 11, 22, 23, 59, 59), "2026-11-23T06:59"),
    ("hour", utc(2026, 11, 22, 23, 59), "2026-11-23T06"),
    ("day", utc(2026, 11, 22, 16, 59), "2026-11-22"),
    ("day", utc(2026, 11, 22, 17, 0), "2026-11-23"),
    ("month", utc(2026, 11, 30, 17, 0), "2026-12"),
    ("week", utc(2026, 12, 28, 0, 0), "2026-W53"),
    ("week", utc(2027, 1, 3, 17, 0), "2027-W01"),
])
def test_period_keys(granularity, moment, key):
    period = period_containing(granularity, moment, TZ)
    assert period.key == key
    assert period.contains(moment)
    assert parse_period(granularity, key, TZ) == period


@pytest.mark.parametrize(("granularity", "key"), [
    ("week", "2026-48"), ("week", "2026-W54"), ("day", "2026-11-31"), ("day", "2026-W48"), ("month", "2026-13"),
    ("minute", "2026-11-23 09:05"), ("day", "manual:2026"),
])
def test_bad_period_keys_are_refused(granularity, key):
    with pytest.raises(ValueError):
        parse_period(granularity, key, TZ)


def test_schedules_in_words(app):
    with app.test_request_context():
        assert weekly("mon", 9).describe() == "Every Monday at 09:00"
        assert every(1).describe() == "Every minute"
        assert every(15).describe() == "Every 15 minutes"
        assert monthly(1, 6).describe() == "On day 1 of every month at 06:00"
    assert weekly("mon", 9).cron == "cron[day_of_week='mon', hour='9', minute='0']"
    with pytest.raises(ValueError):
        weekly("monday", 9)


def test_scheduler_has_every_job_in_phnom_penh_with_memory_store(app, test_jobs):
    scheduler = build_scheduler(app, blocking=False)
    assert isinstance(scheduler, BackgroundScheduler) and not scheduler.running
    scheduler.start(paused=True)  # adds the jobs with their defaults; nothing runs while paused
    try:
        jobs = {job.id: job for job in scheduler.get_jobs()}
    finally:
        scheduler.shutdown(wait=False)
    assert set(test_jobs) | {"deliver_email", "prune_job_runs", "_heartbeat", "_catch_up"} <= set(jobs)
    weekly_job = jobs["weekly_monday"]
    assert isinstance(weekly_job.trigger, CronTrigger) and str(weekly_job.trigger.timezone) == TZ
    assert isinstance(jobs["_heartbeat"].trigger, IntervalTrigger)
    assert (weekly_job.coalesce, weekly_job.max_instances) == (True, 1)
    assert jobs["deliver_email"].misfire_grace_time == 30
    assert str(scheduler.timezone) == TZ
    assert type(scheduler._jobstores["default"]).__name__ == "MemoryJobStore"


def test_scheduler_refuses_to_start_in_a_web_worker(app, monkeypatch):
    monkeypatch.setitem(__import__("sys").modules, "gunicorn.arbiter", object())
    with pytest.raises(SchedulerRefused):
        start(app)
    with app.test_request_context(), pytest.raises(SchedulerRefused):
        monkeypatch.delitem(__import__("sys").modules, "gunicorn.arbiter")
        start(app)


def test_granularity_values_are_the_five_periods():
    assert [g.value for g in Granularity] == ["minute", "hour", "day", "week", "month"]
