"""Accept, waitlist, reject: emails, startup creation, founder invitations, capacity."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from incubator.applications import services
from incubator.applications.models import ApplicationStatus
from incubator.audit.models import AuditEntry
from incubator.auth.models import Invitation, Role
from incubator.cohorts.models import Startup
from incubator.core.errors import ConflictError, ServiceError
from incubator.extensions import db
from incubator.notifications.models import OutboxMessage
from tests.factories import ApplicationFactory, CohortFactory, UserFactory

FOUNDERS = [{"name": "Sokha Chan", "email": "sokha@example.org", "gender": "female"},
            {"name": "Dara Pich", "email": "dara@example.org", "gender": "male"}]


@pytest.fixture
def manager():
    return UserFactory(role=Role.MANAGER)


def test_accept_creates_startup_team_and_invitations(client, login, manager):
    application = ApplicationFactory(founders=FOUNDERS, contact_email="sokha@example.org", startup_name="Num Pang")
    login(manager)
    response = client.post(f"/review/applications/{application.id}/decision", data={"decision": "accepted",
                                                                                     "note": "Welcome!"})
    assert response.status_code == 302
    assert application.status == ApplicationStatus.ACCEPTED and application.decided_by_id == manager.id
    startup = db.session.scalar(sa.select(Startup).where(Startup.application_id == application.id))
    assert startup.name == "Num Pang" and startup.cohort_id == application.cohort_id
    assert sorted(m.email for m in startup.members) == ["dara@example.org", "sokha@example.org"]
    invitations = db.session.scalars(sa.select(Invitation).order_by(Invitation.email)).all()
    assert [(i.email, i.role, i.startup_id) for i in invitations] == [
        ("dara@example.org", Role.FOUNDER, startup.id), ("sokha@example.org", Role.FOUNDER, startup.id)]
    subjects = db.session.scalars(sa.select(OutboxMessage.subject)).all()
    assert any(s.startswith("Welcome to") for s in subjects)
    decision_mail = db.session.scalar(sa.select(OutboxMessage).where(OutboxMessage.subject.startswith("Welcome")))
    assert "Welcome!" in decision_mail.body_text
    actions = db.session.scalars(sa.select(AuditEntry.action)).all()
    assert "application.accepted" in actions and "startup.created" in actions


def test_existing_founder_account_is_attached_not_invited(manager):
    existing = UserFactory(role=Role.FOUNDER, email="sokha@example.org")
    application = ApplicationFactory(founders=FOUNDERS[:1], contact_email="sokha@example.org")
    services.decide(manager, application, "accepted")
    startup = db.session.scalar(sa.select(Startup))
    assert [m.user_id for m in startup.members] == [existing.id]
    assert db.session.scalar(sa.select(sa.func.count(Invitation.id))) == 0


@pytest.mark.parametrize("decision,subject", [("waitlisted", "waitlist"), ("rejected", "Your application")])
def test_waitlist_and_reject_email_applicant(manager, decision, subject):
    application = ApplicationFactory()
    services.decide(manager, application, decision, "Thank you")
    message = db.session.scalar(sa.select(OutboxMessage))
    assert subject in message.subject and message.to_email == application.contact_email
    assert db.session.scalar(sa.select(sa.func.count(Startup.id))) == 0


def test_waitlisted_can_be_accepted_later(manager):
    application = ApplicationFactory()
    services.decide(manager, application, "waitlisted")
    services.decide(manager, application, "accepted")
    assert application.status == ApplicationStatus.ACCEPTED


def test_accepted_is_final(manager):
    application = ApplicationFactory()
    services.decide(manager, application, "accepted")
    with pytest.raises(ConflictError):
        services.decide(manager, application, "rejected")
    with pytest.raises(ConflictError):
        services.decide(manager, application, "accepted")


def test_same_decision_twice_refused(manager):
    application = ApplicationFactory()
    services.decide(manager, application, "rejected")
    with pytest.raises(ConflictError):
        services.decide(manager, application, "rejected")


def test_capacity_enforced(client, login, manager):
    cohort = CohortFactory(capacity=1, name="Tiny")
    first, second = ApplicationFactory(cohort=cohort), ApplicationFactory(cohort=cohort)
    services.decide(manager, first, "accepted")
    db.session.commit()
    login(manager)
    response = client.post(f"/review/applications/{second.id}/decision", data={"decision": "accepted"},
                           follow_redirects=True)
    assert "Tiny is full (1 of 1 places taken)" in response.get_data(as_text=True)
    assert second.status == ApplicationStatus.SUBMITTED
    assert db.session.scalar(sa.select(sa.func.count(Startup.id))) == 1


def test_invalid_decision(client, login, manager):
    application = ApplicationFactory()
    login(manager)
    client.post(f"/review/applications/{application.id}/decision", data={"decision": "maybe"})
    assert application.status == ApplicationStatus.SUBMITTED
    with pytest.raises(ServiceError):
        services.decide(manager, application, "submitted")
    with pytest.raises(ValueError):
        services.decide(manager, application, "maybe")


def test_review_refused_after_decision(manager):
    from tests.factories import ReviewAssignmentFactory, RubricCriterionFactory

    application = ApplicationFactory()
    criterion = RubricCriterionFactory(cohort=application.cohort)
    assignment = ReviewAssignmentFactory(application=application)
    services.decide(manager, application, "rejected")
    with pytest.raises(ConflictError):
        services.submit_review(assignment.reviewer, assignment, {criterion.id: 3}, "")
