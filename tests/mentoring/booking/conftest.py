"""Fixtures for the mentoring-session tests: a running cohort, a startup with a founder in Phnom Penh, a mentor in
Berlin matched with it (accepted), and helpers to give the mentor weekly hours and to book.

Dates used throughout: Berlin changes to summer time on Sunday 29 March 2026 and back on Sunday 25 October 2026;
Phnom Penh stays at UTC+7 all year.
"""
from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from incubator.auth.models import Role
from incubator.cohorts.models import CohortStatus
from incubator.mentoring.models import MatchStatus
from incubator.mentoring.services import availability
from tests.factories import CohortFactory, StartupFactory, UserFactory, founder_of
from tests.mentoring.factories import match

BERLIN = ZoneInfo("Europe/Berlin")
PHNOM_PENH = ZoneInfo("Asia/Phnom_Penh")


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=timezone.utc)


def berlin(*args) -> datetime:
    return datetime(*args, tzinfo=BERLIN).astimezone(timezone.utc)


def pp(*args) -> datetime:
    return datetime(*args, tzinfo=PHNOM_PENH).astimezone(timezone.utc)


def hm(text: str) -> time:
    return time.fromisoformat(text)


def weekly(mentor, hours: dict[int, list[tuple[str, str]]], **settings) -> None:
    """Give ``mentor`` weekly hours (``{0: [("09:00", "12:00")]}``) and booking settings (defaults otherwise)."""
    values = {"slot_minutes": 45, "buffer_minutes": 15, "notice_hours": 12, "window_days": 30, "location": "",
              "paused": False} | settings
    availability.save_availability(mentor, {d: [(hm(a), hm(b)) for a, b in r] for d, r in hours.items()}, values)


@pytest.fixture
def cohort():
    today = date.today()
    return CohortFactory(status=CohortStatus.RUNNING, starts_on=today - timedelta(days=400),
                         ends_on=today + timedelta(days=400), name="Cohort Mekong")


@pytest.fixture
def startup(cohort):
    return StartupFactory(cohort=cohort, name="Kasekor Cold Chain")


@pytest.fixture
def founder(startup):
    return founder_of(startup, name="Sokha Chan", timezone="Asia/Phnom_Penh")


@pytest.fixture
def mentor(startup):
    user = UserFactory(role=Role.MENTOR, name="Anna Becker", timezone="Europe/Berlin")
    match(startup, user, MatchStatus.ACCEPTED)
    return user


@pytest.fixture
def manager():
    return UserFactory(role=Role.MANAGER, name="Maly Manager")


@pytest.fixture
def other_startup(cohort):
    return StartupFactory(cohort=cohort, name="Mekong Pay")


@pytest.fixture
def other_founder(other_startup):
    return founder_of(other_startup, name="Dara Keo")
