"""Fixtures for the resources tests: a running cohort, a startup with a founder, a manager, a room, and a fixed
clock (Monday 23 November 2026, 09:00 in Phnom Penh) so weeks and months fall on known days."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest
import time_machine

from incubator.auth.models import Role
from incubator.cohorts.models import CohortStatus
from tests.factories import CohortFactory, StartupFactory, UserFactory, founder_of
from tests.resources.factories import ResourceFactory

PHNOM_PENH = timezone(timedelta(hours=7))
NOW = datetime(2026, 11, 23, 9, 0, tzinfo=PHNOM_PENH)  # a Monday


def pp(*args) -> datetime:
    """A wall-clock time in Phnom Penh (UTC+7, no daylight saving) as an aware datetime."""
    return datetime(*args, tzinfo=PHNOM_PENH)


@pytest.fixture
def clock():
    """Freeze time at ``NOW``; ``clock.move_to(pp(...))`` moves it."""
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def manager():
    return UserFactory(role=Role.MANAGER, name="Maly Manager")


@pytest.fixture
def cohort():
    return CohortFactory(status=CohortStatus.RUNNING, starts_on=date(2026, 9, 1), ends_on=date(2027, 2, 28),
                         name="Cohort Mekong")


@pytest.fixture
def startup(cohort):
    return StartupFactory(cohort=cohort, name="Kasekor Cold Chain")


@pytest.fixture
def founder(startup):
    return founder_of(startup, name="Sokha Chan")


@pytest.fixture
def other_startup(cohort):
    return StartupFactory(cohort=cohort, name="AngkorPay")


@pytest.fixture
def other_founder(other_startup):
    return founder_of(other_startup, name="Dara Pich")


@pytest.fixture
def room():
    return ResourceFactory(name="Mekong Meeting Room")
