"""Fixtures for the API tests: one user per role (bearer headers come from ``api_token``)."""
from __future__ import annotations

import pytest

from incubator.auth.models import Role
from tests.factories import UserFactory


@pytest.fixture
def manager():
    return UserFactory(role=Role.MANAGER, name="Maly Manager")


@pytest.fixture
def mentor():
    return UserFactory(role=Role.MENTOR, name="Mony Mentor")


@pytest.fixture
def outsider():
    """A founder with no startup (or of another startup): sees nothing that is not theirs."""
    return UserFactory(role=Role.FOUNDER)

