"""Payments pages, mounted at ``/billing``: the managers' payments and fees, each startup's Payments page,
Stripe's return pages and the Stripe webhook (``/billing/webhooks/stripe``, CSRF-exempt, no sign-in).
"""
from datetime import date

from flask import Blueprint
from flask_babel import format_date

from incubator.billing.models import KIND_LABELS
from incubator.billing.permissions import can_manage_billing, can_view_payments

bp = Blueprint("billing", __name__)
# Other pages (startup profile, home) link here only for people who may follow the link.
bp.add_app_template_global(can_view_payments, "can_view_payments")
bp.add_app_template_global(can_manage_billing, "can_manage_billing")


@bp.app_template_global("billing_alerts")
def billing_alerts() -> dict:
    """For the manager dashboard: overdue bills and payments needing attention (two queries)."""
    from incubator.billing.queries import attention_count, overdue_summary
    from incubator.db import utcnow

    overdue, startups = overdue_summary(utcnow())
    return {"overdue": overdue, "overdue_startups": startups, "attention": attention_count()}


@bp.app_template_global("payments_to_make")
def payments_to_make(startup_id: int) -> int:
    """For a founder's home: how many of the startup's charges await payment online (one query)."""
    from incubator.billing.queries import awaiting_count

    return awaiting_count(startup_id)


@bp.app_template_filter("charge_kind")
def charge_kind(kind: str) -> str:
    """What a charge is for, in words (an unknown kind shows as stored)."""
    label = KIND_LABELS.get(kind)
    return str(label) if label is not None else kind.replace("_", " ")


@bp.app_template_filter("month_label")
def month_label(value: str | date) -> str:
    """``2026-11-01`` (or a date) as "November 2026" in the viewer's language."""
    day = value if isinstance(value, date) else date.fromisoformat(value)
    return format_date(day, "LLLL y")


from incubator.billing.views import fee_pages, manager, startup, webhook  # noqa: E402,F401
