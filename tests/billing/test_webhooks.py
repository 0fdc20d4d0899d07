"""The Stripe webhook: signatures, replays, every handled event, events out of order, unknown things."""
from __future__ import annotations

import json
import time

import pytest

from incubator.billing import services
from incubator.billing.models import Charge, ChargeStatus, StripeEvent
from incubator.extensions import db
from tests.billing.conftest import TEST_KIND, WEBHOOK_SECRET, WEBHOOK_URL
from tests.billing.fake_stripe import make_event, sign


@pytest.fixture
def charge(fake_stripe, startup, founder, fulfilment):
    """A charge awaiting payment with an open Checkout Session, committed like a real request's."""
    charge = services.create_charge(startup=startup, payer=founder, kind=TEST_KIND, subject_id=9,
                                    description="Wet lab, half day", amount_minor=4000, currency="USD")
    services.checkout_url(charge, success_url="https://tbi.example/ok", cancel_url="https://tbi.example/back")
    db.session.commit()
    return charge


def _reload(charge) -> Charge:
    db.session.expire_all()
    return db.session.get(Charge, charge.id)


def _events() -> list[StripeEvent]:
    return db.session.query(StripeEvent).order_by(StripeEvent.id).all()


# Refused requests ------------------------------------------------------------------------------------------


def _raw(client, body: str, header: str | None):
    headers = {"Stripe-Signature": header} if header is not None else {}
    return client.post(WEBHOOK_URL, data=body, content_type="application/json", headers=headers)


@pytest.mark.parametrize("case", ["missing", "forged", "wrong_secret", "stale", "garbage_header", "tampered_body",
                                  "empty_header"])
def test_bad_signatures_get_400_and_change_nothing(client, fake_stripe, charge, fake_stripe_session_paid, case):
    body = json.dumps(make_event("checkout.session.completed", fake_stripe_session_paid))
    header = {
        "missing": None,
        "forged": sign(body, WEBHOOK_SECRET).replace("v1=", "v1=00"),
        "wrong_secret": sign(body, "whsec_someone_else"),
        "stale": sign(body, WEBHOOK_SECRET, int(time.time()) - 301),
        "empty_header": "",
        "garbage_header": "t=abc,v1=nothing",
        "tampered_body": sign(body.replace("4000", "1"), WEBHOOK_SECRET),
    }[case]
    response = _raw(client, body, header)
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "bad_request"
    assert _events() == []
    assert _reload(charge).status == ChargeStatus.AWAITING_PAYMENT


def test_malformed_json_with_a_valid_signature_gets_400(client, fake_stripe):
    body = '{"id": "evt_1", "type": '
    assert _raw(client, body, sign(body, WEBHOOK_SECRET)).status_code == 400
    assert _events() == []


@pytest.mark.parametrize("body", ['["a list"]', '{"id": "evt_x", "type": "checkout.session.completed"}',
                                  '{"id": 5, "type": "x", "data": {"object": {}}}'])
def test_signed_json_that_is_not_an_event_gets_400(client, fake_stripe, body):
    assert _raw(client, body, sign(body, WEBHOOK_SECRET)).status_code == 400
    assert _events() == []


def test_without_a_webhook_secret_every_request_is_refused(client, app, post_event):
    assert not app.config["STRIPE_WEBHOOK_SECRET"]
    assert post_event("checkout.session.completed", {"id": "cs_1"}).status_code == 400
    assert _events() == []


@pytest.fixture
def csrf_client(app, tmp_path):
    from incubator import create_app
    from incubator.config import test_overrides

    overrides = test_overrides(app.config["SQLALCHEMY_DATABASE_URI"], str(tmp_path))
    overrides.update(WTF_CSRF_ENABLED=True, STRIPE_WEBHOOK_SECRET=WEBHOOK_SECRET)
    strict = create_app(overrides)
    assert strict.config["WTF_CSRF_ENABLED"] is True
    yield strict.test_client()
    with strict.app_context():
        db.engine.dispose()


