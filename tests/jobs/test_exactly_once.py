"""Exactly once under real concurrency: threads, two schedulers and two processes on one database.

These tests commit for real (``concurrent``), on SQLite (BEGIN IMMEDIATE) and on PostgreSQL (the unique
constraint on ``job_runs``), whichever the suite runs on.
"""
from __future__ import annotations

import multiprocessing
import threading
import time

import pytest
import sqlalchemy as sa

from incubator.extensions import db
from incubator.jobs import registry
from incubator.jobs import scheduler as scheduler_module
from incubator.jobs.models import JobRun, JobRunStatus
from incubator.jobs.runner import FAILED, SKIPPED, SUCCEEDED, run_job
from tests.jobs import tasks
from tests.jobs.conftest import TEST_JOBS
from tests.jobs.processes import run_in_child

pytestmark = pytest.mark.concurrent


def _runs() -> list[JobRun]:
    db.session.expire_all()
    runs = db.session.scalars(sa.select(JobRun).order_by(JobRun.id)).all()
    db.session.rollback()  # end the read: on SQLite a transaction holds the write lock
    return runs


def test_runners_started_at_once_do_the_work_once(app, test_jobs):
    tasks.CONTROL["sleep"] = 0.3
    db.session.rollback()
    barrier = threading.Barrier(4)
    outcomes = []

    def run():
        barrier.wait()
        outcomes.append(run_job(app, "weekly_monday", period="2026-W48"))

    threads = [threading.Thread(target=run) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert sorted(o.status for o in outcomes) == [SKIPPED, SKIPPED, SKIPPED, SUCCEEDED]
    assert [e.target_label for e in tasks.effects()] == ["2026-W48"]
    assert [(r.period_key, r.status) for r in _runs()] == [("2026-W48", JobRunStatus.SUCCEEDED)]


def test_a_crash_while_another_runner_waits_lets_the_other_do_the_work(app, test_jobs, monkeypatch):
    """The first claim rolls back (crash); the runner waiting behind it then does the work, once."""
    crashed = threading.Event()

    def crash_once(run):
        tasks._effect(run)
        if not crashed.is_set():
            crashed.set()
            time.sleep(0.3)
            raise RuntimeError("power cut")
        return "done"

    monkeypatch.setattr(tasks, "crash_midway", crash_once)
    db.session.rollback()
    barrier = threading.Barrier(2)
    outcomes = []

    def run():
        barrier.wait()
        outcomes.append(run_job(app, "crash_midway", period="2026-11-23").status)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert sorted(outcomes) == [FAILED, SUCCEEDED]
    assert len(tasks.effects()) == 1
    [run] = _runs()
    # attempts is 2 if the failure was recorded before the other claimed the period, else 1.
    assert run.status == JobRunStatus.SUCCEEDED and run.attempts in (1, 2)


def test_two_schedulers_at_once_run_each_period_once(app, monkeypatch):
    """Two real BlockingSchedulers, a job firing every second: every period's effect happens once."""
    monkeypatch.setattr(registry, "JOBS", tuple(s for s in TEST_JOBS if s.name == "every_second"))
    monkeypatch.setitem(tasks.CONTROL, "sleep", 0.3)
    attempts, lock = [], threading.Lock()
    real_run_job = scheduler_module.run_job

    def counting_run_job(app_, name, **kwargs):
        outcome = real_run_job(app_, name, **kwargs)
        with lock:
            attempts.append(outcome)
        return outcome

    monkeypatch.setattr(scheduler_module, "run_job", counting_run_job)
    db.session.rollback()
    schedulers = [scheduler_module.build_scheduler(app) for _ in range(2)]
    threads = [threading.Thread(target=s.start, daemon=True) for s in schedulers]
    for thread in threads:
        thread.start()
    time.sleep(3.5)
    for scheduler in schedulers:
        scheduler.shutdown(wait=True)
    for thread in threads:
        thread.join(10)

    runs = _runs()
    succeeded = [o for o in attempts if o.status == SUCCEEDED]
    assert len(attempts) >= 4, attempts  # both schedulers fired, several times
    assert any(o.status == SKIPPED for o in attempts)
    assert all(o.status in (SUCCEEDED, SKIPPED) for o in attempts)
    assert len(succeeded) == len(runs) == len({r.period_key for r in runs}) == len(tasks.effects())
    assert sorted(e.target_label for e in tasks.effects()) == sorted(r.period_key for r in runs)


def test_two_processes_run_the_same_period_once(app, tmp_path):
    context = multiprocessing.get_context("spawn")
    barrier, results = context.Barrier(2), context.Queue()
    db.session.rollback()
    processes = [
        context.Process(target=run_in_child,
                        args=(app.config["SQLALCHEMY_DATABASE_URI"], str(tmp_path / f"p{i}"), barrier, results))
        for i in range(2)
    ]
    for process in processes:
        process.start()
    for process in processes:
        process.join(120)
    assert [p.exitcode for p in processes] == [0, 0]
    assert sorted(results.get(timeout=5) for _ in processes) == [SKIPPED, SUCCEEDED]
    assert [e.target_label for e in tasks.effects()] == ["2026-W48"]
    assert [r.period_key for r in _runs()] == ["2026-W48"]
