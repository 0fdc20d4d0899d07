"""Monthly fees (a dedicated desk, lab membership): set by managers, billed once a month.

Each month of a fee becomes one ``Charge`` (kind ``monthly_fee``, the fee's id, the month ``2026-11``),
unique in the database, so the daily billing job, a retry or a manager's "issue now" never bills a month
twice. With Stripe on, the charge is a Stripe Invoice (customer, invoice item, finalised; every create call
keyed by fee and month) that the founders pay on Stripe's hosted invoice page, and ``invoice.*`` webhooks
keep it up to date. Without Stripe the charge is "to be invoiced" and a manager marks it paid offline.
Unpaid past its due date, a month is overdue (never stored; see ``Charge.is_overdue``).
"""
from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import current_app
from flask_babel import format_date
from flask_babel import gettext as _

from incubator.audit.services import record
from incubator.billing import notices, services
from incubator.billing import stripe_client as sc
from incubator.billing.models import (
    KIND_MONTHLY_FEE,
    UNPAID_STATUSES,
    BillingCustomer,
    Charge,
    ChargeStatus,
    MonthlyFee,
)
from incubator.cohorts.models import Startup, TeamMember
from incubator.core.errors import ConflictError, ServiceError
from incubator.core.money import CURRENCIES
from incubator.extensions import db

FEE_FIELDS = ("description", "amount_minor", "currency", "starts_on", "ends_on", "day_of_month", "days_until_due")


def month_key(month_start: date) -> str:
    return f"{month_start.year:04d}-{month_start.month:02d}"


def month_of(day: date) -> date:
    return day.replace(day=1)


def _check(data: dict) -> None:
    if not (data.get("description") or "").strip():
        raise ServiceError.on("description", _("Describe what the fee is for."))
    if data.get("currency") not in CURRENCIES:
        raise ServiceError.on("currency", _("Choose US dollars or riel."))
    if not isinstance(data.get("amount_minor"), int) or data["amount_minor"] <= 0:
        raise ServiceError.on("amount", _("The amount must be more than zero."))
    if not 1 <= int(data.get("day_of_month") or 0) <= 28:
        raise ServiceError.on("day_of_month", _("Choose a day between 1 and 28 (every month has it)."))
    if not 0 <= int(data.get("days_until_due") or 0) <= 60:
        raise ServiceError.on("days_until_due", _("Allow between 0 and 60 days to pay."))
    if data.get("ends_on") and data["ends_on"] < data["starts_on"]:
        raise ServiceError.on("ends_on", _("The last month cannot be before the first."))


def create_fee(actor, startup: Startup, data: dict) -> MonthlyFee:
    """Set a monthly fee for ``startup``.

    :param data: ``description``, ``amount_minor``, ``currency``, ``starts_on``, ``ends_on`` (or ``None``),
        ``day_of_month`` (1–28, the day each bill is issued) and ``days_until_due``.
    :return: the flushed fee.
    :raises ServiceError: a field is not acceptable.
    """
    _check(data)
    fee = MonthlyFee(startup_id=startup.id, created_by_id=actor.id, active=True,
                     **{key: data.get(key) for key in FEE_FIELDS})
    fee.description = fee.description.strip()
    db.session.add(fee)
    db.session.flush()
    record(actor, "fee.created", fee, label=f"{startup.name}: {fee.description}", amount=fee.amount_minor,
           currency=fee.currency)
    return fee


def update_fee(actor, fee: MonthlyFee, data: dict) -> MonthlyFee:
    """Change a fee; months already billed keep their amount (change applies from the next bill).

    :param data: as for ``create_fee``, plus ``active``.
    """
    _check(data)
    for key in FEE_FIELDS:
        setattr(fee, key, data.get(key))
    fee.description = fee.description.strip()
    fee.active = bool(data.get("active", fee.active))
    db.session.flush()
    record(actor, "fee.updated", fee, label=fee.description, amount=fee.amount_minor, currency=fee.currency,
           active=fee.active)
    return fee


def fee_charge(fee: MonthlyFee, month_start: date) -> Charge | None:
    return db.session.scalar(sa.select(Charge).where(
        Charge.kind == KIND_MONTHLY_FEE, Charge.subject_id == fee.id, Charge.period == month_key(month_start)))


def _local_end_of_day(day: date) -> datetime:
    zone = ZoneInfo(current_app.config["DEFAULT_TIMEZONE"])
    return datetime.combine(day + timedelta(days=1), time(0), zone).astimezone(ZoneInfo("UTC"))


def bill_month(fee: MonthlyFee, month_start: date, actor=None) -> Charge:
    """Issue the bill for one month of ``fee`` (once: an existing bill for that month is refused).

    :param month_start: the first day of the month billed.
    :param actor: the manager who asked for it, or ``None`` (the billing job).
    :return: the charge: ``AWAITING_PAYMENT`` with its Stripe invoice, or ``TO_INVOICE`` without Stripe.
    :raises ConflictError: the month is already billed, or outside the fee's months, or the fee is off.
    :raises PaymentProviderError: Stripe did not answer (nothing is kept; the next run tries again).
    """
    if not fee.bills_month(month_start):
        raise ConflictError(_("This fee does not bill %(month)s.", month=format_date(month_start, "MMMM yyyy")))
    if fee_charge(fee, month_start) is not None:
        raise ConflictError(_("%(month)s is already billed.", month=format_date(month_start, "MMMM yyyy")))
    issued = month_start.replace(day=fee.day_of_month)
    # The month is kept apart (``period``) and shown in each viewer's language next to the description.
    charge = Charge(
        startup_id=fee.startup_id, payer_id=None, kind=KIND_MONTHLY_FEE, subject_id=fee.id,
        period=month_key(month_start), description=fee.description[:255],
        amount_minor=fee.amount_minor, currency=fee.currency, status=ChargeStatus.TO_INVOICE,
        due_at=_local_end_of_day(issued + timedelta(days=fee.days_until_due)), refunded_minor=0,
    )
    db.session.add(charge)
    db.session.flush()  # the unique (kind, subject, period) key stops a concurrent second bill here
    if sc.is_configured():
        _stripe_invoice(charge, fee)
    record(actor, "fee.billed", charge, label=charge.description, amount=charge.amount_minor,
           currency=charge.currency)
    notices.bill_issued(charge)
    return charge


