"""Managers' cohort pages: the health dashboard, the milestone plan, KPI settings, CSV export, help flags."""
from __future__ import annotations

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from incubator.cohorts.models import Cohort
from incubator.core.authz import manager_required
from incubator.core.uow import FAILED, attempt, perform
from incubator.extensions import db
from incubator.progress import charts, exports, forms, queries
from incubator.progress.health import HEALTH_LABELS, Health
from incubator.progress.models import CheckIn, KpiMetric, MilestoneTemplate
from incubator.progress.periods import local_today
from incubator.progress.services import checkins as checkin_services
from incubator.progress.services import kpis as kpi_services
from incubator.progress.services import milestones as milestone_services
from incubator.progress.views import bp
from incubator.progress.views.common import paginate_list

DASHBOARD_PAGE_SIZE = 50
OPEN_FLAGS_SHOWN = 10  # oldest first; the rest behind "Show all" keeps the page light


@bp.get("/cohorts/<int:cohort_id>")
@manager_required
def cohort_dashboard(cohort_id: int):
    cohort = db.get_or_404(Cohort, cohort_id)
    filters = forms.DashboardFilterForm(request.args)
    filters.validate()
    value = {name: (field.data if not field.errors else "") or "" for name, field in filters._fields.items()}
    currency = value["currency"] or "USD"
    board = queries.cohort_dashboard(cohort, local_today(), currency)
    tracked = [row for row in board.rows if queries.is_tracked(row)]
    rows = queries.select_rows(board.rows, health=value["health"], sector=value["sector"],
                               status=value["status"] or "active", help_open=value["help"] == "open",
                               sort=value["sort"] or "health")
    summary = {health: sum(1 for row in tracked if row.health.status == health) for health in Health}
    chart_list = charts.cohort_total_charts(board.totals, currency)
    chart_list.append(charts.burnup_chart("cohort-burnup", board.burnup))
    args = {k: v for k, v in request.args.items() if k not in ("page", "flags")}
    shown_flags = board.open_flags if request.args.get("flags") == "all" else board.open_flags[:OPEN_FLAGS_SHOWN]
    return render_template(
        "progress/dashboard.html", cohort=cohort, board=board, page=paginate_list(rows, DASHBOARD_PAGE_SIZE),
        filters=filters, summary=summary, health_labels=HEALTH_LABELS, tracked=tracked, charts=chart_list,
        args=args, help_form=forms.ResolveHelpForm(formdata=None), shown_flags=shown_flags,
    )


@bp.get("/cohorts/<int:cohort_id>/export/<kind>.csv")
@manager_required
def export_csv(cohort_id: int, kind: str):
    cohort = db.get_or_404(Cohort, cohort_id)
    if kind not in exports.KINDS:
        abort(404)
    if kind == "milestones":
        text = exports.milestones_csv(cohort)
    elif kind == "kpis":
        text = exports.kpis_csv(cohort, kpi_services.exchange_rate(cohort.id)[0])
    else:
        text = exports.checkins_csv(cohort)
    filename = f"cohort-{cohort.id}-{kind}-{local_today():%Y-%m-%d}.csv"
    return Response(text, mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "no-store"})


@bp.route("/cohorts/<int:cohort_id>/plan", methods=["GET", "POST"])
@manager_required
def edit_plan(cohort_id: int):
    cohort = db.get_or_404(Cohort, cohort_id)
    form = forms.MilestoneTemplateForm()
    if form.validate_on_submit():
        data = {k: form[k].data for k in milestone_services.DETAIL_FIELDS}
        if attempt(form, milestone_services.create_template, current_user, cohort, data) is not FAILED:
            flash(_("Added to the plan and to every active startup of the cohort."), "success")
            return redirect(url_for("progress.edit_plan", cohort_id=cohort.id))
    templates = db.session.scalars(
        db.select(MilestoneTemplate).where(MilestoneTemplate.cohort_id == cohort.id)
        .order_by(MilestoneTemplate.due_on, MilestoneTemplate.id)
    ).all()
    return render_template("progress/plan.html", cohort=cohort, templates=templates, form=form), \
        (422 if form.errors else 200)


