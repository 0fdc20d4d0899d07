"""Stripe webhooks: verify the signature on the raw body, then apply each event once, in any order.

``verify`` runs before anything else (``stripe.Webhook.construct_event`` with the default five-minute
tolerance): forged, stale or malformed requests are refused and change nothing. ``process`` first
inserts the event id under a unique constraint, in the same transaction as the effect, so a replayed
event, or the same event delivered twice at once, is applied once: the second insert waits for the
first transaction and then fails, and the view answers 200 "duplicate".

Events may come in any order. Statuses only move forward: a ``checkout.session.expired`` after the
payment leaves a paid charge alone; a ``charge.refunded`` that arrives before the payment it refunds is
kept (with its PaymentIntent and amount) and applied when the payment is recorded; ``invoice.finalized``
after ``invoice.paid`` only fills in the invoice link. Every verified event is recorded, including types
we do not handle (outcome ``ignored``) and objects that are not ours (``unmatched``), so Stripe's
dashboard and our log agree and a replay is cheap.
"""
from __future__ import annotations

import sqlalchemy as sa
import stripe
from flask_babel import gettext as _

from incubator.billing import services
from incubator.billing import stripe_client as sc
from incubator.billing.models import UNPAID_STATUSES, Charge, ChargeStatus, StripeEvent
from incubator.extensions import db


class InvalidWebhook(Exception):
    """The request is not a genuine, fresh, well-formed Stripe event."""


def verify(payload: bytes, signature: str | None) -> dict:
    """Check the ``Stripe-Signature`` header against the raw body and parse the event.

    :return: the event as a plain dict.
    :raises InvalidWebhook: no secret configured, missing/forged/stale signature, or malformed JSON.
    """
    secret = sc.webhook_secret()
    if not secret:
        raise InvalidWebhook("webhook secret not configured")
    if not signature:
        raise InvalidWebhook("missing Stripe-Signature header")
    try:
        event = stripe.Webhook.construct_event(payload, signature, secret)
    except stripe.SignatureVerificationError as exc:
        raise InvalidWebhook(f"signature: {exc.user_message or exc}") from exc
    except Exception as exc:  # noqa: BLE001 (past a valid signature: not JSON, or JSON that is not an object)
        raise InvalidWebhook("malformed payload") from exc
    data = event.to_dict()
    obj = (data.get("data") or {}).get("object")
    if not isinstance(data.get("id"), str) or not isinstance(data.get("type"), str) or not isinstance(obj, dict):
        raise InvalidWebhook("not an event")
    return data


def process(event: dict) -> str:
    """Record ``event`` and apply it (the caller commits).

    :return: the outcome (``paid``, ``released``, ``ignored``, ``unmatched``, …), also stored on the event.
    :raises sqlalchemy.exc.IntegrityError: the event id was already recorded (a duplicate).
    """
    record = StripeEvent(event_id=event["id"][:255], type=event["type"][:80], outcome="")
    db.session.add(record)
    db.session.flush()  # the unique constraint speaks now, before any effect
    handler = HANDLERS.get(event["type"])
    obj = event["data"]["object"]
    if handler is None:
        record.outcome = "ignored"
    else:
        record.outcome = handler(obj, record)[:40]
    db.session.flush()
    return record.outcome


def _charge_for_object(obj: dict, id_column) -> Charge | None:
    """Our charge for a Stripe session or invoice: by its id, else by what we put in its metadata (the charge
    id, or for invoices the kind, subject and month)."""
    charge_id = db.session.scalar(sa.select(Charge.id).where(id_column == obj.get("id")))
    metadata = obj.get("metadata") if isinstance(obj.get("metadata"), dict) else {}
    if charge_id is None:
        raw = metadata.get("incubator_charge_id")
        charge_id = int(raw) if isinstance(raw, str) and raw.isdigit() else None
    if charge_id is None and metadata.get("period") and str(metadata.get("subject_id", "")).isdigit():
        charge_id = db.session.scalar(sa.select(Charge.id).where(
            Charge.kind == metadata.get("kind"), Charge.subject_id == int(metadata["subject_id"]),
            Charge.period == metadata["period"]))
    if charge_id is None:
        return None
    charge = db.session.get(Charge, charge_id)
    return services.lock(charge) if charge is not None else None


# Checkout Sessions ---------------------------------------------------------------------------------


def _session_completed(obj: dict, record: StripeEvent) -> str:
    charge = _charge_for_object(obj, Charge.stripe_checkout_session_id)
    if charge is None:
        return "unmatched"
    record.charge_id = charge.id
    if obj.get("payment_status") in services.PAID_SESSION:
        return _paid(charge, sc.ref_id(obj.get("payment_intent")))
    # A delayed payment method (bank debit): keep the hold until Stripe says whether it succeeded.
    if charge.status == ChargeStatus.AWAITING_PAYMENT:
        charge.stripe_payment_intent_id = charge.stripe_payment_intent_id or sc.ref_id(obj.get("payment_intent"))
        charge.expires_at = None
        db.session.flush()
        return "processing"
    return "stale"


