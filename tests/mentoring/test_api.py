"""The mentoring API: mentors, taxonomy, needs, runs, matches, answers; permissions and the error format."""
from __future__ import annotations

import sqlalchemy as sa

from incubator.extensions import db
from incubator.mentoring.models import Match, MatchStatus
from tests.mentoring.factories import match


def error(response, status, code):
    assert response.status_code == status, response.get_data(as_text=True)
    body = response.get_json()
    assert set(body["error"]) == {"code", "message", "fields"} and body["error"]["code"] == code
    return body["error"]


def test_list_and_read_mentors(client, api_token, matching_world):
    w = matching_world
    headers = api_token(w.founders["kasekor"])
    body = client.get("/api/v1/mentors?language=km", headers=headers).get_json()
    assert [m["name"] for m in body["items"]] == ["Dara Pich"] and body["total"] == 1
    dara = body["items"][0]
    assert dara["languages"] == ["en", "km"] and dara["expertise"][0]["name"] in ("Cold chain", "Export")
    assert dara["capacity"] == 1 and dara["active_matches"] == 0 and dara["timezone"] == "Asia/Phnom_Penh"
    by_tag = client.get(f"/api/v1/mentors?tag_id={w.tags['Mobile apps'].id}", headers=headers).get_json()
    assert [m["name"] for m in by_tag["items"]] == ["Park Ji-woo"]
    assert client.get(f"/api/v1/mentors/{w.mentors['anna'].id}", headers=headers).get_json()["name"] == "Anna Becker"
    error(client.get(f"/api/v1/mentors/{w.manager.id}", headers=headers), 404, "not_found")
    invalid = error(client.get("/api/v1/mentors?language=xx", headers=headers), 422, "invalid")
    assert "language" in invalid["fields"]
    tags = client.get("/api/v1/expertise-tags", headers=headers).get_json()["items"]
    assert {t["name"] for t in tags} == {"Cold chain", "Fundraising", "Mobile apps", "Export"}


def test_needs_read_and_replace(client, api_token, matching_world):
    w = matching_world
    startup = w.startups["biolab"]
    headers = api_token(w.founders["biolab"])
    url = f"/api/v1/startups/{startup.id}/needs"
    assert client.get(url, headers=headers).get_json()["tags"][0]["priority"] == "must"
    body = {"languages": ["en", "fr"], "notes": "Grants", "tags": [
        {"tag_id": w.tags["Export"].id, "priority": "nice"}, {"tag_id": w.tags["Fundraising"].id, "priority": "must"}]}
    saved = client.put(url, json=body, headers=headers).get_json()
    assert saved["declared"] and saved["languages"] == ["en", "fr"] and saved["notes"] == "Grants"
    assert {(t["name"], t["priority"]) for t in saved["tags"]} == {("Export", "nice"), ("Fundraising", "must")}
    no_language = client.put(url, json=body | {"languages": []}, headers=headers)
    assert "languages" in error(no_language, 422, "invalid")["fields"]
    unknown = body | {"tags": [{"tag_id": 999999, "priority": "must"}]}
    assert "tags" in error(client.put(url, json=unknown, headers=headers), 422, "invalid")["fields"]
    error(client.put(url, json=body | {"colour": "red"}, headers=headers), 422, "invalid")
    error(client.put(url, data="nope", headers=headers | {"Content-Type": "application/json"}), 400, "bad_request")
    other = api_token(w.founders["kasekor"])
    error(client.put(url, json=body, headers=other), 403, "forbidden")
    undeclared = client.get(f"/api/v1/startups/{w.startups['kasekor'].id}/needs", headers=other).get_json()
    assert undeclared["declared"] is True  # the fixture declared Kasekor's needs


