"""`flask jobs list | run-once | run`."""
from __future__ import annotations

import sqlalchemy as sa

from incubator.extensions import db
from incubator.jobs import scheduler as scheduler_module
from incubator.jobs.models import JobRun, JobTrigger, SchedulerHeartbeat
from tests.jobs import tasks


def _cli(app, *args):
    result = app.test_cli_runner().invoke(args=["jobs", *args])
    db.session.expire_all()
    return result


def test_list_shows_schedules_policies_and_last_runs(app, test_jobs):
    _cli(app, "run-once", "weekly_monday", "--period", "2026-W48")
    result = _cli(app, "list")
    assert result.exit_code == 0, result.output
    assert "Times in Asia/Phnom_Penh." in result.output
    assert "deliver_email  (cron[minute='*'], once per minute)" in result.output
    assert "schedule: Every Monday at 09:00; next run" in result.output
    assert "catch-up: catch up once" in result.output
    assert "last run: succeeded for 2026-W48" in result.output


def test_run_once_is_once_per_period_unless_forced(app, test_jobs):
    first = _cli(app, "run-once", "weekly_monday", "--period", "2026-W48")
    assert first.exit_code == 0 and "weekly_monday ran for 2026-W48" in first.output
    second = _cli(app, "run-once", "weekly_monday", "--period", "2026-W48")
    assert second.exit_code == 0 and "already ran for 2026-W48; nothing done" in second.output
    forced = _cli(app, "run-once", "weekly_monday", "--period", "2026-W48", "--force")
    assert forced.exit_code == 0 and "ran for manual:" in forced.output
    assert len(tasks.effects()) == 2
    assert set(db.session.scalars(sa.select(JobRun.trigger))) == {JobTrigger.CLI}


def test_run_once_failures_and_mistakes_exit_non_zero(app, test_jobs):
    failed = _cli(app, "run-once", "always_fails")
    assert failed.exit_code == 1 and "always_fails failed" in failed.output and "this job is broken" in failed.output
    unknown = _cli(app, "run-once", "nope")
    assert unknown.exit_code == 2 and "no job called 'nope'" in unknown.output
    bad = _cli(app, "run-once", "weekly_monday", "--period", "2026-11-23")
    assert bad.exit_code == 2 and "expected YYYY-Www" in bad.output


def test_help_texts(app):
    for command in ("run", "list", "run-once"):
        result = _cli(app, command, "--help")
        assert result.exit_code == 0 and len(result.output) > 100


def test_run_beats_catches_up_then_starts_the_scheduler(app, test_jobs, monkeypatch):
    started = []
    monkeypatch.setattr(scheduler_module.BlockingScheduler, "start", lambda self: started.append(self))
    monkeypatch.setattr(scheduler_module.signal, "signal", lambda *args: None)
    result = _cli(app, "run")
    assert result.exit_code == 0, result.output
    assert "Scheduler starting (times in Asia/Phnom_Penh)" in result.output and "Scheduler stopped." in result.output
    assert len(started) == 1 and {job.id for job in started[0].get_jobs()} >= {"deliver_email", "weekly_monday"}
    assert db.session.scalar(sa.select(sa.func.count(SchedulerHeartbeat.id))) == 1
    # Whatever the time of day, each catch-up job whose time in this period has come ran once.
    caught_up = db.session.scalars(sa.select(JobRun).where(JobRun.trigger == JobTrigger.CATCH_UP)).all()
    assert all(run.attempts == 1 for run in caught_up)
    assert len({run.job_name for run in caught_up}) == len(caught_up)


def test_run_refuses_inside_a_web_worker(app, monkeypatch):
    monkeypatch.setitem(__import__("sys").modules, "gunicorn.arbiter", object())
    result = _cli(app, "run")
    assert result.exit_code == 1 and "never in a web worker" in result.output