def _async_succeeded(obj: dict, record: StripeEvent) -> str:
    charge = _charge_for_object(obj, Charge.stripe_checkout_session_id)
    if charge is None:
        return "unmatched"
    record.charge_id = charge.id
    return _paid(charge, sc.ref_id(obj.get("payment_intent")))


def _async_failed(obj: dict, record: StripeEvent) -> str:
    charge = _charge_for_object(obj, Charge.stripe_checkout_session_id)
    if charge is None:
        return "unmatched"
    record.charge_id = charge.id
    released = services.release(charge, ChargeStatus.CANCELLED, _("The payment failed."))
    return "released" if released else "stale"


def _session_expired(obj: dict, record: StripeEvent) -> str:
    charge = _charge_for_object(obj, Charge.stripe_checkout_session_id)
    if charge is None:
        return "unmatched"
    record.charge_id = charge.id
    if charge.stripe_checkout_session_id not in (None, obj.get("id")):
        return "stale"  # an older session of this charge; a newer one is open
    if charge.status != ChargeStatus.AWAITING_PAYMENT:
        return "stale"  # paid (expired after completed) or already released
    services.release(charge, ChargeStatus.EXPIRED, _("The payment page expired before payment."))
    return "released"


def _paid(charge: Charge, payment_intent_id: str | None) -> str:
    was = charge.status
    if not services.mark_paid(charge, payment_intent_id=payment_intent_id):
        return "already_paid"
    if was in (ChargeStatus.EXPIRED, ChargeStatus.CANCELLED):
        return "late_needs_attention" if charge.needs_attention else "late_refunded"
    return "paid"


# Refunds -------------------------------------------------------------------------------------------


def _charge_refunded(obj: dict, record: StripeEvent) -> str:
    intent_id = sc.ref_id(obj.get("payment_intent"))
    amount = obj.get("amount_refunded")
    record.payment_intent_id = intent_id
    record.amount_refunded = amount if isinstance(amount, int) else None
    charge_id = db.session.scalar(sa.select(Charge.id).where(Charge.stripe_payment_intent_id == intent_id)) \
        if intent_id else None
    if charge_id is None:
        return "deferred" if intent_id else "unmatched"  # applied when the payment is recorded
    charge = services.lock(db.session.get(Charge, charge_id))
    record.charge_id = charge.id
    return "refunded" if services.apply_refunded_amount(charge, record.amount_refunded or 0) else "stale"


# Invoices (monthly fees) ---------------------------------------------------------------------------


def _invoice_charge(obj: dict, record: StripeEvent) -> Charge | None:
    charge = _charge_for_object(obj, Charge.stripe_invoice_id)
    if charge is not None:
        record.charge_id = charge.id
    return charge


def _invoice_finalized(obj: dict, record: StripeEvent) -> str:
    charge = _invoice_charge(obj, record)
    if charge is None:
        return "unmatched"
    from incubator.billing.fees import apply_invoice_details

    apply_invoice_details(charge, obj)
    return "finalized"


def _invoice_paid(obj: dict, record: StripeEvent) -> str:
    charge = _invoice_charge(obj, record)
    if charge is None:
        return "unmatched"
    charge.stripe_invoice_id = charge.stripe_invoice_id or obj.get("id")
    return _paid(charge, sc.ref_id(obj.get("payment_intent")))


def _invoice_payment_failed(obj: dict, record: StripeEvent) -> str:
    charge = _invoice_charge(obj, record)
    if charge is None:
        return "unmatched"
    if charge.status not in UNPAID_STATUSES:
        return "stale"
    charge.needs_attention = True
    charge.attention_note = _("A payment attempt on the Stripe invoice failed.")
    db.session.flush()
    return "payment_failed"


def _invoice_voided(obj: dict, record: StripeEvent) -> str:
    charge = _invoice_charge(obj, record)
    if charge is None:
        return "unmatched"
    released = services.release(charge, ChargeStatus.CANCELLED, _("The Stripe invoice was voided."))
    return "released" if released else "stale"


def _invoice_uncollectible(obj: dict, record: StripeEvent) -> str:
    charge = _invoice_charge(obj, record)
    if charge is None:
        return "unmatched"
    if charge.status not in UNPAID_STATUSES:
        return "stale"
    charge.needs_attention = True
    charge.attention_note = _("The Stripe invoice was marked uncollectible.")
    db.session.flush()
    return "uncollectible"


HANDLERS = {
    "checkout.session.completed": _session_completed,
    "checkout.session.async_payment_succeeded": _async_succeeded,
    "checkout.session.async_payment_failed": _async_failed,
    "checkout.session.expired": _session_expired,
    "charge.refunded": _charge_refunded,
    "invoice.finalized": _invoice_finalized,
    "invoice.paid": _invoice_paid,
    "invoice.payment_failed": _invoice_payment_failed,
    "invoice.voided": _invoice_voided,
    "invoice.marked_uncollectible": _invoice_uncollectible,
}
