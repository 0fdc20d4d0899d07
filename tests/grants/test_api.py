"""The grant API: founders read their own grant, managers write; the JSON error shape for 401/403/404/409/422."""
from __future__ import annotations

import io
from datetime import timedelta

import pytest
import sqlalchemy as sa

from incubator.auth.models import Role
from incubator.extensions import db
from incubator.grants.models import Grant, LedgerEntry
from incubator.grants.services.ledger import record_disbursement
from tests.factories import UserFactory
from tests.grants.conftest import TODAY


def _error(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.get_data(as_text=True)
    body = response.get_json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message", "fields"}
    assert body["error"]["code"] == code and body["error"]["message"]
    return body["error"]


def _plan(milestones) -> dict:
    return {"title": "Seed grant", "currency": "USD", "total": "5000.50", "conditions": "Reports monthly.",
            "tranches": [{"label": "On signing", "amount": "2000.50", "unlock": "date", "due_on": TODAY.isoformat()},
                         {"amount": 3000, "unlock": "milestone", "milestone_id": milestones["pending"].id}]}


def test_manager_creates_reads_and_edits_a_grant(client, api_token, manager, startup, founder, milestones):
    headers = api_token(manager)
    created = client.post(f"/api/v1/startups/{startup.id}/grant", json=_plan(milestones), headers=headers)
    assert created.status_code == 201, created.get_json()
    body = created.get_json()
    assert created.headers["Location"].endswith(f"/api/v1/grants/{body['id']}")
    assert (body["total"], body["total_minor"], body["currency"], body["plan_locked"]) == ("5000.50", 500_050, "USD",
                                                                                           False)
    first, second = body["tranches"]
    assert (first["payable"], first["state"], first["unlock"], first["due_on"]) == (True, "payable", "date",
                                                                                   TODAY.isoformat())
    assert second["milestone"]["title"] == "30 customer interviews" and second["milestone"]["verification"] == "pending"
    assert (second["payable"], second["state"], body["next_tranche_id"]) == (False, "waiting", second["id"])
    assert body["payable_minor"] == 200_050

    patched = client.patch(f"/api/v1/grants/{body['id']}", json={"title": "Seed grant 2026"}, headers=headers)
    assert patched.status_code == 200 and patched.get_json()["title"] == "Seed grant 2026"
    assert len(patched.get_json()["tranches"]) == 2  # the plan is kept when only the title changes
    replaced = client.patch(f"/api/v1/grants/{body['id']}", headers=headers, json={
        "total": "1000", "tranches": [{"amount": "1000", "unlock": "date", "due_on": TODAY.isoformat()}]})
    assert replaced.get_json()["total_minor"] == 100_000 and len(replaced.get_json()["tranches"]) == 1

    own = client.get(f"/api/v1/startups/{startup.id}/grant", headers=api_token(founder))
    assert own.status_code == 200 and own.get_json()["id"] == body["id"]
    listed = client.get(f"/api/v1/grants?cohort_id={startup.cohort_id}", headers=headers).get_json()
    assert [g["startup_name"] for g in listed["items"]] == ["Kasekor Cold Chain"] and listed["total"] == 1
    assert client.get("/api/v1/grants?cohort_id=999", headers=headers).get_json()["items"] == []


def test_plan_refusals_are_422_with_fields_and_409_for_a_second_grant(client, api_token, manager, startup,
                                                                      milestones):
    headers = api_token(manager)
    bad = _plan(milestones) | {"total": "9999"}
    bad["tranches"][1]["milestone_id"] = milestones["dropped"].id
    error = _error(client.post(f"/api/v1/startups/{startup.id}/grant", json=bad, headers=headers), 422, "invalid")
    assert set(error["fields"]) == {"total", "tranches.1.milestone_id"}
    schema = _error(client.post(f"/api/v1/startups/{startup.id}/grant", headers=headers,
                                json=_plan(milestones) | {"currency": "EUR", "tranches": []}), 422, "invalid")
    assert {"currency", "tranches"} <= set(schema["fields"])
    riel = _plan(milestones) | {"currency": "KHR"}
    assert "tranches.0.amount" in _error(client.post(f"/api/v1/startups/{startup.id}/grant", json=riel,
                                                     headers=headers), 422, "invalid")["fields"]
    assert client.post(f"/api/v1/startups/{startup.id}/grant", json=_plan(milestones), headers=headers)\
        .status_code == 201
    _error(client.post(f"/api/v1/startups/{startup.id}/grant", json=_plan(milestones), headers=headers), 409,
           "conflict")
    _error(client.post("/api/v1/startups/999999/grant", json=_plan(milestones), headers=headers), 404, "not_found")


def test_ledger_through_the_api(client, api_token, manager, founder, grant, png_bytes):
    db.session.commit()
    headers = api_token(manager)
    url = f"/api/v1/grants/{grant.id}/disbursements"
    tranche = grant.tranches[0].id
    paid = client.post(url, headers=headers, json={"tranche_id": tranche, "amount": "1000", "reference": "ABA-1",
                                                   "paid_on": TODAY.isoformat()})
    assert paid.status_code == 201, paid.get_json()
    entry = paid.get_json()
    assert (entry["seq"], entry["amount"], entry["balance_after_minor"], entry["kind"]) == (1, "1000.00", 900_000,
                                                                                          "disbursement")
    assert paid.headers["Location"].endswith(f"/api/v1/grant-entries/{entry['id']}")

    over = _error(client.post(url, headers=headers, json={"tranche_id": tranche, "amount": "2000.01",
                                                          "reference": "X", "paid_on": TODAY.isoformat()}),
                  409, "conflict")
    assert "amount" in over["fields"]
    early = _error(client.post(url, headers=headers, json={"tranche_id": grant.tranches[1].id, "amount": "10",
                                                           "reference": "X", "paid_on": TODAY.isoformat()}),
                   409, "conflict")
    assert "early_reason" in early["fields"]
    future = _error(client.post(url, headers=headers, json={"tranche_id": tranche, "amount": "10", "reference": "X",
                                                            "paid_on": (TODAY + timedelta(days=1)).isoformat()}),
                    422, "invalid")
    assert set(future["fields"]) == {"paid_on"}
    _error(client.post(url, headers=headers, json={"tranche_id": tranche}), 422, "invalid")
    _error(client.post(url, headers=headers, data="not json", content_type="application/json"), 400, "bad_request")

    receipt_url = f"/api/v1/grant-entries/{entry['id']}/receipt"
    _error(client.post(receipt_url, headers=headers, data={}, content_type="multipart/form-data"), 422, "invalid")
    bad_file = client.post(receipt_url, headers=headers, content_type="multipart/form-data",
                           data={"receipt": (io.BytesIO(b"nope"), "x.png")})
    assert "receipt" in _error(bad_file, 422, "invalid")["fields"]
    attached = client.post(receipt_url, headers=headers, content_type="multipart/form-data",
                           data={"receipt": (io.BytesIO(png_bytes), "slip.png")})
    assert attached.status_code == 200 and attached.get_json()["receipt_name"] == "slip.png"
    _error(client.post(receipt_url, headers=headers, content_type="multipart/form-data",
                       data={"receipt": (io.BytesIO(png_bytes), "again.png")}), 409, "conflict")

    reverse_url = f"/api/v1/grant-entries/{entry['id']}/reversal"
    assert "reason" in _error(client.post(reverse_url, headers=headers, json={}), 422, "invalid")["fields"]
    reversal = client.post(reverse_url, headers=headers, json={"reason": "Wrong account"})
    assert reversal.status_code == 201
    assert (reversal.get_json()["amount"], reversal.get_json()["reverses_id"]) == ("-1000.00", entry["id"])
    _error(client.post(reverse_url, headers=headers, json={"reason": "Again"}), 409, "conflict")
    _error(client.post(f"/api/v1/grant-entries/{reversal.get_json()['id']}/reversal", headers=headers,
                       json={"reason": "Undo"}), 409, "conflict")

    founder_headers = api_token(founder)
    ledger = client.get(f"/api/v1/grants/{grant.id}/entries", headers=founder_headers).get_json()
    assert [(e["seq"], e["amount_minor"], e["reversed_by_id"] is not None) for e in ledger["items"]] == [
        (1, 100_000, True), (2, -100_000, False)]
    one = client.get(f"/api/v1/grant-entries/{entry['id']}", headers=founder_headers).get_json()
    assert one["receipt_name"] == "slip.png"
    locked = _error(client.patch(f"/api/v1/grants/{grant.id}", headers=headers, json={"title": "New"}), 409,
                    "conflict")
    assert "can no longer change" in locked["message"]


@pytest.mark.parametrize("who", ["founder", "other_founder", "mentor", "investor"])
def test_only_managers_write(client, api_token, manager, founder, other_founder, grant, milestones, who):
    entry = record_disbursement(manager, grant, {"tranche_id": grant.tranches[0].id, "amount": "10",
                                                 "paid_on": TODAY, "reference": "R"})
    people = {"founder": founder, "other_founder": other_founder, "mentor": UserFactory(role=Role.MENTOR),
              "investor": UserFactory(role=Role.INVESTOR)}
    db.session.commit()
    headers = api_token(people[who])
    writes = [
        client.post(f"/api/v1/grants/{grant.id}/disbursements", headers=headers, json={
            "tranche_id": grant.tranches[0].id, "amount": "10", "reference": "R", "paid_on": TODAY.isoformat()}),
        client.post(f"/api/v1/grant-entries/{entry.id}/reversal", headers=headers, json={"reason": "x"}),
        client.patch(f"/api/v1/grants/{grant.id}", headers=headers, json={"title": "Mine"}),
        client.post(f"/api/v1/startups/{grant.startup_id}/grant", headers=headers, json=_plan(milestones)),
        client.get(f"/api/v1/cohorts/{grant.startup.cohort_id}/grant-totals", headers=headers),
        client.get("/api/v1/grants", headers=headers),
    ]
    for response in writes:
        _error(response, 403, "forbidden")
    assert db.session.scalar(sa.select(sa.func.count(LedgerEntry.id))) == 1
    assert db.session.get(Grant, grant.id).title == "Seed grant 2026"
    reads = [client.get(f"/api/v1/grants/{grant.id}", headers=headers),
             client.get(f"/api/v1/grants/{grant.id}/entries", headers=headers),
             client.get(f"/api/v1/grant-entries/{entry.id}", headers=headers),
             client.get(f"/api/v1/startups/{grant.startup_id}/grant", headers=headers)]
    for response in reads:
        assert response.status_code == 200 if who == "founder" else _error(response, 403, "forbidden")


def test_reading_needs_a_token_and_missing_things_are_404(client, api_token, founder, startup, manager):
    db.session.commit()
    _error(client.get(f"/api/v1/startups/{startup.id}/grant"), 401, "unauthorized")
    no_grant = _error(client.get(f"/api/v1/startups/{startup.id}/grant", headers=api_token(founder)), 404, "not_found")
    assert no_grant["message"] == "Kasekor Cold Chain has no grant."
    headers = api_token(manager)
    for url in ("/api/v1/grants/999999", "/api/v1/grants/999999/entries", "/api/v1/grant-entries/999999",
                "/api/v1/cohorts/999999/grant-totals"):
        _error(client.get(url, headers=headers), 404, "not_found")


def test_cohort_totals_say_how_they_were_converted(client, api_token, manager, grant, other_startup, cohort):
    from incubator.grants.services.plans import create_grant

    create_grant(manager, other_startup, {"title": "Riel", "currency": "KHR", "total": "8200000",
                                          "tranches": [{"amount": "8200000", "unlock": "date", "due_on": TODAY}]})
    db.session.commit()
    body = client.get(f"/api/v1/cohorts/{cohort.id}/grant-totals", headers=api_token(manager)).get_json()
    assert (body["khr_per_usd"], body["rate_is_set"]) == (4100, False)
    assert [(t["currency"], t["committed_minor"], t["payable_minor"]) for t in body["by_currency"]] == [
        ("USD", 1_000_000, 300_000), ("KHR", 820_000_000, 820_000_000)]
    usd, khr = body["converted"]
    assert (usd["currency"], usd["committed_minor"], usd["grants"]) == ("USD", 1_200_000, 2)
    assert (khr["currency"], khr["committed_minor"]) == ("KHR", 4_920_000_000)


def test_every_grant_route_is_in_the_openapi_document(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    expected = {"/grants": {"get"}, "/startups/{startup_id}/grant": {"get", "post"}, "/grants/{grant_id}":
                {"get", "patch"}, "/grants/{grant_id}/entries": {"get"}, "/grants/{grant_id}/disbursements": {"post"},
                "/grant-entries/{entry_id}": {"get"}, "/grant-entries/{entry_id}/reversal": {"post"},
                "/grant-entries/{entry_id}/receipt": {"post"}, "/cohorts/{cohort_id}/grant-totals": {"get"}}
    for path, methods in expected.items():
        assert set(paths[path]) >= methods, path
        for method in methods:
            assert paths[path][method]["tags"] == ["grants"]
    assert "409" in paths["/grants/{grant_id}/disbursements"]["post"]["responses"]
    assert "multipart/form-data" in paths["/grant-entries/{entry_id}/receipt"]["post"]["requestBody"]["content"]
