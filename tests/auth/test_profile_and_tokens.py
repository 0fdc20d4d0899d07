"""Profile settings and personal API tokens."""
from __future__ import annotations

import re

import sqlalchemy as sa

from incubator.auth.models import ApiToken
from incubator.extensions import db
from tests.factories import UserFactory


def test_profile_update(client, login):
    user = UserFactory(name="Old Name")
    login(user)
    response = client.post("/auth/profile", data={"name": "Dara Pich", "locale": "km", "timezone": "Europe/Berlin"})
    assert response.status_code == 302
    assert (user.name, user.locale, user.timezone) == ("Dara Pich", "km", "Europe/Berlin")


def test_profile_rejects_bad_timezone_and_keeps_old_values(client, login):
    user = UserFactory(name="Keep Me")
    login(user)
    response = client.post("/auth/profile", data={"name": "New", "locale": "en", "timezone": "Mars/Olympus"})
    assert response.status_code == 200 and "Choose a time zone" in response.get_data(as_text=True)
    assert user.name == "Keep Me"


def test_profile_rejects_overlong_name(client, login):
    user = UserFactory(name="Keep Me")
    login(user)
    response = client.post("/auth/profile", data={"name": "x" * 200, "locale": "en", "timezone": "Asia/Phnom_Penh"})
    assert response.status_code == 200 and user.name == "Keep Me"


def test_create_use_and_revoke_token(client, login):
    user = UserFactory()
    login(user)
    page = client.post("/auth/profile/tokens", data={"token-name": "reporting script"}).get_data(as_text=True)
    plaintext = re.search(r"(inc_[A-Za-z0-9_\-]+)", page).group(1)
    token = db.session.scalar(sa.select(ApiToken))
    assert token.token_hash != plaintext and plaintext not in token.token_hash
    client.post("/auth/logout")
    headers = {"Authorization": f"Bearer {plaintext}"}
    assert client.get("/api/v1/openapi.json").status_code == 200
    login(user)
    client.post(f"/auth/profile/tokens/{token.id}/revoke")
    assert token.revoked_at is not None
    assert client.get(f"/api/v1/startups/{999}", headers=headers).status_code == 401


def test_cannot_revoke_someone_elses_token(client, login):
    owner, other = UserFactory(), UserFactory()
    from incubator.auth.services import create_api_token

    token, _ = create_api_token(owner, "mine")
    login(other)
    assert client.post(f"/auth/profile/tokens/{token.id}/revoke").status_code == 404
    assert token.revoked_at is None


def test_token_name_required(client, login):
    login(UserFactory())
    assert client.post("/auth/profile/tokens", data={"token-name": ""}).status_code == 422
    assert db.session.scalar(sa.select(sa.func.count(ApiToken.id))) == 0


def test_token_form_does_not_prefill_profile_name(client, login):
    user = UserFactory(name="Chanthy Keo")
    login(user)
    page = client.post("/auth/profile/tokens", data={"token-name": "Second token"}).get_data(as_text=True)
    assert 'value="Chanthy Keo"' in page and 'value="Second token"' not in page
    assert page.count('id="name"') == 1
