"""The managers' payments: the filtered list with totals and CSV, one charge with its actions, reconcile."""
from __future__ import annotations

import sqlalchemy as sa
from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from incubator.billing import offline, queries, reconcile, services
from incubator.billing import stripe_client as sc
from incubator.billing.forms import (
    ActionForm,
    CancelChargeForm,
    ClearAttentionForm,
    MarkPaidForm,
    OfflineRefundForm,
)
from incubator.billing.models import CHARGE_STATUS_LABELS, Charge, StripeEvent
from incubator.billing.permissions import can_manage_billing
from incubator.billing.views import bp
from incubator.core.authz import manager_required, require
from incubator.core.errors import ServiceError
from incubator.core.pagination import page_args
from incubator.core.uow import FAILED, attempt, perform
from incubator.db import utcnow
from incubator.extensions import db


@bp.get("/payments")
@manager_required
def list_payments():
    require(can_manage_billing(current_user))
    filters = queries.parse_filters(request.args)
    now = utcnow()
    page, per_page = page_args(queries.PAGE_SIZE)
    pagination = db.paginate(queries.payments_select(filters, now), page=page, per_page=per_page, error_out=False)
    return render_template(
        "billing/payments.html", pagination=pagination, filters=filters, now=now,
        totals=queries.payment_totals(filters, now), kinds=queries.kinds_in_use(),
        startups=queries.startup_choices(), status_labels=CHARGE_STATUS_LABELS,
        attention=queries.attention_count(), online=sc.is_configured(), reconcile_form=ActionForm(formdata=None),
    )


@bp.get("/payments.csv")
@manager_required
def export_payments():
    require(can_manage_billing(current_user))
    filters = queries.parse_filters(request.args)
    stamp = utcnow().strftime("%Y%m%d-%H%M")
    # Read in batches of 500 rows (yield_per), sent as one body: a year of charges is a few megabytes.
    body = "".join(queries.payments_csv(filters, utcnow()))
    return Response(body, mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="payments-{stamp}.csv"'})


def _charge(charge_id: int) -> Charge:
    require(can_manage_billing(current_user))
    return db.get_or_404(Charge, charge_id)


def _detail(charge: Charge, **forms):
    events = db.session.scalars(
        sa.select(StripeEvent).where(StripeEvent.charge_id == charge.id).order_by(StripeEvent.id.desc()).limit(50)
    ).all()
    defaults = {"mark_paid_form": MarkPaidForm(formdata=None), "cancel_form": CancelChargeForm(formdata=None),
                "refund_form": OfflineRefundForm(formdata=None), "clear_form": ClearAttentionForm(formdata=None),
                "action_form": ActionForm(formdata=None)}
    return render_template("billing/charge.html", charge=charge, events=events, now=utcnow(),
                           online=sc.is_configured(), **(defaults | forms))


@bp.get("/charges/<int:charge_id>")
@manager_required
def view_charge(charge_id: int):
    return _detail(_charge(charge_id))


def _back(charge: Charge):
    return redirect(url_for("billing.view_charge", charge_id=charge.id))


@bp.post("/charges/<int:charge_id>/mark-paid")
@manager_required
def mark_paid_offline(charge_id: int):
    charge = _charge(charge_id)
    form = MarkPaidForm()
    if form.validate_on_submit():
        if attempt(form, offline.mark_paid_offline, charge, current_user, form.reference.data) is not FAILED:
            flash(_("Marked paid with reference %(ref)s.", ref=form.reference.data), "success")
            return _back(charge)
    return _detail(db.get_or_404(Charge, charge_id), mark_paid_form=form), 422


@bp.post("/charges/<int:charge_id>/offline-refund")
@manager_required
def record_offline_refund(charge_id: int):
    charge = _charge(charge_id)
    form = OfflineRefundForm()
    if form.validate_on_submit():
        if attempt(form, offline.record_offline_refund, charge, current_user, form.reference.data) is not FAILED:
            flash(_("Refund recorded."), "success")
            return _back(charge)
    return _detail(db.get_or_404(Charge, charge_id), refund_form=form), 422


@bp.post("/charges/<int:charge_id>/cancel")
@manager_required
def cancel_charge(charge_id: int):
    charge = _charge(charge_id)
    form = CancelChargeForm()
    if form.validate_on_submit():
        done = attempt(form, services.cancel_charge, charge, reason=form.reason.data, release_subject=True,
                       actor=current_user)
        if done is not FAILED:
            flash(_("Charge cancelled; anything paid through Stripe is refunded."), "success")
            return _back(charge)
    return _detail(db.get_or_404(Charge, charge_id), cancel_form=form), 422


@bp.post("/charges/<int:charge_id>/refund")
@manager_required
def refund_charge(charge_id: int):
    charge = _charge(charge_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        perform(services.refund, services.lock(charge), actor=current_user)
    except ServiceError as exc:
        flash(exc.message, "danger")
    else:
        flash(_("Refunded through Stripe."), "success")
    return _back(charge)


@bp.post("/charges/<int:charge_id>/clear-attention")
@manager_required
def clear_attention(charge_id: int):
    charge = _charge(charge_id)
    form = ClearAttentionForm()
    if form.validate_on_submit() and attempt(form, offline.clear_attention, charge, current_user,
                                             form.note.data or "") is not FAILED:
        flash(_("Flag cleared."), "success")
    return _back(charge)


@bp.post("/charges/<int:charge_id>/reconcile")
@manager_required
def reconcile_charge(charge_id: int):
    charge = _charge(charge_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        message = perform(reconcile.reconcile_charge, charge, current_user)
    except ServiceError as exc:
        flash(exc.message, "danger")
    else:
        flash(message, "info")
    return _back(charge)


@bp.post("/reconcile")
@manager_required
def reconcile_all():
    require(can_manage_billing(current_user))
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        counts = perform(reconcile.reconcile_stuck, current_user)
    except ServiceError as exc:
        flash(exc.message, "danger")
    else:
        flash(ngettext("Checked %(num)d charge with Stripe: %(changed)d updated, %(failed)d not reachable.",
                       "Checked %(num)d charges with Stripe: %(changed)d updated, %(failed)d not reachable.",
                       counts["checked"], changed=counts["changed"], failed=counts["failed"]), "info")
    return redirect(url_for("billing.list_payments", status="awaiting_payment"))
