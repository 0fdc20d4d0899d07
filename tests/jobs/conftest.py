"""Test jobs added to the registry: a Monday 09:00 weekly job, a daily one and some that misbehave."""
from __future__ import annotations

from datetime import timedelta

import pytest

from incubator.jobs import registry
from incubator.jobs.periods import Granularity
from incubator.jobs.registry import JobSpec
from incubator.jobs.schedules import Schedule, daily, every, weekly
from tests.jobs import tasks

TEST_JOBS = (
    JobSpec(name="weekly_monday", task="tests.jobs.tasks:record_effect", schedule=weekly("mon", 9),
            period=Granularity.WEEK, description="Monday 09:00", policy="catch up once", catch_up=True),
    JobSpec(name="daily_report", task="tests.jobs.tasks:record_effect", schedule=daily(8), period=Granularity.DAY,
            description="daily", policy="catch up once", catch_up=True),
    JobSpec(name="nudge_thursday", task="tests.jobs.tasks:record_effect", schedule=weekly("thu", 9),
            period=Granularity.WEEK, description="Thursday nudge", policy="within a day", catch_up=True,
            catch_up_within=timedelta(hours=24)),
    JobSpec(name="sweep", task="tests.jobs.tasks:record_effect", schedule=every(5), period=Granularity.MINUTE,
            description="sweep", policy="no catch-up"),
    JobSpec(name="crash_midway", task="tests.jobs.tasks:crash_midway", schedule=daily(7), period=Granularity.DAY,
            description="crashes", policy="catch up once", catch_up=True),
    JobSpec(name="always_fails", task="tests.jobs.tasks:always_fails", schedule=daily(6), period=Granularity.DAY,
            description="broken", policy="catch up once", catch_up=True),
    JobSpec(name="every_second", task="tests.jobs.tasks:record_effect", schedule=Schedule({"second": "*"}),
            period=Granularity.MINUTE, description="every second", policy="none", misfire_grace_seconds=5),
)


@pytest.fixture
def test_jobs(monkeypatch):
    """The registry with the test jobs added after the real ones."""
    monkeypatch.setattr(registry, "JOBS", registry.JOBS + TEST_JOBS)
    monkeypatch.setitem(tasks.CONTROL, "crash", False)
    monkeypatch.setitem(tasks.CONTROL, "sleep", 0.0)
    return {spec.name: spec for spec in TEST_JOBS}


def only(names: tuple[str, ...]):
    """The test specs called ``names`` (for ``catch_up(jobs=...)``)."""
    return [spec for spec in TEST_JOBS if spec.name in names]
