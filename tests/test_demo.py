"""``flask demo``: the promised accounts and data, loaded once."""
from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
from pypdf import PdfReader

from incubator.applications.models import Application, ApplicationStatus, ReviewAssignment, ReviewStatus
from incubator.auth.models import Role, User
from incubator.auth.services import authenticate, find_user
from incubator.cohorts.choices import PROVINCES, SECTORS
from incubator.cohorts.models import Cohort, CohortStatus, Startup, TeamMember
from incubator.core.uploads import upload_path
from incubator.demo import ACCOUNTS, DEMO_PASSWORD
from incubator.extensions import db

KHMER = re.compile("[\u1780-\u17ff]")


@pytest.fixture
def demo(app):
    """Run ``flask demo`` and return its output."""

    def _run():
        result = app.test_cli_runner().invoke(args=["demo"])
        assert result.exit_code == 0, result.output
        db.session.expire_all()
        return result.output

    return _run


def _count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def _cohort(status: CohortStatus) -> Cohort:
    return db.session.scalar(sa.select(Cohort).where(Cohort.status == status))


def test_demo_prints_the_logins(demo):
    output = demo()

    assert "Loaded the demo: 8 accounts, 2 cohorts, 20 startups" in output
    assert f"password for every account: {DEMO_PASSWORD}" in output
    for email in ("manager@example.com", "founder@example.com", "mentor@example.com", "investor@example.com"):
        assert email in output


def test_demo_accounts_sign_in_with_the_demo_password(demo):
    demo()

    for account in ACCOUNTS.values():
        user = authenticate(account.email, DEMO_PASSWORD)
        assert user is not None, account.email
        assert user.role == Role(account.role) and user.timezone == account.timezone
    assert find_user("manager@example.com").is_admin
    mentor_zones = set(db.session.scalars(sa.select(User.timezone).where(User.role == Role.MENTOR)))
    assert {"Asia/Phnom_Penh", "Asia/Seoul", "Asia/Shanghai", "Europe/Berlin"} <= mentor_zones
    assert db.session.scalar(sa.select(User).where(User.role == Role.INVESTOR)).email == "investor@example.com"


def test_demo_running_cohort_has_startups_in_every_sector(demo):
    demo()

    running = _cohort(CohortStatus.RUNNING)
    assert len(running.startups) == 16
    assert {s.sector for s in running.startups} == set(SECTORS)
    assert not running.accepts_applications()
    assert len(running.criteria) >= 3
    founder = find_user("founder@example.com")
    membership = db.session.scalar(sa.select(TeamMember).where(TeamMember.user_id == founder.id))
    assert membership.is_founder and membership.startup.cohort_id == running.id


def test_demo_startups_look_like_a_cambodian_cohort(demo):
    demo()

    startups = db.session.scalars(sa.select(Startup)).all()
    assert len(startups) == 20
    assert {s.province for s in startups} <= set(PROVINCES) and len({s.province for s in startups}) >= 12
    assert sum(1 for s in startups if KHMER.search(s.description)) >= 2
    assert all(s.members for s in startups)
    genders = set(db.session.scalars(sa.select(TeamMember.gender)))
    assert {"female", "male"} <= genders
    names = set(db.session.scalars(sa.select(TeamMember.name)))
    assert {"Sokha Chan", "Sreymom Keo"} <= names


def test_demo_open_cohort_has_applications_reviews_and_decisions(demo):
    demo()

    open_cohort = _cohort(CohortStatus.OPEN)
    assert open_cohort.accepts_applications()
    assert open_cohort.criteria
    applications = db.session.scalars(sa.select(Application).where(Application.cohort_id == open_cohort.id)).all()
    statuses = {a.status for a in applications}
    assert statuses == set(ApplicationStatus)
    assignments = [a for application in applications for a in application.assignments]
    review_statuses = {a.status for a in assignments}
    assert {ReviewStatus.PENDING, ReviewStatus.SUBMITTED, ReviewStatus.CONFLICT} <= review_statuses
    assert all(len(a.scores) == len(open_cohort.criteria) for a in assignments if a.status == ReviewStatus.SUBMITTED)
    mentor = find_user("mentor@example.com")
    assert any(a.reviewer_id == mentor.id and a.status == ReviewStatus.PENDING for a in assignments)


def test_demo_pitch_decks_are_readable_pdfs(demo):
    demo()

    application = db.session.scalar(sa.select(Application).order_by(Application.id))
    reader = PdfReader(upload_path(application.pitch_deck_path))
    assert application.startup_name in reader.pages[0].extract_text()


def test_demo_twice_changes_nothing(demo):
    demo()
    models = (User, Cohort, Startup, TeamMember, Application, ReviewAssignment)
    before = {model.__name__: _count(model) for model in models}

    output = demo()

    assert "already loaded; nothing changed" in output
    assert "manager@example.com" in output
    assert {model.__name__: _count(model) for model in models} == before


def test_demo_refuses_accounts_that_already_exist(app, demo):
    from tests.factories import UserFactory

    UserFactory(email="mentor@example.com", role=Role.MENTOR)
    db.session.commit()

    result = app.test_cli_runner().invoke(args=["demo"])

    assert result.exit_code == 1
    assert "mentor@example.com" in result.output
    assert _count(Cohort) == 0


def test_demo_refuses_production(app, monkeypatch):
    monkeypatch.setitem(app.config, "APP_ENV", "production")

    result = app.test_cli_runner().invoke(args=["demo"])

    assert result.exit_code == 1
    assert "APP_ENV=production" in result.output
    assert find_user("manager@example.com") is None
