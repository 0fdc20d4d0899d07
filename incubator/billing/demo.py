"""Payments for the demo's running cohort: monthly fees and their bills, paid offline or still open.

The demo runs without Stripe, so every bill is "to be invoiced" and paid ones were marked paid offline
with ABA or cash references (the way the incubator works until it sets a Stripe key):

- Kasekor Cold Chain (the demo founder's startup): a dedicated desk, USD 120 a month. The last two months
  are paid; this month's bill is open.
- AngkorPay: wet-lab membership, 400,000 riel a month. Last month's bill is overdue (flagged on the
  managers' home page); this month's is open.
- Mekong BioLab: a lab bench, USD 85 a month, paid up.
- Kampot Pepper Co.: a shared desk that ended last month (the fee is stopped), paid.

Everything goes through the billing services; the timestamps are moved back afterwards.
"""
from __future__ import annotations

from datetime import date, datetime, time, timedelta

import sqlalchemy as sa

from incubator.billing import fees, offline
from incubator.billing.models import Charge
from incubator.cohorts.models import Startup
from incubator.extensions import db
from incubator.notifications.models import Notification, OutboxMessage

FEES = (
    # startup, description, amount (minor), currency, months back it started, months of bills paid, stopped,
    # days to pay (30: this month's bill is still open whatever the day of the month)
    ("Kasekor Cold Chain", "Dedicated desk (2 seats)", 12000, "USD", 2, 2, False, 30),
    ("AngkorPay", "Wet-lab membership", 40_000_000, "KHR", 1, 0, False, 10),
    ("Mekong BioLab", "Lab bench", 8500, "USD", 2, 3, False, 10),
    ("Kampot Pepper Co.", "Shared desk", 4500, "USD", 2, 2, True, 10),
)
REFERENCES = ("ABA 0024-118", "ABA 0024-377", "Cash receipt 0412", "KHQR 9950-21", "ABA 0025-006", "Cash 0433")


def _months_back(month: date, count: int) -> date:
    for _ in range(count):
        month = (month - timedelta(days=1)).replace(day=1)
    return month


def load_demo(context) -> None:
    """Create the fees and bills listed in the module docstring.

    :param context: the demo's ``DemoContext`` (accounts, cohorts, today and the incubator's zone).
    """
    manager, today, zone = context.people["manager"], context.today, context.zone
    startups = {s.name: s for s in db.session.scalars(
        sa.select(Startup).where(Startup.cohort_id == context.running.id))}
    this_month = today.replace(day=1)
    references = iter(REFERENCES * 3)
    for name, description, amount, currency, started, paid, stopped, days in FEES:
        startup = startups.get(name)
        if startup is None:
            continue
        first = _months_back(this_month, started)
        last = _months_back(this_month, 1) if stopped else None
        fee = fees.create_fee(manager, startup, {
            "description": description, "amount_minor": amount, "currency": currency, "starts_on": first,
            "ends_on": last, "day_of_month": 1, "days_until_due": days, "active": True})
        month, index = first, 0
        while fee.bills_month(month) and month <= this_month:
            charge = fees.bill_month(fee, month, manager)
            issued = datetime.combine(month, time(7), zone)
            if index < paid:
                offline.mark_paid_offline(charge, manager, next(references))
                charge.paid_at = issued + timedelta(days=6)
            charge.created_at = charge.updated_at = issued
            _keep_only_current_notices(charge, month == this_month)
            month, index = (month + timedelta(days=32)).replace(day=1), index + 1
        if stopped:
            fees.update_fee(manager, fee, {
                "description": description, "amount_minor": amount, "currency": currency, "starts_on": first,
                "ends_on": last, "day_of_month": 1, "days_until_due": days, "active": False})
    db.session.flush()


def _keep_only_current_notices(charge: Charge, current: bool) -> None:
    # Founders would not still have unread "new bill" messages for months long paid.
    if current:
        return
    for notice in db.session.scalars(sa.select(Notification).where(
            Notification.dedupe_key.like(f"charge:{charge.id}:%"))):
        db.session.delete(notice)
    for email in db.session.scalars(sa.select(OutboxMessage).where(
            OutboxMessage.dedupe_key.like(f"notify:charge:{charge.id}:%"))):
        db.session.delete(email)
