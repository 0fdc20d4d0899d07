"""The managers' jobs page: schedules in Phnom Penh time, runs, the scheduler's heartbeat and "Run now"."""
from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
import time_machine

from incubator.auth.models import Role
from incubator.db import utcnow
from incubator.extensions import db
from incubator.jobs.models import JobRun, JobRunStatus, JobTrigger, SchedulerHeartbeat
from incubator.jobs.scheduler import beat
from tests.factories import UserFactory
from tests.jobs import tasks

PP = ZoneInfo("Asia/Phnom_Penh")


def _manager(login, **kwargs):
    manager = UserFactory(role=Role.MANAGER, **kwargs)
    login(manager)
    return manager


def test_page_lists_every_job_with_schedule_next_run_and_policy(client, login, test_jobs):
    # A manager in Berlin still sees the schedule in the incubator's time zone.
    _manager(login, timezone="Europe/Berlin")
    # Next Friday noon in Phnom Penh (ahead of now: the session cookie must not be from the future).
    today = utcnow().astimezone(PP).date()
    friday = today + timedelta(days=(4 - today.weekday()) % 7 or 7)
    monday = friday + timedelta(days=3)
    with time_machine.travel(datetime.combine(friday, time(12), tzinfo=PP), tick=False):
        page = client.get("/jobs/").get_data(as_text=True)
    for name in ("deliver_email", "prune_job_runs", "weekly_monday"):
        assert f'id="job-{name}"' in page
    assert "Every Monday at 09:00 (Asia/Phnom_Penh)" in page
    assert f"{monday.day} {monday:%b %Y}, 09:00" in page  # next run of the Monday job, Phnom Penh time
    assert "Every minute" in page and "No catch-up" in page
    assert "Once per week (Monday to Sunday)" in page
    assert "No scheduler has ever reported" in page


def test_page_shows_runs_with_status_duration_and_error(app, client, login, test_jobs):
    from incubator.jobs.runner import run_job

    run_job(app, "weekly_monday", period="2026-W48")
    run_job(app, "always_fails", period="2026-11-23")
    _manager(login)
    page = client.get("/jobs/").get_data(as_text=True)
    assert "2026-W48" in page and "effect for 2026-W48" in page
    assert "Succeeded" in page and "Failed" in page
    assert "RuntimeError: this job is broken" in page
    history = client.get("/jobs/always_fails").get_data(as_text=True)
    assert "Run history" in history and "this job is broken" in history
    assert client.get("/jobs/no_such_job").status_code == 404


def test_heartbeat_shows_the_scheduler_is_alive(app, client, login):
    beat(app, utcnow() - timedelta(hours=1))
    _manager(login)
    page = client.get("/jobs/").get_data(as_text=True)
    assert "The scheduler is running on" in page
    row = db.session.scalar(sa.select(SchedulerHeartbeat))
    row.beat_at = utcnow() - timedelta(minutes=10)
    db.session.commit()
    assert "No scheduler has reported since" in client.get("/jobs/").get_data(as_text=True)


def test_run_now_is_once_per_period_unless_forced(client, login, test_jobs):
    manager = _manager(login)
    first = client.post("/jobs/weekly_monday/run", follow_redirects=True).get_data(as_text=True)
    assert "weekly_monday ran for 20" in first
    second = client.post("/jobs/weekly_monday/run", follow_redirects=True).get_data(as_text=True)
    assert "has already run for" in second and "Run again" in second
    forced = client.post("/jobs/weekly_monday/run", data={"weekly_monday-force": "y"}, follow_redirects=True)
    assert "weekly_monday ran for manual:" in forced.get_data(as_text=True)
    assert len(tasks.effects()) == 2
    runs = db.session.scalars(sa.select(JobRun).where(JobRun.job_name == "weekly_monday")).all()
    assert {(r.trigger, r.triggered_by_id) for r in runs} == {(JobTrigger.MANUAL, manager.id)}


def test_run_now_of_a_failing_job_says_so(client, login, test_jobs):
    _manager(login)
    page = client.post("/jobs/always_fails/run", follow_redirects=True).get_data(as_text=True)
    assert "always_fails failed and nothing it did was kept" in page and "this job is broken" in page
    run = db.session.scalar(sa.select(JobRun).where(JobRun.job_name == "always_fails"))
    assert run.status == JobRunStatus.FAILED


def test_the_outbox_links_to_the_jobs_page(client, login):
    _manager(login)
    assert 'href="/jobs/"' in client.get("/outbox/").get_data(as_text=True)