@pytest.mark.concurrent  # a second app: its own connection and real commits
def test_the_webhook_needs_no_sign_in_and_no_csrf_token(csrf_client):
    body = json.dumps(make_event("customer.created", {"id": "cus_1", "object": "customer"}))
    response = csrf_client.post(WEBHOOK_URL, data=body, content_type="application/json",
                                headers={"Stripe-Signature": sign(body, WEBHOOK_SECRET)})
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.get_json()["outcome"] == "ignored"
    # Other billing forms still need the token.
    assert csrf_client.post("/billing/reconcile").status_code in (302, 400)


# Checkout Sessions -----------------------------------------------------------------------------------------


@pytest.fixture
def fake_stripe_session_paid(fake_stripe, charge):
    return fake_stripe.complete_session(charge.stripe_checkout_session_id)


def test_completed_pays_the_charge_and_runs_the_fulfilment(post_event, charge, fake_stripe_session_paid, fulfilment):
    response = post_event("checkout.session.completed", fake_stripe_session_paid, event_id="evt_done")
    assert response.status_code == 200
    assert response.get_json() == {"received": True, "outcome": "paid"}
    charge = _reload(charge)
    assert charge.status == ChargeStatus.PAID
    assert charge.stripe_payment_intent_id == fake_stripe_session_paid["payment_intent"]
    assert charge.expires_at is None
    assert fulfilment.paid == [(9, charge.id)]
    (event,) = _events()
    assert (event.event_id, event.type, event.charge_id, event.outcome) == (
        "evt_done", "checkout.session.completed", charge.id, "paid")


def test_a_replayed_event_changes_nothing(post_event, charge, fake_stripe_session_paid, fulfilment):
    assert post_event("checkout.session.completed", fake_stripe_session_paid, event_id="evt_same").status_code == 200
    again = post_event("checkout.session.completed", fake_stripe_session_paid, event_id="evt_same")
    assert again.status_code == 200
    assert again.get_json() == {"received": True, "duplicate": True}
    assert fulfilment.paid == [(9, charge.id)]
    assert len(_events()) == 1


def test_the_same_payment_in_a_new_event_is_not_fulfilled_twice(post_event, charge, fake_stripe_session_paid,
                                                                 fulfilment):
    post_event("checkout.session.completed", fake_stripe_session_paid)
    response = post_event("checkout.session.completed", fake_stripe_session_paid)
    assert response.get_json()["outcome"] == "already_paid"
    assert fulfilment.paid == [(9, charge.id)]


def test_a_failing_fulfilment_answers_500_so_stripe_retries(post_event, charge, fake_stripe_session_paid,
                                                           fulfilment):
    fulfilment.fail_paid = True
    assert post_event("checkout.session.completed", fake_stripe_session_paid, event_id="evt_r").status_code == 500
    assert _events() == []  # not recorded: the retry will be applied
    assert _reload(charge).status == ChargeStatus.AWAITING_PAYMENT
    fulfilment.fail_paid = False
    assert post_event("checkout.session.completed", fake_stripe_session_paid, event_id="evt_r").status_code == 200
    assert _reload(charge).status == ChargeStatus.PAID


def test_a_session_found_by_its_metadata(post_event, fake_stripe, charge, fulfilment):
    # An earlier session of the charge (its id replaced by a newer one) still pays the charge.
    obj = dict(fake_stripe.complete_session(charge.stripe_checkout_session_id), id="cs_test_older")
    assert post_event("checkout.session.completed", obj).get_json()["outcome"] == "paid"
    assert _reload(charge).status == ChargeStatus.PAID


def test_unknown_session_is_recorded_as_unmatched(post_event, fake_stripe, charge):
    obj = {"id": "cs_test_someone_else", "object": "checkout.session", "payment_status": "paid", "metadata": {}}
    response = post_event("checkout.session.completed", obj)
    assert response.status_code == 200 and response.get_json()["outcome"] == "unmatched"
    assert _events()[0].charge_id is None
    assert _reload(charge).status == ChargeStatus.AWAITING_PAYMENT


