"""Startup profiles: who may edit, logos, team members, list filters."""
from __future__ import annotations

import io

import pytest

from incubator.auth.models import Role
from incubator.cohorts.models import StartupStatus, TeamMember
from incubator.extensions import db
from tests.factories import StartupFactory, TeamMemberFactory, UserFactory, founder_of

PROFILE = {"name": "Kasekor Cold Chain", "sector": "agritech", "stage": "early_revenue", "province": "battambang",
           "description": "Solar cold rooms", "website": "https://kasekor.example.com", "founded_on": "2024-03-01"}


@pytest.fixture
def startup():
    return StartupFactory(name="Kasekor")


def test_founder_edits_own_profile_but_not_status(client, login, startup):
    login(founder_of(startup))
    response = client.post(f"/cohorts/startups/{startup.id}/edit", data={**PROFILE, "status": "graduated"})
    assert response.status_code == 302
    assert startup.name == "Kasekor Cold Chain" and startup.province == "battambang"
    assert startup.status == StartupStatus.ACTIVE


def test_manager_changes_status(client, login, startup):
    login(UserFactory(role=Role.MANAGER))
    response = client.post(f"/cohorts/startups/{startup.id}/edit", data={**PROFILE, "status": "graduated"})
    assert response.status_code == 302
    assert startup.status == StartupStatus.GRADUATED


def test_founder_of_another_startup_cannot_see_or_edit(client, login, startup):
    login(founder_of(StartupFactory()))
    assert client.get(f"/cohorts/startups/{startup.id}").status_code == 403
    assert client.post(f"/cohorts/startups/{startup.id}/edit", data=PROFILE).status_code == 403
    assert startup.name == "Kasekor"


def test_logo_upload_checked_by_content(client, login, startup, png_bytes):
    login(founder_of(startup))
    fake = client.post(f"/cohorts/startups/{startup.id}/edit", content_type="multipart/form-data",
                       data={**PROFILE, "logo": (io.BytesIO(b"not an image at all"), "logo.png")})
    assert fake.status_code == 200 and "must be a PNG, JPEG or WebP" in fake.get_data(as_text=True)
    assert startup.logo_path is None and startup.name == "Kasekor"
    wrong_ext = client.post(f"/cohorts/startups/{startup.id}/edit", content_type="multipart/form-data",
                            data={**PROFILE, "logo": (io.BytesIO(png_bytes), "logo.gif")})
    assert "PNG, JPEG or WebP images only" in wrong_ext.get_data(as_text=True)
    ok = client.post(f"/cohorts/startups/{startup.id}/edit", content_type="multipart/form-data",
                     data={**PROFILE, "logo": (io.BytesIO(png_bytes), "logo.png")})
    assert ok.status_code == 302 and startup.logo_path.endswith(".png")
    image = client.get(f"/cohorts/startups/{startup.id}/logo")
    assert image.status_code == 200 and image.data == png_bytes


def test_oversized_logo_refused(client, login, startup, app, png_bytes):
    login(founder_of(startup))
    big = png_bytes + b"\0" * (app.config["LOGO_MAX_BYTES"])
    response = client.post(f"/cohorts/startups/{startup.id}/edit", content_type="multipart/form-data",
                           data={**PROFILE, "logo": (io.BytesIO(big), "logo.png")})
    assert "larger than 2 MB" in response.get_data(as_text=True)
    assert startup.logo_path is None


def test_request_over_max_content_length_is_413(client, login, startup, app):
    login(founder_of(startup))
    huge = b"x" * (app.config["MAX_CONTENT_LENGTH"] + 1)
    response = client.post(f"/cohorts/startups/{startup.id}/edit", content_type="multipart/form-data",
                           data={**PROFILE, "logo": (io.BytesIO(huge), "logo.png")})
    assert response.status_code == 413
    assert "too large" in response.get_data(as_text=True)


