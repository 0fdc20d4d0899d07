"""Monthly fees (managers): the list with each fee's latest status, set and change a fee, issue a bill now."""
from __future__ import annotations

from decimal import Decimal

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import format_date
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm import joinedload

from incubator.billing import fees
from incubator.billing.forms import ActionForm, FeeForm
from incubator.billing.models import KIND_MONTHLY_FEE, Charge, MonthlyFee
from incubator.billing.permissions import can_manage_billing
from incubator.billing.queries import startup_choices
from incubator.billing.views import bp
from incubator.cohorts.models import Startup
from incubator.core.authz import manager_required, require
from incubator.core.errors import ServiceError
from incubator.core.money import from_minor, to_minor
from incubator.core.pagination import page_args
from incubator.core.uow import FAILED, attempt, perform
from incubator.db import utcnow
from incubator.extensions import db
from incubator.progress.periods import local_today

RECENT_BILLS = 3


@bp.get("/fees")
@manager_required
def list_fees():
    require(can_manage_billing(current_user))
    page, per_page = page_args(50)
    pagination = db.paginate(
        sa.select(MonthlyFee).options(joinedload(MonthlyFee.startup))
        .order_by(MonthlyFee.active.desc(), MonthlyFee.id.desc()), page=page, per_page=per_page, error_out=False)
    ids = [fee.id for fee in pagination.items]
    bills: dict[int, list[Charge]] = {fee_id: [] for fee_id in ids}
    if ids:
        # The latest bills of the fees on this page, in one query (bounded by the page size).
        for charge in db.session.scalars(sa.select(Charge).where(
                Charge.kind == KIND_MONTHLY_FEE, Charge.subject_id.in_(ids)).order_by(Charge.period.desc())):
            if len(bills[charge.subject_id]) < RECENT_BILLS:
                bills[charge.subject_id].append(charge)
    now = utcnow()
    return render_template("billing/fees.html", pagination=pagination, bills=bills, now=now,
                           statuses={fee_id: fees.fee_status(items, now) for fee_id, items in bills.items()},
                           bill_form=ActionForm(formdata=None), this_month=fees.month_of(local_today()))


def _fee_data(form: FeeForm) -> dict:
    amount = form.amount.data if form.amount.data is not None else Decimal(0)
    return {"description": form.description.data, "amount_minor": to_minor(amount, form.currency.data),
            "currency": form.currency.data, "starts_on": form.starts_on.data, "ends_on": form.ends_on.data,
            "day_of_month": form.day_of_month.data, "days_until_due": form.days_until_due.data,
            "active": form.active.data}


@bp.route("/fees/new", methods=["GET", "POST"])
@manager_required
def create_fee():
    require(can_manage_billing(current_user))
    form = FeeForm()
    form.startup_id.choices = [(0, _("Choose a startup"))] + startup_choices(active_only=True)
    if request.method == "GET":
        form.startup_id.data = request.args.get("startup_id", type=int)
        form.starts_on.data = fees.month_of(local_today())
    if form.validate_on_submit():
        fee = FAILED
        if not form.startup_id.data:
            form.startup_id.errors.append(_("Choose a startup."))
        else:
            fee = attempt(form, fees.create_fee, current_user, db.get_or_404(Startup, form.startup_id.data),
                          _fee_data(form))
        if fee is not FAILED:
            flash(_("Monthly fee saved. Bills are issued on day %(day)d of each month.", day=fee.day_of_month),
                  "success")
            return redirect(url_for("billing.list_fees"))
    return render_template("billing/fee_form.html", form=form, fee=None), 422 if form.errors else 200


@bp.route("/fees/<int:fee_id>/edit", methods=["GET", "POST"])
@manager_required
def edit_fee(fee_id: int):
    require(can_manage_billing(current_user))
    fee = db.get_or_404(MonthlyFee, fee_id)
    form = FeeForm(obj=fee)
    del form.startup_id  # a fee stays with its startup
    if request.method == "GET":
        form.amount.data = from_minor(fee.amount_minor, fee.currency)
    if form.validate_on_submit():
        if attempt(form, fees.update_fee, current_user, fee, _fee_data(form)) is not FAILED:
            flash(_("Monthly fee saved; the change applies from the next bill."), "success")
            return redirect(url_for("billing.list_fees"))
    return render_template("billing/fee_form.html", form=form, fee=fee), 422 if form.errors else 200


@bp.post("/fees/<int:fee_id>/bill")
@manager_required
def bill_fee_now(fee_id: int):
    require(can_manage_billing(current_user))
    fee = db.get_or_404(MonthlyFee, fee_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    month = fees.month_of(local_today())
    try:
        charge = perform(fees.bill_month, fee, month, current_user)
    except ServiceError as exc:
        flash(exc.message, "danger")
        return redirect(url_for("billing.list_fees"))
    flash(_("The bill for %(month)s is issued.", month=format_date(month, "MMMM yyyy")), "success")
    return redirect(url_for("billing.view_charge", charge_id=charge.id))
