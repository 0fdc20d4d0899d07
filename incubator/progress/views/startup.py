"""A startup's progress page and its milestones: add, update, evidence, verification and history."""
from __future__ import annotations

from datetime import timedelta

from flask import abort, flash, redirect, render_template, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy.orm import joinedload, selectinload

from incubator.core.authz import manager_required, require
from incubator.core.uow import FAILED, attempt
from incubator.core.uploads import EVIDENCE_MIMETYPES, upload_path
from incubator.extensions import db
from incubator.progress import charts, forms, queries
from incubator.progress.burnup import milestones_burnup
from incubator.progress.models import MILESTONE_STATUS_LABELS, Milestone, MilestoneChange, MilestoneStatus
from incubator.progress.periods import current_week_start, local_today, week_ends_at
from incubator.progress.permissions import can_edit_milestone_details, can_manage_progress, can_report_progress
from incubator.progress.services import milestones as services
from incubator.progress.views import bp
from incubator.progress.views.common import load_owned, load_startup


@bp.get("/startups/<int:startup_id>")
@login_required
def startup_progress(startup_id: int):
    startup = load_startup(startup_id)
    data = queries.startup_page(startup)
    today, week = local_today(), current_week_start()
    burnup = milestones_burnup(data.milestones, startup.cohort.starts_on, startup.cohort.ends_on, today)
    return render_template(
        "progress/startup.html", startup=startup, data=data, today=today,
        this_week=next((c for c in data.checkins if c.week_start == week), None),
        last_minute=week_ends_at(week) - timedelta(minutes=1),
        can_report=can_report_progress(current_user, startup), manager=can_manage_progress(current_user),
        kpi_charts=charts.startup_kpi_charts(data.reports, data.metrics, data.khr_per_usd),
        burnup=charts.burnup_chart("startup-burnup", burnup),
        overdue=sum(1 for m in data.milestones if m.is_overdue(today)),
        verified=sum(1 for m in data.milestones if m.is_verified),
        counted=sum(1 for m in data.milestones if m.status != MilestoneStatus.DROPPED),
        help_form=forms.ResolveHelpForm(formdata=None),
    )


def _detail_data(form) -> dict:
    return {key: form[key].data for key in services.DETAIL_FIELDS if key in form}


@bp.route("/startups/<int:startup_id>/milestones/new", methods=["GET", "POST"])
@login_required
def add_milestone(startup_id: int):
    startup = load_startup(startup_id, write=True)
    form = forms.MilestoneForm()
    for name in ("status", "evidence_url", "evidence_file"):
        delattr(form, name)
    if form.validate_on_submit():
        milestone = attempt(form, services.create_milestone, current_user, startup, _detail_data(form))
        if milestone is not FAILED:
            flash(_("Milestone added."), "success")
            return redirect(url_for("progress.startup_progress", startup_id=startup.id) + "#milestones")
    return render_template("progress/milestone_form.html", form=form, startup=startup, milestone=None), \
        (422 if form.errors else 200)


def _load_milestone(milestone_id: int, write: bool = False) -> Milestone:
    return load_owned(Milestone, milestone_id, write=write)


@bp.get("/milestones/<int:milestone_id>")
@login_required
def view_milestone(milestone_id: int):
    milestone = _load_milestone(milestone_id)
    changes = db.session.scalars(
        db.select(MilestoneChange).where(MilestoneChange.milestone_id == milestone.id)
        .options(joinedload(MilestoneChange.actor)).order_by(MilestoneChange.id.desc())
    ).all()
    return render_template(
        "progress/milestone.html", milestone=milestone, startup=milestone.startup, changes=changes,
        today=local_today(), can_report=can_report_progress(current_user, milestone.startup),
        manager=can_manage_progress(current_user), verify_form=forms.VerifyForm(formdata=None),
        status_labels={s.value: label for s, label in MILESTONE_STATUS_LABELS.items()},
    )


def _save(milestone: Milestone, changes: dict, upload) -> Milestone:
    # The file is stored first, so "done" in the same submission already has its evidence.
    if upload:
        services.attach_evidence(current_user, milestone, upload.stream, upload.filename or "")
    return services.update_milestone(current_user, milestone, changes)


@bp.route("/milestones/<int:milestone_id>/edit", methods=["GET", "POST"])
@login_required
def edit_milestone(milestone_id: int):
    milestone = _load_milestone(milestone_id, write=True)
    form = forms.MilestoneForm(obj=milestone)
    details = can_edit_milestone_details(current_user, milestone)
    if not details:
        for name in services.DETAIL_FIELDS:
            delattr(form, name)
    if not can_manage_progress(current_user):
        allowed = set(services.FOUNDER_STATUSES) if milestone.from_plan else set(MilestoneStatus)
        form.status.choices = [(s.value, label) for s, label in MILESTONE_STATUS_LABELS.items()
                               if s in allowed or s == milestone.status]
    if form.validate_on_submit():
        changes = _detail_data(form) | {"status": form.status.data, "evidence_url": form.evidence_url.data or ""}
        if attempt(form, _save, milestone, changes, form.evidence_file.data) is not FAILED:
            flash(_("Milestone saved."), "success")
            return redirect(url_for("progress.view_milestone", milestone_id=milestone.id))
    return render_template("progress/milestone_form.html", form=form, startup=milestone.startup,
                           milestone=milestone), (422 if form.errors else 200)


@bp.get("/milestones/<int:milestone_id>/evidence")
@login_required
def milestone_evidence(milestone_id: int):
    milestone = _load_milestone(milestone_id)
    if not milestone.evidence_path:
        abort(404)
    extension = milestone.evidence_path.rsplit(".", 1)[-1]
    try:
        path = upload_path(milestone.evidence_path)
    except FileNotFoundError:
        abort(404)
    if not path.is_file():
        abort(404)
    download = milestone.evidence_name or f"evidence.{extension}"
    return send_file(path, mimetype=EVIDENCE_MIMETYPES.get(extension, "application/octet-stream"),
                     download_name=download, as_attachment=extension == "pdf", max_age=0)


@bp.post("/milestones/<int:milestone_id>/verify")
@manager_required
def verify_milestone(milestone_id: int):
    milestone = db.first_or_404(
        db.select(Milestone).where(Milestone.id == milestone_id).options(selectinload(Milestone.startup))
    )
    require(can_manage_progress(current_user))
    form = forms.VerifyForm()
    approve = bool(form.verify.data)
    if form.validate_on_submit() and (form.verify.data or form.send_back.data):
        done = attempt(form, services.verify_milestone, current_user, milestone, approve, form.comment.data or "")
        if done is not FAILED:
            flash(_("Verified: it now counts as achieved.") if approve
                  else _("Sent back to the founders with your comment."), "success" if approve else "info")
            return redirect(url_for("progress.view_milestone", milestone_id=milestone.id))
        for error in form.comment.errors:
            flash(error, "danger")
    else:
        flash(_("Choose Verify or Send back."), "danger")
    return redirect(url_for("progress.view_milestone", milestone_id=milestone.id))
