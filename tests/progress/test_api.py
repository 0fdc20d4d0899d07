"""The progress API: happy paths, the JSON error shape for 401/403/404/409/422, and the OpenAPI document."""
from __future__ import annotations

import io
from datetime import date, timedelta

import pytest
import sqlalchemy as sa
import time_machine

from incubator.extensions import db
from incubator.progress.models import Milestone
from incubator.progress.periods import add_months, current_month
from incubator.progress.services.checkins import submit_checkin
from incubator.progress.services.kpis import add_metric, submit_kpis
from incubator.progress.services.milestones import create_milestone, create_template
from tests.progress.conftest import figures, pp

TODAY = date.today()
KPIS = {"revenue": "1500.50", "paying_customers": 12, "active_users": 340, "employees_full_time": 4,
        "employees_full_time_women": 2, "employees_part_time": 2, "employees_part_time_women": 1,
        "funding_raised": 0, "cash_in_bank": "25000"}


def _error(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.get_data(as_text=True)
    body = response.get_json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message", "fields"}
    assert body["error"]["code"] == code and body["error"]["message"]
    return body["error"]


def _month(offset: int = -1) -> str:
    return f"{add_months(current_month(), offset):%Y-%m}"


# Milestones ------------------------------------------------------------------------------------------


def test_milestone_lifecycle_through_the_api(client, api_token, manager, founder, cohort, startup, png_bytes):
    create_template(manager, cohort, {"title": "Company registered", "due_on": TODAY + timedelta(days=10)})
    db.session.commit()
    headers = api_token(founder)
    created = client.post(f"/api/v1/startups/{startup.id}/milestones", headers=headers,
                          json={"title": "First 10 orders", "due_on": (TODAY - timedelta(days=1)).isoformat(),
                                "target_value": 10, "target_unit": "orders"})
    assert created.status_code == 201
    body = created.get_json()
    assert body["overdue"] is True and body["from_plan"] is False and body["history"][0]["field"] == "created"
    assert created.headers["Location"].endswith(f"/api/v1/milestones/{body['id']}")

    listed = client.get(f"/api/v1/startups/{startup.id}/milestones", headers=headers).get_json()
    assert [m["title"] for m in listed["items"]] == ["First 10 orders", "Company registered"]

    milestone_id = body["id"]
    no_evidence = client.patch(f"/api/v1/milestones/{milestone_id}", json={"status": "done"}, headers=headers)
    assert "status" in _error(no_evidence, 422, "invalid")["fields"]
    upload = client.post(f"/api/v1/milestones/{milestone_id}/evidence", headers=headers,
                         data={"file": (io.BytesIO(png_bytes), "orders.png")}, content_type="multipart/form-data")
    assert upload.status_code == 200 and upload.get_json()["evidence_file_name"] == "orders.png"
    done = client.patch(f"/api/v1/milestones/{milestone_id}", json={"status": "done"}, headers=headers).get_json()
    assert (done["status"], done["verification"], done["overdue"]) == ("done", "pending", False)

    verified = client.post(f"/api/v1/milestones/{milestone_id}/verification", headers=api_token(manager),
                           json={"decision": "verified", "comment": "Checked the invoices."})
    assert verified.status_code == 200 and verified.get_json()["verification"] == "verified"
    again = client.post(f"/api/v1/milestones/{milestone_id}/verification", headers=api_token(manager),
                        json={"decision": "verified"})
    _error(again, 409, "conflict")
    locked = client.patch(f"/api/v1/milestones/{milestone_id}", json={"status": "in_progress"}, headers=headers)
    _error(locked, 409, "conflict")


def test_founders_may_not_change_plan_details_or_verify(client, api_token, manager, founder, cohort, startup):
    template = create_template(manager, cohort, {"title": "Company registered", "due_on": TODAY})
    milestone = db.session.scalars(sa.select(Milestone).where(Milestone.template_id == template.id)).one()
    db.session.commit()
    headers = api_token(founder)
    _error(client.patch(f"/api/v1/milestones/{milestone.id}", json={"due_on": "2030-01-01"}, headers=headers),
           403, "forbidden")
    _error(client.post(f"/api/v1/milestones/{milestone.id}/verification", json={"decision": "verified"},
                       headers=headers), 403, "forbidden")


def test_bad_evidence_and_bad_bodies_are_422(client, api_token, founder, startup):
    milestone = create_milestone(founder, startup, {"title": "x", "due_on": TODAY})
    db.session.commit()
    headers = api_token(founder)
    bad_file = client.post(f"/api/v1/milestones/{milestone.id}/evidence", headers=headers,
                           data={"file": (io.BytesIO(b"MZ not a pdf"), "x.pdf")}, content_type="multipart/form-data")
    assert "evidence_file" in _error(bad_file, 422, "invalid")["fields"]
    missing = client.post(f"/api/v1/milestones/{milestone.id}/evidence", headers=headers, data={},
                          content_type="multipart/form-data")
    assert "file" in _error(missing, 422, "invalid")["fields"]
    bad = client.post(f"/api/v1/startups/{startup.id}/milestones", headers=headers,
                      json={"title": "", "due_on": "soon", "target_value": -1, "colour": "red"})
    assert set(_error(bad, 422, "invalid")["fields"]) == {"title", "due_on", "target_value", "colour"}


# KPI reports -------------------------------------------------------------------------------------------


def test_kpi_reports_through_the_api(client, api_token, manager, founder, cohort, startup):
    metric = add_metric(manager, cohort, "Grant income", "", "money")
    db.session.commit()
    headers = api_token(founder)
    created = client.post(f"/api/v1/startups/{startup.id}/kpi-reports", headers=headers,
                          json=KPIS | {"month": _month(), "custom": {str(metric.id): "200.5"}})
    assert created.status_code == 201, created.get_json()
    report = created.get_json()
    assert (report["month"], report["latest_version"]) == (_month(), 1)
    assert report["current"]["revenue"] == "1500.50" and report["current"]["custom"] == {str(metric.id): "200.50"}

    duplicate = client.post(f"/api/v1/startups/{startup.id}/kpi-reports", headers=headers, json=KPIS | {
        "month": _month()})
    assert "already has a report" in _error(duplicate, 409, "conflict")["fields"]["month"][0]

    corrected = client.post(f"/api/v1/kpi-reports/{report['id']}/versions", headers=headers,
                            json=KPIS | {"revenue": "1600", "note": "Missed an invoice", "base_version": 1})
    assert corrected.status_code == 201
    detail = corrected.get_json()
    assert [v["version"] for v in detail["versions"]] == [2, 1]
    assert [v["revenue"] for v in detail["versions"]] == ["1600.00", "1500.50"]
    assert detail["versions"][0]["custom"] == {} and detail["versions"][1]["custom"] == {str(metric.id): "200.50"}
    stale = client.post(f"/api/v1/kpi-reports/{report['id']}/versions", headers=headers,
                        json=KPIS | {"revenue": "1700", "note": "Again", "base_version": 1})
    _error(stale, 409, "conflict")
    listed = client.get(f"/api/v1/startups/{startup.id}/kpi-reports", headers=api_token(manager)).get_json()
    assert [(r["month"], r["latest_version"]) for r in listed["items"]] == [(_month(), 2)]
    assert client.get(f"/api/v1/kpi-reports/{report['id']}", headers=headers).get_json()["latest_version"] == 2


@pytest.mark.parametrize(("change", "field"), [
    ({"revenue": "-1"}, "revenue"),
    ({"employees_full_time": -3}, "employees_full_time"),
    ({"month": "2026-13"}, "month"),
    ({"month": "March"}, "month"),
    ({"month": "next month"}, "month"),
    ({"employees_part_time": 1, "employees_part_time_women": 2}, "employees_part_time_women"),
    ({"paying_customers": "many"}, "paying_customers"),
])
def test_kpi_validation_errors_are_422_with_fields(client, api_token, founder, startup, change, field):
    if change.get("month") == "next month":
        change = {"month": _month(+1)}
    response = client.post(f"/api/v1/startups/{startup.id}/kpi-reports", headers=api_token(founder),
                           json=KPIS | {"month": _month()} | change)
    assert field in _error(response, 422, "invalid")["fields"]


# Check-ins -----------------------------------------------------------------------------------------------


def test_checkins_through_the_api(client, api_token, manager, founder, startup):
    headers = api_token(founder)
    with time_machine.travel(pp(2026, 11, 18, 10, 0), tick=False):
        created = client.post(f"/api/v1/startups/{startup.id}/checkins", headers=headers, json={
            "progress": "Two pilots live", "help_tags": ["fundraising"], "morale": 4})
        assert created.status_code == 201
        body = created.get_json()
        assert (body["week"], body["help_open"]) == ("2026-W47", True)
        assert body["editable_until"] == "2026-11-22T17:00:00Z"
        again = client.post(f"/api/v1/startups/{startup.id}/checkins", headers=headers,
                            json={"progress": "x", "morale": 3})
        _error(again, 409, "conflict")
        edited = client.patch(f"/api/v1/checkins/{body['id']}", headers=headers, json={"morale": 2})
        assert edited.get_json()["morale"] == 2 and edited.get_json()["progress"] == "Two pilots live"
        resolved = client.post(f"/api/v1/checkins/{body['id']}/resolution", headers=api_token(manager),
                               json={"comment": "Meet the angel network on Friday."})
        assert resolved.get_json()["help_open"] is False
        _error(client.post(f"/api/v1/checkins/{body['id']}/resolution", headers=api_token(manager),
                           json={"comment": "again"}), 409, "conflict")
        _error(client.post(f"/api/v1/checkins/{body['id']}/resolution", headers=headers,
                           json={"comment": "self-service"}), 403, "forbidden")
        listed = client.get(f"/api/v1/startups/{startup.id}/checkins", headers=headers).get_json()
        assert listed["items"][0]["help_resolution"] == "Meet the angel network on Friday."
        bad = client.patch(f"/api/v1/checkins/{body['id']}", headers=headers, json={"morale": 9, "help_tags": ["x"]})
        assert set(_error(bad, 422, "invalid")["fields"]) == {"morale", "help_tags.0"}


# Who may call -----------------------------------------------------------------------------------------------


def test_401_403_404_in_the_json_shape(client, api_token, founder, other_founder, mentor, startup):
    milestone = create_milestone(founder, startup, {"title": "x", "due_on": TODAY})
    report = submit_kpis(founder, startup, add_months(current_month(), -1), figures())
    checkin = submit_checkin(founder, startup, {"progress": "x", "morale": 3})
    db.session.commit()
    urls = [f"/api/v1/startups/{startup.id}/milestones", f"/api/v1/milestones/{milestone.id}",
            f"/api/v1/startups/{startup.id}/kpi-reports", f"/api/v1/kpi-reports/{report.id}",
            f"/api/v1/startups/{startup.id}/checkins", f"/api/v1/checkins/{checkin.id}"]
    for url in urls:
        _error(client.get(url), 401, "unauthorized")
        _error(client.get(url, headers=api_token(other_founder)), 403, "forbidden")
        _error(client.get(url, headers=api_token(mentor)), 403, "forbidden")
        assert client.get(url, headers=api_token(founder)).status_code == 200
    for url in ("/api/v1/milestones/999999", "/api/v1/kpi-reports/999999", "/api/v1/checkins/999999",
                "/api/v1/startups/999999/milestones"):
        _error(client.get(url, headers=api_token(founder)), 404, "not_found")
    write = client.patch(f"/api/v1/milestones/{milestone.id}", json={"title": "Hijacked"},
                         headers=api_token(other_founder))
    _error(write, 403, "forbidden")
    assert db.session.get(Milestone, milestone.id).title == "x"


def test_every_progress_operation_is_in_the_openapi_document(client):
    document = client.get("/api/v1/openapi.json").get_json()
    paths = document["paths"]
    expected = {
        "/startups/{startup_id}/milestones": {"get", "post"},
        "/milestones/{milestone_id}": {"get", "patch"},
        "/milestones/{milestone_id}/evidence": {"post"},
        "/milestones/{milestone_id}/verification": {"post"},
        "/startups/{startup_id}/kpi-reports": {"get", "post"},
        "/kpi-reports/{report_id}": {"get"},
        "/kpi-reports/{report_id}/versions": {"post"},
        "/startups/{startup_id}/checkins": {"get", "post"},
        "/checkins/{checkin_id}": {"get", "patch"},
        "/checkins/{checkin_id}/resolution": {"post"},
    }
    for path, methods in expected.items():
        assert set(paths[path]) == methods, path
        for method in methods:
            operation = paths[path][method]
            assert operation["tags"] == ["progress"] and {"401", "403", "404"} <= set(operation["responses"])
    assert "409" in paths["/startups/{startup_id}/kpi-reports"]["post"]["responses"]
    assert "multipart/form-data" in paths["/milestones/{milestone_id}/evidence"]["post"]["requestBody"]["content"]
    schemas = document["components"]["schemas"]
    assert {"MilestoneDetail", "KpiReportDetail", "CheckInOut", "KpiIn"} <= set(schemas)
    assert schemas["KpiIn"]["properties"]["revenue"]


def test_a_startup_switched_to_riel_reports_in_riel(client, api_token, founder, startup):
    headers = api_token(founder)
    profile = client.patch(f"/api/v1/startups/{startup.id}", json={"currency": "KHR"}, headers=headers)
    assert profile.status_code == 200 and profile.get_json()["currency"] == "KHR"
    _error(client.patch(f"/api/v1/startups/{startup.id}", json={"currency": "EUR"}, headers=headers), 422, "invalid")
    report = client.post(f"/api/v1/startups/{startup.id}/kpi-reports", headers=headers,
                         json=KPIS | {"month": _month(), "revenue": "4100000"}).get_json()
    assert (report["current"]["currency"], report["current"]["revenue"]) == ("KHR", "4100000.00")
