"""Who may see and do what with payments.

Managers see every charge and fee and act on them (mark paid offline, reconcile, refund, cancel, set
fees). A startup's founders see their own startup's charges and fees and pay what is awaiting payment.
Mentors and investors see no payments. The Stripe webhook needs no user: its signature is the
authorization (``billing.webhooks.verify``).
"""
from __future__ import annotations

from incubator.auth.models import User
from incubator.billing.models import Charge
from incubator.cohorts.models import Startup
from incubator.cohorts.permissions import is_founder_of, is_manager


def can_manage_billing(user: User) -> bool:
    """The payments pages, CSV, reconcile, offline payments, refunds and monthly fees."""
    return is_manager(user)


def can_view_payments(user: User, startup: Startup) -> bool:
    return is_manager(user) or is_founder_of(user, startup)


def can_pay(user: User, charge: Charge) -> bool:
    """Founders pay their own startup's charges online (managers record offline payments instead).

    Whether the charge can still be paid (awaiting payment, hold not lapsed) is the service's answer.
    """
    return is_founder_of(user, charge.startup)
