"""Fixtures for the progress tests: a running cohort, a startup with a founder, a manager, helpers for figures."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest

from incubator.auth.models import Role
from incubator.cohorts.models import CohortStatus
from tests.factories import CohortFactory, StartupFactory, UserFactory, founder_of

PHNOM_PENH = timezone(timedelta(hours=7))


def pp(*args) -> datetime:
    """A wall-clock time in Phnom Penh (UTC+7, no daylight saving) as an aware datetime."""
    return datetime(*args, tzinfo=PHNOM_PENH)


def figures(**overrides) -> dict:
    """Service-level KPI figures (money in minor units)."""
    values = {"revenue": 150_000, "paying_customers": 12, "active_users": 340, "employees_full_time": 4,
              "employees_full_time_women": 2, "employees_part_time": 2, "employees_part_time_women": 1,
              "funding_raised": 0, "cash_in_bank": 2_500_000}
    values.update(overrides)
    return values


def kpi_form(month: str, **overrides) -> dict:
    """The web form's fields (money in major units, as typed)."""
    data = {"month": month, "revenue": "1500.00", "paying_customers": "12", "active_users": "340",
            "employees_full_time": "4", "employees_full_time_women": "2", "employees_part_time": "2",
            "employees_part_time_women": "1", "funding_raised": "0", "cash_in_bank": "25000", "note": ""}
    data.update(overrides)
    return data


@pytest.fixture
def manager():
    return UserFactory(role=Role.MANAGER, name="Maly Manager")


@pytest.fixture
def cohort():
    today = date.today()
    return CohortFactory(status=CohortStatus.RUNNING, starts_on=today - timedelta(days=120),
                         ends_on=today + timedelta(days=120), name="Cohort Mekong")


@pytest.fixture
def startup(cohort):
    return StartupFactory(cohort=cohort, name="Kasekor Cold Chain")


@pytest.fixture
def founder(startup):
    return founder_of(startup, name="Sokha Chan")


@pytest.fixture
def other_founder(cohort):
    return founder_of(StartupFactory(cohort=cohort, name="Mekong Pay"))


@pytest.fixture
def mentor():
    return UserFactory(role=Role.MENTOR)
