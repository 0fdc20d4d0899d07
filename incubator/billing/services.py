"""Charges: create one, pay it through Stripe Checkout or offline, cancel or refund it, release lapsed holds.

The life of a charge::

    Stripe on:   AWAITING_PAYMENT (30-minute hold) ─ paid ─> PAID ─ cancelled ─> REFUNDED
                         └─ hold lapsed / session expired / cancelled ─> EXPIRED / CANCELLED
    Stripe off:  TO_INVOICE ─ manager marks it paid offline ─> PAID

Money that arrives for a charge already released (the founder paid at the last second and the hold
lapsed before the webhook came) is refunded automatically through Stripe and the charge ends REFUNDED
with the reason; if that refund fails the charge stays PAID and is flagged for a manager, who refunds it
from the payments page. The released subject is never revived: the slot may have been taken meanwhile.
"""
from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa
from flask_babel import gettext as _

from incubator.audit.services import record
from incubator.billing import hooks, notices
from incubator.billing import stripe_client as sc
from incubator.billing.models import SETTLED_STATUSES, UNPAID_STATUSES, Charge, ChargeStatus, StripeEvent
from incubator.core.errors import ConflictError, ServiceError
from incubator.core.money import CURRENCIES
from incubator.db import utcnow
from incubator.extensions import db

HOLD = timedelta(minutes=30)
# Stripe lets a Checkout Session live between 30 minutes and 24 hours; we ask for a little more than 30.
CHECKOUT_MIN_LIFE = timedelta(minutes=31)
PAID_SESSION = ("paid", "no_payment_required")


def create_charge(*, startup, payer, kind: str, subject_id: int, description: str, amount_minor: int,
                  currency: str) -> Charge:
    """Record what ``startup`` owes for one thing; with Stripe on it is held 30 minutes awaiting payment.

    :param startup: the ``Startup`` that pays.
    :param payer: the ``User`` who incurred it (a founder booking), or ``None``.
    :param kind: what is sold, e.g. ``"resource_booking"`` (the key of ``hooks.register_fulfilment``).
    :param subject_id: the id of the thing sold, in the ``kind``'s own table.
    :param description: shown to the founder, on Stripe's payment page and on invoices.
    :param amount_minor: positive amount in minor units of ``currency``.
    :param currency: ``USD`` or ``KHR``.
    :return: the flushed charge: ``AWAITING_PAYMENT`` with ``expires_at`` when Stripe is configured,
        else ``TO_INVOICE``.
    :raises ServiceError: the amount, currency or description is not acceptable.
    """
    if currency not in CURRENCIES:
        raise ServiceError.on("currency", _("Choose US dollars or riel."))
    if int(amount_minor) <= 0:
        raise ServiceError.on("amount", _("The amount must be more than zero."))
    if not kind or not (description or "").strip():
        raise ServiceError(_("A charge needs a kind and a description."))
    online = sc.is_configured()
    charge = Charge(
        startup_id=startup.id, payer_id=payer.id if payer is not None else None, kind=kind[:40],
        subject_id=subject_id, description=description.strip()[:255], amount_minor=int(amount_minor),
        currency=currency, status=ChargeStatus.AWAITING_PAYMENT if online else ChargeStatus.TO_INVOICE,
        expires_at=utcnow() + HOLD if online else None, refunded_minor=0,
    )
    db.session.add(charge)
    db.session.flush()
    return charge


def charge_for(kind: str, subject_id: int) -> Charge | None:
    """The latest charge for one subject (``None`` if it was never charged)."""
    return db.session.scalar(
        sa.select(Charge).where(Charge.kind == kind, Charge.subject_id == subject_id).order_by(Charge.id.desc())
        .limit(1)
    )


def lock(charge: Charge) -> Charge:
    """Re-read ``charge`` under a row lock (PostgreSQL; SQLite transactions already write-lock)."""
    return db.session.scalars(
        sa.select(Charge).where(Charge.id == charge.id).with_for_update().execution_options(populate_existing=True)
    ).one()