@bp.post("/cohorts/<int:cohort_id>/plan/apply")
@manager_required
def apply_plan(cohort_id: int):
    cohort = db.get_or_404(Cohort, cohort_id)
    created = perform(milestone_services.apply_plan, current_user, cohort)
    flash(_("%(n)d milestones added to startups that did not have them yet.", n=created) if created
          else _("Every active startup already has the whole plan."), "success" if created else "info")
    return redirect(url_for("progress.edit_plan", cohort_id=cohort.id))


@bp.post("/plan/<int:template_id>/delete")
@manager_required
def delete_template(template_id: int):
    template = db.get_or_404(MilestoneTemplate, template_id)
    cohort_id = template.cohort_id
    perform(milestone_services.delete_template, current_user, template)
    flash(_("Removed from the plan. Startups' copies that were already under way are kept."), "info")
    return redirect(url_for("progress.edit_plan", cohort_id=cohort_id))


def _settings_page(cohort: Cohort, rate_form=None, metric_form=None, status: int = 200):
    rate, row = kpi_services.exchange_rate(cohort.id)
    metrics = db.session.scalars(
        db.select(KpiMetric).where(KpiMetric.cohort_id == cohort.id).order_by(KpiMetric.position, KpiMetric.id)
    ).all()
    rate_form = rate_form or forms.RateForm(formdata=None, khr_per_usd=rate)
    return render_template("progress/settings.html", cohort=cohort, rate=rate, rate_row=row, metrics=metrics,
                           rate_form=rate_form, metric_form=metric_form or forms.MetricForm(formdata=None)), status


@bp.get("/cohorts/<int:cohort_id>/settings")
@manager_required
def settings(cohort_id: int):
    return _settings_page(db.get_or_404(Cohort, cohort_id))


@bp.post("/cohorts/<int:cohort_id>/rate")
@manager_required
def set_rate(cohort_id: int):
    cohort = db.get_or_404(Cohort, cohort_id)
    form = forms.RateForm()
    if form.validate_on_submit() and \
            attempt(form, kpi_services.set_exchange_rate, current_user, cohort, form.khr_per_usd.data) is not FAILED:
        flash(_("Rate saved: %(rate)s riel per US dollar.", rate=form.khr_per_usd.data), "success")
        return redirect(url_for("progress.settings", cohort_id=cohort.id))
    return _settings_page(cohort, rate_form=form, status=422)


@bp.post("/cohorts/<int:cohort_id>/metrics")
@manager_required
def add_metric(cohort_id: int):
    cohort = db.get_or_404(Cohort, cohort_id)
    form = forms.MetricForm()
    if form.validate_on_submit() and attempt(form, kpi_services.add_metric, current_user, cohort, form.name.data,
                                             form.unit.data or "", form.kind.data) is not FAILED:
        flash(_("Metric added: startups will be asked for it in their next report."), "success")
        return redirect(url_for("progress.settings", cohort_id=cohort.id))
    return _settings_page(cohort, metric_form=form, status=422)


@bp.post("/metrics/<int:metric_id>/archive")
@manager_required
def archive_metric(metric_id: int):
    metric = db.get_or_404(KpiMetric, metric_id)
    perform(kpi_services.archive_metric, current_user, metric)
    flash(_("Archived: startups are no longer asked for %(name)s; past figures are kept.", name=metric.name), "info")
    return redirect(url_for("progress.settings", cohort_id=metric.cohort_id))


@bp.post("/checkins/<int:checkin_id>/resolve")
@manager_required
def resolve_help(checkin_id: int):
    checkin = db.get_or_404(CheckIn, checkin_id)
    form = forms.ResolveHelpForm()
    cohort_id = checkin.startup.cohort_id
    if not form.validate_on_submit():
        flash(_("Write what was done or agreed; the founders will see it."), "danger")
    elif attempt(form, checkin_services.resolve_help, current_user, checkin, form.comment.data) is not FAILED:
        flash(_("Help request from %(name)s resolved.", name=checkin.startup.name), "success")
    else:
        for error in form.comment.errors:
            flash(error, "danger")
    target = request.form.get("next") or ""
    if target == "startup":
        return redirect(url_for("progress.startup_progress", startup_id=checkin.startup_id))
    return redirect(url_for("progress.cohort_dashboard", cohort_id=cohort_id) + "#help")
