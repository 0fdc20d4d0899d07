"""Cohort creation, validation and status rules."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest
import sqlalchemy as sa

from incubator.auth.models import Role
from incubator.cohorts import services
from incubator.cohorts.models import Cohort, CohortStatus, Program
from incubator.core.errors import ConflictError, ServiceError
from incubator.extensions import db
from tests.factories import CohortFactory, RubricCriterionFactory, StartupFactory, UserFactory

FORM = {"program_name": "Tech Startup Incubation", "name": "Cohort 2027A", "track": "Agritech",
        "description": "Six months", "starts_on": "2027-01-10", "ends_on": "2027-07-10",
        "applications_close_at": "2026-12-20T17:00", "capacity": "12", "sectors": ["agritech", "health"]}


@pytest.fixture
def manager(login):
    user = UserFactory(role=Role.MANAGER, timezone="Asia/Phnom_Penh")
    login(user)
    return user


def test_create_cohort_converts_local_deadline_to_utc(client, manager):
    response = client.post("/cohorts/new", data=FORM)
    assert response.status_code == 302
    cohort = db.session.scalar(sa.select(Cohort).where(Cohort.name == "Cohort 2027A"))
    assert cohort.status == CohortStatus.PLANNING and cohort.sectors == ["agritech", "health"]
    assert cohort.applications_close_at == datetime(2026, 12, 20, 10, 0, tzinfo=timezone.utc)
    assert cohort.program.name == "Tech Startup Incubation"


@pytest.mark.parametrize("change,field_error", [
    ({"ends_on": "2026-12-01"}, "on or after the start date"),
    ({"capacity": "0"}, "Number must be"),
    ({"capacity": "abc"}, "Not a valid integer"),
    ({"name": ""}, "This field is required"),
    ({"name": "x" * 121}, "Field cannot be longer"),
    ({"sectors": ["space"]}, "is not a valid choice"),
    ({"starts_on": "01/10/2027"}, "Not a valid date"),
])
def test_create_cohort_bad_input(client, manager, change, field_error):
    response = client.post("/cohorts/new", data={**FORM, **change})
    assert response.status_code == 200
    assert field_error in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(Cohort.id))) == 0
    assert db.session.scalar(sa.select(sa.func.count(Program.id))) == 0


def test_edit_cohort_cannot_drop_capacity_below_accepted(client, manager):
    cohort = CohortFactory(capacity=2)
    from tests.factories import ApplicationFactory

    for _ in range(2):
        StartupFactory(cohort=cohort, application_id=ApplicationFactory(cohort=cohort).id)
    response = client.post(f"/cohorts/{cohort.id}/edit", data={**FORM, "capacity": "1"})
    assert response.status_code == 200 and "capacity cannot be lower" in response.get_data(as_text=True)
    assert cohort.capacity == 2


def test_status_transitions(client, manager):
    cohort = CohortFactory(status=CohortStatus.PLANNING)
    no_rubric = client.post(f"/cohorts/{cohort.id}/status", data={"status": "open"})
    assert no_rubric.status_code == 409 and "Define the scoring rubric" in no_rubric.get_data(as_text=True)
    assert cohort.status == CohortStatus.PLANNING
    RubricCriterionFactory(cohort=cohort)
    assert client.post(f"/cohorts/{cohort.id}/status", data={"status": "open"}).status_code == 302
    assert cohort.status == CohortStatus.OPEN
    response = client.post(f"/cohorts/{cohort.id}/status", data={"status": "completed"})
    assert response.status_code == 409 and cohort.status == CohortStatus.OPEN
    assert client.post(f"/cohorts/{cohort.id}/status", data={"status": "bogus"}).status_code == 400


def test_status_service_rules(app):
    actor = UserFactory(role=Role.MANAGER)
    cohort = CohortFactory(status=CohortStatus.COMPLETED)
    with pytest.raises(ConflictError):
        services.change_cohort_status(actor, cohort, CohortStatus.OPEN)


def test_service_validates_dates(app):
    actor = UserFactory(role=Role.MANAGER)
    data = {"name": "X", "starts_on": datetime(2027, 2, 1).date(), "ends_on": datetime(2027, 1, 1).date(),
            "capacity": 3, "sectors": []}
    with pytest.raises(ServiceError) as info:
        services.create_cohort(actor, "P", data)
    assert "ends_on" in info.value.fields


def test_cohort_list_queries_are_bounded(client, manager, count_queries):
    for _ in range(3):
        CohortFactory()
    with count_queries() as few:
        client.get("/cohorts/")
    for _ in range(20):
        CohortFactory()
    with count_queries() as many:
        assert client.get("/cohorts/").status_code == 200
    assert many.count == few.count
