"""A running cohort ready to match: tags, mentors with profiles in three time zones, startups with needs."""
from __future__ import annotations

from dataclasses import dataclass

import pytest

from incubator.auth.models import Role, User
from incubator.cohorts.models import Cohort, CohortStatus, Startup
from tests.factories import CohortFactory, StartupFactory, UserFactory, founder_of
from tests.mentoring.factories import ExpertiseTagFactory, mentor, needs


@dataclass
class MatchingWorld:
    manager: User
    cohort: Cohort
    startups: dict[str, Startup]
    founders: dict[str, User]
    mentors: dict[str, User]
    tags: dict[str, object]


@pytest.fixture
def matching_world(app) -> MatchingWorld:
    """Three startups, three mentors (capacity 1 each): Dara (Phnom Penh, Khmer), Ji-woo (Seoul, Korean/English),
    Anna (Berlin, English/German). Kasekor speaks only Khmer; every pair is otherwise allowed."""
    tags = {name: ExpertiseTagFactory(name=name, category="Business")
            for name in ("Cold chain", "Fundraising", "Mobile apps", "Export")}
    manager = UserFactory(role=Role.MANAGER, name="Maly Manager")
    cohort = CohortFactory(status=CohortStatus.RUNNING, name="Cohort Mekong")
    startups = {
        "kasekor": StartupFactory(cohort=cohort, name="Kasekor Cold Chain", sector="agritech"),
        "angkorpay": StartupFactory(cohort=cohort, name="AngkorPay", sector="digital"),
        "biolab": StartupFactory(cohort=cohort, name="Mekong BioLab", sector="biotech"),
    }
    founders = {key: founder_of(startup) for key, startup in startups.items()}
    needs(startups["kasekor"], languages=("km",), must=(tags["Cold chain"],), nice=(tags["Export"],))
    needs(startups["angkorpay"], languages=("en", "km"), must=(tags["Mobile apps"], tags["Fundraising"]))
    needs(startups["biolab"], languages=("en",), must=(tags["Fundraising"],))
    mentors = {
        "dara": mentor(languages=("km", "en"), sectors=("agritech",), tags=(tags["Cold chain"], tags["Export"]),
                       capacity=1, name="Dara Pich"),
        "jiwoo": mentor(languages=("ko", "en"), sectors=("digital",), tags=(tags["Mobile apps"],), capacity=1,
                        timezone="Asia/Seoul", name="Park Ji-woo"),
        "anna": mentor(languages=("en",), sectors=("biotech",), tags=(tags["Fundraising"],), capacity=1,
                       timezone="Europe/Berlin", name="Anna Becker"),
    }
    return MatchingWorld(manager=manager, cohort=cohort, startups=startups, founders=founders, mentors=mentors,
                         tags=tags)
