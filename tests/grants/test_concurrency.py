"""Two managers writing one grant's ledger at the same instant: the balance is never overdrawn, every entry
gets its own number, and an entry is reversed once.

Real commits and one connection per thread, on SQLite (``BEGIN IMMEDIATE``) and PostgreSQL (``SELECT ... FOR
UPDATE`` on the grant row), whichever the suite runs on. The loser gets a clear refusal, never a 500.
"""
from __future__ import annotations

import threading

import pytest
import sqlalchemy as sa

from incubator.auth.models import Role
from incubator.auth.services import create_api_token
from incubator.cohorts.models import CohortStatus
from incubator.extensions import db
from incubator.grants.models import Grant, LedgerEntry, Tranche
from incubator.grants.services.ledger import record_disbursement
from incubator.grants.services.plans import create_grant
from tests.factories import CohortFactory, StartupFactory, UserFactory, founder_of
from tests.helpers import signed_in_client, tbi_today

pytestmark = pytest.mark.concurrent
TODAY = tbi_today()


def _race(calls):
    """Run each zero-argument call at the same instant; return the results in order."""
    db.session.rollback()  # on SQLite an open transaction would hold the write lock
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


@pytest.fixture
def world(app):
    startup = StartupFactory(cohort=CohortFactory(status=CohortStatus.RUNNING))
    founder_of(startup)
    managers = [UserFactory(role=Role.MANAGER), UserFactory(role=Role.MANAGER)]
    grant = create_grant(managers[0], startup, {"title": "Seed", "currency": "USD", "total": "2000", "tranches": [
        {"amount": "1000", "unlock": "date", "due_on": TODAY}, {"amount": "1000", "unlock": "date", "due_on": TODAY}]})
    tokens = [create_api_token(user, "race")[1] for user in managers]
    db.session.commit()
    return {"grant_id": grant.id, "tranches": [t.id for t in grant.tranches], "tokens": tokens,
            "emails": [m.email for m in managers], "manager_ids": [m.id for m in managers]}


def _ledger(grant_id: int) -> tuple[Grant, list[LedgerEntry]]:
    db.session.expire_all()
    grant = db.session.get(Grant, grant_id)
    entries = db.session.scalars(sa.select(LedgerEntry).where(LedgerEntry.grant_id == grant_id)
                                 .order_by(LedgerEntry.seq)).all()
    return grant, list(entries)


def test_two_managers_cannot_overdraw_a_tranche_through_the_api(app, world):
    url = f"/api/v1/grants/{world['grant_id']}/disbursements"
    client = app.test_client()
    body = {"tranche_id": world["tranches"][0], "amount": "700", "paid_on": TODAY.isoformat(), "reference": "R"}
    responses = _race([lambda t=t: client.post(url, json=body, headers={"Authorization": f"Bearer {t}"})
                       for t in world["tokens"]])
    assert sorted(r.status_code for r in responses) == [201, 409]
    loser = next(r for r in responses if r.status_code == 409).get_json()
    assert loser["error"]["code"] == "conflict" and "is left to pay" in loser["error"]["message"]
    grant, entries = _ledger(world["grant_id"])
    assert [e.amount_minor for e in entries] == [70_000] and grant.disbursed_minor == 70_000
    assert db.session.get(Tranche, world["tranches"][0]).disbursed_minor == 70_000


def test_two_payments_at_once_both_fit_and_get_their_own_numbers(app, world):
    url = f"/api/v1/grants/{world['grant_id']}/disbursements"
    client = app.test_client()
    responses = _race([
        lambda t=t, tranche=tranche: client.post(url, headers={"Authorization": f"Bearer {t}"}, json={
            "tranche_id": tranche, "amount": "1000", "paid_on": TODAY.isoformat(), "reference": f"R{tranche}"})
        for t, tranche in zip(world["tokens"], world["tranches"], strict=True)
    ])
    assert [r.status_code for r in responses] == [201, 201]
    grant, entries = _ledger(world["grant_id"])
    assert [e.seq for e in entries] == [1, 2] and grant.entry_count == 2
    assert [e.balance_after_minor for e in entries] == [100_000, 0] and grant.disbursed_minor == 200_000


def test_many_payments_at_once_never_take_the_balance_below_zero(app, world):
    url = f"/api/v1/grants/{world['grant_id']}/disbursements"
    client = app.test_client()
    calls = [lambda i=i: client.post(url, headers={"Authorization": f"Bearer {world['tokens'][i % 2]}"}, json={
        "tranche_id": world["tranches"][i % 2], "amount": "400", "paid_on": TODAY.isoformat(), "reference": f"R{i}"})
        for i in range(6)]
    responses = _race(calls)
    assert sorted(r.status_code for r in responses) == [201, 201, 201, 201, 409, 409]
    grant, entries = _ledger(world["grant_id"])
    assert grant.disbursed_minor == 160_000 and sum(e.amount_minor for e in entries) == 160_000
    assert [e.seq for e in entries] == [1, 2, 3, 4] and min(e.balance_after_minor for e in entries) >= 0


def test_two_managers_reverse_the_same_entry_on_the_web_at_once(app, world):
    from incubator.auth.models import User

    manager = db.session.get(User, world["manager_ids"][0])
    entry = record_disbursement(manager, db.session.get(Grant, world["grant_id"]), {
        "tranche_id": world["tranches"][0], "amount": "1000", "paid_on": TODAY, "reference": "R"})
    db.session.commit()
    entry_id = entry.id
    clients = [signed_in_client(app, email) for email in world["emails"]]
    responses = _race([lambda c=c, n=n: c.post(f"/grants/entries/{entry_id}/reverse", follow_redirects=True,
                                               data={"reason": f"Wrong account {n}", "reversed_on": TODAY.isoformat()})
                       for n, c in enumerate(clients)])
    assert all(r.status_code < 500 for r in responses)
    bodies = [r.get_data(as_text=True) for r in responses]
    assert sum("reversed by entry no. 2" in b and "Entry no. 1 reversed" in b for b in bodies) == 1
    assert sum("already reversed" in b for b in bodies) == 1
    grant, entries = _ledger(world["grant_id"])
    assert [e.kind.value for e in entries] == ["disbursement", "reversal"] and grant.disbursed_minor == 0
