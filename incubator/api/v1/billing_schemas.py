"""Pydantic models for the payments endpoints: charges (one amount owed for one thing) and a Checkout link.

Amounts are given twice: ``amount_minor`` (integer minor units, as stored: cents, or hundredths of a riel)
and ``amount`` (a decimal string in major units, ``"12.50"``), with the ISO 4217 ``currency``.
"""
from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import Field

from incubator.api.v1.schemas import Output, Page, PageQuery
from incubator.billing.models import Charge, ChargeStatus
from incubator.core.money import from_minor


class ChargeQuery(PageQuery):
    status: ChargeStatus | Literal["overdue"] | None = Field(
        None, description="Only charges with this status, or ``overdue`` (unpaid past the due date).")


class ChargeOut(Output):
    id: int
    startup_id: int
    kind: str = Field(description="What is paid for: resource_booking, resource_series, monthly_fee, …")
    subject_id: int = Field(description="The id of the thing paid for, in its own domain.")
    period: str | None = Field(description="The month billed (YYYY-MM) for a monthly fee; null otherwise.")
    description: str
    amount_minor: int
    amount: str
    currency: Literal["USD", "KHR"]
    status: ChargeStatus
    status_label: str
    overdue: bool = Field(description="Derived: unpaid and past its due date.")
    refunded_minor: int
    expires_at: datetime | None = Field(description="End of the 30-minute hold of a Checkout payment.")
    due_at: datetime | None
    paid_at: datetime | None
    pay_online: bool = Field(description="Whether POST …/checkout can give a payment link now.")
    created_at: datetime

    @classmethod
    def of(cls, charge: Charge, now: datetime) -> ChargeOut:
        return cls(
            id=charge.id, startup_id=charge.startup_id, kind=charge.kind, subject_id=charge.subject_id,
            period=charge.period, description=charge.description, amount_minor=charge.amount_minor,
            amount=str(from_minor(charge.amount_minor, charge.currency)), currency=charge.currency,
            status=charge.status, status_label=charge.status_label, overdue=charge.is_overdue(now),
            refunded_minor=charge.refunded_minor, expires_at=charge.expires_at, due_at=charge.due_at,
            paid_at=charge.paid_at, pay_online=charge.status == ChargeStatus.AWAITING_PAYMENT,
            created_at=charge.created_at,
        )


class ChargePage(Page[ChargeOut]):
    pass


class CheckoutOut(Output):
    url: str = Field(description="Stripe's payment page (Checkout, or the hosted invoice of a monthly fee).")
