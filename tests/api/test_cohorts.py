"""Cohort endpoints: managers only; create, edit and status changes go through the cohort services."""
from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from incubator.applications.models import ApplicationStatus
from incubator.cohorts.models import Cohort, CohortStatus, Program
from incubator.extensions import db
from tests.factories import ApplicationFactory, CohortFactory, RubricCriterionFactory, StartupFactory, founder_of

NEW_COHORT = {
    "program_name": "Tech Startup Incubation Program",
    "name": "2027 Agritech",
    "track": "Agritech",
    "description": "Six months of coaching.",
    "starts_on": "2027-01-10",
    "ends_on": "2027-06-30",
    "applications_close_at": "2026-12-01T17:00:00+07:00",
    "capacity": 8,
    "sectors": ["agritech", "food"],
}


def test_list_cohorts_is_paginated(client, manager, api_token):
    for _ in range(3):
        CohortFactory()
    response = client.get("/api/v1/cohorts?per_page=2", headers=api_token(manager))
    assert response.status_code == 200
    body = response.get_json()
    assert (body["page"], body["per_page"], body["total"], body["next_page"]) == (1, 2, 3, 2)
    assert len(body["items"]) == 2
    assert {"id", "program_name", "status", "status_label", "sectors"} <= set(body["items"][0])
    last = client.get("/api/v1/cohorts?per_page=2&page=2", headers=api_token(manager)).get_json()
    assert len(last["items"]) == 1 and last["next_page"] is None


def test_list_cohorts_filters_by_status(client, manager, api_token):
    CohortFactory(status=CohortStatus.OPEN)
    planning = CohortFactory(status=CohortStatus.PLANNING)
    body = client.get("/api/v1/cohorts?status=planning", headers=api_token(manager)).get_json()
    assert [item["id"] for item in body["items"]] == [planning.id]


@pytest.mark.parametrize("role_fixture", ["mentor", "outsider"])
def test_non_managers_cannot_use_cohort_endpoints(client, api_token, request, role_fixture):
    user = request.getfixturevalue(role_fixture)
    cohort = CohortFactory()
    headers = api_token(user)
    assert client.get("/api/v1/cohorts", headers=headers).status_code == 403
    assert client.get(f"/api/v1/cohorts/{cohort.id}", headers=headers).status_code == 403
    assert client.post("/api/v1/cohorts", json=NEW_COHORT, headers=headers).status_code == 403
    assert client.patch(f"/api/v1/cohorts/{cohort.id}", json={"name": "x"}, headers=headers).status_code == 403
    assert client.post(f"/api/v1/cohorts/{cohort.id}/status", json={"status": "running"},
                       headers=headers).status_code == 403
    assert db.session.get(Cohort, cohort.id).name != "x"


def test_founder_of_a_startup_cannot_read_its_cohort(client, api_token):
    startup = StartupFactory()
    founder = founder_of(startup)
    assert client.get(f"/api/v1/cohorts/{startup.cohort_id}", headers=api_token(founder)).status_code == 403


def test_get_cohort(client, manager, api_token):
    cohort = CohortFactory(name="2026 Digital")
    response = client.get(f"/api/v1/cohorts/{cohort.id}", headers=api_token(manager))
    assert response.status_code == 200
    body = response.get_json()
    assert body["name"] == "2026 Digital"
    assert body["program_name"] == cohort.program.name
    assert body["accepts_applications"] is True


def test_get_missing_cohort_is_404(client, manager, api_token):
    assert client.get("/api/v1/cohorts/424242", headers=api_token(manager)).status_code == 404


def test_create_cohort(client, manager, api_token):
    response = client.post("/api/v1/cohorts", json=NEW_COHORT, headers=api_token(manager))
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert response.headers["Location"].endswith(f"/api/v1/cohorts/{body['id']}")
    assert body["status"] == "planning"
    assert body["sectors"] == ["agritech", "food"]
    assert body["applications_close_at"].startswith("2026-12-01T10:00:00")
    cohort = db.session.get(Cohort, body["id"])
    assert cohort.program.name == "Tech Startup Incubation Program"
    assert cohort.starts_on == date(2027, 1, 10)


