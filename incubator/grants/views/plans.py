"""Managers create a startup's grant and change its tranche plan until the first disbursement."""
from __future__ import annotations

import sqlalchemy as sa
from flask import flash, redirect, render_template, url_for
from flask_babel import format_date
from flask_babel import gettext as _
from flask_login import current_user

from incubator.cohorts.models import Startup
from incubator.core.authz import manager_required
from incubator.core.errors import ServiceError
from incubator.core.uow import perform
from incubator.extensions import db
from incubator.grants import forms
from incubator.grants.models import Grant, Unlock
from incubator.grants.queries import grant_of_startup
from incubator.grants.services import plans as services
from incubator.grants.services import to_major
from incubator.grants.views import bp
from incubator.grants.views.common import load_grant, load_startup, place_plan_errors
from incubator.progress.models import Milestone, MilestoneStatus


def _condition_choices(startup: Startup) -> list[tuple[str, str]]:
    """"On a date", then every milestone of the startup that can still be verified, by due date."""
    milestones = db.session.scalars(
        sa.select(Milestone).where(Milestone.startup_id == startup.id, Milestone.status != MilestoneStatus.DROPPED)
        .order_by(Milestone.due_on, Milestone.id)
    ).all()
    choices = [("", _("Choose…")), (forms.DATE_CHOICE, _("From a date (give it in “From”)"))]
    for m in milestones:
        state = m.verification_label if m.verification.value != "none" else m.status_label
        choices.append((f"{forms.MILESTONE_PREFIX}{m.id}",
                        _("Milestone verified: %(title)s (due %(day)s, %(state)s)", title=m.title,
                          day=format_date(m.due_on, "medium"), state=state)))
    return choices


def _plan_form(startup: Startup, grant: Grant | None = None) -> forms.GrantForm:
    if grant is None:
        form = forms.GrantForm(currency=startup.currency)
    else:
        rows = [{"label": t.label, "amount": to_major(t.amount_minor, grant.currency), "due_on": t.due_on,
                 "condition": forms.DATE_CHOICE if t.unlock == Unlock.DATE else
                 (f"{forms.MILESTONE_PREFIX}{t.milestone_id}" if t.milestone_id else "")}
                for t in grant.tranches]
        form = forms.GrantForm(data={"title": grant.title, "currency": grant.currency, "conditions": grant.conditions,
                                     "total": to_major(grant.total_minor, grant.currency), "tranches": rows})
        if not form.is_submitted() and len(form.tranches.entries) < forms.MAX_TRANCHE_ROWS:
            form.tranches.append_entry()
    form.set_conditions(_condition_choices(startup))
    return form


def _save(form: forms.GrantForm, fn, *args):
    """Validate, call the plan service and commit; refusals go beside their fields (the row they came from)."""
    if not form.validate_on_submit():
        return None
    data, rows = form.service_data()
    try:
        return perform(fn, current_user, *args, data)
    except ServiceError as exc:
        place_plan_errors(form, exc, rows)
        return None


@bp.route("/startups/<int:startup_id>/new", methods=["GET", "POST"])
@manager_required
def create_grant(startup_id: int):
    startup = load_startup(startup_id, manage=True)
    existing = grant_of_startup(startup.id)
    if existing is not None:
        flash(_("%(name)s already has a grant.", name=startup.name), "info")
        return redirect(url_for("grants.view_grant", grant_id=existing))
    form = _plan_form(startup)
    grant = _save(form, services.create_grant, startup)
    if grant is not None:
        flash(_("Grant created. The founders can see it on their grant page."), "success")
        return redirect(url_for("grants.view_grant", grant_id=grant.id))
    return render_template("grants/form.html", form=form, startup=startup, grant=None), \
        (422 if form.errors or form.is_submitted() else 200)


@bp.route("/<int:grant_id>/edit", methods=["GET", "POST"])
@manager_required
def edit_grant(grant_id: int):
    grant = load_grant(grant_id, manage=True)
    if grant.plan_locked:
        flash(_("Money has already been disbursed on this grant, so its plan can no longer change. "
                "Correct a payment by reversing it."), "warning")
        return redirect(url_for("grants.view_grant", grant_id=grant.id))
    form = _plan_form(grant.startup, grant)
    saved = _save(form, services.update_grant, grant)
    if saved is not None:
        flash(_("Grant plan saved."), "success")
        return redirect(url_for("grants.view_grant", grant_id=grant.id))
    return render_template("grants/form.html", form=form, startup=grant.startup, grant=grant), \
        (422 if form.is_submitted() else 200)
