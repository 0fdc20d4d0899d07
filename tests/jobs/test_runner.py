"""The runner: exactly once per period, crash = rollback, failures recorded and retried, catch-up once."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
import sqlalchemy as sa
import time_machine

from incubator.extensions import db
from incubator.jobs.models import JobRun, JobRunStatus, JobTrigger
from incubator.jobs.runner import (
    CATCH_UP_MAX_ATTEMPTS,
    FAILED,
    SKIPPED,
    SUCCEEDED,
    UnknownJob,
    catch_up,
    missed_time,
    run_job,
)
from tests.jobs import tasks
from tests.jobs.conftest import only

TZ = "Asia/Phnom_Penh"


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=timezone.utc)


def runs(name: str) -> list[JobRun]:
    db.session.expire_all()
    return db.session.scalars(sa.select(JobRun).where(JobRun.job_name == name).order_by(JobRun.id)).all()


def test_second_run_for_the_same_period_does_nothing(app, test_jobs):
    first = run_job(app, "weekly_monday", period="2026-W48")
    second = run_job(app, "weekly_monday", period="2026-W48")
    assert (first.status, second.status) == (SUCCEEDED, SKIPPED)
    assert [e.target_label for e in tasks.effects()] == ["2026-W48"]
    [run] = runs("weekly_monday")
    assert (run.period_key, run.status, run.trigger, run.attempts) == ("2026-W48", JobRunStatus.SUCCEEDED,
                                                                       JobTrigger.SCHEDULED, 1)
    assert run.summary == "effect for 2026-W48" and run.error == ""
    assert run.finished_at >= run.started_at and run.duration_ms >= 0


def test_the_current_period_comes_from_the_local_clock(app, test_jobs):
    with time_machine.travel(utc(2026, 11, 22, 17, 30), tick=False):  # Monday 00:30 in Phnom Penh
        outcome = run_job(app, "weekly_monday")
        again = run_job(app, "weekly_monday")
    assert (outcome.period_key, again.status) == ("2026-W48", SKIPPED)


def test_each_period_runs_once(app, test_jobs):
    for period in ("2026-W47", "2026-W48", "2026-W47", "2026-W48"):
        run_job(app, "weekly_monday", period=period)
    assert sorted(e.target_label for e in tasks.effects()) == ["2026-W47", "2026-W48"]


def test_force_runs_again_under_a_distinct_key(app, test_jobs):
    run_job(app, "weekly_monday", period="2026-W48")
    forced = run_job(app, "weekly_monday", period="2026-W48", force=True, trigger=JobTrigger.MANUAL)
    assert forced.status == SUCCEEDED and forced.period_key.startswith("manual:")
    assert len(tasks.effects()) == 2
    keys = [run.period_key for run in runs("weekly_monday")]
    assert keys[0] == "2026-W48" and keys[1].startswith("manual:20")
    # The forced run still knows which week it is for.
    assert tasks.effects()[1].details["period"] == "2026-W48"


def test_crash_in_the_middle_rolls_back_and_a_rerun_does_the_work_once(app, test_jobs):
    tasks.CONTROL["crash"] = True
    crashed = run_job(app, "crash_midway", period="2026-11-23")
    assert crashed.status == FAILED and "disk full halfway through" in crashed.error
    assert tasks.effects() == []  # the half-done work was rolled back with the claim
    [run] = runs("crash_midway")
    assert run.status == JobRunStatus.FAILED and run.attempts == 1
    assert "RuntimeError: disk full halfway through" in run.error and "Traceback" in run.error

    tasks.CONTROL["crash"] = False
    assert run_job(app, "crash_midway", period="2026-11-23").status == SUCCEEDED
    assert run_job(app, "crash_midway", period="2026-11-23").status == SKIPPED
    assert len(tasks.effects()) == 1
    [run] = runs("crash_midway")
    assert (run.status, run.attempts, run.error, run.summary) == (JobRunStatus.SUCCEEDED, 2, "", "done")


def test_unknown_job_and_bad_period(app, test_jobs):
    with pytest.raises(UnknownJob):
        run_job(app, "no_such_job")
    with pytest.raises(ValueError, match="expected YYYY-Www"):
        run_job(app, "weekly_monday", period="2026-11-23")
    assert runs("weekly_monday") == []


def test_queued_email_is_kept_only_when_the_job_succeeds(app, test_jobs, monkeypatch):
    from incubator.notifications.models import OutboxMessage
    from tests.factories import UserFactory

    user = UserFactory(email="reminded@example.org")
    user_id = user.id  # the task loads it in its own session
    db.session.commit()

    def task(run):
        from flask_babel import lazy_gettext as _l

        from incubator.notifications.services import notify

        notify(db.session.get(type(user), user_id), "reviews", _l("Reset your password"),
               dedupe_key=f"test:{run.run_key}")
        if tasks.CONTROL["crash"]:
            raise RuntimeError("after queuing")
        return "queued"

    monkeypatch.setattr(tasks, "crash_midway", task)
    tasks.CONTROL["crash"] = True
    assert run_job(app, "crash_midway", period="2026-11-23").status == FAILED
    assert db.session.scalar(sa.select(sa.func.count(OutboxMessage.id))) == 0
    tasks.CONTROL["crash"] = False
    assert run_job(app, "crash_midway", period="2026-11-23").status == SUCCEEDED
    assert run_job(app, "crash_midway", period="2026-11-23", force=True).status == SUCCEEDED
    emails = db.session.scalars(sa.select(OutboxMessage.dedupe_key)).all()
    assert len(emails) == 2 and emails[0] == "notify:test:2026-11-23"


# Catch-up ------------------------------------------------------------------------------------

WEDNESDAY = utc(2026, 11, 25, 5, 0)  # Wednesday 12:00 in Phnom Penh, week 48


def test_missed_time_is_this_periods_scheduled_time(test_jobs):
    assert missed_time(test_jobs["weekly_monday"], WEDNESDAY, TZ) == utc(2026, 11, 23, 2, 0)
    monday_early = utc(2026, 11, 23, 1, 0)  # Monday 08:00 local: the 09:00 run is still ahead
    assert missed_time(test_jobs["weekly_monday"], monday_early, TZ) is None
    # The Thursday nudge is only caught up within 24 hours of 09:00 Thursday.
    assert missed_time(test_jobs["nudge_thursday"], utc(2026, 11, 26, 12, 0), TZ) is not None
    assert missed_time(test_jobs["nudge_thursday"], utc(2026, 11, 28, 12, 0), TZ) is None


def test_catch_up_runs_once_however_many_periods_were_missed(app, test_jobs):
    # The scheduler last ran the job three weeks ago and was down since.
    run_job(app, "weekly_monday", period="2026-W45")
    outcomes = catch_up(app, now=WEDNESDAY, jobs=only(("weekly_monday",)))
    assert [(o.period_key, o.status) for o in outcomes] == [("2026-W48", SUCCEEDED)]
    assert catch_up(app, now=WEDNESDAY + timedelta(hours=1), jobs=only(("weekly_monday",))) == []
    assert sorted(e.target_label for e in tasks.effects()) == ["2026-W45", "2026-W48"]
    assert runs("weekly_monday")[-1].trigger == JobTrigger.CATCH_UP


def test_catch_up_leaves_jobs_whose_time_has_not_come_or_that_do_not_catch_up(app, test_jobs):
    monday_early = utc(2026, 11, 23, 1, 0)
    assert catch_up(app, now=monday_early, jobs=only(("weekly_monday", "sweep"))) == []
    assert catch_up(app, now=utc(2026, 11, 28, 12, 0), jobs=only(("nudge_thursday",))) == []
    assert tasks.effects() == []


def test_a_failing_job_does_not_stop_the_others(app, test_jobs):
    outcomes = catch_up(app, now=WEDNESDAY, jobs=only(("always_fails", "weekly_monday", "daily_report")))
    assert [(o.job_name, o.status) for o in outcomes] == [
        ("weekly_monday", SUCCEEDED), ("daily_report", SUCCEEDED), ("always_fails", FAILED)]
    assert len(tasks.effects()) == 2


def test_catch_up_retries_a_failed_period_a_few_times(app, test_jobs):
    for minutes in range(CATCH_UP_MAX_ATTEMPTS + 2):
        catch_up(app, now=WEDNESDAY + timedelta(minutes=10 * minutes), jobs=only(("always_fails",)))
    [run] = runs("always_fails")
    assert run.status == JobRunStatus.FAILED and run.attempts == CATCH_UP_MAX_ATTEMPTS
    # "Run now" can still retry it.
    assert run_job(app, "always_fails", trigger=JobTrigger.MANUAL, now=WEDNESDAY).status == FAILED
    assert runs("always_fails")[0].attempts == CATCH_UP_MAX_ATTEMPTS + 1