def test_unknown_event_types_are_recorded_and_ignored(post_event, fake_stripe, charge):
    response = post_event("customer.created", {"id": "cus_1", "object": "customer"})
    assert response.status_code == 200 and response.get_json()["outcome"] == "ignored"
    assert [(e.type, e.outcome) for e in _events()] == [("customer.created", "ignored")]


def test_expired_releases_an_unpaid_hold(post_event, fake_stripe, charge, fulfilment):
    session = fake_stripe.expire_session(charge.stripe_checkout_session_id)
    assert post_event("checkout.session.expired", session).get_json()["outcome"] == "released"
    assert _reload(charge).status == ChargeStatus.EXPIRED
    assert fulfilment.released == [(9, charge.id)]


def test_expired_after_completed_keeps_the_payment(post_event, fake_stripe, charge, fake_stripe_session_paid,
                                                   fulfilment):
    post_event("checkout.session.completed", fake_stripe_session_paid)
    expired = dict(fake_stripe_session_paid, status="expired")
    assert post_event("checkout.session.expired", expired).get_json()["outcome"] == "stale"
    assert _reload(charge).status == ChargeStatus.PAID
    assert fulfilment.released == []


def test_expired_of_an_older_session_does_not_release_the_current_one(post_event, fake_stripe, charge, fulfilment):
    old = {"id": "cs_test_old", "object": "checkout.session", "status": "expired",
           "metadata": {"incubator_charge_id": str(charge.id)}}
    assert post_event("checkout.session.expired", old).get_json()["outcome"] == "stale"
    assert _reload(charge).status == ChargeStatus.AWAITING_PAYMENT


def test_completed_after_expired_refunds_the_late_payment(post_event, fake_stripe, charge, fulfilment):
    session_id = charge.stripe_checkout_session_id
    post_event("checkout.session.expired", dict(fake_stripe.sessions[session_id], status="expired"))
    paid = fake_stripe.complete_session(session_id)
    response = post_event("checkout.session.completed", paid)
    assert response.get_json()["outcome"] == "late_refunded"
    charge = _reload(charge)
    assert charge.status == ChargeStatus.REFUNDED
    assert fake_stripe.payment_intents[paid["payment_intent"]]["amount_refunded"] == 4000
    assert fulfilment.paid == [] and fulfilment.released == [(9, charge.id)]


def test_completed_after_expired_with_stripe_down_is_flagged(post_event, fake_stripe, charge, manager, fulfilment):
    session_id = charge.stripe_checkout_session_id
    post_event("checkout.session.expired", dict(fake_stripe.sessions[session_id], status="expired"))
    fake_stripe.fail_next("POST", "/v1/refunds")
    response = post_event("checkout.session.completed", fake_stripe.complete_session(session_id))
    assert response.status_code == 200 and response.get_json()["outcome"] == "late_needs_attention"
    charge = _reload(charge)
    assert charge.status == ChargeStatus.PAID and charge.needs_attention


def test_delayed_payment_keeps_the_hold_until_stripe_decides(post_event, fake_stripe, charge, fulfilment):
    session_id = charge.stripe_checkout_session_id
    pending = fake_stripe.complete_session(session_id, paid=False)
    assert post_event("checkout.session.completed", pending).get_json()["outcome"] == "processing"
    charge = _reload(charge)
    assert charge.status == ChargeStatus.AWAITING_PAYMENT and charge.expires_at is None  # the job leaves it
    succeeded = fake_stripe.settle_async(session_id)
    assert post_event("checkout.session.async_payment_succeeded", succeeded).get_json()["outcome"] == "paid"
    assert _reload(charge).status == ChargeStatus.PAID
    assert fulfilment.paid == [(9, charge.id)]


def test_delayed_payment_that_fails_releases_the_hold(post_event, fake_stripe, charge, fulfilment):
    session_id = charge.stripe_checkout_session_id
    post_event("checkout.session.completed", fake_stripe.complete_session(session_id, paid=False))
    failed = fake_stripe.settle_async(session_id, succeeded=False)
    assert post_event("checkout.session.async_payment_failed", failed).get_json()["outcome"] == "released"
    assert _reload(charge).status == ChargeStatus.CANCELLED
    assert fulfilment.released == [(9, charge.id)]


