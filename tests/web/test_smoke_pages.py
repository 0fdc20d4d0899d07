"""Every page renders for the role that uses it (templates, filters and queries all wired)."""
from __future__ import annotations

import pytest

from incubator.auth.models import Role
from tests.factories import (
    ApplicationFactory,
    CohortFactory,
    ReviewAssignmentFactory,
    RubricCriterionFactory,
    StartupFactory,
    UserFactory,
    founder_of,
)


@pytest.fixture
def world():
    manager = UserFactory(role=Role.MANAGER, is_admin=True)
    mentor = UserFactory(role=Role.MENTOR)
    cohort = CohortFactory()
    RubricCriterionFactory(cohort=cohort, name="Team", weight=2)
    application = ApplicationFactory(cohort=cohort)
    assignment = ReviewAssignmentFactory(application=application, reviewer=mentor)
    startup = StartupFactory()
    founder = founder_of(startup)
    return {"manager": manager, "mentor": mentor, "cohort": cohort, "application": application,
            "assignment": assignment, "startup": startup, "founder": founder}


def test_manager_pages_render(client, login, world):
    login(world["manager"])
    cohort, application, startup = world["cohort"], world["application"], world["startup"]
    for url in ["/", "/cohorts/", "/cohorts/new", f"/cohorts/{cohort.id}", f"/cohorts/{cohort.id}/edit",
                "/cohorts/startups", f"/cohorts/startups/{startup.id}", f"/cohorts/startups/{startup.id}/edit",
                f"/review/cohorts/{cohort.id}", f"/review/cohorts/{cohort.id}/rubric",
                f"/review/applications/{application.id}", "/auth/people", "/auth/people/invite",
                f"/auth/people/{world['mentor'].id}", "/audit/", "/outbox/", "/auth/profile"]:
        response = client.get(url)
        assert response.status_code == 200, (url, response.get_data(as_text=True)[:2000])


def test_mentor_pages_render(client, login, world):
    login(world["mentor"])
    for url in ["/", "/review/mine", f"/review/assignments/{world['assignment'].id}",
                f"/review/applications/{world['application'].id}", "/cohorts/startups"]:
        response = client.get(url)
        assert response.status_code == 200, (url, response.get_data(as_text=True)[:2000])


def test_founder_pages_render(client, login, world):
    login(world["founder"])
    startup = world["startup"]
    for url in ["/", f"/cohorts/startups/{startup.id}", f"/cohorts/startups/{startup.id}/edit", "/auth/profile"]:
        response = client.get(url)
        assert response.status_code == 200, (url, response.get_data(as_text=True)[:2000])


def test_public_pages_render(client, world):
    for url in ["/", "/apply/", f"/apply/{world['cohort'].id}", "/auth/login", "/auth/forgot"]:
        response = client.get(url)
        assert response.status_code == 200, (url, response.get_data(as_text=True)[:2000])
