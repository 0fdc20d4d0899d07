"""Every failure under /api/v1 is JSON in one shape, and bad input is never a 500."""
from __future__ import annotations

import pytest

from tests.factories import CohortFactory, StartupFactory

COHORT = {
    "program_name": "Tech Startup Incubation Program",
    "name": "2027 Agritech",
    "starts_on": "2027-01-10",
    "ends_on": "2027-06-30",
    "capacity": 8,
    "sectors": ["agritech"],
}


def _error(response, status: int) -> dict:
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.is_json
    error = response.get_json()["error"]
    assert set(error) == {"code", "message", "fields"}
    assert error["message"]
    return error


def test_unknown_path_is_json_404(client, manager, api_token):
    _error(client.get("/api/v1/nothing-here", headers=api_token(manager)), 404)


def test_wrong_method_is_json_405(client, manager, api_token):
    assert _error(client.delete("/api/v1/cohorts", headers=api_token(manager)), 405)["code"] == "method_not_allowed"


@pytest.mark.parametrize("path", ["/api/v1/cohorts/0", "/api/v1/cohorts/4294967296", "/api/v1/cohorts/999999"])
def test_missing_or_out_of_range_ids_are_404(client, manager, api_token, path):
    _error(client.get(path, headers=api_token(manager)), 404)


@pytest.mark.parametrize("body", [b'{"name": ', b"not json", b"\xff\xfe", b"[1, 2]", b'"text"'])
def test_malformed_json_is_400(client, manager, api_token, body):
    response = client.post("/api/v1/cohorts", data=body, headers=api_token(manager), content_type="application/json")
    assert _error(response, 400)["code"] == "bad_request"


def test_missing_and_wrong_fields_are_422_per_field(client, manager, api_token):
    body = {"name": "", "starts_on": "soon", "capacity": "many", "sectors": ["space"], "colour": "red"}
    error = _error(client.post("/api/v1/cohorts", json=body, headers=api_token(manager)), 422)
    assert error["code"] == "invalid"
    fields = error["fields"]
    assert fields["program_name"] == ["This field is required."]
    assert fields["name"] == ["This field is required."]
    assert "YYYY-MM-DD" in fields["starts_on"][0]
    assert fields["capacity"] == ["Enter a whole number."]
    assert "sectors.0" in fields
    assert fields["colour"] == ["Unknown field."]
    assert "ends_on" in fields


def test_too_long_text_is_422_not_a_database_error(client, manager, api_token):
    body = dict(COHORT, name="x" * 121)
    error = _error(client.post("/api/v1/cohorts", json=body, headers=api_token(manager)), 422)
    assert error["fields"]["name"] == ["Enter at most 120 characters."]


def test_naive_datetime_is_422(client, manager, api_token):
    body = dict(COHORT, applications_close_at="2026-12-01T17:00:00")
    error = _error(client.post("/api/v1/cohorts", json=body, headers=api_token(manager)), 422)
    assert "applications_close_at" in error["fields"]


def test_service_refusal_keeps_its_fields(client, manager, api_token):
    body = dict(COHORT, ends_on="2026-12-31")
    error = _error(client.post("/api/v1/cohorts", json=body, headers=api_token(manager)), 422)
    assert "ends_on" in error["fields"]


@pytest.mark.parametrize(
    "query, field",
    [("per_page=101", "per_page"), ("per_page=0", "per_page"), ("page=abc", "page"), ("page=0", "page"),
     ("status=sleeping", "status"), ("page=99999999999999999999", "page")],
)
def test_bad_query_parameters_are_422(client, manager, api_token, query, field):
    error = _error(client.get(f"/api/v1/cohorts?{query}", headers=api_token(manager)), 422)
    assert field in error["fields"]


def test_page_beyond_the_end_is_empty_not_an_error(client, manager, api_token):
    CohortFactory()
    response = client.get("/api/v1/cohorts?page=50", headers=api_token(manager))
    assert response.status_code == 200
    assert response.get_json()["items"] == []
    assert response.get_json()["next_page"] is None


def test_forbidden_is_json_403(client, outsider, api_token):
    assert _error(client.get("/api/v1/cohorts", headers=api_token(outsider)), 403)["code"] == "forbidden"


def test_deeply_nested_json_is_400(client, manager, api_token):
    body = b"[" * 100_000 + b"]" * 100_000
    response = client.post("/api/v1/cohorts", data=body, headers=api_token(manager), content_type="application/json")
    _error(response, 400)


@pytest.mark.parametrize("text", ["cold\u0000rooms", "cold\ud800rooms"])
def test_unstorable_characters_are_422(client, manager, api_token, text):
    startup = StartupFactory()
    response = client.patch(f"/api/v1/startups/{startup.id}", json={"description": text}, headers=api_token(manager))
    assert _error(response, 422)["fields"] == {"description": ["This text contains characters that are not allowed."]}


@pytest.mark.parametrize(
    "overrides, field",
    [({"applications_close_at": "9999-12-31T23:00:00-14:00"}, "applications_close_at"),
     ({"starts_on": "2027-02-30"}, "starts_on")],
)
def test_out_of_range_dates_are_422(client, manager, api_token, overrides, field):
    response = client.post("/api/v1/cohorts", json=dict(COHORT, **overrides), headers=api_token(manager))
    assert field in _error(response, 422)["fields"]


@pytest.mark.parametrize("website", ["http://[::1", "ftp://files.example.com", "https://localhost"])
def test_bad_websites_are_422(client, manager, api_token, website):
    startup = StartupFactory()
    response = client.patch(f"/api/v1/startups/{startup.id}", json={"website": website}, headers=api_token(manager))
    assert _error(response, 422)["fields"] == {"website": ["Enter a full web address starting with https://."]}