def checkout_url(charge: Charge, *, success_url: str, cancel_url: str) -> str:
    """The Stripe Checkout page where the founder pays an awaiting charge (an open session is reused).

    Creating the session extends the hold to the session's whole life if less than 30 minutes were left,
    because Stripe refuses a shorter session and must not take money after we have let the hold go.

    :param success_url: where Stripe sends the founder after paying (absolute URL).
    :param cancel_url: where Stripe sends the founder who goes back.
    :return: the Checkout URL; for a monthly-fee invoice, Stripe's hosted invoice page; for a charge that
        turns out to be paid already, ``success_url``.
    :raises ConflictError: the charge cannot be paid online (paid, released, to be invoiced, hold lapsed).
    :raises PaymentProviderError: Stripe did not answer.
    """
    charge = lock(charge)
    if charge.status == ChargeStatus.AWAITING_PAYMENT and charge.stripe_invoice_id:
        if charge.invoice_url:
            return charge.invoice_url
        raise ConflictError(_("The invoice is being prepared; try again in a few minutes."))
    if charge.status != ChargeStatus.AWAITING_PAYMENT:
        raise ConflictError(_("This charge cannot be paid online: it is %(status)s.", status=charge.status_label))
    now = utcnow()
    if charge.expires_at is not None and charge.expires_at <= now:
        raise ConflictError(_("The 30 minutes to pay have passed; the booking is being released."))
    stripe = sc.client()
    if charge.stripe_checkout_session_id:
        session = sc.call(stripe.v1.checkout.sessions.retrieve, charge.stripe_checkout_session_id)
        status = sc.get(session, "status")
        if status == "open" and sc.get(session, "url"):
            return session.url
        if status == "complete":
            if apply_checkout_session(charge, session):
                return success_url
            # Paid by a delayed method (bank debit) still being processed: never open a second page.
            raise ConflictError(_("Your payment is being processed by your bank; you will be told when it "
                                  "arrives."))
    expires_at = max(charge.expires_at or now, now + CHECKOUT_MIN_LIFE).replace(microsecond=0)
    params = {
        "mode": "payment",
        "line_items": [{"quantity": 1, "price_data": {
            "currency": charge.currency.lower(), "unit_amount": charge.amount_minor,
            "product_data": {"name": charge.description}}}],
        "success_url": success_url,
        "cancel_url": cancel_url,
        "client_reference_id": str(charge.id),
        "metadata": _metadata(charge),
        "payment_intent_data": {"metadata": _metadata(charge)},
        "expires_at": int(expires_at.timestamp()),
    }
    if charge.payer is not None and charge.payer.email:
        params["customer_email"] = charge.payer.email
    session = sc.call(stripe.v1.checkout.sessions.create, params=params,
                      key=sc.idempotency_key("checkout", charge.id, params=params))
    charge.stripe_checkout_session_id, charge.checkout_url = session.id, session.url or ""
    charge.expires_at = expires_at
    db.session.flush()
    return charge.checkout_url


def _metadata(charge: Charge) -> dict[str, str]:
    return {"incubator_charge_id": str(charge.id), "kind": charge.kind, "subject_id": str(charge.subject_id)}


def apply_checkout_session(charge: Charge, session) -> bool:
    """Apply a completed, paid Checkout Session (from a webhook or a reconcile) to ``charge``.

    :return: whether the session is paid (whatever the charge's state was).
    """
    if sc.get(session, "payment_status") not in PAID_SESSION:
        return False
    mark_paid(charge, payment_intent_id=sc.ref_id(sc.get(session, "payment_intent")))
    return True


def mark_paid(charge: Charge, *, payment_intent_id: str | None = None, actor=None, reference: str = "") -> bool:
    """Record that the money for ``charge`` arrived and tell its domain (``on_paid``), once.

    A payment for a charge already released is refunded (see the module docstring).

    :param payment_intent_id: Stripe's PaymentIntent (kept for refunds).
    :param actor: the manager who recorded an offline payment, else ``None`` (Stripe).
    :param reference: the offline payment's reference.
    :return: whether anything changed.
    """
    if payment_intent_id and not charge.stripe_payment_intent_id:
        charge.stripe_payment_intent_id = payment_intent_id
    if charge.status in SETTLED_STATUSES:
        db.session.flush()
        return False
    charge.paid_at = utcnow()
    if charge.status in (ChargeStatus.EXPIRED, ChargeStatus.CANCELLED):
        _refund_late_payment(charge)
        return True
    charge.status = ChargeStatus.PAID
    charge.expires_at = None
    if actor is not None:
        charge.marked_paid_by_id, charge.offline_reference = actor.id, reference.strip()[:120]
    db.session.flush()
    hooks.run_paid(charge)
    record(actor, "charge.paid_offline" if actor is not None else "charge.paid", charge,
           label=charge.description, amount=charge.amount_minor, currency=charge.currency,
           reference=reference or None)
    notices.payment_received(charge)
    _apply_deferred_refund(charge)
    return True