def test_bad_website_is_refused(client, login, startup):
    login(founder_of(startup))
    response = client.post(f"/cohorts/startups/{startup.id}/edit", data={**PROFILE, "website": "not a url"})
    assert response.status_code == 200 and startup.website == ""


def test_duplicate_name_in_cohort_refused(client, login, startup):
    StartupFactory(cohort=startup.cohort, name="Taken Name")
    login(founder_of(startup))
    response = client.post(f"/cohorts/startups/{startup.id}/edit", data={**PROFILE, "name": "Taken Name"})
    assert "already uses that name" in response.get_data(as_text=True)


def test_team_members_add_and_remove(client, login, startup):
    founder = founder_of(startup)
    login(founder)
    response = client.post(f"/cohorts/startups/{startup.id}/members",
                           data={"name": "Bopha Lim", "role_title": "CTO", "email": "", "gender": "female"})
    assert response.status_code == 302
    member_id = next(m.id for m in startup.members if m.name == "Bopha Lim")
    assert client.post(f"/cohorts/startups/{startup.id}/members/{member_id}/delete").status_code == 302
    assert db.session.get(TeamMember, member_id) is None
    own = next(m for m in startup.members if m.user_id == founder.id)
    client.post(f"/cohorts/startups/{startup.id}/members/{own.id}/delete")
    assert db.session.get(TeamMember, own.id) is not None


def test_add_member_requires_name(client, login, startup):
    login(founder_of(startup))
    response = client.post(f"/cohorts/startups/{startup.id}/members", data={"name": "", "role_title": "CTO"})
    assert response.status_code == 422


def test_member_of_other_startup_cannot_be_removed_via_wrong_url(client, login, startup):
    other = TeamMemberFactory()
    login(founder_of(startup))
    assert client.post(f"/cohorts/startups/{startup.id}/members/{other.id}/delete").status_code == 404


def test_startup_list_filters_and_query_count(client, login, count_queries):
    login(UserFactory(role=Role.MENTOR))
    StartupFactory(name="Agri One", sector="agritech")
    StartupFactory(name="Health One", sector="health")
    body = client.get("/cohorts/startups?sector=health").get_data(as_text=True)
    assert "Health One" in body and "Agri One" not in body
    with count_queries() as few:
        client.get("/cohorts/startups")
    for _ in range(25):
        StartupFactory()
    with count_queries() as many:
        client.get("/cohorts/startups")
    assert many.count == few.count


def test_founder_cannot_remove_a_cofounder_with_an_account(client, login, startup):
    first, second = founder_of(startup), founder_of(startup)
    login(first)
    member_id = next(m.id for m in startup.members if m.user_id == second.id)
    response = client.post(f"/cohorts/startups/{startup.id}/members/{member_id}/delete", follow_redirects=True)
    assert "Only the incubator team can remove" in response.get_data(as_text=True)
    assert db.session.get(TeamMember, member_id) is not None


def test_manager_removes_founder_and_pending_invitation_dies(client, login, startup):
    from incubator.auth.models import Invitation
    from incubator.auth.services import invite_user

    founder_of(startup)
    manager = UserFactory(role=Role.MANAGER)
    member = TeamMemberFactory(startup=startup, email="late@example.org", name="Late Founder")
    invitation = invite_user(manager, "late@example.org", Role.FOUNDER, startup=startup)
    login(manager)
    assert client.post(f"/cohorts/startups/{startup.id}/members/{member.id}/delete").status_code == 302
    assert db.session.get(Invitation, invitation.id).revoked_at is not None


def test_team_and_profile_changes_are_audited(client, login, startup):
    import sqlalchemy as sa

    from incubator.audit.models import AuditEntry

    login(founder_of(startup))
    client.post(f"/cohorts/startups/{startup.id}/members", data={"name": "Bopha Lim", "role_title": "CTO"})
    client.post(f"/cohorts/startups/{startup.id}/edit", data=PROFILE)
    actions = set(db.session.scalars(sa.select(AuditEntry.action)))
    assert {"team.member_added", "startup.updated"} <= actions
