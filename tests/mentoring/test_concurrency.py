"""Two managers running or publishing a cohort's matching at the same instant; two answers at once.

Real commits and one connection per thread, on SQLite (BEGIN IMMEDIATE) and PostgreSQL (the cohort's row
lock and the partial unique index on active pairs). No pair is ever duplicated, and nobody gets a 500.
"""
from __future__ import annotations

import threading

import pytest
import sqlalchemy as sa

from incubator.auth.models import Role, User
from incubator.extensions import db
from incubator.mentoring.models import ACTIVE_STATUSES, Match, MatchStatus
from incubator.notifications.models import Notification
from tests.factories import UserFactory
from tests.helpers import signed_in_client
from tests.mentoring.factories import match

pytestmark = pytest.mark.concurrent


def _race(calls):
    db.session.rollback()
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def run(i, call):
        barrier.wait()
        results[i] = call()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return results


def _duplicates() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(
        sa.select(Match.startup_id, Match.mentor_id).where(Match.status.in_(ACTIVE_STATUSES))
        .group_by(Match.startup_id, Match.mentor_id).having(sa.func.count(Match.id) > 1).subquery()))


@pytest.fixture
def managers(matching_world):
    second = UserFactory(role=Role.MANAGER)
    db.session.commit()
    return [matching_world.manager.email, second.email]


def test_two_runs_at_once_never_duplicate_a_pair(app, matching_world, managers):
    url = f"/mentoring/cohorts/{matching_world.cohort.id}/run"
    clients = [signed_in_client(app, email) for email in managers]
    responses = _race([lambda c=c: c.post(url) for c in clients])
    assert [r.status_code for r in responses] == [302, 302]
    db.session.expire_all()
    assert _duplicates() == 0
    assert db.session.scalar(sa.select(sa.func.count(Match.id)).where(Match.status == MatchStatus.PROPOSED)) == 3


def test_two_publications_at_once_publish_once(app, api_token, matching_world, managers):
    w = matching_world
    second = db.session.scalar(sa.select(User).where(User.email == managers[1]))
    tokens = [api_token(w.manager), api_token(second)]
    cohort_id, dara_id = w.cohort.id, w.mentors["dara"].id
    db.session.rollback()  # on SQLite the test's open transaction would hold the write lock
    client = app.test_client()
    assert client.post(f"/api/v1/cohorts/{cohort_id}/matching/run", headers=tokens[0]).status_code == 201
    url = f"/api/v1/cohorts/{cohort_id}/matching/publish"
    responses = _race([lambda t=t: client.post(url, headers=t) for t in tokens])
    assert sorted(r.status_code for r in responses) == [200, 409]
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count(Match.id)).where(Match.status == MatchStatus.PUBLISHED)) == 3
    # Each mentor was told exactly once.
    told = db.session.scalar(sa.select(sa.func.count(Notification.id)).where(
        Notification.user_id == dara_id, Notification.category == "matching"))
    assert told == 1


def test_accept_and_decline_at_once(app, api_token, matching_world):
    w = matching_world
    waiting = match(w.startups["kasekor"], w.mentors["dara"], MatchStatus.PUBLISHED)
    db.session.commit()
    headers = api_token(w.mentors["dara"])
    waiting_id = waiting.id
    db.session.rollback()
    client = app.test_client()
    responses = _race([
        lambda: client.post(f"/api/v1/matches/{waiting_id}/accept", headers=headers),
        lambda: client.post(f"/api/v1/matches/{waiting_id}/decline", json={"reason": "Busy"}, headers=headers),
    ])
    assert sorted(r.status_code for r in responses) == [200, 409]
    db.session.expire_all()
    assert db.session.get(Match, waiting_id).status in (MatchStatus.ACCEPTED, MatchStatus.DECLINED)
