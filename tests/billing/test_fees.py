"""Monthly fees: setting them, billing each month once (Stripe invoices or offline), invoice webhooks, overdue."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest
import time_machine

from incubator.billing import fees, services
from incubator.billing.models import KIND_MONTHLY_FEE, BillingCustomer, Charge, ChargeStatus, overdue_clause
from incubator.billing.tasks import bill_monthly_fees
from incubator.core.errors import ConflictError, ServiceError
from incubator.extensions import db
from incubator.jobs.registry import get_job
from incubator.jobs.runner import run_job
from incubator.notifications.models import Notification
from tests.billing.factories import ChargeFactory, MonthlyFeeFactory

NOV = date(2026, 11, 1)
# 10:00 on 5 November 2026 in Phnom Penh.
NOV_5 = datetime(2026, 11, 5, 3, 0, tzinfo=timezone.utc)


def _data(**overrides) -> dict:
    values = {"description": "Dedicated desk", "amount_minor": 12000, "currency": "USD", "starts_on": NOV,
              "ends_on": None, "day_of_month": 1, "days_until_due": 14, "active": True}
    values.update(overrides)
    return values


def test_create_and_update_a_fee(startup, manager):
    fee = fees.create_fee(manager, startup, _data(description="  Wet-lab membership "))
    assert (fee.startup_id, fee.description, fee.amount_minor, fee.active) == (startup.id, "Wet-lab membership",
                                                                              12000, True)
    fees.update_fee(manager, fee, _data(amount_minor=15000, active=False))
    assert (fee.amount_minor, fee.active) == (15000, False)


@pytest.mark.parametrize(("overrides", "field"), [
    ({"description": " "}, "description"),
    ({"amount_minor": 0}, "amount"),
    ({"currency": "THB"}, "currency"),
    ({"day_of_month": 31}, "day_of_month"),
    ({"days_until_due": 90}, "days_until_due"),
    ({"ends_on": date(2026, 10, 1)}, "ends_on"),
])
def test_fee_rules(startup, manager, overrides, field):
    with pytest.raises(ServiceError) as caught:
        fees.create_fee(manager, startup, _data(**overrides))
    assert field in caught.value.fields


def test_without_stripe_a_month_is_to_be_invoiced_and_due_after_the_grace_days(startup, founder):
    fee = MonthlyFeeFactory(startup=startup, starts_on=NOV, day_of_month=3, days_until_due=10)
    charge = fees.bill_month(fee, NOV)
    assert (charge.kind, charge.subject_id, charge.period, charge.status) == (
        KIND_MONTHLY_FEE, fee.id, "2026-11", ChargeStatus.TO_INVOICE)
    # Issued on the 3rd, ten days to pay: due at the end of 13 November in Phnom Penh (17:00 UTC).
    assert charge.due_at == datetime(2026, 11, 13, 17, 0, tzinfo=timezone.utc)
    assert db.session.query(Notification).filter_by(user_id=founder.id, category="payments").count() == 1


def test_a_month_is_billed_once(startup):
    fee = MonthlyFeeFactory(startup=startup, starts_on=NOV)
    fees.bill_month(fee, NOV)
    with pytest.raises(ConflictError):
        fees.bill_month(fee, NOV)


def test_months_outside_the_fee_or_a_stopped_fee_are_not_billed(startup):
    fee = MonthlyFeeFactory(startup=startup, starts_on=date(2026, 11, 20), ends_on=date(2027, 1, 31))
    with pytest.raises(ConflictError):
        fees.bill_month(fee, date(2026, 10, 1))
    with pytest.raises(ConflictError):
        fees.bill_month(fee, date(2027, 2, 1))
    fees.bill_month(fee, NOV)  # the first month counts even when the fee starts mid-month
    fee.active = False
    with pytest.raises(ConflictError):
        fees.bill_month(fee, date(2026, 12, 1))


def test_with_stripe_a_month_is_a_finalised_invoice(fake_stripe, startup, founder):
    fee = MonthlyFeeFactory(startup=startup, starts_on=NOV, days_until_due=14)
    with time_machine.travel(NOV_5, tick=False):
        charge = fees.bill_month(fee, NOV)
    invoice = fake_stripe.invoices[charge.stripe_invoice_id]
    assert charge.status == ChargeStatus.AWAITING_PAYMENT
    assert charge.invoice_url == invoice["hosted_invoice_url"]
    assert charge.due_at == datetime.fromtimestamp(invoice["due_date"], timezone.utc)
    assert charge.expires_at is None  # invoices are not Checkout holds
    assert invoice["amount_due"] == 12000 and invoice["status"] == "open"
    (customer,) = fake_stripe.customers.values()
    assert customer["email"] == founder.email and customer["name"] == startup.name
    keys = [call["idempotency_key"] for call in fake_stripe.calls if call["method"] == "POST"]
    assert keys[0].startswith(f"incubator:customer:{startup.id}:")
    assert keys[1].startswith(f"incubator:invoice:{fee.id}:2026-11:")
    assert keys[2].startswith(f"incubator:invoiceitem:{fee.id}:2026-11:")
    assert keys[3] == f"incubator:finalize:{fee.id}:2026-11"
    # Next month reuses the customer.
    fees.bill_month(fee, date(2026, 12, 1))
    assert len(fake_stripe.customers) == 1
    assert db.session.query(BillingCustomer).count() == 1


def test_when_stripe_fails_midway_nothing_is_kept_and_a_retry_reuses_the_keys(fake_stripe, startup):
    fee = MonthlyFeeFactory(startup=startup, starts_on=NOV)
    fake_stripe.fail_next("POST", "/v1/invoices/")  # the finalize call
    with pytest.raises(services.sc.PaymentProviderError), db.session.begin_nested():
        fees.bill_month(fee, NOV)
    assert fees.fee_charge(fee, NOV) is None
    charge = fees.bill_month(fee, NOV)
    # The retry got the same draft invoice back (same idempotency keys), so Stripe has one invoice.
    assert len(fake_stripe.invoices) == 1
    assert charge.status == ChargeStatus.AWAITING_PAYMENT


def test_fees_due_follow_the_billing_day_and_the_months(startup):
    due_now = MonthlyFeeFactory(startup=startup, starts_on=date(2026, 9, 1), day_of_month=5)
    later = MonthlyFeeFactory(startup=startup, starts_on=date(2026, 9, 1), day_of_month=20)
    MonthlyFeeFactory(startup=startup, starts_on=date(2026, 12, 1))  # not started
    MonthlyFeeFactory(startup=startup, starts_on=date(2026, 1, 1), ends_on=date(2026, 10, 31))  # ended
    MonthlyFeeFactory(startup=startup, starts_on=date(2026, 1, 1), active=False)  # stopped
    assert fees.fees_due(date(2026, 11, 5)) == [due_now]
    assert set(fees.fees_due(date(2026, 11, 20))) == {due_now, later}
    fees.bill_month(due_now, NOV)
    assert fees.fees_due(date(2026, 11, 20)) == [later]


def test_the_daily_job_bills_due_fees_once(app, startup):
    fee = MonthlyFeeFactory(startup=startup, starts_on=date(2026, 9, 1), day_of_month=5)
    db.session.commit()
    spec = get_job("bill_monthly_fees")
    assert spec.period.value == "day" and spec.catch_up
    outcome = run_job(app, "bill_monthly_fees", now=NOV_5)
    assert outcome.status == "succeeded", outcome.error
    assert "1 monthly bills issued for 2026-11" in outcome.summary
    forced = run_job(app, "bill_monthly_fees", now=NOV_5 + timedelta(hours=1), force=True)
    assert "0 monthly bills" in forced.summary
    assert db.session.query(Charge).filter_by(subject_id=fee.id, kind=KIND_MONTHLY_FEE).count() == 1


def test_the_job_leaves_a_failing_fee_for_the_next_day(fake_stripe, startup):
    ok = MonthlyFeeFactory(startup=startup, starts_on=NOV)
    failing = MonthlyFeeFactory(startup=startup, starts_on=NOV)
    fake_stripe.fail_next("POST", "/v1/customers")

    class Run:
        period = type("P", (), {"start": NOV_5})()
        timezone = "Asia/Phnom_Penh"

    summary = bill_monthly_fees(Run())
    assert summary == "1 monthly bills issued for 2026-11, 1 left for tomorrow"
    billed = {c.subject_id for c in db.session.query(Charge).filter_by(kind=KIND_MONTHLY_FEE)}
    assert len(billed) == 1 and billed <= {ok.id, failing.id}


# Invoice webhooks ---------------------------------------------------------------------------------------


@pytest.fixture
def invoiced(fake_stripe, startup, founder):
    fee = MonthlyFeeFactory(startup=startup, starts_on=NOV)
    charge = fees.bill_month(fee, NOV)
    db.session.commit()
    return charge


def _reload(charge) -> Charge:
    db.session.expire_all()
    return db.session.get(Charge, charge.id)


def test_invoice_paid(post_event, fake_stripe, invoiced):
    paid = fake_stripe.pay_invoice(invoiced.stripe_invoice_id)
    assert post_event("invoice.paid", paid).get_json()["outcome"] == "paid"
    charge = _reload(invoiced)
    assert charge.status == ChargeStatus.PAID and charge.stripe_payment_intent_id == paid["payment_intent"]


def test_invoice_finalized_after_paid_only_fills_the_link(post_event, fake_stripe, invoiced):
    paid = fake_stripe.pay_invoice(invoiced.stripe_invoice_id)
    post_event("invoice.paid", paid)
    finalized = dict(paid, status="open")
    assert post_event("invoice.finalized", finalized).get_json()["outcome"] == "finalized"
    assert _reload(invoiced).status == ChargeStatus.PAID


def test_invoice_finalized_by_metadata_sets_link_and_due_date(post_event, fake_stripe, startup):
    # A bill issued while Stripe was off, invoiced later by hand in Stripe's dashboard with our charge id.
    charge = ChargeFactory(startup=startup, kind=KIND_MONTHLY_FEE, subject_id=1, period="2026-11")
    db.session.commit()
    obj = {"id": "in_test_manual", "object": "invoice", "status": "open", "hosted_invoice_url": "https://pay/x",
           "due_date": 1_800_000_000, "metadata": {"incubator_charge_id": str(charge.id)}}
    assert post_event("invoice.finalized", obj).get_json()["outcome"] == "finalized"
    charge = _reload(charge)
    assert (charge.status, charge.stripe_invoice_id, charge.invoice_url) == (
        ChargeStatus.AWAITING_PAYMENT, "in_test_manual", "https://pay/x")


def test_invoice_payment_failed_flags_it(post_event, fake_stripe, invoiced):
    obj = dict(fake_stripe.invoices[invoiced.stripe_invoice_id])
    assert post_event("invoice.payment_failed", obj).get_json()["outcome"] == "payment_failed"
    charge = _reload(invoiced)
    assert charge.status == ChargeStatus.AWAITING_PAYMENT and charge.needs_attention


def test_invoice_voided_and_uncollectible(post_event, fake_stripe, invoiced):
    obj = dict(fake_stripe.invoices[invoiced.stripe_invoice_id])
    assert post_event("invoice.marked_uncollectible", obj).get_json()["outcome"] == "uncollectible"
    assert _reload(invoiced).needs_attention
    assert post_event("invoice.voided", dict(obj, status="void")).get_json()["outcome"] == "released"
    assert _reload(invoiced).status == ChargeStatus.CANCELLED


def test_unknown_invoice_is_unmatched(post_event, fake_stripe):
    obj = {"id": "in_nobody", "object": "invoice", "status": "paid", "metadata": {}}
    assert post_event("invoice.paid", obj).get_json()["outcome"] == "unmatched"


def test_cancelling_an_open_invoice_voids_it(fake_stripe, invoiced):
    services.cancel_charge(invoiced, reason="desk given up")
    assert fake_stripe.invoices[invoiced.stripe_invoice_id]["status"] == "void"
    assert invoiced.status == ChargeStatus.CANCELLED


def test_checkout_url_of_an_invoice_is_its_hosted_page(fake_stripe, invoiced):
    url = services.checkout_url(invoiced, success_url="https://x/ok", cancel_url="https://x/no")
    assert url == invoiced.invoice_url


# Overdue ----------------------------------------------------------------------------------------------------


def test_overdue_in_python_and_sql_agree(startup):
    fee = MonthlyFeeFactory(startup=startup, starts_on=NOV, days_until_due=0)
    charge = fees.bill_month(fee, NOV)
    before, after = charge.due_at - timedelta(seconds=1), charge.due_at + timedelta(seconds=1)
    for now, expected in ((before, False), (after, True)):
        assert charge.is_overdue(now) is expected
        assert (db.session.query(Charge).filter(overdue_clause(now)).count() == 1) is expected
    assert fees.fee_status([charge], after) == "overdue"
    assert fees.fee_status([charge], before) == "open"
    charge.status = ChargeStatus.PAID
    assert not charge.is_overdue(after)
    assert fees.fee_status([charge], after) == "paid"
    assert fees.fee_status([], after) == "none"


def test_invoice_found_by_fee_and_month_in_its_metadata(post_event, fake_stripe, startup):
    fee = MonthlyFeeFactory(startup=startup, starts_on=NOV)
    charge = ChargeFactory(startup=startup, kind=KIND_MONTHLY_FEE, subject_id=fee.id, period="2026-11",
                           status=ChargeStatus.AWAITING_PAYMENT)
    db.session.commit()
    obj = {"id": "in_test_other", "object": "invoice", "status": "paid", "payment_intent": "pi_x",
           "metadata": {"kind": KIND_MONTHLY_FEE, "subject_id": str(fee.id), "period": "2026-11"}}
    assert post_event("invoice.paid", obj).get_json()["outcome"] == "paid"
    charge = _reload(charge)
    assert (charge.status, charge.stripe_invoice_id) == (ChargeStatus.PAID, "in_test_other")
