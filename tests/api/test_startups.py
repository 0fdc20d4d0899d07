"""Startup endpoints: who may list, read and edit, and a list that costs a fixed number of queries."""
from __future__ import annotations

import pytest

from incubator.cohorts.models import Startup, StartupStatus
from incubator.extensions import db
from tests.factories import CohortFactory, StartupFactory, TeamMemberFactory, founder_of


def test_managers_and_mentors_list_startups(client, manager, mentor, api_token):
    StartupFactory(name="Bravo")
    StartupFactory(name="Alpha")
    for user in (manager, mentor):
        response = client.get("/api/v1/startups", headers=api_token(user))
        assert response.status_code == 200
        body = response.get_json()
        assert [item["name"] for item in body["items"]] == ["Alpha", "Bravo"]
        assert body["total"] == 2 and body["next_page"] is None


def test_founders_cannot_list_startups(client, api_token):
    founder = founder_of(StartupFactory())
    assert client.get("/api/v1/startups", headers=api_token(founder)).status_code == 403


def test_list_startups_filters(client, manager, api_token):
    cohort = CohortFactory()
    wanted = StartupFactory(cohort=cohort, status=StartupStatus.GRADUATED)
    StartupFactory(cohort=cohort)
    StartupFactory(status=StartupStatus.GRADUATED)
    response = client.get(f"/api/v1/startups?cohort_id={cohort.id}&status=graduated", headers=api_token(manager))
    assert [item["id"] for item in response.get_json()["items"]] == [wanted.id]


def test_get_startup_as_mentor_and_as_its_founder(client, mentor, api_token):
    startup = StartupFactory(name="Solar Cold Rooms")
    founder = founder_of(startup)
    for user in (mentor, founder):
        response = client.get(f"/api/v1/startups/{startup.id}", headers=api_token(user))
        assert response.status_code == 200
        body = response.get_json()
        assert body["name"] == "Solar Cold Rooms"
        assert body["cohort_name"] == startup.cohort.name
        assert [m["has_account"] for m in body["members"]] == [True]
        assert "email" not in body["members"][0]


def test_founder_of_another_startup_gets_403(client, api_token):
    startup = StartupFactory()
    other_founder = founder_of(StartupFactory())
    headers = api_token(other_founder)
    assert client.get(f"/api/v1/startups/{startup.id}", headers=headers).status_code == 403
    response = client.patch(f"/api/v1/startups/{startup.id}", json={"description": "mine now"}, headers=headers)
    assert response.status_code == 403
    assert db.session.get(Startup, startup.id).description != "mine now"


def test_mentor_cannot_edit_a_startup(client, mentor, api_token):
    startup = StartupFactory()
    response = client.patch(f"/api/v1/startups/{startup.id}", json={"stage": "growth"}, headers=api_token(mentor))
    assert response.status_code == 403


def test_missing_startup_is_404(client, manager, api_token):
    assert client.get("/api/v1/startups/424242", headers=api_token(manager)).status_code == 404


def test_founder_edits_own_profile(client, api_token):
    startup = StartupFactory(stage="prototype")
    founder = founder_of(startup)
    body = {"description": "  Solar cold rooms by the day.  ", "stage": "early_revenue",
            "website": "https://coldroom.example.com", "founded_on": "2024-05-01"}
    response = client.patch(f"/api/v1/startups/{startup.id}", json=body, headers=api_token(founder))
    assert response.status_code == 200, response.get_json()
    startup = db.session.get(Startup, startup.id)
    assert (startup.description, startup.stage) == ("Solar cold rooms by the day.", "early_revenue")
    assert startup.founded_on.isoformat() == "2024-05-01"
    assert startup.sector == "agritech"


def test_only_managers_change_status(client, manager, api_token):
    startup = StartupFactory()
    founder = founder_of(startup)
    response = client.patch(f"/api/v1/startups/{startup.id}", json={"status": "graduated"}, headers=api_token(founder))
    assert response.status_code == 403
    assert db.session.get(Startup, startup.id).status == StartupStatus.ACTIVE
    response = client.patch(f"/api/v1/startups/{startup.id}", json={"status": "graduated"}, headers=api_token(manager))
    assert response.status_code == 200
    assert response.get_json()["status"] == "graduated"


def test_name_taken_in_the_cohort_is_409(client, manager, api_token):
    cohort = CohortFactory()
    StartupFactory(cohort=cohort, name="Taken")
    startup = StartupFactory(cohort=cohort)
    response = client.patch(f"/api/v1/startups/{startup.id}", json={"name": "Taken"}, headers=api_token(manager))
    assert response.status_code == 409
    message = "Another startup in this cohort already uses that name."
    assert response.get_json()["error"]["fields"] == {"name": [message]}


@pytest.mark.parametrize(
    "body, field",
    [({"sector": "space"}, "sector"), ({"website": "coldroom"}, "website"), ({"name": ""}, "name"),
     ({"founded_on": "yesterday"}, "founded_on"), ({"logo_path": "/etc/passwd"}, "logo_path")],
)
def test_invalid_profile_fields_are_422(client, manager, api_token, body, field):
    startup = StartupFactory()
    response = client.patch(f"/api/v1/startups/{startup.id}", json=body, headers=api_token(manager))
    assert response.status_code == 422
    assert field in response.get_json()["error"]["fields"]


def _startups(count: int) -> None:
    cohorts = [CohortFactory() for _ in range(3)]
    for i in range(count):
        startup = StartupFactory(cohort=cohorts[i % 3])
        TeamMemberFactory.create_batch(2, startup=startup)


def test_startup_list_uses_a_fixed_number_of_queries(client, manager, api_token, count_queries):
    headers = api_token(manager)
    client.get("/api/v1/startups", headers=headers)  # stamps the token's last use once
    _startups(3)
    with count_queries() as small:
        assert len(client.get("/api/v1/startups", headers=headers).get_json()["items"]) == 3
    _startups(27)
    with count_queries() as large:
        assert len(client.get("/api/v1/startups", headers=headers).get_json()["items"]) == 25
    assert small.count == large.count, large.statements
