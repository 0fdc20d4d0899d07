"""Signing in and out, safe redirects, rate limits and sessions."""
from __future__ import annotations

import pytest

from incubator.auth.models import Role
from incubator.core.urls import is_safe_next
from tests.factories import DEFAULT_PASSWORD, UserFactory


def test_login_success_redirects_home_and_records_time(client, app):
    user = UserFactory(email="sokha@example.org")
    response = client.post("/auth/login", data={"email": "SOKHA@example.org ", "password": DEFAULT_PASSWORD})
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert client.get("/").status_code == 200
    assert user.last_login_at is not None


@pytest.mark.parametrize("password", ["wrong-password-123", ""])
def test_login_failure_shows_message(client, password):
    UserFactory(email="dara@example.org")
    response = client.post("/auth/login", data={"email": "dara@example.org", "password": password})
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert "do not match" in body or "required" in body.lower()


def test_unknown_account_gets_same_message(client):
    response = client.post("/auth/login", data={"email": "nobody@example.org", "password": "whatever-password"})
    assert "do not match an active account" in response.get_data(as_text=True)


def test_inactive_user_cannot_login(client):
    UserFactory(email="gone@example.org", is_active=False)
    response = client.post("/auth/login", data={"email": "gone@example.org", "password": DEFAULT_PASSWORD})
    assert response.status_code == 200 and "do not match" in response.get_data(as_text=True)


def test_next_is_followed_only_on_our_host(client):
    UserFactory(email="a@example.org")
    ok = client.post("/auth/login?next=/auth/profile", data={"email": "a@example.org", "password": DEFAULT_PASSWORD})
    assert ok.headers["Location"] == "/auth/profile"
    client.post("/auth/logout")
    credentials = {"email": "a@example.org", "password": DEFAULT_PASSWORD}
    evil = client.post("/auth/login?next=//evil.example/x", data=credentials)
    assert evil.headers["Location"] == "/"


@pytest.mark.parametrize("target", [
    "//evil.example", "////evil.example", "/\\evil.example", "https://evil.example/", "javascript:alert(1)",
    "", None, "\\\\evil.example", "/ok\r\nLocation: x",
])
def test_unsafe_next_targets_are_refused(target):
    assert not is_safe_next(target)


@pytest.mark.parametrize("target", ["/", "/cohorts/3?x=1", "/auth/profile#t"])
def test_safe_next_targets(target):
    assert is_safe_next(target)


def test_logout_requires_post_and_signs_out(client, login):
    user = UserFactory()
    login(user)
    assert client.get("/auth/logout").status_code == 405
    client.post("/auth/logout")
    assert client.get("/auth/profile").status_code == 302


def test_anonymous_is_sent_to_login_with_next(client):
    response = client.get("/auth/profile")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/auth/login?next=/auth/profile")


@pytest.fixture
def rate_limits(app, monkeypatch):
    """Turn the limiter on for one test, with limits small enough to hit."""
    from incubator.extensions import limiter

    def _set(account: str, ip: str):
        monkeypatch.setitem(app.config, "LOGIN_RATE_LIMIT_ACCOUNT", account)
        monkeypatch.setitem(app.config, "LOGIN_RATE_LIMIT_IP", ip)

    limiter.reset()
    yield _set
    limiter.reset()


def test_login_rate_limited_per_account(client, rate_limits):
    rate_limits(account="3 per minute", ip="100 per minute")
    statuses = [
        client.post("/auth/login", data={"email": "x@example.org", "password": "bad-password-1"}).status_code
        for _ in range(4)
    ]
    assert statuses == [200, 200, 200, 429]
    assert "Too many attempts" in client.post(
        "/auth/login", data={"email": "X@example.org", "password": "p"}).get_data(as_text=True)
    other = client.post("/auth/login", data={"email": "y@example.org", "password": "bad-password-1"})
    assert other.status_code == 200


def test_login_rate_limited_per_ip(client, rate_limits):
    rate_limits(account="100 per minute", ip="2 per minute")
    codes = [client.post("/auth/login", data={"email": f"u{i}@example.org", "password": "nope-nope-nope"}).status_code
             for i in range(3)]
    assert codes == [200, 200, 429]


def test_role_helpers():
    manager = UserFactory.build(role=Role.MANAGER)
    assert manager.has_role("manager") and not manager.has_role("founder")
