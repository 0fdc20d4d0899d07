"""Cohort pages (managers) and startup profiles (managers, mentors, the startup's founders)."""
from __future__ import annotations

from functools import partial

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy.orm import selectinload

from incubator.applications.models import Application
from incubator.cohorts import forms, services
from incubator.cohorts.choices import GENDERS, PROVINCES, SECTORS, STAGES, label
from incubator.cohorts.models import COHORT_STATUS_LABELS, Cohort, CohortStatus, Startup, TeamMember
from incubator.cohorts.permissions import (
    can_change_startup_status,
    can_edit_startup,
    can_list_startups,
    can_view_startup,
)
from incubator.cohorts.queries import startup_with_team
from incubator.core.authz import manager_required, require
from incubator.core.errors import ServiceError
from incubator.core.pagination import page_args
from incubator.core.timeutil import local_to_utc, utc_to_local_naive
from incubator.core.uow import FAILED, attempt, perform
from incubator.core.uploads import upload_path
from incubator.extensions import db

bp = Blueprint("cohorts", __name__)


for _name, _vocabulary in {"sector": SECTORS, "stage": STAGES, "province": PROVINCES, "gender": GENDERS}.items():
    bp.add_app_template_filter(partial(label, _vocabulary), _name)


@bp.get("/")
@manager_required
def list_cohorts():
    cohorts = db.session.scalars(
        sa.select(Cohort).options(selectinload(Cohort.program)).order_by(Cohort.starts_on.desc())
    ).all()
    counts = dict(db.session.execute(sa.select(Startup.cohort_id, sa.func.count()).group_by(Startup.cohort_id)).all())
    return render_template("cohorts/list.html", cohorts=cohorts, counts=counts)


def _cohort_data(form: forms.CohortForm) -> dict:
    data = {k: v for k, v in form.data.items() if k not in ("submit", "csrf_token", "program_name")}
    data["applications_close_at"] = local_to_utc(form.applications_close_at.data)
    data["track"] = data["track"] or ""
    data["description"] = data["description"] or ""
    return data


@bp.route("/new", methods=["GET", "POST"])
@manager_required
def create_cohort():
    form = forms.CohortForm()
    if form.validate_on_submit():
        cohort = attempt(form, services.create_cohort, current_user, form.program_name.data, _cohort_data(form))
        if cohort is not FAILED:
            flash(_("Created %(name)s. Add a scoring rubric, then open it for applications.",
                    name=cohort.name), "success")
            return redirect(url_for("cohorts.view_cohort", cohort_id=cohort.id))
    return render_template("cohorts/form.html", form=form, cohort=None)


@bp.get("/<int:cohort_id>")
@manager_required
def view_cohort(cohort_id: int):
    cohort = db.get_or_404(Cohort, cohort_id)
    startups = db.session.scalars(
        sa.select(Startup).where(Startup.cohort_id == cohort.id).options(selectinload(Startup.members))
        .order_by(Startup.name)
    ).all()
    by_status = dict(
        db.session.execute(
            sa.select(Application.status, sa.func.count()).where(Application.cohort_id == cohort.id)
            .group_by(Application.status)
        ).all()
    )
    return render_template(
        "cohorts/view.html",
        cohort=cohort,
        startups=startups,
        applications_by_status=by_status,
        accepted=services.accepted_count(cohort),
        transitions=sorted(services.ALLOWED_TRANSITIONS[cohort.status]),
        status_labels=COHORT_STATUS_LABELS,
    )


@bp.route("/<int:cohort_id>/edit", methods=["GET", "POST"])
@manager_required
def edit_cohort(cohort_id: int):
    cohort = db.get_or_404(Cohort, cohort_id)
    form = forms.CohortForm(obj=cohort, program_name=cohort.program.name)
    if request.method == "GET":
        form.applications_close_at.data = utc_to_local_naive(cohort.applications_close_at)
    if form.validate_on_submit():
        if attempt(form, services.update_cohort, current_user, cohort, _cohort_data(form)) is not FAILED:
            flash(_("Cohort saved."), "success")
            return redirect(url_for("cohorts.view_cohort", cohort_id=cohort.id))
    return render_template("cohorts/form.html", form=form, cohort=cohort)


