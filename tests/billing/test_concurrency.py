"""The same Stripe event delivered twice at the same instant is applied once (real commits, one connection per
thread; SQLite serialises writers with BEGIN IMMEDIATE, PostgreSQL makes the second insert of the event id wait
and then fail on the unique key). Conflicting events at once never leave a paid charge released or the reverse.
"""
from __future__ import annotations

import json
import threading

import pytest
import sqlalchemy as sa

from incubator.billing import services
from incubator.billing.models import Charge, ChargeStatus, StripeEvent
from incubator.cohorts.models import CohortStatus
from incubator.extensions import db
from tests.billing.conftest import TEST_KIND, WEBHOOK_SECRET, WEBHOOK_URL
from tests.billing.fake_stripe import make_event, sign
from tests.factories import CohortFactory, StartupFactory, founder_of

pytestmark = pytest.mark.concurrent


def _race(calls):
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
def awaiting(app, fake_stripe, fulfilment):
    startup = StartupFactory(cohort=CohortFactory(status=CohortStatus.RUNNING))
    founder = founder_of(startup)
    charge = services.create_charge(startup=startup, payer=founder, kind=TEST_KIND, subject_id=5,
                                    description="CNC mill", amount_minor=3000, currency="USD")
    services.checkout_url(charge, success_url="https://x/ok", cancel_url="https://x/no")
    db.session.commit()
    return charge.id, charge.stripe_checkout_session_id


def _post(app, payload: str):
    client = app.test_client()
    return client.post(WEBHOOK_URL, data=payload, content_type="application/json",
                       headers={"Stripe-Signature": sign(payload, WEBHOOK_SECRET)})


def test_the_same_event_delivered_three_times_at_once(app, fake_stripe, awaiting, fulfilment):
    charge_id, session_id = awaiting
    payload = json.dumps(make_event("checkout.session.completed", fake_stripe.complete_session(session_id),
                                    "evt_concurrent"))
    responses = _race([lambda: _post(app, payload) for _ in range(3)])
    assert [r.status_code for r in responses] == [200, 200, 200]
    bodies = [r.get_json() for r in responses]
    assert sum(b.get("outcome") == "paid" for b in bodies) == 1
    assert sum(b.get("duplicate") is True for b in bodies) == 2
    assert fulfilment.paid == [(5, charge_id)]
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count(StripeEvent.id))) == 1
    assert db.session.get(Charge, charge_id).status == ChargeStatus.PAID


def test_two_events_for_the_same_payment_at_once_fulfil_once(app, fake_stripe, awaiting, fulfilment):
    charge_id, session_id = awaiting
    session = fake_stripe.complete_session(session_id)
    payloads = [json.dumps(make_event("checkout.session.completed", session)) for _ in range(2)]
    responses = _race([lambda p=p: _post(app, p) for p in payloads])
    assert sorted(r.get_json()["outcome"] for r in responses) == ["already_paid", "paid"]
    assert fulfilment.paid == [(5, charge_id)]


def test_completed_and_expired_at_once_stay_consistent(app, fake_stripe, awaiting, fulfilment):
    charge_id, session_id = awaiting
    paid = dict(fake_stripe.complete_session(session_id))
    completed = json.dumps(make_event("checkout.session.completed", paid))
    expired = json.dumps(make_event("checkout.session.expired", dict(paid, status="expired")))
    responses = _race([lambda: _post(app, completed), lambda: _post(app, expired)])
    assert all(r.status_code == 200 for r in responses)
    db.session.expire_all()
    charge = db.session.get(Charge, charge_id)
    intent = fake_stripe.payment_intents[paid["payment_intent"]]
    if fulfilment.released:  # expired won: the payment came "late" and went back
        assert charge.status == ChargeStatus.REFUNDED and intent["amount_refunded"] == 3000
        assert fulfilment.paid == []
    else:
        assert charge.status == ChargeStatus.PAID and intent["amount_refunded"] == 0
        assert fulfilment.paid == [(5, charge_id)]