def test_run_list_publish_and_answer(client, api_token, matching_world):
    w = matching_world
    manager = api_token(w.manager)
    run = client.post(f"/api/v1/cohorts/{w.cohort.id}/matching/run", headers=manager)
    assert run.status_code == 201
    assert run.get_json()["proposed"] == 3 and run.get_json()["shortfalls"] == []
    proposals = client.get(f"/api/v1/matches?cohort_id={w.cohort.id}&status=proposed", headers=manager).get_json()
    assert proposals["total"] == 3 and all(0 <= m["score"] <= 100 for m in proposals["items"])
    kasekor = next(m for m in proposals["items"] if m["startup_name"] == "Kasekor Cold Chain")
    assert kasekor["explanation"]["must_covered"] == ["Cold chain"] and kasekor["mentor_name"] == "Dara Pich"

    founder = api_token(w.founders["kasekor"])
    assert client.get("/api/v1/matches", headers=founder).get_json()["total"] == 0  # proposals are for managers
    error(client.get(f"/api/v1/matches/{kasekor['id']}", headers=founder), 403, "forbidden")

    published = client.post(f"/api/v1/cohorts/{w.cohort.id}/matching/publish", headers=manager).get_json()
    assert published["published"] == 3 and kasekor["id"] in published["match_ids"]
    error(client.post(f"/api/v1/cohorts/{w.cohort.id}/matching/publish", headers=manager), 409, "conflict")
    mine = client.get("/api/v1/matches", headers=founder).get_json()
    assert [m["id"] for m in mine["items"]] == [kasekor["id"]] and mine["items"][0]["decline_reason"] is None

    dara = api_token(w.mentors["dara"])
    anna = api_token(w.mentors["anna"])
    error(client.post(f"/api/v1/matches/{kasekor['id']}/accept", headers=anna), 403, "forbidden")
    accepted = client.post(f"/api/v1/matches/{kasekor['id']}/accept", headers=dara).get_json()
    assert accepted["status"] == "accepted" and accepted["answered_at"]
    error(client.post(f"/api/v1/matches/{kasekor['id']}/accept", headers=dara), 409, "conflict")

    anna_match = client.get("/api/v1/matches", headers=anna).get_json()["items"][0]
    assert "reason" in error(client.post(f"/api/v1/matches/{anna_match['id']}/decline", json={"reason": ""},
                                         headers=anna), 422, "invalid")["fields"]
    declined = client.post(f"/api/v1/matches/{anna_match['id']}/decline", json={"reason": "Busy"}, headers=anna)
    assert declined.get_json()["decline_reason"] == "Busy"
    seen_by_founder = client.get(f"/api/v1/matches/{anna_match['id']}",
                                 headers=api_token(w.founders["biolab"])).get_json()
    assert seen_by_founder["status"] == "declined" and seen_by_founder["decline_reason"] is None

    rerun = client.post(f"/api/v1/cohorts/{w.cohort.id}/matching/run", headers=manager).get_json()
    assert rerun["kept"] == 2 and rerun["proposed"] == 0  # Anna declined; the other English speakers are full
    assert [(s["reason"], s["reason_label"] != "") for s in rerun["shortfalls"]] == [("mentors_full", True)]


def test_completed_cohort_and_unknown_ids(client, api_token, matching_world):
    w = matching_world
    manager = api_token(w.manager)
    w.cohort.status = "completed"
    db.session.commit()
    error(client.post(f"/api/v1/cohorts/{w.cohort.id}/matching/run", headers=manager), 409, "conflict")
    error(client.post("/api/v1/cohorts/999999/matching/run", headers=manager), 404, "not_found")
    error(client.get("/api/v1/matches/999999", headers=manager), 404, "not_found")


def test_mentor_sees_only_own_published_matches(client, api_token, matching_world):
    w = matching_world
    mine = match(w.startups["kasekor"], w.mentors["dara"], MatchStatus.PUBLISHED)
    match(w.startups["biolab"], w.mentors["dara"], MatchStatus.PROPOSED)
    match(w.startups["angkorpay"], w.mentors["jiwoo"], MatchStatus.ACCEPTED)
    db.session.commit()
    items = client.get("/api/v1/matches", headers=api_token(w.mentors["dara"])).get_json()["items"]
    assert [m["id"] for m in items] == [mine.id]
    assert db.session.scalar(sa.select(sa.func.count(Match.id))) == 3


def test_openapi_documents_the_mentoring_routes(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    for path in ("/mentors", "/mentors/{mentor_id}", "/expertise-tags", "/startups/{startup_id}/needs",
                 "/cohorts/{cohort_id}/matching/run", "/cohorts/{cohort_id}/matching/publish", "/matches",
                 "/matches/{match_id}", "/matches/{match_id}/accept", "/matches/{match_id}/decline"):
        assert path in paths, path
    assert "put" in paths["/startups/{startup_id}/needs"]
    assert "409" in paths["/cohorts/{cohort_id}/matching/run"]["post"]["responses"]