@bp.post("/<int:cohort_id>/status")
@manager_required
def change_status(cohort_id: int):
    cohort = db.get_or_404(Cohort, cohort_id)
    status = request.form.get("status", "")
    if status not in {s.value for s in CohortStatus}:
        abort(400)
    perform(services.change_cohort_status, current_user, cohort, status)
    flash(_("%(name)s is now: %(status)s.", name=cohort.name, status=cohort.status_label), "success")
    return redirect(url_for("cohorts.view_cohort", cohort_id=cohort.id))


@bp.get("/startups")
@login_required
def list_startups():
    require(can_list_startups(current_user))
    filters = forms.StartupFilterForm(request.args)
    cohorts = db.session.execute(sa.select(Cohort.id, Cohort.name).order_by(Cohort.starts_on.desc())).all()
    filters.cohort_id.choices = [(0, _("All cohorts"))] + [(c.id, c.name) for c in cohorts]
    query = sa.select(Startup).options(selectinload(Startup.cohort)).order_by(Startup.name)
    if filters.validate():
        if filters.cohort_id.data:
            query = query.where(Startup.cohort_id == filters.cohort_id.data)
        if filters.sector.data:
            query = query.where(Startup.sector == filters.sector.data)
        if filters.status.data:
            query = query.where(Startup.status == filters.status.data)
    page, per_page = page_args(30)
    startups = db.paginate(query, page=page, per_page=per_page)
    return render_template("cohorts/startups.html", startups=startups, filters=filters,
                           args={k: v for k, v in request.args.items() if k != "page"})


def _load_startup(startup_id: int) -> Startup:
    return db.first_or_404(startup_with_team(startup_id))


@bp.get("/startups/<int:startup_id>")
@login_required
def view_startup(startup_id: int):
    startup = _load_startup(startup_id)
    require(can_view_startup(current_user, startup))
    return render_template("cohorts/startup.html", startup=startup, can_edit=can_edit_startup(current_user, startup),
                           member_form=forms.TeamMemberForm(formdata=None))


@bp.route("/startups/<int:startup_id>/edit", methods=["GET", "POST"])
@login_required
def edit_startup(startup_id: int):
    startup = _load_startup(startup_id)
    require(can_edit_startup(current_user, startup))
    form = forms.StartupForm(obj=startup)
    manager = can_change_startup_status(current_user)
    if not manager:
        del form.status
    if form.validate_on_submit():
        data = {k: v for k, v in form.data.items() if k in services.STARTUP_FIELDS}
        data["description"] = data["description"] or ""
        data["website"] = data["website"] or ""
        status = form.status.data if manager else None
        done = attempt(form, _save_startup, startup, data, status, form.logo.data)
        if done is not FAILED:
            flash(_("Profile saved."), "success")
            return redirect(url_for("cohorts.view_startup", startup_id=startup.id))
    return render_template("cohorts/startup_form.html", form=form, startup=startup)


def _save_startup(startup, data, status, logo):
    services.update_startup(current_user, startup, data, status=status)
    if logo:
        services.set_startup_logo(current_user, startup, logo.stream)


@bp.get("/startups/<int:startup_id>/logo")
@login_required
def startup_logo(startup_id: int):
    startup = _load_startup(startup_id)
    require(can_view_startup(current_user, startup))
    if not startup.logo_path:
        abort(404)
    try:
        return send_file(upload_path(startup.logo_path), max_age=3600)
    except FileNotFoundError:
        abort(404)


@bp.post("/startups/<int:startup_id>/members")
@login_required
def add_member(startup_id: int):
    startup = _load_startup(startup_id)
    require(can_edit_startup(current_user, startup))
    form = forms.TeamMemberForm()
    if form.validate_on_submit():
        perform(services.add_team_member, current_user, startup, form.name.data, form.role_title.data,
                form.email.data or "", form.gender.data)
        flash(_("%(name)s added to the team.", name=form.name.data), "success")
        return redirect(url_for("cohorts.view_startup", startup_id=startup.id))
    return render_template("cohorts/startup.html", startup=startup, can_edit=True, member_form=form), 422


@bp.post("/startups/<int:startup_id>/members/<int:member_id>/delete")
@login_required
def remove_member(startup_id: int, member_id: int):
    startup = _load_startup(startup_id)
    require(can_edit_startup(current_user, startup))
    member = db.session.get(TeamMember, member_id)
    if member is None or member.startup_id != startup.id:
        abort(404)
    try:
        perform(services.remove_team_member, current_user, member)
    except ServiceError as exc:
        flash(exc.message, "danger")
    else:
        flash(_("Removed from the team."), "info")
    return redirect(url_for("cohorts.view_startup", startup_id=startup.id))
