"""Access-matrix entries for payments (issue 5).

Managers see and act on every charge and fee; a startup's founders see their own startup's Payments page, pay
its charges and reach Stripe's return pages; nobody else sees payments. The Stripe webhook is open to everyone
(no sign-in, no CSRF token): its signature is the authorization, so an unsigned request gets 400 whoever sends it.
"""
from __future__ import annotations

from datetime import date

from incubator.billing.models import Charge, ChargeStatus, MonthlyFee
from incubator.extensions import db
from tests.access_cases import EVERYONE, MANAGERS, Route, page, submit

PAYERS = MANAGERS | {"founder"}  # the startup's own founders, and managers

ROUTES = {
    ("billing.list_payments", "GET"): page(MANAGERS),
    ("billing.export_payments", "GET"): page(MANAGERS),
    ("billing.view_charge", "GET"): page(MANAGERS),
    ("billing.mark_paid_offline", "POST"): submit(MANAGERS),
    ("billing.record_offline_refund", "POST"): submit(MANAGERS),
    ("billing.cancel_charge", "POST"): submit(MANAGERS),
    ("billing.refund_charge", "POST"): submit(MANAGERS),
    ("billing.clear_attention", "POST"): submit(MANAGERS),
    ("billing.reconcile_charge", "POST"): submit(MANAGERS),
    ("billing.reconcile_all", "POST"): submit(MANAGERS),
    ("billing.list_fees", "GET"): page(MANAGERS),
    ("billing.create_fee", "GET"): page(MANAGERS),
    ("billing.create_fee", "POST"): submit(MANAGERS),
    ("billing.edit_fee", "GET"): page(MANAGERS),
    ("billing.edit_fee", "POST"): submit(MANAGERS),
    ("billing.bill_fee_now", "POST"): submit(MANAGERS),
    ("billing.startup_payments", "GET"): page(PAYERS),
    # Paying online is for the startup's founders; managers record offline payments instead.
    ("billing.pay_charge", "POST"): submit({"founder"}),
    # The same-site page that moves on to Stripe (the world's charge is to be invoiced: back to its page).
    ("billing.go_to_checkout", "GET"): Route(frozenset({"founder"}), ok=frozenset({200, 302})),
    ("billing.payment_return", "GET"): page(PAYERS),
    ("billing.payment_cancelled", "GET"): page(PAYERS),
    ("billing.stripe_webhook", "POST"): submit(EVERYONE, note="signature is the authorization: unsigned -> 400"),
    ("api_v1.list_charges", "GET"): page(PAYERS),
    ("api_v1.get_charge", "GET"): page(PAYERS),
    ("api_v1.charge_checkout", "POST"): submit({"founder"}),
}


def build(world: dict) -> dict:
    startup = world["startup"]
    charge = Charge(startup_id=startup.id, payer_id=world["users"]["founder"].id, kind="resource_booking",
                    subject_id=1, description="3D printer, 2 hours", amount_minor=1500, currency="USD",
                    status=ChargeStatus.TO_INVOICE, refunded_minor=0)
    fee = MonthlyFee(startup_id=startup.id, description="Dedicated desk", amount_minor=12000, currency="USD",
                     starts_on=date.today().replace(day=1), day_of_month=1, days_until_due=14, active=True)
    db.session.add_all([charge, fee])
    db.session.flush()
    return {"charge_id": charge.id, "fee_id": fee.id}