def _refund_late_payment(charge: Charge) -> None:
    released_as = charge.status_label
    charge.status = ChargeStatus.PAID
    db.session.flush()
    try:
        refund(charge, reason="late_payment")
    except (sc.PaymentProviderError, ConflictError):
        charge.needs_attention = True
        charge.attention_note = _("Paid after the booking was released (%(status)s), and the automatic refund "
                                  "failed. Refund it from this page or in Stripe.", status=released_as)
        db.session.flush()
        notices.attention_needed(charge)
        return
    charge.close_reason = _("Paid after the booking was released; refunded automatically.")
    db.session.flush()


def release(charge: Charge, status: ChargeStatus, reason: str, *, notify_subject: bool = True) -> bool:
    """Let an unpaid charge go (``EXPIRED`` or ``CANCELLED``) and tell its domain (``on_released``).

    :return: whether anything changed (a paid or already released charge is left alone).
    """
    if charge.status not in UNPAID_STATUSES:
        return False
    charge.status, charge.closed_at, charge.close_reason = status, utcnow(), reason[:255]
    db.session.flush()
    if notify_subject:
        hooks.run_released(charge)
    return True


def refund(charge: Charge, *, reason: str = "requested_by_customer", actor=None) -> Charge:
    """Refund what is left of a paid charge through Stripe (idempotent per charge and amount).

    :raises ConflictError: nothing to refund, or the payment did not go through Stripe.
    :raises PaymentProviderError: Stripe refused or did not answer.
    """
    remaining = charge.amount_minor - charge.refunded_minor
    if charge.status not in (ChargeStatus.PAID, ChargeStatus.PARTIALLY_REFUNDED) or remaining <= 0:
        raise ConflictError(_("There is nothing left to refund on this charge."))
    if not charge.stripe_payment_intent_id:
        raise ConflictError(_("This payment did not go through Stripe; return the money by hand and record it."))
    params = {"payment_intent": charge.stripe_payment_intent_id, "amount": remaining,
              "metadata": _metadata(charge) | {"reason": reason}}
    if reason in ("duplicate", "fraudulent", "requested_by_customer"):
        params["reason"] = reason
    result = sc.call(sc.client().v1.refunds.create, params=params,
                     key=sc.idempotency_key("refund", charge.id, charge.refunded_minor, remaining))
    if sc.get(result, "status") in ("failed", "canceled"):
        raise sc.PaymentProviderError(_("Stripe could not refund this payment; see the payment in Stripe."))
    charge.stripe_refund_id = sc.get(result, "id")
    charge.refunded_minor = charge.amount_minor
    charge.status, charge.closed_at = ChargeStatus.REFUNDED, utcnow()
    db.session.flush()
    record(actor, "charge.refunded", charge, label=charge.description, amount=remaining, currency=charge.currency,
           reason=reason)
    notices.refund_sent(charge)
    return charge


