"""Charges: creating them with and without Stripe, Checkout, cancelling, refunds, offline payments, late payments."""
from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine

from incubator.audit.models import AuditEntry
from incubator.billing import offline, services
from incubator.billing.models import Charge, ChargeStatus
from incubator.billing.stripe_client import PaymentProviderError
from incubator.core.errors import ConflictError, ServiceError
from incubator.db import utcnow
from incubator.extensions import db
from incubator.notifications.models import Notification
from tests.billing.conftest import TEST_KIND


def _charge(startup, founder, **overrides) -> Charge:
    values = {"startup": startup, "payer": founder, "kind": TEST_KIND, "subject_id": 41,
              "description": "Laser cutter, 2 hours", "amount_minor": 2500, "currency": "USD"}
    values.update(overrides)
    return services.create_charge(**values)


def _checkout(charge) -> str:
    return services.checkout_url(charge, success_url="https://tbi.example/ok", cancel_url="https://tbi.example/back")


# Creating -------------------------------------------------------------------------------------------


def test_without_stripe_a_charge_is_to_be_invoiced(startup, founder):
    charge = _charge(startup, founder)
    assert charge.id is not None
    assert charge.status == ChargeStatus.TO_INVOICE
    assert charge.expires_at is None
    assert (charge.payer_id, charge.startup_id, charge.kind) == (founder.id, startup.id, TEST_KIND)
    assert charge.subject_id == 41
    assert services.charge_for(TEST_KIND, 41) == charge


def test_with_stripe_a_charge_is_held_thirty_minutes(fake_stripe, startup, founder):
    with time_machine.travel(utcnow(), tick=False):
        charge = _charge(startup, founder)
        assert charge.status == ChargeStatus.AWAITING_PAYMENT
        assert charge.expires_at == utcnow() + timedelta(minutes=30)
    assert fake_stripe.calls == []  # nothing is created on Stripe until the founder goes to pay


@pytest.mark.parametrize(("overrides", "field"), [
    ({"amount_minor": 0}, "amount"),
    ({"amount_minor": -5}, "amount"),
    ({"currency": "EUR"}, "currency"),
])
def test_create_charge_refuses_bad_amounts_and_currencies(startup, founder, overrides, field):
    with pytest.raises(ServiceError) as caught:
        _charge(startup, founder, **overrides)
    assert field in caught.value.fields
    assert db.session.query(Charge).count() == 0


def test_create_charge_needs_a_description(startup, founder):
    with pytest.raises(ServiceError):
        _charge(startup, founder, description="   ")


def test_charge_for_returns_the_latest_and_none_when_never_charged(startup, founder):
    assert services.charge_for(TEST_KIND, 41) is None
    first = _charge(startup, founder)
    services.cancel_charge(first, reason="rebooked")
    second = _charge(startup, founder)
    assert services.charge_for(TEST_KIND, 41) == second
    assert services.charge_for("other_kind", 41) is None


# Checkout -------------------------------------------------------------------------------------------


def test_checkout_creates_a_session_with_an_idempotency_key(fake_stripe, startup, founder):
    charge = _charge(startup, founder)
    url = _checkout(charge)
    (call,) = fake_stripe.calls_to("POST", "/v1/checkout/sessions")
    session = fake_stripe.sessions[charge.stripe_checkout_session_id]
    assert url == session["url"] == charge.checkout_url
    assert call["idempotency_key"].startswith(f"incubator:checkout:{charge.id}:")
    params = call["params"]
    assert params["mode"] == "payment"
    assert params["line_items"][0]["price_data"] == {"currency": "usd", "unit_amount": "2500",
                                                     "product_data": {"name": "Laser cutter, 2 hours"}}
    assert params["metadata"] == {"incubator_charge_id": str(charge.id), "kind": TEST_KIND, "subject_id": "41"}
    assert params["payment_intent_data"]["metadata"]["incubator_charge_id"] == str(charge.id)
    assert params["client_reference_id"] == str(charge.id)
    assert params["customer_email"] == founder.email
    assert int(params["expires_at"]) == int(charge.expires_at.timestamp())


