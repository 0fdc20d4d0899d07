"""Reconciling with Stripe: ask Stripe what became of charges still awaiting payment and apply it.

For when a webhook never arrived (endpoint down longer than Stripe retries, a secret rotated, events
deleted): a manager presses "Reconcile" on one charge or on every charge stuck awaiting payment. The
answer is applied through the same services as a webhook, so running it twice, or alongside a late
webhook, changes nothing more.
"""
from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa
from flask_babel import gettext as _

from incubator.billing import services
from incubator.billing import stripe_client as sc
from incubator.billing.models import Charge, ChargeStatus
from incubator.db import utcnow
from incubator.extensions import db

# A charge awaiting payment for longer than this without news is "stuck" (the hold is 30 minutes).
STUCK_AFTER = timedelta(minutes=40)
RECONCILE_BATCH = 50


def reconcile_charge(charge: Charge, actor=None) -> str:
    """Fetch the charge's Checkout Session, PaymentIntent or invoice from Stripe and apply its state.

    :return: a short translated sentence saying what was found.
    :raises PaymentProviderError: Stripe did not answer.
    """
    charge = services.lock(charge)
    stripe = sc.client()
    charge.last_synced_at = utcnow()
    if charge.status != ChargeStatus.AWAITING_PAYMENT:
        db.session.flush()
        return _("Nothing to reconcile: the charge is %(status)s.", status=charge.status_label)
    if charge.stripe_invoice_id:
        from incubator.billing.fees import apply_invoice_details

        invoice = sc.call(stripe.v1.invoices.retrieve, charge.stripe_invoice_id)
        status = sc.get(invoice, "status")
        if status == "void":
            services.release(charge, ChargeStatus.CANCELLED, _("The Stripe invoice was voided."))
        else:
            apply_invoice_details(charge, invoice)
        return _("Stripe says the invoice is %(status)s.", status=status or "?")
    if charge.stripe_checkout_session_id:
        session = sc.call(stripe.v1.checkout.sessions.retrieve, charge.stripe_checkout_session_id)
        if services.session_paid(session):
            services.mark_paid(charge, payment_intent_id=sc.ref_id(sc.get(session, "payment_intent")))
            return _("Stripe says it was paid; the charge is now paid.")
        intent_id = sc.ref_id(sc.get(session, "payment_intent")) or charge.stripe_payment_intent_id
        if intent_id:
            intent = sc.call(stripe.v1.payment_intents.retrieve, intent_id)
            if sc.get(intent, "status") == "succeeded":
                services.mark_paid(charge, payment_intent_id=intent_id)
                return _("Stripe says it was paid; the charge is now paid.")
            if sc.get(intent, "status") == "processing":
                db.session.flush()
                return _("The payment is still being processed by the bank.")
        if sc.get(session, "status") == "expired":
            services.release(charge, ChargeStatus.EXPIRED, _("The payment page expired before payment."))
            return _("The payment page expired unpaid; the charge is released.")
        db.session.flush()
        return _("Still open on Stripe and not paid yet.")
    db.session.flush()
    return _("The founder has not opened the payment page yet.")


def stuck_charges(now: datetime, limit: int = RECONCILE_BATCH) -> list[Charge]:
    """Charges awaiting payment with no news for a while (oldest first, bounded)."""
    return list(db.session.scalars(
        sa.select(Charge).where(
            Charge.status == ChargeStatus.AWAITING_PAYMENT,
            sa.or_(Charge.stripe_checkout_session_id.is_not(None), Charge.stripe_invoice_id.is_not(None)),
            Charge.created_at <= now - STUCK_AFTER,
        ).order_by(Charge.created_at, Charge.id).limit(limit)
    ))


def reconcile_stuck(actor=None, now: datetime | None = None) -> dict[str, int]:
    """Reconcile every stuck charge (up to ``RECONCILE_BATCH``); one failing charge does not stop the rest.

    :return: counts: ``checked``, ``changed`` (paid or released now) and ``failed`` (Stripe did not answer).
    """
    counts = {"checked": 0, "changed": 0, "failed": 0}
    for charge in stuck_charges(now or utcnow()):
        counts["checked"] += 1
        try:
            with db.session.begin_nested():
                reconcile_charge(charge, actor)
                changed = charge.status != ChargeStatus.AWAITING_PAYMENT
        except sc.PaymentProviderError:
            counts["failed"] += 1
            continue
        counts["changed"] += changed
    return counts
