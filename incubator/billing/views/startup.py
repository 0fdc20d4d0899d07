"""A startup's Payments page (its founders and managers), paying online and Stripe's return pages."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from incubator.billing import queries, services
from incubator.billing import stripe_client as sc
from incubator.billing.fees import fee_status
from incubator.billing.forms import ActionForm
from incubator.billing.models import Charge, ChargeStatus
from incubator.billing.permissions import can_manage_billing, can_pay, can_view_payments
from incubator.billing.views import bp
from incubator.cohorts.queries import startup_with_team
from incubator.core.authz import require
from incubator.core.errors import ServiceError
from incubator.core.uow import commit, perform
from incubator.core.urls import external_url
from incubator.db import utcnow
from incubator.extensions import db


def load_charge(charge_id: int) -> Charge:
    """The charge with its startup's team; 404 when missing, 403 unless the user may see its payments."""
    charge = db.get_or_404(Charge, charge_id)
    startup = db.first_or_404(startup_with_team(charge.startup_id))
    require(can_view_payments(current_user, startup))
    return charge


@bp.get("/startups/<int:startup_id>/payments")
@login_required
def startup_payments(startup_id: int):
    startup = db.first_or_404(startup_with_team(startup_id))
    require(can_view_payments(current_user, startup))
    data = queries.startup_payments(startup)
    now = utcnow()
    return render_template(
        "billing/startup.html", startup=startup, data=data, now=now, pay_form=ActionForm(formdata=None),
        fee_statuses={fee.id: fee_status(data.fee_charges[fee.id], now) for fee in data.fees},
        manager=can_manage_billing(current_user), online=sc.is_configured(),
    )


@bp.post("/charges/<int:charge_id>/pay")
@login_required
def pay_charge(charge_id: int):
    charge = load_charge(charge_id)
    require(can_pay(current_user, charge))
    back = url_for("billing.startup_payments", startup_id=charge.startup_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    success = external_url("billing.payment_return", charge_id=charge.id) + "?session_id={CHECKOUT_SESSION_ID}"
    cancel = external_url("billing.payment_cancelled", charge_id=charge.id)
    try:
        perform(services.checkout_url, charge, success_url=success, cancel_url=cancel)
    except ServiceError as exc:
        flash(exc.message, "danger")
        return redirect(back)
    return redirect(url_for("billing.go_to_checkout", charge_id=charge.id), code=303)


@bp.get("/charges/<int:charge_id>/checkout")
@login_required
def go_to_checkout(charge_id: int):
    """A same-site page that sends the founder on to Stripe's payment page.

    The site's Content-Security-Policy (``form-action 'self'``) also covers the redirects a form submission
    gets, so a POST answered with a redirect to Stripe would be blocked by the browser. The form lands here
    instead, and this page moves on to Stripe by a meta refresh (with a link for browsers that do not).
    Other domains that open a Checkout Session with ``checkout_url`` send the founder here too.
    """
    charge = load_charge(charge_id)
    require(can_pay(current_user, charge))
    target = charge.invoice_url if charge.stripe_invoice_id else charge.checkout_url
    if charge.status != ChargeStatus.AWAITING_PAYMENT or not target:
        return redirect(url_for("billing.payment_cancelled", charge_id=charge.id))
    return render_template("billing/checkout.html", charge=charge, target=target)


@bp.get("/charges/<int:charge_id>/paid")
@login_required
def payment_return(charge_id: int):
    charge = load_charge(charge_id)
    session_id = request.args.get("session_id", "")
    # Stripe sent the founder back: if the webhook has not arrived yet, ask Stripe now (idempotent).
    if (charge.status == ChargeStatus.AWAITING_PAYMENT and session_id and sc.is_configured()
            and session_id == charge.stripe_checkout_session_id):
        try:
            from incubator.billing.reconcile import reconcile_charge

            reconcile_charge(charge)
            commit()
        except sc.PaymentProviderError:
            db.session.rollback()
        charge = db.session.get(Charge, charge_id)
    return render_template("billing/return.html", charge=charge, cancelled=False, now=utcnow(),
                           back=url_for("billing.startup_payments", startup_id=charge.startup_id))


@bp.get("/charges/<int:charge_id>/cancelled")
@login_required
def payment_cancelled(charge_id: int):
    charge = load_charge(charge_id)
    if charge.status == ChargeStatus.AWAITING_PAYMENT:
        flash(_("You have not paid yet. You can still pay from this page until the time shown."), "info")
    return render_template("billing/return.html", charge=charge, cancelled=True, pay_form=ActionForm(formdata=None),
                           now=utcnow(),
                           back=url_for("billing.startup_payments", startup_id=charge.startup_id))