def test_checkout_reuses_an_open_session(fake_stripe, startup, founder):
    charge = _charge(startup, founder)
    first = _checkout(charge)
    assert _checkout(charge) == first
    assert len(fake_stripe.calls_to("POST", "/v1/checkout/sessions")) == 1


def test_checkout_late_in_the_hold_extends_it_to_the_session_life(fake_stripe, startup, founder):
    charge = _charge(startup, founder)
    with time_machine.travel(utcnow() + timedelta(minutes=20), tick=False):
        _checkout(charge)
        # Stripe refuses sessions shorter than 30 minutes; the hold covers the whole session.
        assert charge.expires_at >= utcnow() + timedelta(minutes=30)
    session = fake_stripe.sessions[charge.stripe_checkout_session_id]
    assert session["expires_at"] == int(charge.expires_at.timestamp())


def test_checkout_after_the_hold_lapsed_is_refused(fake_stripe, startup, founder):
    charge = _charge(startup, founder)
    with time_machine.travel(utcnow() + timedelta(minutes=31)), pytest.raises(ConflictError):
        _checkout(charge)
    assert fake_stripe.calls == []


def test_checkout_of_a_charge_to_be_invoiced_is_refused(fake_stripe, startup, founder):
    fake_stripe_off = _charge(startup, founder)
    fake_stripe_off.status = ChargeStatus.TO_INVOICE
    with pytest.raises(ConflictError):
        _checkout(fake_stripe_off)


def test_checkout_of_a_session_paid_meanwhile_records_the_payment(fake_stripe, startup, founder, fulfilment):
    charge = _charge(startup, founder)
    _checkout(charge)
    fake_stripe.complete_session(charge.stripe_checkout_session_id)
    assert _checkout(charge) == "https://tbi.example/ok"
    assert charge.status == ChargeStatus.PAID
    assert fulfilment.paid == [(41, charge.id)]


def test_checkout_when_stripe_is_down_changes_nothing(fake_stripe, startup, founder):
    charge = _charge(startup, founder)
    fake_stripe.fail_next("POST", "/v1/checkout/sessions")
    with pytest.raises(PaymentProviderError):
        _checkout(charge)
    assert charge.stripe_checkout_session_id is None


# Paying offline -------------------------------------------------------------------------------------


def test_mark_paid_offline_runs_the_fulfilment_and_records_who(startup, founder, manager, fulfilment):
    charge = _charge(startup, founder)
    offline.mark_paid_offline(charge, manager, "ABA 0012345")
    assert charge.status == ChargeStatus.PAID
    assert charge.paid_at is not None
    assert (charge.offline_reference, charge.marked_paid_by_id) == ("ABA 0012345", manager.id)
    assert fulfilment.paid == [(41, charge.id)]
    entry = db.session.query(AuditEntry).filter_by(action="charge.paid_offline").one()
    assert entry.actor_id == manager.id and entry.details["reference"] == "ABA 0012345"
    assert db.session.query(Notification).filter_by(user_id=founder.id, category="payments").count() == 1


def test_mark_paid_offline_needs_a_reference_and_an_unpaid_charge(startup, founder, manager, fulfilment):
    charge = _charge(startup, founder)
    with pytest.raises(ServiceError) as caught:
        offline.mark_paid_offline(charge, manager, "  ")
    assert "reference" in caught.value.fields
    offline.mark_paid_offline(charge, manager, "cash 1")
    with pytest.raises(ConflictError):
        offline.mark_paid_offline(charge, manager, "cash 2")
    assert fulfilment.paid == [(41, charge.id)]


def test_a_failing_fulfilment_rolls_the_payment_back(startup, founder, manager, fulfilment):
    charge = _charge(startup, founder)
    fulfilment.fail_paid = True
    with pytest.raises(RuntimeError):
        offline.mark_paid_offline(charge, manager, "cash 1")


# Cancelling -----------------------------------------------------------------------------------------


