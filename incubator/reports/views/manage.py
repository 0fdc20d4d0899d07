"""Managers' report pages: every snapshot, the monthly batch, investor profiles, cohort impact reports."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from incubator.cohorts.models import Cohort
from incubator.core.authz import manager_required, require
from incubator.core.pagination import page_args
from incubator.core.uow import FAILED, attempt
from incubator.extensions import db
from incubator.reports import generation, queries
from incubator.reports.forms import GenerateForm
from incubator.reports.models import REPORT_KIND_LABELS
from incubator.reports.permissions import can_manage_reports
from incubator.reports.sections import SECTIONS
from incubator.reports.views import bp


@bp.get("/")
@manager_required
def list_reports():
    require(can_manage_reports(current_user))
    kind = request.args.get("kind", "")
    cohort_id = request.args.get("cohort", type=int)
    page, per_page = page_args()
    pagination = db.paginate(queries.snapshots_query(kind, cohort_id), page=page, per_page=per_page,
                             error_out=False)
    return render_template(
        "reports/list.html", pagination=pagination, kind=kind, cohort_id=cohort_id, kinds=REPORT_KIND_LABELS,
        share_counts=queries.active_share_counts([s.id for s in pagination.items]),
        cohorts=queries.report_cohorts(), batch=queries.latest_batch(), generate_form=GenerateForm(formdata=None),
    )


@bp.get("/startups")
@manager_required
def list_profiles():
    require(can_manage_reports(current_user))
    cohort_id = request.args.get("cohort", type=int)
    page, per_page = page_args()
    pagination = db.paginate(queries.profiles_query(cohort_id), page=page, per_page=per_page, error_out=False)
    rows = list(db.session.execute(
        queries.profiles_query(cohort_id).limit(per_page).offset((pagination.page - 1) * per_page)).all())
    latest = queries.latest_onepagers([startup.id for startup, _profile in rows])
    return render_template("reports/profiles.html", pagination=pagination, rows=rows, latest=latest,
                           cohorts=queries.report_cohorts(), cohort_id=cohort_id, section_count=len(SECTIONS))


@bp.post("/cohorts/<int:cohort_id>/impact")
@manager_required
def generate_cohort_report(cohort_id: int):
    cohort = db.get_or_404(Cohort, cohort_id)
    require(can_manage_reports(current_user))
    form = GenerateForm()
    if not form.validate_on_submit():
        flash(_("Choose English or Khmer."), "danger")
        return redirect(url_for("reports.list_reports"))
    snapshot = attempt(form, generation.generate_cohort_report, current_user, cohort, form.locale.data)
    if snapshot is FAILED:
        return redirect(url_for("reports.list_reports"))
    flash(_("Impact report generated (version %(n)d of %(date)s).", n=snapshot.version,
            date=snapshot.as_of.isoformat()), "success")
    return redirect(url_for("reports.view_snapshot", snapshot_id=snapshot.id))
