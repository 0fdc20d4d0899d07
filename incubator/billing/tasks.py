"""Scheduled billing work (see ``incubator/jobs/registry.py``): releasing lapsed Checkout holds and
issuing the monthly fees' bills.

``release_unpaid_holds`` runs every five minutes; ``bill_monthly_fees`` daily. Each charge or fee is
handled in its own savepoint, so one failing ``on_released`` callback or an unreachable Stripe leaves
that one for the next run without undoing the others.
"""
from __future__ import annotations

import logging
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l

from incubator.billing import services
from incubator.billing import stripe_client as sc
from incubator.billing.models import ChargeStatus
from incubator.db import utcnow
from incubator.extensions import db

log = logging.getLogger(__name__)

HOLD_LAPSED = _l("Not paid within 30 minutes; the hold was released.")


def release_hold(charge) -> str:
    """Release one lapsed hold: expire its Checkout Session first; a session paid meanwhile confirms it.

    :return: ``"released"`` or ``"paid"``.
    :raises PaymentProviderError: Stripe did not answer (the charge stays as it is).
    """
    charge = services.lock(charge)
    if charge.status != ChargeStatus.AWAITING_PAYMENT:
        return "skipped"
    if charge.stripe_checkout_session_id and sc.is_configured():
        session = services.close_checkout_session(charge)
        if services.session_paid(session):
            services.mark_paid(charge, payment_intent_id=sc.ref_id(sc.get(session, "payment_intent")))
            return "paid"
    services.release(charge, ChargeStatus.EXPIRED, str(HOLD_LAPSED))
    return "released"


def release_unpaid_holds(run) -> str:
    """Every 5 minutes: let go the Checkout holds not paid within their 30 minutes (``on_released``).

    :param run: the job's ``RunContext``.
    :return: a short summary for the jobs page.
    """
    counts = {"released": 0, "paid": 0, "skipped": 0, "failed": 0}
    for charge in services.due_holds(utcnow()):
        charge_id = charge.id
        try:
            with db.session.begin_nested():
                counts[release_hold(charge)] += 1
        except Exception:
            log.exception("could not release the hold of charge %s", charge_id)
            counts["failed"] += 1
    return (f"{counts['released']} holds released, {counts['paid']} found paid, "
            f"{counts['failed']} left for the next run")


def bill_monthly_fees(run) -> str:
    """Daily: issue this month's bill of every active monthly fee whose billing day has come.

    A fee is billed once per month whatever happens (unique key on fee and month); a fee that fails
    (Stripe unreachable) is tried again by the next day's run.

    :param run: the job's ``RunContext`` (its period is the day, in the incubator's time zone).
    :return: a short summary for the jobs page.
    """
    from incubator.billing import fees

    today = run.period.start.astimezone(ZoneInfo(run.timezone)).date()
    billed = failed = 0
    for fee in fees.fees_due(today):
        fee_id = fee.id
        try:
            with db.session.begin_nested():
                fees.bill_month(fee, fees.month_of(today))
            billed += 1
        except Exception:
            log.exception("could not bill monthly fee %s for %s", fee_id, today)
            failed += 1
    return f"{billed} monthly bills issued for {today:%Y-%m}, {failed} left for tomorrow"
