"""Bearer-token authentication: missing, malformed, unknown, revoked and cookie-only requests get a 401."""
from __future__ import annotations

import sqlalchemy as sa

from incubator.auth.models import ApiToken
from incubator.auth.services import create_api_token
from incubator.db import utcnow
from incubator.extensions import db


def test_valid_token_is_accepted_and_stamped(client, manager, api_token):
    response = client.get("/api/v1/cohorts", headers=api_token(manager))
    assert response.status_code == 200
    token = db.session.scalar(sa.select(ApiToken).where(ApiToken.user_id == manager.id))
    assert token.last_used_at is not None


def test_missing_token_is_401_with_challenge(client):
    response = client.get("/api/v1/cohorts")
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert response.get_json()["error"]["code"] == "unauthorized"


def test_unknown_token_is_401(client):
    response = client.get("/api/v1/cohorts", headers={"Authorization": "Bearer inc_not-a-real-token"})
    assert response.status_code == 401
    assert set(response.get_json()["error"]) == {"code", "message", "fields"}


def test_malformed_authorization_header_is_401(client, manager):
    _, plaintext = create_api_token(manager, "cli")
    db.session.commit()
    for value in (f"Token {plaintext}", "Bearer", "Bearer  ", plaintext):
        assert client.get("/api/v1/cohorts", headers={"Authorization": value}).status_code == 401, value


def test_revoked_token_is_401(client, manager):
    token, plaintext = create_api_token(manager, "old laptop")
    token.revoked_at = utcnow()
    db.session.commit()
    response = client.get("/api/v1/cohorts", headers={"Authorization": f"Bearer {plaintext}"})
    assert response.status_code == 401


def test_token_of_deactivated_user_is_401(client, manager, api_token):
    headers = api_token(manager)
    manager.is_active = False
    db.session.commit()
    assert client.get("/api/v1/cohorts", headers=headers).status_code == 401


def test_session_cookie_alone_does_not_authorize_the_api(client, login, manager):
    # The API is CSRF-exempt, so a browser's login cookie must not count as credentials.
    login(manager)
    assert client.get("/cohorts/").status_code == 200
    response = client.get("/api/v1/cohorts")
    assert response.status_code == 401


def test_public_endpoints_need_no_token_but_reject_a_bad_one(client):
    assert client.get("/api/v1/openapi.json").status_code == 200
    response = client.get("/api/v1/openapi.json", headers={"Authorization": "Bearer inc_wrong"})
    assert response.status_code == 401
