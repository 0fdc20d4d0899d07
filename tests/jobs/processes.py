"""A child process that runs one job, for the two-process exactly-once test (spawned, so importable)."""
from __future__ import annotations


def run_in_child(database_url: str, instance: str, barrier, results) -> None:
    from incubator import create_app
    from incubator.config import test_overrides
    from incubator.jobs import registry
    from incubator.jobs.runner import run_job
    from tests.jobs import tasks
    from tests.jobs.conftest import TEST_JOBS

    registry.JOBS = registry.JOBS + TEST_JOBS
    tasks.CONTROL["sleep"] = 0.5  # hold the claim while the other process tries
    app = create_app(test_overrides(database_url, instance))
    barrier.wait(30)
    results.put(run_job(app, "weekly_monday", period="2026-W48").status)