def test_create_cohort_reuses_an_existing_program(client, manager, api_token):
    existing = CohortFactory().program
    response = client.post("/api/v1/cohorts", json=dict(NEW_COHORT, program_name=existing.name),
                           headers=api_token(manager))
    assert response.get_json()["program_id"] == existing.id
    assert db.session.scalar(sa.select(sa.func.count(Program.id)).where(Program.name == existing.name)) == 1


def test_patch_cohort_changes_only_the_given_fields(client, manager, api_token):
    cohort = CohortFactory(name="Old name", capacity=10, track="Deep tech")
    response = client.patch(f"/api/v1/cohorts/{cohort.id}", json={"name": "New name", "capacity": 12},
                            headers=api_token(manager))
    assert response.status_code == 200, response.get_json()
    assert (response.get_json()["name"], response.get_json()["capacity"]) == ("New name", 12)
    cohort = db.session.get(Cohort, cohort.id)
    assert (cohort.name, cohort.capacity, cohort.track) == ("New name", 12, "Deep tech")


def test_patch_cohort_refuses_null_for_required_fields(client, manager, api_token):
    cohort = CohortFactory()
    response = client.patch(f"/api/v1/cohorts/{cohort.id}", json={"name": None}, headers=api_token(manager))
    assert response.status_code == 422
    assert "name" in response.get_json()["error"]["fields"]


def test_patch_cohort_can_clear_the_deadline(client, manager, api_token):
    cohort = CohortFactory()
    response = client.patch(f"/api/v1/cohorts/{cohort.id}", json={"applications_close_at": None},
                            headers=api_token(manager))
    assert response.status_code == 200
    assert response.get_json()["applications_close_at"] is None


def test_patch_cohort_dates_are_checked_against_the_stored_ones(client, manager, api_token):
    cohort = CohortFactory()
    before = cohort.starts_on.replace(year=cohort.starts_on.year - 1).isoformat()
    response = client.patch(f"/api/v1/cohorts/{cohort.id}", json={"ends_on": before}, headers=api_token(manager))
    assert response.status_code == 422
    assert "ends_on" in response.get_json()["error"]["fields"]


def test_patch_capacity_below_accepted_startups_is_refused(client, manager, api_token):
    cohort = CohortFactory(capacity=3)
    for _ in range(2):
        application = ApplicationFactory(cohort=cohort, status=ApplicationStatus.ACCEPTED)
        StartupFactory(cohort=cohort, application_id=application.id)
    response = client.patch(f"/api/v1/cohorts/{cohort.id}", json={"capacity": 1}, headers=api_token(manager))
    assert response.status_code == 422
    assert "capacity" in response.get_json()["error"]["fields"]
    assert db.session.get(Cohort, cohort.id).capacity == 3


def test_patch_missing_cohort_is_404(client, manager, api_token):
    assert client.patch("/api/v1/cohorts/424242", json={"name": "x"}, headers=api_token(manager)).status_code == 404


def test_change_cohort_status(client, manager, api_token):
    cohort = CohortFactory(status=CohortStatus.PLANNING)
    RubricCriterionFactory(cohort=cohort)
    response = client.post(f"/api/v1/cohorts/{cohort.id}/status", json={"status": "open"}, headers=api_token(manager))
    assert response.status_code == 200
    assert response.get_json()["status"] == "open"
    assert db.session.get(Cohort, cohort.id).status == CohortStatus.OPEN


def test_disallowed_status_transition_is_409(client, manager, api_token):
    cohort = CohortFactory(status=CohortStatus.PLANNING)
    response = client.post(f"/api/v1/cohorts/{cohort.id}/status", json={"status": "completed"},
                           headers=api_token(manager))
    assert response.status_code == 409
    assert response.get_json()["error"]["code"] == "conflict"
    assert db.session.get(Cohort, cohort.id).status == CohortStatus.PLANNING


def test_unknown_status_is_422(client, manager, api_token):
    cohort = CohortFactory()
    response = client.post(f"/api/v1/cohorts/{cohort.id}/status", json={"status": "paused"},
                           headers=api_token(manager))
    assert response.status_code == 422
    assert "status" in response.get_json()["error"]["fields"]
