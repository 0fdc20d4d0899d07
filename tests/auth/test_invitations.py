"""Invitations: signed, single use, 7 days, revocable; accepting creates the account."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from incubator.audit.models import AuditEntry
from incubator.auth import services
from incubator.auth.models import Invitation, Role, User
from incubator.core.errors import ConflictError, ServiceError
from incubator.extensions import db
from incubator.notifications.models import OutboxMessage
from tests.factories import StartupFactory, UserFactory

GOOD = {"name": "Sreymom Keo", "password": "mekong-river-sunrise", "confirm": "mekong-river-sunrise",
        "locale": "km", "timezone": "Asia/Seoul"}


def _link_token(email: str) -> str:
    message = db.session.scalars(
        sa.select(OutboxMessage).where(OutboxMessage.to_email == email).order_by(OutboxMessage.id.desc())
    ).first()
    return re.search(r"/auth/invitation/(\S+)", message.body_text).group(1)


@pytest.fixture
def manager():
    return UserFactory(role=Role.MANAGER, is_admin=False, name="Vanna Manager")


def test_manager_invites_mentor_by_email(client, login, manager):
    login(manager)
    response = client.post("/auth/people/invite", data={"email": "Mentor@Example.org", "role": "mentor",
                                                         "name": "Kim Ji-woo", "startup_id": 0})
    assert response.status_code == 302
    invitation = db.session.scalar(sa.select(Invitation))
    assert invitation.email == "mentor@example.org" and invitation.role == Role.MENTOR
    assert invitation.expires_at - invitation.created_at == timedelta(days=7)
    message = db.session.scalar(sa.select(OutboxMessage))
    assert message.to_email == "mentor@example.org" and "/auth/invitation/" in message.body_text
    assert db.session.scalar(sa.select(AuditEntry.action)) == "invitation.sent"


def test_non_admin_manager_cannot_invite_a_manager(client, login, manager):
    login(manager)
    response = client.post("/auth/people/invite", data={"email": "boss@example.org", "role": "manager",
                                                         "startup_id": 0})
    assert response.status_code in (200, 403)
    assert db.session.scalar(sa.select(sa.func.count(Invitation.id))) == 0


def test_inviting_existing_account_is_refused(client, login, manager):
    UserFactory(email="taken@example.org")
    login(manager)
    response = client.post("/auth/people/invite", data={"email": "taken@example.org", "role": "mentor",
                                                         "startup_id": 0})
    assert response.status_code == 200 and "already has an account" in response.get_data(as_text=True)


def test_accepting_creates_account_once(client, manager):
    services.invite_user(manager, "new@example.org", Role.MENTOR)
    db.session.commit()
    token = _link_token("new@example.org")
    assert client.get(f"/auth/invitation/{token}").status_code == 200
    response = client.post(f"/auth/invitation/{token}", data=GOOD)
    assert response.status_code == 302
    user = db.session.scalar(sa.select(User).where(User.email == "new@example.org"))
    assert user.role == Role.MENTOR and user.locale == "km" and user.timezone == "Asia/Seoul"
    client.post("/auth/logout")
    replay = client.post(f"/auth/invitation/{token}", data=GOOD)
    assert replay.status_code == 409 and "already been used" in replay.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(User.id)).where(User.email == "new@example.org")) == 1


def test_founder_invitation_joins_startup(client, manager):
    startup = StartupFactory()
    services.invite_user(manager, "f@example.org", Role.FOUNDER, startup=startup)
    db.session.commit()
    client.post(f"/auth/invitation/{_link_token('f@example.org')}", data=GOOD)
    user = db.session.scalar(sa.select(User).where(User.email == "f@example.org"))
    assert [m.user_id for m in startup.members] == [user.id]


def test_weak_password_keeps_invitation_usable(client, manager):
    services.invite_user(manager, "weak@example.org", Role.MENTOR)
    db.session.commit()
    token = _link_token("weak@example.org")
    response = client.post(f"/auth/invitation/{token}", data={**GOOD, "password": "password1234",
                                                              "confirm": "password1234"})
    assert response.status_code == 200 and "too common" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(User).where(User.email == "weak@example.org")) is None
    assert client.post(f"/auth/invitation/{token}", data=GOOD).status_code == 302


def test_expired_invitation_is_refused(client, manager, time_machine):
    services.invite_user(manager, "late@example.org", Role.MENTOR)
    db.session.commit()
    token = _link_token("late@example.org")
    time_machine.move_to(db.session.scalar(sa.select(Invitation.expires_at)) + timedelta(minutes=1))
    response = client.get(f"/auth/invitation/{token}")
    assert response.status_code == 422 and "expired" in response.get_data(as_text=True)


def test_tampered_or_revoked_links_are_refused(client, manager):
    invitation = services.invite_user(manager, "rev@example.org", Role.MENTOR)
    db.session.commit()
    token = _link_token("rev@example.org")
    assert client.get(f"/auth/invitation/{token}x").status_code == 422
    services.revoke_invitation(manager, invitation)
    db.session.commit()
    assert client.get(f"/auth/invitation/{token}").status_code == 422


def test_resend_kills_old_link(client, manager):
    invitation = services.invite_user(manager, "again@example.org", Role.MENTOR)
    db.session.commit()
    old = _link_token("again@example.org")
    services.resend_invitation(manager, invitation)
    db.session.commit()
    new = _link_token("again@example.org")
    assert old != new
    assert client.get(f"/auth/invitation/{old}").status_code == 422
    assert client.get(f"/auth/invitation/{new}").status_code == 200


def test_service_refuses_used_invitation(manager):
    services.invite_user(manager, "used@example.org", Role.INVESTOR)
    db.session.commit()
    token = _link_token("used@example.org")
    services.accept_invitation(token, "Investor", "a-long-enough-secret")
    with pytest.raises(ConflictError):
        services.accept_invitation(token, "Investor", "a-long-enough-secret")
    with pytest.raises(ServiceError):
        services.load_invitation("garbage")


def test_founder_invitation_needs_a_startup(manager):
    with pytest.raises(ServiceError) as info:
        services.invite_user(manager, "x@example.org", Role.FOUNDER)
    assert "startup_id" in info.value.fields
    with pytest.raises(ServiceError):
        services.invite_user(manager, "y@example.org", Role.MENTOR, startup=StartupFactory())


def test_second_pending_invitation_for_same_email_refused(manager):
    services.invite_user(manager, "twice@example.org", Role.MENTOR)
    with pytest.raises(ConflictError) as info:
        services.invite_user(manager, "twice@example.org", Role.INVESTOR)
    assert "pending invitation" in info.value.message


def test_invitation_page_opens_in_the_invitation_language(client, manager):
    services.invite_user(manager, "km@example.org", Role.MENTOR, locale="km")
    db.session.commit()
    page = client.get(f"/auth/invitation/{_link_token('km@example.org')}").get_data(as_text=True)
    assert '<html lang="km">' in page
    assert '<option selected value="km">' in page


def test_invite_form_defaults_to_founder(client, login, manager):
    login(manager)
    page = client.get("/auth/people/invite").get_data(as_text=True)
    assert '<option selected value="founder">' in page
