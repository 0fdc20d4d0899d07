"""Fixtures for the grant tests: a running cohort, a startup with founders and milestones in every state,
a manager, and a USD 10,000 grant in three tranches (one payable by date, two waiting on milestones)."""
from __future__ import annotations

from datetime import date, timedelta

import pytest

from incubator.auth.models import Role
from incubator.cohorts.models import CohortStatus
from incubator.db import utcnow
from incubator.extensions import db
from incubator.grants.services.plans import create_grant
from incubator.progress.models import Milestone, MilestoneStatus, Verification
from tests.factories import CohortFactory, StartupFactory, UserFactory, founder_of
from tests.helpers import tbi_today

TODAY = tbi_today()


def milestone(startup, title: str, status=MilestoneStatus.PLANNED, verification=Verification.NONE,
              due_on: date | None = None) -> Milestone:
    row = Milestone(startup_id=startup.id, title=title, due_on=due_on or TODAY + timedelta(days=30), status=status,
                    verification=verification, evidence_url="https://example.org/proof" if status == "done" else "",
                    done_at=utcnow() if status == MilestoneStatus.DONE else None)
    db.session.add(row)
    db.session.flush()
    return row


def plan(milestones: dict, **overrides) -> dict:
    """USD 10,000: 3,000 on a past date (payable), 3,000 when ``pending`` is verified, 4,000 on ``planned``."""
    data = {
        "title": "Seed grant 2026", "currency": "USD", "total": "10000", "conditions": "Monthly KPI reports.",
        "tranches": [
            {"label": "On signing", "amount": "3000", "unlock": "date", "due_on": TODAY - timedelta(days=10)},
            {"label": "Discovery", "amount": "3000", "unlock": "milestone", "milestone_id": milestones["pending"].id},
            {"label": "Launch", "amount": "4000", "unlock": "milestone", "milestone_id": milestones["planned"].id},
        ],
    }
    data.update(overrides)
    return data


@pytest.fixture
def manager():
    return UserFactory(role=Role.MANAGER, name="Maly Manager", email="maly@example.org")


@pytest.fixture
def cohort():
    return CohortFactory(status=CohortStatus.RUNNING, starts_on=TODAY - timedelta(days=60),
                         ends_on=TODAY + timedelta(days=120), name="Cohort Mekong")


@pytest.fixture
def startup(cohort):
    return StartupFactory(cohort=cohort, name="Kasekor Cold Chain")


@pytest.fixture
def founder(startup):
    return founder_of(startup, name="Sokha Chan", email="sokha@example.org")


@pytest.fixture
def other_startup(cohort):
    return StartupFactory(cohort=cohort, name="Mekong Pay")


@pytest.fixture
def other_founder(other_startup):
    return founder_of(other_startup, email="other@example.org")


@pytest.fixture
def milestones(startup):
    return {
        "verified": milestone(startup, "Company registered", MilestoneStatus.DONE, Verification.VERIFIED),
        "pending": milestone(startup, "30 customer interviews", MilestoneStatus.DONE, Verification.PENDING),
        "planned": milestone(startup, "MVP live"),
        "dropped": milestone(startup, "Export licence", MilestoneStatus.DROPPED),
    }


@pytest.fixture
def grant(manager, startup, founder, milestones):
    return create_grant(manager, startup, plan(milestones))
