"""Managers write the ledger: record a disbursement, reverse an entry with a reason, add a late receipt."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from incubator.core.authz import manager_required
from incubator.core.money import format_money
from incubator.core.uow import FAILED, attempt
from incubator.grants import forms
from incubator.grants.services import ledger as services
from incubator.grants.services import to_major
from incubator.grants.views import bp
from incubator.grants.views.common import load_entry, load_grant
from incubator.progress.periods import local_today


def _tranche_choices(grant, today) -> list[tuple[int, str]]:
    return [(t.id, _("%(tranche)s · %(left)s left · %(state)s", tranche=t.name,
                     left=format_money(t.left_minor, grant.currency), state=t.state_label(today)))
            for t in grant.tranches if t.left_minor > 0]


@bp.route("/<int:grant_id>/disburse", methods=["GET", "POST"])
@manager_required
def disburse(grant_id: int):
    grant = load_grant(grant_id, manage=True)
    today = local_today()
    form = forms.DisbursementForm()
    form.tranche_id.choices = _tranche_choices(grant, today)
    if not form.is_submitted():
        chosen = request.args.get("tranche_id", type=int)
        tranche = next((t for t in grant.tranches if t.id == chosen), None) or \
            next((t for t in grant.tranches if t.left_minor > 0 and t.is_unlocked(today)), None)
        if tranche is not None:
            form.tranche_id.data = tranche.id
            form.amount.data = to_major(tranche.left_minor, grant.currency)
        form.paid_on.data = today
    if form.validate_on_submit():
        data = {key: form[key].data for key in ("tranche_id", "paid_on", "reference", "note", "early_reason")}
        data["amount"] = form.amount.raw_data[0] if form.amount.raw_data else None
        upload = form.receipt.data
        receipt = (upload.stream, upload.filename or "") if upload else None
        entry = attempt(form, services.record_disbursement, current_user, grant, data, receipt)
        if entry is not FAILED:
            flash(_("Disbursement no. %(seq)d recorded: %(amount)s. The founders have been told.", seq=entry.seq,
                    amount=format_money(entry.amount_minor, grant.currency)), "success")
            return redirect(url_for("grants.view_grant", grant_id=grant.id) + "#ledger")
    return render_template("grants/disburse.html", form=form, grant=grant, startup=grant.startup, today=today), \
        (422 if form.is_submitted() else 200)


@bp.route("/entries/<int:entry_id>/reverse", methods=["GET", "POST"])
@manager_required
def reverse_entry(entry_id: int):
    entry = load_entry(entry_id, manage=True)
    grant = entry.grant
    form = forms.ReverseForm()
    if not form.is_submitted():
        form.reversed_on.data = local_today()
    if form.validate_on_submit():
        reversal = attempt(form, services.reverse_entry, current_user, entry, form.reason.data,
                           form.reversed_on.data)
        if reversal is not FAILED:
            flash(_("Entry no. %(seq)d reversed by entry no. %(by)d.", seq=entry.seq, by=reversal.seq), "success")
            return redirect(url_for("grants.view_grant", grant_id=grant.id) + "#ledger")
    return render_template("grants/reverse.html", form=form, entry=entry, grant=grant, startup=grant.startup), \
        (422 if form.is_submitted() else 200)


@bp.post("/entries/<int:entry_id>/receipt")
@manager_required
def attach_receipt(entry_id: int):
    entry = load_entry(entry_id, manage=True)
    form = forms.ReceiptForm()
    if form.validate_on_submit():
        upload = form.receipt.data
        if attempt(form, services.attach_receipt, current_user, entry, upload.stream, upload.filename or "") \
                is not FAILED:
            flash(_("Receipt attached to entry no. %(seq)d.", seq=entry.seq), "success")
            return redirect(url_for("grants.view_grant", grant_id=entry.grant_id) + "#ledger")
    for error in form.receipt.errors:
        flash(error, "danger")
    return redirect(url_for("grants.view_grant", grant_id=entry.grant_id) + "#ledger")
