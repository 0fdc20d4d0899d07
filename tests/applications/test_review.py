"""Rubric, independent scoring, conflicts of interest and the ranked list."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from incubator.applications import services
from incubator.applications.models import ReviewScore, ReviewStatus, RubricCriterion
from incubator.applications.ranking import rank_cohort, weighted_mean
from incubator.auth.models import Role
from incubator.core.errors import ConflictError, ServiceError
from incubator.extensions import db
from tests.factories import (
    ApplicationFactory,
    CohortFactory,
    ReviewAssignmentFactory,
    RubricCriterionFactory,
    UserFactory,
)


@pytest.fixture
def setup():
    cohort = CohortFactory()
    team = RubricCriterionFactory(cohort=cohort, name="Team", weight=3)
    market = RubricCriterionFactory(cohort=cohort, name="Market", weight=1)
    application = ApplicationFactory(cohort=cohort)
    mentor_a = UserFactory(role=Role.MENTOR, name="Mentor A")
    mentor_b = UserFactory(role=Role.MENTOR, name="Mentor B")
    a = ReviewAssignmentFactory(application=application, reviewer=mentor_a)
    b = ReviewAssignmentFactory(application=application, reviewer=mentor_b)
    return {"cohort": cohort, "team": team, "market": market, "application": application,
            "mentor_a": mentor_a, "mentor_b": mentor_b, "a": a, "b": b}


def test_weighted_mean():
    assert weighted_mean({1: 5, 2: 1}, {1: 3, 2: 1}) == 4.0


def test_reviewer_submits_scores(client, login, setup):
    login(setup["mentor_a"])
    response = client.post(f"/review/assignments/{setup['a'].id}", data={
        f"score_{setup['team'].id}": "5", f"score_{setup['market'].id}": "1", "comment": "Strong team"})
    assert response.status_code == 302
    assert setup["a"].status == ReviewStatus.SUBMITTED and setup["a"].comment == "Strong team"
    assert len(setup["a"].scores) == 2


@pytest.mark.parametrize("scores", [{"team": "6", "market": "1"}, {"team": "0", "market": "1"}, {"team": "5"},
                                    {"team": "x", "market": "2"}])
def test_bad_scores_refused(client, login, setup, scores):
    login(setup["mentor_a"])
    data = {f"score_{setup[k].id}": v for k, v in scores.items()}
    response = client.post(f"/review/assignments/{setup['a'].id}", data=data)
    assert response.status_code == 422
    assert setup["a"].status == ReviewStatus.PENDING
    assert db.session.scalar(sa.select(sa.func.count(ReviewScore.id))) == 0


def test_service_refuses_missing_or_out_of_range(setup):
    with pytest.raises(ServiceError):
        services.submit_review(setup["mentor_a"], setup["a"], {setup["team"].id: 5}, "")
    with pytest.raises(ServiceError):
        services.submit_review(setup["mentor_a"], setup["a"], {setup["team"].id: 9, setup["market"].id: 1}, "")


def test_second_submission_refused(setup):
    scores = {setup["team"].id: 4, setup["market"].id: 4}
    services.submit_review(setup["mentor_a"], setup["a"], scores, "")
    with pytest.raises(ConflictError):
        services.submit_review(setup["mentor_a"], setup["a"], scores, "")


def test_scores_hidden_until_own_review_submitted(client, login, setup):
    services.submit_review(setup["mentor_b"], setup["b"], {setup["team"].id: 2, setup["market"].id: 2}, "meh")
    db.session.commit()
    login(setup["mentor_a"])
    page = client.get(f"/review/applications/{setup['application'].id}").get_data(as_text=True)
    assert "stay hidden until you submit" in page and "meh" not in page
    client.post(f"/review/assignments/{setup['a'].id}", data={
        f"score_{setup['team'].id}": "5", f"score_{setup['market'].id}": "5"})
    page = client.get(f"/review/applications/{setup['application'].id}").get_data(as_text=True)
    assert "meh" in page and "2.00" in page


def test_manager_reviewer_sees_ranking_masked(client, login, setup):
    manager = UserFactory(role=Role.MANAGER)
    ReviewAssignmentFactory(application=setup["application"], reviewer=manager)
    services.submit_review(setup["mentor_b"], setup["b"], {setup["team"].id: 2, setup["market"].id: 2}, "")
    db.session.commit()
    login(manager)
    page = client.get(f"/review/cohorts/{setup['cohort'].id}").get_data(as_text=True)
    assert "Hidden until you submit your review" in page


def test_conflict_takes_reviewer_off(client, login, setup):
    login(setup["mentor_a"])
    response = client.post(f"/review/assignments/{setup['a'].id}/conflict", data={"reason": "My cousin's company"})
    assert response.status_code == 302
    assert setup["a"].status == ReviewStatus.CONFLICT
    assert client.get(f"/review/applications/{setup['application'].id}").status_code == 403
    assert client.get(f"/review/assignments/{setup['a'].id}").status_code == 403


def test_conflict_needs_reason(setup):
    with pytest.raises(ServiceError):
        services.declare_conflict(setup["mentor_a"], setup["a"], "  ")


def test_ranking_orders_by_weighted_mean_with_spread(setup):
    cohort, team, market = setup["cohort"], setup["team"], setup["market"]
    services.submit_review(setup["mentor_a"], setup["a"], {team.id: 5, market.id: 1}, "")  # 4.0
    services.submit_review(setup["mentor_b"], setup["b"], {team.id: 3, market.id: 3}, "")  # 3.0
    other = ApplicationFactory(cohort=cohort)
    c = ReviewAssignmentFactory(application=other, reviewer=setup["mentor_a"])
    services.submit_review(setup["mentor_a"], c, {team.id: 2, market.id: 2}, "")  # 2.0
    ApplicationFactory(cohort=cohort)  # unreviewed: last
    viewer = UserFactory(role=Role.MANAGER)
    ranked = rank_cohort(cohort.id, viewer)
    assert [r.score for r in ranked] == [3.5, 2.0, None]
    assert ranked[0].spread == 1.0 and ranked[0].application.id == setup["application"].id


def test_rubric_edit_and_lock(client, login, setup):
    manager = UserFactory(role=Role.MANAGER)
    login(manager)
    data = {"criteria-0-name": "Team", "criteria-0-weight": "2", "criteria-1-name": "Impact",
            "criteria-1-weight": "1", "criteria-1-description": "Jobs created"}
    assert client.post(f"/review/cohorts/{setup['cohort'].id}/rubric", data=data).status_code == 302
    names = db.session.scalars(sa.select(RubricCriterion.name).where(RubricCriterion.cohort_id == setup["cohort"].id))
    assert sorted(names) == ["Impact", "Team"]


def test_rubric_locked_after_first_review(setup):
    services.submit_review(setup["mentor_a"], setup["a"], {setup["team"].id: 4, setup["market"].id: 4}, "")
    with pytest.raises(ConflictError):
        services.set_rubric(UserFactory(role=Role.MANAGER), setup["cohort"], [{"name": "New", "weight": 1}])


@pytest.mark.parametrize("data,message", [
    ({"criteria-0-name": "Team", "criteria-0-weight": "11"}, "Number must be between 1 and 10"),
    ({"criteria-0-name": "Team", "criteria-1-name": "team"}, "Each criterion needs a different name"),
    ({}, "at least one criterion"),
])
def test_rubric_bad_input(client, login, setup, data, message):
    login(UserFactory(role=Role.MANAGER))
    response = client.post(f"/review/cohorts/{setup['cohort'].id}/rubric", data=data)
    assert response.status_code == 200 and message in response.get_data(as_text=True)
    assert len(setup["cohort"].criteria) == 2


def test_assign_and_unassign_reviewer(client, login, setup):
    manager = UserFactory(role=Role.MANAGER)
    mentor = UserFactory(role=Role.MENTOR)
    login(manager)
    client.post(f"/review/applications/{setup['application'].id}/assign", data={"reviewer_id": mentor.id})
    assignment = next(a for a in setup["application"].assignments if a.reviewer_id == mentor.id)
    assert client.post(f"/review/applications/{setup['application'].id}/assign",
                       data={"reviewer_id": mentor.id}).status_code == 409
    client.post(f"/review/assignments/{assignment.id}/unassign")
    assert all(a.reviewer_id != mentor.id for a in setup["application"].assignments)


def test_founders_and_investors_cannot_review(setup):
    with pytest.raises(ServiceError):
        services.assign_reviewer(UserFactory(role=Role.MANAGER), setup["application"],
                                 UserFactory(role=Role.INVESTOR))


def test_ranking_query_count_is_bounded(client, login, setup, count_queries):
    login(UserFactory(role=Role.MANAGER))
    url = f"/review/cohorts/{setup['cohort'].id}"
    with count_queries() as few:
        client.get(url)
    for _ in range(15):
        app_ = ApplicationFactory(cohort=setup["cohort"])
        assignment = ReviewAssignmentFactory(application=app_, reviewer=setup["mentor_a"])
        services.submit_review(setup["mentor_a"], assignment, {setup["team"].id: 3, setup["market"].id: 4}, "")
    with count_queries() as many:
        client.get(url)
    assert many.count == few.count, "\n".join(few.statements) + "\n-----\n" + "\n".join(many.statements)


def test_locked_rubric_is_read_only(client, login, setup):
    services.submit_review(setup["mentor_a"], setup["a"], {setup["team"].id: 4, setup["market"].id: 4}, "")
    login(UserFactory(role=Role.MANAGER))
    page = client.get(f"/review/cohorts/{setup['cohort'].id}/rubric").get_data(as_text=True)
    assert "can no longer change" in page and "Save rubric" not in page


def test_rubric_row_without_name_refused(client, login, setup):
    login(UserFactory(role=Role.MANAGER))
    response = client.post(f"/review/cohorts/{setup['cohort'].id}/rubric", data={
        "criteria-0-name": "Team", "criteria-1-description": "orphan description"})
    assert "Give every criterion a name" in response.get_data(as_text=True)
    assert len(setup["cohort"].criteria) == 2


def test_manager_sees_conflict_reason(client, login, setup):
    services.declare_conflict(setup["mentor_a"], setup["a"], "Board member of this startup")
    db.session.commit()
    login(UserFactory(role=Role.MANAGER))
    page = client.get(f"/review/applications/{setup['application'].id}").get_data(as_text=True)
    assert "Board member of this startup" in page
