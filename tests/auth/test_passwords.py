"""Password policy, reset by emailed link, change password."""
from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

import pytest
import sqlalchemy as sa

from incubator.auth import services
from incubator.auth.passwords import password_problems
from incubator.extensions import db
from incubator.notifications.models import OutboxMessage
from tests.factories import DEFAULT_PASSWORD, UserFactory


@pytest.mark.parametrize("password,ok", [
    ("short-pass", False),
    ("x" * 129, False),
    ("x" * 128, True),
    ("password1234", False),
    ("correct-horse-battery", True),
    ("ស្វាយរៀងខេត្តស្អាត", True),
])
def test_policy(app, password, ok):
    with app.test_request_context():
        assert (password_problems(password) == []) is ok


def test_password_equal_to_email_refused(app):
    with app.test_request_context():
        assert password_problems("someone@example.org", "someone@example.org")


def test_hash_is_slow_kdf_in_production_config(app):
    from incubator.config import build_config

    assert build_config(app.instance_path)["PASSWORD_HASH_METHOD"] == "scrypt"


def _reset_token(email):
    message = db.session.scalars(sa.select(OutboxMessage).where(OutboxMessage.to_email == email)).first()
    return re.search(r"/auth/reset/(\S+)", message.body_text).group(1)


def test_reset_flow_is_single_use(client):
    UserFactory(email="r@example.org")
    response = client.post("/auth/forgot", data={"email": "r@example.org"})
    assert response.status_code == 302
    token = _reset_token("r@example.org")
    new = {"password": "a-brand-new-secret", "confirm": "a-brand-new-secret"}
    assert client.post(f"/auth/reset/{token}", data=new).status_code == 302
    signed_in = client.post("/auth/login", data={"email": "r@example.org", "password": "a-brand-new-secret"})
    assert signed_in.status_code == 302
    client.post("/auth/logout")
    assert client.get(f"/auth/reset/{token}").status_code == 400


def test_reset_for_unknown_email_says_the_same_and_sends_nothing(client):
    response = client.post("/auth/forgot", data={"email": "ghost@example.org"}, follow_redirects=True)
    assert "If an account uses that email" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(OutboxMessage.id))) == 0


def test_expired_reset_link(client, time_machine):
    UserFactory(email="old@example.org")
    client.post("/auth/forgot", data={"email": "old@example.org"})
    token = _reset_token("old@example.org")
    time_machine.move_to(datetime.now(timezone.utc) + timedelta(hours=3))
    response = client.get(f"/auth/reset/{token}")
    assert response.status_code == 400 and "expired" in response.get_data(as_text=True)


def test_reset_mismatched_confirmation(client):
    UserFactory(email="m@example.org")
    client.post("/auth/forgot", data={"email": "m@example.org"})
    token = _reset_token("m@example.org")
    response = client.post(f"/auth/reset/{token}", data={"password": "a-brand-new-secret", "confirm": "different-one"})
    assert response.status_code == 200 and "The passwords differ" in response.get_data(as_text=True)


def test_change_password_signs_out_other_sessions(app, client, login):
    user = UserFactory()
    login(user)
    other_device = app.test_client()
    other_device.post("/auth/login", data={"email": user.email, "password": DEFAULT_PASSWORD})
    assert other_device.get("/auth/profile").status_code == 200
    response = client.post("/auth/profile/password", data={
        "pw-current_password": DEFAULT_PASSWORD, "pw-new_password": "another-long-secret",
        "pw-confirm": "another-long-secret"})
    assert response.status_code == 302
    assert client.get("/auth/profile").status_code == 200
    assert other_device.get("/auth/profile").status_code == 302


def test_change_password_wrong_current(client, login):
    user = UserFactory()
    login(user)
    response = client.post("/auth/profile/password", data={
        "pw-current_password": "not-my-password", "pw-new_password": "another-long-secret",
        "pw-confirm": "another-long-secret"})
    assert response.status_code == 422 and "not correct" in response.get_data(as_text=True)


def test_authenticate_service(app):
    UserFactory(email="svc@example.org")
    assert services.authenticate("svc@example.org", DEFAULT_PASSWORD) is not None
    assert services.authenticate("svc@example.org", "nope") is None
    assert services.authenticate("missing@example.org", "nope") is None
