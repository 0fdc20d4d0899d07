"""Application endpoints: the managers' list, the detail with scores, decisions and reviews."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from incubator.applications.models import Application, ApplicationStatus, ReviewStatus
from incubator.auth.models import Role
from incubator.cohorts.models import Startup
from incubator.extensions import db
from incubator.notifications.models import OutboxMessage
from tests.factories import (
    ApplicationFactory,
    CohortFactory,
    ReviewAssignmentFactory,
    RubricCriterionFactory,
    StartupFactory,
    UserFactory,
    founder_of,
)


@pytest.fixture
def rubric():
    cohort = CohortFactory(capacity=2)
    return cohort, [RubricCriterionFactory(cohort=cohort, weight=w) for w in (1, 3)]


def _review(client, api_token, assignment, scores, comment="Strong team."):
    return client.post(f"/api/v1/applications/{assignment.application_id}/reviews",
                       json={"scores": scores, "comment": comment}, headers=api_token(assignment.reviewer))


# Listing ------------------------------------------------------------------------------------------


def test_list_applications_of_a_cohort(client, manager, api_token):
    cohort = CohortFactory()
    first = ApplicationFactory(cohort=cohort)
    ApplicationFactory(cohort=cohort, status=ApplicationStatus.REJECTED)
    ApplicationFactory()  # another cohort
    body = client.get(f"/api/v1/cohorts/{cohort.id}/applications", headers=api_token(manager)).get_json()
    assert body["total"] == 2
    assert body["items"][0]["id"] == first.id
    assert body["items"][0]["status_label"] == "Under review"
    filtered = client.get(f"/api/v1/cohorts/{cohort.id}/applications?status=rejected", headers=api_token(manager))
    assert [item["status"] for item in filtered.get_json()["items"]] == ["rejected"]


def test_list_applications_needs_a_manager(client, mentor, api_token):
    cohort = CohortFactory()
    assert client.get(f"/api/v1/cohorts/{cohort.id}/applications", headers=api_token(mentor)).status_code == 403


def test_list_applications_of_missing_cohort_is_404(client, manager, api_token):
    assert client.get("/api/v1/cohorts/424242/applications", headers=api_token(manager)).status_code == 404


# Detail and scores ---------------------------------------------------------------------------------


def test_manager_sees_application_with_scores(client, manager, api_token, rubric):
    cohort, (light, heavy) = rubric
    assignment = ReviewAssignmentFactory(application=ApplicationFactory(cohort=cohort))
    assert _review(client, api_token, assignment, {str(light.id): 5, str(heavy.id): 1}).status_code == 201
    response = client.get(f"/api/v1/applications/{assignment.application_id}", headers=api_token(manager))
    assert response.status_code == 200
    body = response.get_json()
    assert body["founders"][0]["name"] == "Sokha Chan"
    assert [c["id"] for c in body["criteria"]] == [light.id, heavy.id]
    assert body["my_review"] is None
    scores = body["scores"]
    assert (scores["assigned"], scores["submitted"]) == (1, 1)
    assert scores["score"] == 2.0  # (5*1 + 1*3) / 4
    assert scores["reviews"][0]["comment"] == "Strong team."


def test_reviewer_sees_no_scores_until_their_own_review_is_in(client, api_token, rubric):
    cohort, (light, heavy) = rubric
    application = ApplicationFactory(cohort=cohort)
    mine = ReviewAssignmentFactory(application=application)
    other = ReviewAssignmentFactory(application=application)
    assert _review(client, api_token, other, {str(light.id): 4, str(heavy.id): 4}).status_code == 201
    body = client.get(f"/api/v1/applications/{application.id}", headers=api_token(mine.reviewer)).get_json()
    assert body["scores"] is None
    assert body["my_review"]["status"] == "pending"
    assert _review(client, api_token, mine, {str(light.id): 2, str(heavy.id): 2}).status_code == 201
    body = client.get(f"/api/v1/applications/{application.id}", headers=api_token(mine.reviewer)).get_json()
    assert body["scores"]["submitted"] == 2
    assert body["scores"]["spread"] == 2.0


@pytest.mark.parametrize("who", ["unassigned mentor", "conflicted reviewer", "founder"])
def test_others_cannot_see_an_application(client, api_token, who):
    application = ApplicationFactory()
    if who == "conflicted reviewer":
        user = ReviewAssignmentFactory(application=application, status=ReviewStatus.CONFLICT).reviewer
    elif who == "founder":
        user = founder_of(StartupFactory(cohort=application.cohort))
    else:
        user = UserFactory(role=Role.MENTOR)
    assert client.get(f"/api/v1/applications/{application.id}", headers=api_token(user)).status_code == 403


def test_missing_application_is_404(client, manager, api_token):
    assert client.get("/api/v1/applications/424242", headers=api_token(manager)).status_code == 404


# Decisions -----------------------------------------------------------------------------------------


def test_accepting_creates_the_startup_and_emails(client, manager, api_token):
    application = ApplicationFactory()
    response = client.post(f"/api/v1/applications/{application.id}/decision",
                           json={"decision": "accepted", "note": "Welcome!"}, headers=api_token(manager))
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert (body["status"], body["decision_note"]) == ("accepted", "Welcome!")
    startup = db.session.scalar(sa.select(Startup).where(Startup.application_id == application.id))
    assert body["startup_id"] == startup.id
    recipients = db.session.scalars(sa.select(OutboxMessage.to_email)).all()
    assert application.contact_email in recipients


def test_deciding_an_accepted_application_again_is_409(client, manager, api_token):
    application = ApplicationFactory()
    headers = api_token(manager)
    url = f"/api/v1/applications/{application.id}/decision"
    assert client.post(url, json={"decision": "accepted"}, headers=headers).status_code == 200
    response = client.post(url, json={"decision": "rejected"}, headers=headers)
    assert response.status_code == 409
    assert response.get_json()["error"]["code"] == "conflict"
    assert db.session.get(Application, application.id).status == ApplicationStatus.ACCEPTED


def test_accepting_into_a_full_cohort_is_409(client, manager, api_token):
    cohort = CohortFactory(capacity=1)
    taken = ApplicationFactory(cohort=cohort, status=ApplicationStatus.ACCEPTED)
    StartupFactory(cohort=cohort, application_id=taken.id)
    application = ApplicationFactory(cohort=cohort)
    response = client.post(f"/api/v1/applications/{application.id}/decision", json={"decision": "accepted"},
                           headers=api_token(manager))
    assert response.status_code == 409
    assert "full" in response.get_json()["error"]["message"]
    assert db.session.get(Application, application.id).status == ApplicationStatus.SUBMITTED


def test_only_managers_decide(client, api_token):
    assignment = ReviewAssignmentFactory()
    response = client.post(f"/api/v1/applications/{assignment.application_id}/decision",
                           json={"decision": "accepted"}, headers=api_token(assignment.reviewer))
    assert response.status_code == 403


@pytest.mark.parametrize("body", [{"decision": "submitted"}, {"decision": "maybe"}, {}, {"decision": "rejected",
                                                                                          "note": "x" * 3001}])
def test_invalid_decision_is_422(client, manager, api_token, body):
    application = ApplicationFactory()
    response = client.post(f"/api/v1/applications/{application.id}/decision", json=body, headers=api_token(manager))
    assert response.status_code == 422
    assert response.get_json()["error"]["fields"]


# Reviews -------------------------------------------------------------------------------------------


def test_assigned_reviewer_submits_once(client, api_token, rubric):
    cohort, (light, heavy) = rubric
    assignment = ReviewAssignmentFactory(application=ApplicationFactory(cohort=cohort))
    response = _review(client, api_token, assignment, {str(light.id): 3, str(heavy.id): 4})
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["status"] == "submitted"
    assert response.get_json()["scores"] == {str(light.id): 3, str(heavy.id): 4}
    again = _review(client, api_token, assignment, {str(light.id): 5, str(heavy.id): 5})
    assert again.status_code == 409


def test_unassigned_user_cannot_review(client, manager, api_token, rubric):
    cohort, (light, heavy) = rubric
    application = ApplicationFactory(cohort=cohort)
    response = client.post(f"/api/v1/applications/{application.id}/reviews",
                           json={"scores": {str(light.id): 3, str(heavy.id): 3}}, headers=api_token(manager))
    assert response.status_code == 403


@pytest.mark.parametrize("case", ["missing criterion", "score too high", "not a number"])
def test_invalid_review_is_422(client, api_token, rubric, case):
    cohort, (light, heavy) = rubric
    assignment = ReviewAssignmentFactory(application=ApplicationFactory(cohort=cohort))
    scores = {
        "missing criterion": {str(light.id): 3},
        "score too high": {str(light.id): 6, str(heavy.id): 3},
        "not a number": {str(light.id): "great", str(heavy.id): 3},
    }[case]
    response = _review(client, api_token, assignment, scores)
    assert response.status_code == 422
    assert any(key.startswith("scores") for key in response.get_json()["error"]["fields"])
    assert db.session.get(type(assignment), assignment.id).status == ReviewStatus.PENDING