def test_cancel_to_invoice_cancels_without_calling_back_the_owner(startup, founder, fulfilment):
    charge = _charge(startup, founder)
    services.cancel_charge(charge, reason="booking cancelled")
    assert charge.status == ChargeStatus.CANCELLED
    assert charge.close_reason == "booking cancelled"
    assert fulfilment.released == []  # the owning domain is the one cancelling


def test_cancel_from_the_payments_page_releases_the_subject(startup, founder, manager, fulfilment):
    charge = _charge(startup, founder)
    services.cancel_charge(charge, reason="duplicate", release_subject=True, actor=manager)
    assert fulfilment.released == [(41, charge.id)]
    assert db.session.query(AuditEntry).filter_by(action="charge.cancelled", actor_id=manager.id).count() == 1


def test_cancel_awaiting_expires_the_checkout_session(fake_stripe, startup, founder):
    charge = _charge(startup, founder)
    _checkout(charge)
    services.cancel_charge(charge, reason="booking cancelled")
    assert charge.status == ChargeStatus.CANCELLED
    assert fake_stripe.sessions[charge.stripe_checkout_session_id]["status"] == "expired"


def test_cancel_awaiting_whose_session_was_just_paid_refunds_it(fake_stripe, startup, founder, fulfilment):
    charge = _charge(startup, founder)
    _checkout(charge)
    session = fake_stripe.complete_session(charge.stripe_checkout_session_id)
    services.cancel_charge(charge, reason="booking cancelled")
    assert charge.status == ChargeStatus.REFUNDED
    assert charge.stripe_payment_intent_id == session["payment_intent"]
    assert fake_stripe.payment_intents[session["payment_intent"]]["amount_refunded"] == 2500
    assert fulfilment.paid == [] and fulfilment.released == []


def test_cancel_paid_refunds_through_stripe_with_an_idempotency_key(fake_stripe, startup, founder, fulfilment):
    charge = _charge(startup, founder)
    _checkout(charge)
    session = fake_stripe.complete_session(charge.stripe_checkout_session_id)
    services.mark_paid(charge, payment_intent_id=session["payment_intent"])
    services.cancel_charge(charge, reason="cancelled before the cut-off")
    (call,) = fake_stripe.calls_to("POST", "/v1/refunds")
    assert call["params"]["payment_intent"] == session["payment_intent"]
    assert call["params"]["amount"] == "2500"
    assert call["idempotency_key"] == f"incubator:refund:{charge.id}:0:2500"
    assert charge.status == ChargeStatus.REFUNDED
    assert charge.refunded_minor == 2500
    assert charge.stripe_refund_id == next(iter(fake_stripe.refunds))
    # Cancelling again (a retried request) changes nothing and calls Stripe no more.
    services.cancel_charge(charge, reason="again")
    assert len(fake_stripe.calls_to("POST", "/v1/refunds")) == 1


def test_cancel_paid_when_stripe_is_down_changes_nothing(fake_stripe, startup, founder, fulfilment):
    charge = _charge(startup, founder)
    _checkout(charge)
    session = fake_stripe.complete_session(charge.stripe_checkout_session_id)
    services.mark_paid(charge, payment_intent_id=session["payment_intent"])
    fake_stripe.fail_next("POST", "/v1/refunds")
    with pytest.raises(PaymentProviderError):
        services.cancel_charge(charge, reason="cancelled")
    assert charge.status == ChargeStatus.PAID


def test_cancel_paid_offline_flags_it_for_a_manager(startup, founder, manager, fulfilment):
    charge = _charge(startup, founder)
    offline.mark_paid_offline(charge, manager, "cash 7")
    services.cancel_charge(charge, reason="cancelled")
    assert charge.status == ChargeStatus.PAID
    assert charge.needs_attention
    assert db.session.query(Notification).filter_by(user_id=manager.id, category="payments").count() == 1
    offline.record_offline_refund(charge, manager, "cash back 7")
    assert charge.status == ChargeStatus.REFUNDED and not charge.needs_attention
    assert charge.refunded_minor == charge.amount_minor