def cancel_charge(charge: Charge, *, reason: str, release_subject: bool = False, actor=None) -> None:
    """Cancel a charge because its subject is cancelled; refund it through Stripe if it was paid.

    Unpaid: ``CANCELLED`` (an open Checkout Session is expired first, and a session found already paid is
    recorded and refunded). Paid through Stripe: refunded (idempotency key per charge and amount). Paid
    offline: kept ``PAID`` and flagged for a manager to return the money. Already closed: nothing.

    :param reason: why (kept on the charge, shown to managers).
    :param release_subject: also call the kind's ``on_released`` (a manager cancelling from the payments
        page); the owning domain cancelling its own subject leaves it ``False``.
    :param actor: who cancelled (audit), ``None`` for the system or the owning domain.
    :raises PaymentProviderError: Stripe did not answer; nothing was changed.
    """
    charge = lock(charge)
    if charge.status not in (*UNPAID_STATUSES, ChargeStatus.PAID, ChargeStatus.PARTIALLY_REFUNDED):
        return
    if charge.status in UNPAID_STATUSES:
        if charge.stripe_invoice_id:
            sc.call(sc.client().v1.invoices.void_invoice, charge.stripe_invoice_id)
        elif charge.stripe_checkout_session_id:
            session = close_checkout_session(charge)
            if session_paid(session):
                # Paid at the last second: record the money (the subject is being cancelled, so no
                # on_paid) and give it back.
                charge.stripe_payment_intent_id = sc.ref_id(sc.get(session, "payment_intent"))
                charge.status, charge.paid_at, charge.expires_at = ChargeStatus.PAID, utcnow(), None
                db.session.flush()
                refund(charge, reason="requested_by_customer")
                charge.close_reason = reason[:255]
                db.session.flush()
                record(actor, "charge.cancelled", charge, label=charge.description, reason=reason)
                return
        release(charge, ChargeStatus.CANCELLED, reason, notify_subject=release_subject)
    elif charge.status in (ChargeStatus.PAID, ChargeStatus.PARTIALLY_REFUNDED):
        if charge.stripe_payment_intent_id:
            refund(charge, reason="requested_by_customer")
        else:
            charge.needs_attention = True
            charge.attention_note = _("Cancelled after it was paid offline: return the money by hand and record "
                                      "the refund.")
            charge.closed_at = utcnow()
            db.session.flush()
            notices.attention_needed(charge)
        charge.close_reason = reason[:255]
        db.session.flush()
    record(actor, "charge.cancelled", charge, label=charge.description, reason=reason)


def close_checkout_session(charge: Charge):
    """Expire the charge's Checkout Session so it can no longer take money.

    :return: the session as Stripe now has it: ``expired``, or ``complete`` when it was paid meanwhile
        (see ``session_paid``). Nothing is changed on the charge.
    :raises PaymentProviderError: Stripe did not answer.
    """
    stripe = sc.client()
    try:
        return stripe.v1.checkout.sessions.expire(charge.stripe_checkout_session_id)
    except sc.stripe.InvalidRequestError:
        # Only open sessions can be expired: find out what it is instead.
        return sc.call(stripe.v1.checkout.sessions.retrieve, charge.stripe_checkout_session_id)
    except sc.stripe.StripeError as exc:
        raise sc.PaymentProviderError() from exc


def session_paid(session) -> bool:
    return sc.get(session, "status") == "complete" and sc.get(session, "payment_status") in PAID_SESSION


def due_holds(now: datetime, limit: int = 200) -> list[Charge]:
    """Unpaid Checkout holds whose time is up, oldest first (bounded per run)."""
    return list(db.session.scalars(
        sa.select(Charge).where(Charge.status == ChargeStatus.AWAITING_PAYMENT, Charge.expires_at.is_not(None),
                                Charge.expires_at <= now, Charge.stripe_invoice_id.is_(None))
        .order_by(Charge.expires_at, Charge.id).limit(limit)
    ))


def apply_refunded_amount(charge: Charge, amount_refunded: int) -> bool:
    """Set the refunded total Stripe reports (cumulative, so applying it twice or late is harmless).

    :return: whether anything changed.
    """
    if charge.status not in (ChargeStatus.PAID, ChargeStatus.PARTIALLY_REFUNDED, ChargeStatus.REFUNDED):
        return False
    amount = min(max(amount_refunded, 0), charge.amount_minor)
    if amount <= charge.refunded_minor:
        return False
    charge.refunded_minor = amount
    charge.status = ChargeStatus.REFUNDED if amount >= charge.amount_minor else ChargeStatus.PARTIALLY_REFUNDED
    if charge.status == ChargeStatus.REFUNDED:
        charge.closed_at = charge.closed_at or utcnow()
    db.session.flush()
    return True


def _apply_deferred_refund(charge: Charge) -> None:
    """A ``charge.refunded`` seen before the payment it refunds is applied now."""
    if not charge.stripe_payment_intent_id:
        return
    amount = db.session.scalar(
        sa.select(sa.func.max(StripeEvent.amount_refunded))
        .where(StripeEvent.payment_intent_id == charge.stripe_payment_intent_id, StripeEvent.type == "charge.refunded")
    )
    if amount:
        apply_refunded_amount(charge, amount)
