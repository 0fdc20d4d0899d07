"""Releasing Checkout holds not paid within 30 minutes (the ``release_unpaid_holds`` job), and reconciling."""
from __future__ import annotations

from datetime import timedelta

import time_machine

from incubator.billing import reconcile, services
from incubator.billing.models import Charge, ChargeStatus
from incubator.billing.tasks import release_unpaid_holds
from incubator.db import utcnow
from incubator.extensions import db
from incubator.jobs.periods import Granularity
from incubator.jobs.registry import get_job
from incubator.jobs.runner import run_job
from tests.billing.conftest import TEST_KIND
from tests.billing.factories import AwaitingChargeFactory, ChargeFactory


def _charge(startup, founder, subject_id=1) -> Charge:
    charge = services.create_charge(startup=startup, payer=founder, kind=TEST_KIND, subject_id=subject_id,
                                    description="Oscilloscope", amount_minor=800, currency="USD")
    services.checkout_url(charge, success_url="https://x/ok", cancel_url="https://x/no")
    return charge


def test_the_job_is_registered_every_five_minutes_without_catch_up():
    spec = get_job("release_unpaid_holds")
    assert spec.task == "incubator.billing.tasks:release_unpaid_holds"
    assert spec.period == Granularity.MINUTE and not spec.catch_up
    assert spec.schedule.every_minutes == 5


def test_lapsed_unpaid_holds_are_released_and_their_sessions_expired(fake_stripe, startup, founder, fulfilment):
    lapsed = _charge(startup, founder, 1)
    fresh = _charge(startup, founder, 2)
    fresh.expires_at = utcnow() + timedelta(minutes=45)
    with time_machine.travel(lapsed.expires_at + timedelta(seconds=1)):
        summary = release_unpaid_holds(None)
    assert summary.startswith("1 holds released, 0 found paid")
    assert lapsed.status == ChargeStatus.EXPIRED
    assert fresh.status == ChargeStatus.AWAITING_PAYMENT
    assert fake_stripe.sessions[lapsed.stripe_checkout_session_id]["status"] == "expired"
    assert fulfilment.released == [(1, lapsed.id)]


def test_a_hold_paid_just_before_it_lapsed_is_confirmed_not_released(fake_stripe, startup, founder, fulfilment):
    charge = _charge(startup, founder)
    fake_stripe.complete_session(charge.stripe_checkout_session_id)  # the webhook has not come yet
    with time_machine.travel(charge.expires_at + timedelta(seconds=1)):
        assert release_unpaid_holds(None).startswith("0 holds released, 1 found paid")
    assert charge.status == ChargeStatus.PAID
    assert fulfilment.paid == [(1, charge.id)] and fulfilment.released == []


def test_a_hold_whose_session_already_expired_is_released(fake_stripe, startup, founder, fulfilment):
    charge = _charge(startup, founder)
    fake_stripe.expire_session(charge.stripe_checkout_session_id)
    with time_machine.travel(charge.expires_at + timedelta(seconds=1)):
        release_unpaid_holds(None)
    assert charge.status == ChargeStatus.EXPIRED


def test_a_hold_without_a_session_is_released_without_stripe(fake_stripe, startup, fulfilment):
    charge = AwaitingChargeFactory(startup=startup, expires_at=utcnow() - timedelta(minutes=1))
    release_unpaid_holds(None)
    assert charge.status == ChargeStatus.EXPIRED
    assert fake_stripe.calls == []


def test_stripe_down_leaves_the_hold_for_the_next_run_and_others_go_on(fake_stripe, startup, founder, fulfilment):
    first = _charge(startup, founder, 1)
    second = _charge(startup, founder, 2)
    fake_stripe.fail_next("POST", f"/v1/checkout/sessions/{first.stripe_checkout_session_id}/expire")
    with time_machine.travel(second.expires_at + timedelta(seconds=1)):
        summary = release_unpaid_holds(None)
    assert summary == "1 holds released, 0 found paid, 1 left for the next run"
    db.session.expire_all()
    assert db.session.get(Charge, first.id).status == ChargeStatus.AWAITING_PAYMENT
    assert db.session.get(Charge, second.id).status == ChargeStatus.EXPIRED
    with time_machine.travel(second.expires_at + timedelta(minutes=5)):
        release_unpaid_holds(None)
    assert db.session.get(Charge, first.id).status == ChargeStatus.EXPIRED


