"""What managers record by hand: payments received outside Stripe, money returned by hand, flags dealt with."""
from __future__ import annotations

from flask_babel import gettext as _

from incubator.audit.services import record
from incubator.billing.models import UNPAID_STATUSES, Charge, ChargeStatus
from incubator.billing.services import lock, mark_paid
from incubator.core.errors import ConflictError, ServiceError
from incubator.db import utcnow
from incubator.extensions import db


def mark_paid_offline(charge: Charge, actor, reference: str) -> Charge:
    """A manager records a payment received outside Stripe (bank transfer, cash, KHQR).

    :param reference: the receipt or transfer reference (required).
    :raises ConflictError: the charge is not unpaid any more.
    """
    charge = lock(charge)
    if not (reference or "").strip():
        raise ServiceError.on("reference", _("Enter the receipt or transfer reference."))
    if charge.status not in UNPAID_STATUSES:
        raise ConflictError(_("This charge is %(status)s; only unpaid charges can be marked paid.",
                              status=charge.status_label))
    mark_paid(charge, actor=actor, reference=reference)
    return charge


def record_offline_refund(charge: Charge, actor, reference: str) -> Charge:
    """A manager records money returned by hand for a charge paid offline (clears its flag).

    :raises ConflictError: the charge has no money to return, or it went through Stripe (refund it there).
    """
    charge = lock(charge)
    if not (reference or "").strip():
        raise ServiceError.on("reference", _("Enter the receipt or transfer reference."))
    if charge.status not in (ChargeStatus.PAID, ChargeStatus.PARTIALLY_REFUNDED):
        raise ConflictError(_("There is nothing left to refund on this charge."))
    if charge.stripe_payment_intent_id:
        raise ConflictError(_("This payment went through Stripe; refund it through Stripe."))
    amount = charge.amount_minor - charge.refunded_minor
    charge.refunded_minor, charge.status, charge.closed_at = charge.amount_minor, ChargeStatus.REFUNDED, utcnow()
    charge.needs_attention, charge.attention_note = False, ""
    charge.offline_reference = f"{charge.offline_reference} / {reference.strip()}".strip(" /")[:120]
    db.session.flush()
    record(actor, "charge.refunded_offline", charge, label=charge.description, amount=amount,
           currency=charge.currency, reference=reference)
    return charge


def clear_attention(charge: Charge, actor, note: str = "") -> Charge:
    """A manager says a flagged charge is dealt with."""
    charge = lock(charge)
    if not charge.needs_attention:
        raise ConflictError(_("This charge is not flagged."))
    charge.needs_attention = False
    db.session.flush()
    record(actor, "charge.attention_cleared", charge, label=charge.description, note=note.strip() or None)
    return charge