def test_async_succeeded_before_completed(post_event, fake_stripe, charge, fulfilment):
    session_id = charge.stripe_checkout_session_id
    fake_stripe.complete_session(session_id, paid=False)
    succeeded = fake_stripe.settle_async(session_id)
    assert post_event("checkout.session.async_payment_succeeded", succeeded).get_json()["outcome"] == "paid"
    pending = dict(succeeded, payment_status="unpaid")
    assert post_event("checkout.session.completed", pending).get_json()["outcome"] == "stale"
    assert _reload(charge).status == ChargeStatus.PAID
    assert fulfilment.paid == [(9, charge.id)]


# Refunds ---------------------------------------------------------------------------------------------------


def _refund_on_stripe(fake_stripe, intent_id: str, amount: int) -> dict:
    intent = fake_stripe.payment_intents[intent_id]
    intent["amount_refunded"] += amount
    return fake_stripe.charge_object(intent_id)


def test_refunded_in_stripe_partly_then_fully(post_event, fake_stripe, charge, fake_stripe_session_paid):
    post_event("checkout.session.completed", fake_stripe_session_paid)
    intent_id = fake_stripe_session_paid["payment_intent"]
    assert post_event("charge.refunded", _refund_on_stripe(fake_stripe, intent_id, 1000)).get_json()["outcome"] \
        == "refunded"
    charge = _reload(charge)
    assert (charge.status, charge.refunded_minor, charge.net_minor) == (ChargeStatus.PARTIALLY_REFUNDED, 1000, 3000)
    post_event("charge.refunded", _refund_on_stripe(fake_stripe, intent_id, 3000))
    charge = _reload(charge)
    assert (charge.status, charge.refunded_minor) == (ChargeStatus.REFUNDED, 4000)


def test_an_older_refund_event_arriving_last_does_not_lower_the_total(post_event, fake_stripe, charge,
                                                                        fake_stripe_session_paid):
    post_event("checkout.session.completed", fake_stripe_session_paid)
    intent_id = fake_stripe_session_paid["payment_intent"]
    first = _refund_on_stripe(fake_stripe, intent_id, 1000)
    second = _refund_on_stripe(fake_stripe, intent_id, 3000)
    post_event("charge.refunded", second)
    assert post_event("charge.refunded", first).get_json()["outcome"] == "stale"
    assert _reload(charge).status == ChargeStatus.REFUNDED


def test_refunded_before_completed_is_applied_when_the_payment_arrives(post_event, fake_stripe, charge,
                                                                       fake_stripe_session_paid, fulfilment):
    intent_id = fake_stripe_session_paid["payment_intent"]
    refunded = _refund_on_stripe(fake_stripe, intent_id, 4000)
    assert post_event("charge.refunded", refunded).get_json()["outcome"] == "deferred"
    assert _reload(charge).status == ChargeStatus.AWAITING_PAYMENT
    post_event("checkout.session.completed", fake_stripe_session_paid)
    charge = _reload(charge)
    assert (charge.status, charge.refunded_minor) == (ChargeStatus.REFUNDED, 4000)


def test_refund_of_a_payment_that_is_not_ours(post_event, fake_stripe, charge):
    obj = {"id": "ch_x", "object": "charge", "amount": 100, "amount_refunded": 100, "payment_intent": None}
    assert post_event("charge.refunded", obj).get_json()["outcome"] == "unmatched"


def test_our_own_refund_confirmed_by_stripe_changes_nothing_more(post_event, fake_stripe, charge,
                                                                  fake_stripe_session_paid):
    post_event("checkout.session.completed", fake_stripe_session_paid)
    services.cancel_charge(_reload(charge), reason="cancelled")
    db.session.commit()
    confirmation = fake_stripe.charge_object(fake_stripe_session_paid["payment_intent"])
    assert post_event("charge.refunded", confirmation).get_json()["outcome"] == "stale"
    assert _reload(charge).status == ChargeStatus.REFUNDED
