"""Races the database must settle: simultaneous reviews and the last place of a cohort.

These tests commit for real and use one connection per thread, on SQLite (BEGIN IMMEDIATE)
and on PostgreSQL (row locks), whichever the suite runs on.
"""
from __future__ import annotations

import threading

import pytest
import sqlalchemy as sa

from incubator.applications.models import Application, ApplicationStatus, ReviewAssignment, ReviewStatus
from incubator.auth.models import Role
from incubator.cohorts.models import Startup
from incubator.extensions import db
from tests.factories import (
    ApplicationFactory,
    CohortFactory,
    ReviewAssignmentFactory,
    RubricCriterionFactory,
    UserFactory,
)
from tests.helpers import signed_in_client

pytestmark = pytest.mark.concurrent


def _race(app, jobs):
    """Run each (client, url, data) POST at the same instant; return the responses in order."""
    db.session.rollback()
    barrier = threading.Barrier(len(jobs))
    results: list = [None] * len(jobs)

    def run(i, client, url, data):
        barrier.wait()
        results[i] = client.post(url, data=data, follow_redirects=True)

    threads = [threading.Thread(target=run, args=(i, *job)) for i, job in enumerate(jobs)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return results


def test_two_reviewers_submit_at_once(app):
    cohort = CohortFactory()
    criterion = RubricCriterionFactory(cohort=cohort, weight=2)
    application = ApplicationFactory(cohort=cohort)
    a = ReviewAssignmentFactory(application=application, reviewer=UserFactory(role=Role.MENTOR))
    b = ReviewAssignmentFactory(application=application, reviewer=UserFactory(role=Role.MANAGER))
    db.session.commit()
    ids, emails = (a.id, b.id), (a.reviewer.email, b.reviewer.email)
    jobs = [(signed_in_client(app, email), f"/review/assignments/{aid}", {f"score_{criterion.id}": str(score)})
            for aid, email, score in zip(ids, emails, (4, 2), strict=True)]
    responses = _race(app, jobs)
    assert [r.status_code for r in responses] == [200, 200]
    db.session.expire_all()
    statuses = db.session.scalars(sa.select(ReviewAssignment.status).where(ReviewAssignment.id.in_(ids))).all()
    assert statuses == [ReviewStatus.SUBMITTED, ReviewStatus.SUBMITTED]


def test_same_review_submitted_twice_at_once(app):
    cohort = CohortFactory()
    criterion = RubricCriterionFactory(cohort=cohort)
    assignment = ReviewAssignmentFactory(application=ApplicationFactory(cohort=cohort))
    db.session.commit()
    url, email = f"/review/assignments/{assignment.id}", assignment.reviewer.email
    jobs = [(signed_in_client(app, email), url, {f"score_{criterion.id}": "5"}) for _ in range(2)]
    responses = _race(app, jobs)
    assert all(r.status_code < 500 for r in responses)
    bodies = [r.get_data(as_text=True) for r in responses]
    assert sum("Review submitted" in b for b in bodies) == 1
    db.session.expire_all()
    from incubator.applications.models import ReviewScore

    assert db.session.scalar(sa.select(sa.func.count(ReviewScore.id))) == 1


def test_last_place_accepted_from_two_requests_at_once(app):
    cohort = CohortFactory(capacity=1, name="Last Seat")
    first, second = ApplicationFactory(cohort=cohort), ApplicationFactory(cohort=cohort)
    managers = [UserFactory(role=Role.MANAGER) for _ in range(2)]
    db.session.commit()
    jobs = [(signed_in_client(app, m.email), f"/review/applications/{a.id}/decision", {"decision": "accepted"})
            for m, a in zip(managers, (first, second), strict=True)]
    responses = _race(app, jobs)
    assert all(r.status_code == 200 for r in responses)
    bodies = [r.get_data(as_text=True) for r in responses]
    assert sum("Decision recorded" in b for b in bodies) == 1
    assert sum("Last Seat is full" in b for b in bodies) == 1
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count(Startup.id)).where(Startup.cohort_id == cohort.id)) == 1
    accepted = db.session.scalar(sa.select(sa.func.count(Application.id)).where(
        Application.status == ApplicationStatus.ACCEPTED))
    assert accepted == 1


def test_same_application_accepted_twice_at_once(app):
    cohort = CohortFactory(capacity=5)
    application = ApplicationFactory(cohort=cohort)
    managers = [UserFactory(role=Role.MANAGER) for _ in range(2)]
    db.session.commit()
    url = f"/review/applications/{application.id}/decision"
    responses = _race(app, [(signed_in_client(app, m.email), url, {"decision": "accepted"}) for m in managers])
    assert all(r.status_code == 200 for r in responses)
    bodies = [r.get_data(as_text=True) for r in responses]
    assert sum("Decision recorded" in b for b in bodies) == 1
    assert sum("has already been accepted" in b for b in bodies) == 1
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count(Startup.id))) == 1