def test_offline_refund_is_refused_for_stripe_payments_and_unpaid_charges(fake_stripe, startup, founder, manager):
    charge = _charge(startup, founder)
    with pytest.raises(ConflictError):
        offline.record_offline_refund(charge, manager, "x")
    _checkout(charge)
    session = fake_stripe.complete_session(charge.stripe_checkout_session_id)
    services.mark_paid(charge, payment_intent_id=session["payment_intent"])
    with pytest.raises(ConflictError):
        offline.record_offline_refund(charge, manager, "x")
    with pytest.raises(ServiceError):
        offline.record_offline_refund(charge, manager, " ")


def test_cancel_of_a_closed_charge_does_nothing(startup, founder):
    charge = _charge(startup, founder)
    services.cancel_charge(charge, reason="first")
    services.cancel_charge(charge, reason="second")
    assert charge.close_reason == "first"
    assert db.session.query(AuditEntry).filter_by(action="charge.cancelled").count() == 1


def test_refund_refuses_when_nothing_is_left(startup, founder):
    charge = _charge(startup, founder)
    with pytest.raises(ConflictError):
        services.refund(charge)


def test_clear_attention(startup, founder, manager):
    charge = _charge(startup, founder)
    with pytest.raises(ConflictError):
        offline.clear_attention(charge, manager)
    charge.needs_attention = True
    offline.clear_attention(charge, manager, "refunded by bank transfer")
    assert not charge.needs_attention


# A payment for a charge already released ----------------------------------------------------------------


def test_late_payment_of_a_released_charge_is_refunded_automatically(fake_stripe, startup, founder, fulfilment):
    charge = _charge(startup, founder)
    _checkout(charge)
    services.release(charge, ChargeStatus.EXPIRED, "hold lapsed")
    assert fulfilment.released == [(41, charge.id)]
    session = fake_stripe.complete_session(charge.stripe_checkout_session_id)
    assert services.mark_paid(charge, payment_intent_id=session["payment_intent"])
    assert charge.status == ChargeStatus.REFUNDED
    assert fake_stripe.payment_intents[session["payment_intent"]]["amount_refunded"] == 2500
    assert fulfilment.paid == []  # the released booking is not revived
    assert "refunded automatically" in charge.close_reason
    assert not charge.needs_attention


def test_late_payment_whose_refund_fails_is_flagged(fake_stripe, startup, founder, manager, fulfilment):
    charge = _charge(startup, founder)
    _checkout(charge)
    services.release(charge, ChargeStatus.EXPIRED, "hold lapsed")
    session = fake_stripe.complete_session(charge.stripe_checkout_session_id)
    fake_stripe.fail_next("POST", "/v1/refunds")
    services.mark_paid(charge, payment_intent_id=session["payment_intent"])
    assert charge.status == ChargeStatus.PAID
    assert charge.needs_attention
    assert "automatic refund failed" in charge.attention_note
    assert db.session.query(Notification).filter_by(user_id=manager.id, category="payments").count() == 1
    # The manager refunds it from the payments page.
    services.refund(charge, actor=manager)
    assert charge.status == ChargeStatus.REFUNDED


def test_checkout_while_a_delayed_payment_is_processing_opens_no_second_page(fake_stripe, startup, founder):
    charge = _charge(startup, founder)
    _checkout(charge)
    fake_stripe.complete_session(charge.stripe_checkout_session_id, paid=False)
    with pytest.raises(ConflictError):
        _checkout(charge)
    assert len(fake_stripe.calls_to("POST", "/v1/checkout/sessions")) == 1


def test_late_offline_style_payment_without_stripe_id_is_flagged_not_crashing(startup, founder, fulfilment):
    charge = _charge(startup, founder)
    services.release(charge, ChargeStatus.EXPIRED, "hold lapsed")
    assert services.mark_paid(charge)  # money arrived, but there is no PaymentIntent to refund through Stripe
    assert charge.status == ChargeStatus.PAID and charge.needs_attention
