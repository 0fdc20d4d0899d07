"""Paid use: charges (one payment each, through Stripe or offline), monthly fees and the Stripe events seen.

A ``Charge`` is what a startup owes for one thing: a resource booking beyond its allowance, one month of
a monthly fee. Other domains create charges through ``billing.services.create_charge`` and learn about
payment and release through ``billing.hooks``. Overdue is never stored: it follows from ``due_at`` and
the status (``Charge.is_overdue`` and ``overdue_clause`` say the same thing in Python and in SQL).
"""
from __future__ import annotations

import enum
from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from incubator.auth.models import User
from incubator.cohorts.models import Startup
from incubator.db import TimestampMixin, UTCDateTime, str_enum, utcnow
from incubator.extensions import db


class ChargeStatus(enum.StrEnum):
    TO_INVOICE = "to_invoice"  # no Stripe: the incubator invoices it and marks it paid offline
    AWAITING_PAYMENT = "awaiting_payment"  # a Checkout hold (expires) or an open Stripe invoice (due)
    PAID = "paid"
    EXPIRED = "expired"  # the hold lapsed unpaid
    CANCELLED = "cancelled"
    REFUNDED = "refunded"
    PARTIALLY_REFUNDED = "partially_refunded"


CHARGE_STATUS_LABELS = {
    ChargeStatus.TO_INVOICE: _l("To be invoiced"),
    ChargeStatus.AWAITING_PAYMENT: _l("Awaiting payment"),
    ChargeStatus.PAID: _l("Paid"),
    ChargeStatus.EXPIRED: _l("Expired unpaid"),
    ChargeStatus.CANCELLED: _l("Cancelled"),
    ChargeStatus.REFUNDED: _l("Refunded"),
    ChargeStatus.PARTIALLY_REFUNDED: _l("Partly refunded"),
}

# Still owed: these can be paid, and past ``due_at`` they are overdue.
UNPAID_STATUSES = (ChargeStatus.TO_INVOICE, ChargeStatus.AWAITING_PAYMENT)
# Money was received (some of it may have gone back).
SETTLED_STATUSES = (ChargeStatus.PAID, ChargeStatus.REFUNDED, ChargeStatus.PARTIALLY_REFUNDED)

KIND_MONTHLY_FEE = "monthly_fee"
KIND_LABELS = {
    KIND_MONTHLY_FEE: _l("Monthly fee"),
    "resource_booking": _l("Resource booking"),
    "resource_series": _l("Recurring resource booking"),
}