def test_a_failing_release_callback_does_not_stop_the_others(startup, fulfilment, monkeypatch):
    first = AwaitingChargeFactory(startup=startup, kind=TEST_KIND, subject_id=1,
                                  expires_at=utcnow() - timedelta(minutes=2))
    second = AwaitingChargeFactory(startup=startup, kind=TEST_KIND, subject_id=2,
                                   expires_at=utcnow() - timedelta(minutes=1))

    def on_released(subject_id, charge):
        if subject_id == 1:
            raise RuntimeError("booking gone")
        fulfilment.released.append((subject_id, charge.id))

    monkeypatch.setattr(fulfilment, "on_released", on_released)
    from incubator.billing import hooks

    hooks.register_fulfilment(TEST_KIND, on_paid=fulfilment.on_paid, on_released=on_released)
    assert release_unpaid_holds(None).endswith("1 left for the next run")
    db.session.expire_all()
    assert db.session.get(Charge, first.id).status == ChargeStatus.AWAITING_PAYMENT
    assert db.session.get(Charge, second.id).status == ChargeStatus.EXPIRED


def test_invoices_and_charges_to_be_invoiced_are_never_released(startup):
    ChargeFactory(startup=startup)
    AwaitingChargeFactory(startup=startup, expires_at=None, stripe_invoice_id="in_1")
    assert release_unpaid_holds(None).startswith("0 holds released")


def test_the_job_through_the_runner(app, startup, fulfilment):
    AwaitingChargeFactory(startup=startup, kind=TEST_KIND, expires_at=utcnow() - timedelta(minutes=1))
    db.session.commit()
    outcome = run_job(app, "release_unpaid_holds")
    assert outcome.status == "succeeded", outcome.error
    assert outcome.summary.startswith("1 holds released")


# Reconciling ------------------------------------------------------------------------------------------


def test_reconcile_applies_a_payment_the_webhook_never_brought(fake_stripe, startup, founder, manager, fulfilment):
    charge = _charge(startup, founder)
    fake_stripe.complete_session(charge.stripe_checkout_session_id)
    message = reconcile.reconcile_charge(charge, manager)
    assert "paid" in message
    assert charge.status == ChargeStatus.PAID and charge.last_synced_at is not None
    assert fulfilment.paid == [(1, charge.id)]
    # Again: nothing more happens.
    assert "Nothing to reconcile" in reconcile.reconcile_charge(charge, manager)
    assert fulfilment.paid == [(1, charge.id)]


def test_reconcile_releases_an_expired_session_and_leaves_an_open_one(fake_stripe, startup, founder, fulfilment):
    open_charge = _charge(startup, founder, 1)
    expired = _charge(startup, founder, 2)
    fake_stripe.expire_session(expired.stripe_checkout_session_id)
    assert "Still open" in reconcile.reconcile_charge(open_charge)
    assert "expired" in reconcile.reconcile_charge(expired)
    assert (open_charge.status, expired.status) == (ChargeStatus.AWAITING_PAYMENT, ChargeStatus.EXPIRED)
    assert fulfilment.released == [(2, expired.id)]


def test_reconcile_sees_a_delayed_payment_that_succeeded(fake_stripe, startup, founder, fulfilment):
    charge = _charge(startup, founder)
    session = fake_stripe.complete_session(charge.stripe_checkout_session_id, paid=False)
    assert "processed" in reconcile.reconcile_charge(charge)
    fake_stripe.payment_intents[session["payment_intent"]]["status"] = "succeeded"
    reconcile.reconcile_charge(charge)
    assert charge.status == ChargeStatus.PAID


def test_reconcile_stuck_counts_and_survives_stripe_failures(fake_stripe, startup, founder, fulfilment):
    paid = _charge(startup, founder, 1)
    down = _charge(startup, founder, 2)
    _charge(startup, founder, 3)  # too recent to be stuck
    for charge in (paid, down):
        charge.created_at = utcnow() - timedelta(hours=1)
    fake_stripe.complete_session(paid.stripe_checkout_session_id)
    fake_stripe.fail_next("GET", f"/v1/checkout/sessions/{down.stripe_checkout_session_id}")
    assert reconcile.reconcile_stuck() == {"checked": 2, "changed": 1, "failed": 1}
    assert paid.status == ChargeStatus.PAID