def _customer(startup: Startup) -> str:
    existing = db.session.scalar(sa.select(BillingCustomer).where(BillingCustomer.startup_id == startup.id))
    if existing is not None:
        return existing.stripe_customer_id
    email = db.session.scalar(
        sa.select(TeamMember.email).where(TeamMember.startup_id == startup.id, TeamMember.is_founder.is_(True),
                                          TeamMember.email != "").order_by(TeamMember.id).limit(1)
    ) or ""
    params = {"name": startup.name, "metadata": {"incubator_startup_id": str(startup.id)}}
    if email:
        params["email"] = email
    customer = sc.call(sc.client().v1.customers.create, params=params,
                       key=sc.idempotency_key("customer", startup.id, params=params))
    db.session.add(BillingCustomer(startup_id=startup.id, stripe_customer_id=customer.id, email=email))
    db.session.flush()
    return customer.id


def _stripe_invoice(charge: Charge, fee: MonthlyFee) -> None:
    stripe = sc.client()
    customer = _customer(db.session.get(Startup, fee.startup_id))
    # No charge id here: a retry after a rolled-back attempt has a new charge id but must send the very same
    # parameters to get the same invoice back; (kind, fee, month) identifies the charge just as well.
    metadata = {"kind": KIND_MONTHLY_FEE, "subject_id": str(fee.id), "period": charge.period}
    label = f"{charge.description} ({charge.period})"
    params = {"customer": customer, "collection_method": "send_invoice", "days_until_due": fee.days_until_due,
              "currency": charge.currency.lower(), "description": label, "metadata": metadata,
              "pending_invoice_items_behavior": "exclude", "auto_advance": False}
    invoice = sc.call(stripe.v1.invoices.create, params=params,
                      key=sc.idempotency_key("invoice", fee.id, charge.period, params=params))
    item = {"customer": customer, "invoice": invoice.id, "amount": charge.amount_minor,
            "currency": charge.currency.lower(), "description": label, "metadata": metadata}
    sc.call(stripe.v1.invoice_items.create, params=item,
            key=sc.idempotency_key("invoiceitem", fee.id, charge.period, params=item))
    finalized = sc.call(stripe.v1.invoices.finalize_invoice, invoice.id, params={"auto_advance": True},
                        key=sc.idempotency_key("finalize", fee.id, charge.period))
    charge.stripe_invoice_id = invoice.id
    apply_invoice_details(charge, finalized)


def apply_invoice_details(charge: Charge, invoice) -> None:
    """Take the payment link and due date from a Stripe invoice (finalised); a paid one pays the charge."""
    if charge.status not in UNPAID_STATUSES:
        charge.invoice_url = charge.invoice_url or sc.get(invoice, "hosted_invoice_url", "")
        db.session.flush()
        return
    charge.stripe_invoice_id = charge.stripe_invoice_id or sc.get(invoice, "id")
    charge.invoice_url = sc.get(invoice, "hosted_invoice_url", charge.invoice_url)
    due = sc.get(invoice, "due_date")
    if isinstance(due, int):
        charge.due_at = datetime.fromtimestamp(due, ZoneInfo("UTC"))
    status = sc.get(invoice, "status")
    if status == "open":
        charge.status = ChargeStatus.AWAITING_PAYMENT
    db.session.flush()
    if status == "paid":
        services.mark_paid(charge, payment_intent_id=sc.ref_id(sc.get(invoice, "payment_intent")))


def fees_due(today: date, limit: int = 500) -> list[MonthlyFee]:
    """Active fees whose bill for ``today``'s month is due (issue day reached) and not issued yet."""
    month = month_of(today)
    next_month = (month + timedelta(days=32)).replace(day=1)
    billed = sa.select(Charge.id).where(Charge.kind == KIND_MONTHLY_FEE, Charge.subject_id == MonthlyFee.id,
                                        Charge.period == month_key(month))
    return list(db.session.scalars(
        sa.select(MonthlyFee).where(
            MonthlyFee.active.is_(True), MonthlyFee.day_of_month <= today.day, MonthlyFee.starts_on < next_month,
            sa.or_(MonthlyFee.ends_on.is_(None), MonthlyFee.ends_on >= month),
            ~sa.exists(billed),
        ).order_by(MonthlyFee.id).limit(limit)
    ))


def fee_status(charges: list[Charge], now: datetime) -> str:
    """``overdue``, ``open``, ``paid`` or ``none`` for a fee, from its recent bills (the badge on lists)."""
    if any(c.is_overdue(now) for c in charges):
        return "overdue"
    if any(c.is_unpaid for c in charges):
        return "open"
    return "paid" if charges else "none"