class Charge(TimestampMixin, db.Model):
    """One amount a startup owes for one thing (``kind`` + ``subject_id``), paid once."""

    __tablename__ = "charges"
    __table_args__ = (
        # A monthly fee is billed once per month; other kinds have no period (NULLs never clash).
        sa.UniqueConstraint("kind", "subject_id", "period"),
        sa.CheckConstraint("amount_minor > 0", name="amount_positive"),
        sa.CheckConstraint("refunded_minor >= 0 AND refunded_minor <= amount_minor", name="refund_within_amount"),
        sa.CheckConstraint("currency IN ('USD', 'KHR')", name="currency_known"),
        sa.Index("ix_charges_kind_subject_id", "kind", "subject_id"),
        sa.Index("ix_charges_status_expires_at", "status", "expires_at"),
        sa.Index("ix_charges_startup_id_created_at", "startup_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    startup_id: Mapped[int] = mapped_column(sa.ForeignKey("startups.id", ondelete="RESTRICT"))
    payer_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    kind: Mapped[str] = mapped_column(sa.String(40))
    subject_id: Mapped[int]
    # The billing month (``2026-11``) of a monthly fee; NULL for one-off charges.
    period: Mapped[str | None] = mapped_column(sa.String(7))
    description: Mapped[str] = mapped_column(sa.String(255))
    amount_minor: Mapped[int] = mapped_column(sa.BigInteger)
    currency: Mapped[str] = mapped_column(sa.String(3))
    status: Mapped[ChargeStatus] = mapped_column(str_enum(ChargeStatus, length=24), index=True)
    # End of the Checkout hold; the release job lets unpaid holds go after it. NULL: no hold.
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # When an invoice (monthly fee) must be paid by; unpaid after it, the charge is overdue.
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    paid_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # expired, cancelled or refunded
    close_reason: Mapped[str] = mapped_column(sa.String(255), default="")
    stripe_checkout_session_id: Mapped[str | None] = mapped_column(sa.String(255), unique=True)
    checkout_url: Mapped[str] = mapped_column(sa.String(1000), default="")
    stripe_payment_intent_id: Mapped[str | None] = mapped_column(sa.String(255), unique=True)
    stripe_invoice_id: Mapped[str | None] = mapped_column(sa.String(255), unique=True)
    invoice_url: Mapped[str] = mapped_column(sa.String(1000), default="")
    stripe_refund_id: Mapped[str | None] = mapped_column(sa.String(255))
    refunded_minor: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    # Paid outside Stripe (bank transfer, cash, ABA/KHQR): the receipt or transfer reference.
    offline_reference: Mapped[str] = mapped_column(sa.String(120), default="")
    marked_paid_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    # Something a person must look at (money received for a released hold that could not be refunded,
    # a failed invoice payment, an offline payment to return by hand). Cleared by a manager.
    needs_attention: Mapped[bool] = mapped_column(default=False, index=True)
    attention_note: Mapped[str] = mapped_column(sa.Text, default="")
    last_synced_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    startup: Mapped[Startup] = relationship()
    payer: Mapped[User | None] = relationship(foreign_keys=[payer_id])
    marked_paid_by: Mapped[User | None] = relationship(foreign_keys=[marked_paid_by_id])

    @property
    def status_label(self) -> str:
        return str(CHARGE_STATUS_LABELS[self.status])

    @property
    def is_unpaid(self) -> bool:
        return self.status in UNPAID_STATUSES

    @property
    def is_checkout(self) -> bool:
        """Paid through a Checkout Session (a hold), as opposed to an invoice or offline."""
        return self.status == ChargeStatus.AWAITING_PAYMENT and self.stripe_invoice_id is None

    @property
    def net_minor(self) -> int:
        """What the incubator keeps: the amount paid less refunds (0 while unpaid)."""
        return self.amount_minor - self.refunded_minor if self.status in SETTLED_STATUSES else 0

    def is_overdue(self, now: datetime | None = None) -> bool:
        return self.is_unpaid and self.due_at is not None and self.due_at < (now or utcnow())

    def __repr__(self) -> str:
        return f"<Charge {self.id} {self.kind}:{self.subject_id} {self.status.value}>"


def overdue_clause(now: datetime):
    """SQL for ``Charge.is_overdue(now)``."""
    return sa.and_(Charge.status.in_(UNPAID_STATUSES), Charge.due_at.is_not(None), Charge.due_at < now)


class MonthlyFee(TimestampMixin, db.Model):
    """A recurring fee (dedicated desk, lab membership) billed to a startup once a month."""

    __tablename__ = "monthly_fees"
    __table_args__ = (
        sa.CheckConstraint("amount_minor > 0", name="amount_positive"),
        sa.CheckConstraint("currency IN ('USD', 'KHR')", name="currency_known"),
        sa.CheckConstraint("day_of_month BETWEEN 1 AND 28", name="day_of_month_valid"),
        sa.CheckConstraint("ends_on IS NULL OR ends_on >= starts_on", name="dates_ordered"),
        sa.CheckConstraint("days_until_due BETWEEN 0 AND 60", name="days_until_due_valid"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    startup_id: Mapped[int] = mapped_column(sa.ForeignKey("startups.id", ondelete="RESTRICT"), index=True)
    description: Mapped[str] = mapped_column(sa.String(160))
    amount_minor: Mapped[int] = mapped_column(sa.BigInteger)
    currency: Mapped[str] = mapped_column(sa.String(3))
    # Billed from the month of ``starts_on`` to the month of ``ends_on`` (open-ended when NULL).
    starts_on: Mapped[date]
    ends_on: Mapped[date | None]
    day_of_month: Mapped[int] = mapped_column(default=1)  # the day each month's bill is issued
    days_until_due: Mapped[int] = mapped_column(default=14)
    active: Mapped[bool] = mapped_column(default=True)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))

    startup: Mapped[Startup] = relationship()

    def bills_month(self, month_start: date) -> bool:
        """Whether the month starting on ``month_start`` is inside the fee's span (and the fee is on)."""
        first = self.starts_on.replace(day=1)
        return self.active and month_start >= first and (self.ends_on is None or month_start <= self.ends_on)


class BillingCustomer(db.Model):
    """The Stripe Customer that a startup's invoices are addressed to (created on first invoice)."""

    __tablename__ = "billing_customers"

    id: Mapped[int] = mapped_column(primary_key=True)
    startup_id: Mapped[int] = mapped_column(sa.ForeignKey("startups.id", ondelete="RESTRICT"), unique=True)
    stripe_customer_id: Mapped[str] = mapped_column(sa.String(255), unique=True)
    email: Mapped[str] = mapped_column(sa.String(254), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class StripeEvent(db.Model):
    """A Stripe webhook event, stored in the same transaction as its effect: an id seen once is done."""

    __tablename__ = "stripe_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[str] = mapped_column(sa.String(255), unique=True)
    type: Mapped[str] = mapped_column(sa.String(80), index=True)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    charge_id: Mapped[int | None] = mapped_column(sa.ForeignKey("charges.id", ondelete="SET NULL"), index=True)
    # The PaymentIntent a refund event names, kept so a refund seen before its payment is applied later.
    payment_intent_id: Mapped[str | None] = mapped_column(sa.String(255), index=True)
    amount_refunded: Mapped[int | None] = mapped_column(sa.BigInteger)
    outcome: Mapped[str] = mapped_column(sa.String(40), default="")  # applied, ignored, unmatched, late_refunded…
