"""Payments endpoints: a startup's charges, one charge, and a link to pay it on Stripe.

The same permissions as the web pages: managers see every startup's charges, a startup's founders their
own (others get 403); only the startup's founders ask for a payment link. Marking paid offline, refunds and
reconciling stay on the managers' web pages.
"""
from __future__ import annotations

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from incubator.api.v1.billing_schemas import ChargeOut, ChargePage, ChargeQuery, CheckoutOut
from incubator.api.v1.payloads import first_or_404, paginate, parse_query, respond
from incubator.api.v1.spec import operation
from incubator.api.v1.startups import load_startup
from incubator.billing import services
from incubator.billing.models import Charge, overdue_clause
from incubator.billing.permissions import can_pay, can_view_payments
from incubator.core.authz import require
from incubator.core.uow import perform
from incubator.core.urls import external_url
from incubator.db import utcnow

TAG = "payments"


def _charge(charge_id: int) -> Charge:
    charge = first_or_404(sa.select(Charge).where(Charge.id == charge_id),
                          _("There is no charge with id %(id)d.", id=charge_id))
    require(can_view_payments(current_user, load_startup(charge.startup_id)))
    return charge


@operation("/startups/<id:startup_id>/charges", summary=_l("List a startup's charges"), tag=TAG,
           query=ChargeQuery, response=ChargePage)
def list_charges(startup_id: int):
    """The startup's charges, newest first, optionally only one status (or ``overdue``)."""
    startup = load_startup(startup_id)
    require(can_view_payments(current_user, startup))
    args = parse_query(ChargeQuery)
    now = utcnow()
    query = sa.select(Charge).where(Charge.startup_id == startup.id)
    if args.status == "overdue":
        query = query.where(overdue_clause(now))
    elif args.status is not None:
        query = query.where(Charge.status == args.status)
    charges, envelope = paginate(query.order_by(Charge.created_at.desc(), Charge.id.desc()), args)
    return respond(ChargePage(items=[ChargeOut.of(c, now) for c in charges], **envelope))


@operation("/charges/<id:charge_id>", summary=_l("Get a charge"), tag=TAG, response=ChargeOut)
def get_charge(charge_id: int):
    """One charge with its status, amounts and dates."""
    return respond(ChargeOut.of(_charge(charge_id), utcnow()))


@operation("/charges/<id:charge_id>/checkout", "POST", summary=_l("Get a link to pay a charge online"), tag=TAG,
           response=CheckoutOut, errors=(409,))
def charge_checkout(charge_id: int):
    """A Stripe payment page for a charge awaiting payment (the startup's founders). 409 when the charge
    cannot be paid online (paid, released, to be invoiced, or its 30 minutes are over); 503 when Stripe
    does not answer. After paying, Stripe sends the founder to the charge's return page on the web."""
    charge = _charge(charge_id)
    require(can_pay(current_user, charge))
    success = external_url("billing.payment_return", charge_id=charge.id) + "?session_id={CHECKOUT_SESSION_ID}"
    url = perform(services.checkout_url, charge, success_url=success,
                  cancel_url=external_url("billing.payment_cancelled", charge_id=charge.id))
    return respond(CheckoutOut(url=url))
