"""Founders' reporting pages: the monthly KPI report (and its corrections) and the weekly check-in."""
from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy.orm import selectinload

from incubator.core.money import from_minor, to_minor
from incubator.core.uow import FAILED, attempt
from incubator.extensions import db
from incubator.progress import forms
from incubator.progress.health import expected_kpi_month
from incubator.progress.models import CORE_METRICS, KpiMetric, KpiReport, KpiVersion, MetricKind
from incubator.progress.periods import current_week_start, iso_week_label, local_today, parse_month, week_ends_at
from incubator.progress.permissions import can_report_progress
from incubator.progress.services import checkins as checkin_services
from incubator.progress.services import kpis as services
from incubator.progress.views import bp
from incubator.progress.views.common import load_startup


def _minor(value, currency: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, Decimal) and not value.is_finite():
        return None
    return to_minor(value, currency)


def _figures(form, metrics, currency: str) -> tuple[dict, dict]:
    """The form's figures as the services take them: money in minor units of ``currency``."""
    values = {}
    for key, (_label, kind) in CORE_METRICS.items():
        raw = form[key].data
        values[key] = _minor(raw, currency) if kind == MetricKind.MONEY else raw
    custom = {}
    for metric in metrics:
        raw = form[f"metric_{metric.id}"].data
        custom[metric.id] = _minor(raw, currency) if metric.kind == MetricKind.MONEY else raw
    return values, custom


def _add_rule_errors(form, startup, metrics) -> None:
    """Show the rules' problems (negative, future month, women over the total) beside fields that did parse,
    so one submission lists every problem rather than the missing fields first."""
    values, custom = _figures(form, metrics, startup.currency)
    month = form.month.data.replace(day=1) if form.month.data else None
    for name, messages in services.figure_problems(startup, month, values, custom).items():
        field = form._fields.get(name)
        if field is not None and not field.errors and field.data is not None:
            field.errors = list(messages)


def _prefill(version: KpiVersion, metrics) -> dict:
    data = {}
    for key, (_label, kind) in CORE_METRICS.items():
        value = getattr(version, key)
        data[key] = from_minor(value, version.currency) if kind == MetricKind.MONEY else value
    custom = version.custom()
    for metric in metrics:
        value = custom.get(metric.id)
        if value is not None and metric.kind == MetricKind.MONEY:
            value = from_minor(value, version.currency)
        data[f"metric_{metric.id}"] = value
    return data


@bp.route("/startups/<int:startup_id>/kpis/new", methods=["GET", "POST"])
@login_required
def submit_kpis(startup_id: int):
    startup = load_startup(startup_id, write=True)
    metrics = services.active_metrics(startup.cohort_id)
    form_class = forms.kpi_form_class(metrics)
    if request.method == "GET":
        asked = parse_month(request.args.get("month", ""))
        month = asked or expected_kpi_month(local_today())
        existing = _report_id(startup.id, month)
        if existing and not asked:
            # The month due is already in: send founders to correct it rather than retype every figure.
            flash(_("The report for %(month)s is already in; you can correct it here.",
                    month=services.month_label(month)), "info")
            return redirect(url_for("progress.view_kpi_report", report_id=existing))
        form = form_class(formdata=None, month=month)
    else:
        form = form_class()
    if form.validate_on_submit():
        values, custom = _figures(form, metrics, startup.currency)
        month = form.month.data.replace(day=1) if form.month.data else None
        report = attempt(form, services.submit_kpis, current_user, startup, month, values, custom,
                         form.note.data or "")
        if report is not FAILED:
            flash(_("Thank you: the report for %(month)s is saved.", month=services.month_label(report.month)),
                  "success")
            return redirect(url_for("progress.startup_progress", startup_id=startup.id) + "#kpis")
    elif form.is_submitted():
        _add_rule_errors(form, startup, metrics)
    return render_template("progress/kpi_form.html", form=form, startup=startup, metrics=metrics, report=None,
                           currency=startup.currency), (422 if form.errors else 200)


def _report_id(startup_id: int, month) -> int | None:
    return db.session.scalar(db.select(KpiReport.id).where(KpiReport.startup_id == startup_id,
                                                           KpiReport.month == month))


def _load_report(report_id: int, write: bool = False) -> KpiReport:
    """The report with every version (newest first) and their figures; 404 or 403 like its startup."""
    report = db.first_or_404(
        db.select(KpiReport).where(KpiReport.id == report_id).options(
            selectinload(KpiReport.versions).selectinload(KpiVersion.custom_values),
            selectinload(KpiReport.versions).joinedload(KpiVersion.submitted_by),
        )
    )
    load_startup(report.startup_id, write=write)
    return report


@bp.get("/kpis/<int:report_id>")
@login_required
def view_kpi_report(report_id: int):
    report = _load_report(report_id)
    startup = report.startup
    metrics = db.session.scalars(db.select(KpiMetric).where(KpiMetric.cohort_id == startup.cohort_id)
                                 .order_by(KpiMetric.position, KpiMetric.id)).all()
    return render_template("progress/kpi_report.html", report=report, startup=startup, metrics=metrics,
                           month=services.month_label(report.month), core=CORE_METRICS,
                           can_report=can_report_progress(current_user, startup))


@bp.route("/kpis/<int:report_id>/correct", methods=["GET", "POST"])
@login_required
def correct_kpis(report_id: int):
    report = _load_report(report_id, write=True)
    startup, latest = report.startup, report.versions[0]
    metrics = services.active_metrics(startup.cohort_id)
    form_class = forms.kpi_form_class(metrics, correction=True)
    if request.method == "GET":
        form = form_class(formdata=None, data=_prefill(latest, metrics) | {
            "month": report.month, "base_version": str(report.latest_version)})
    else:
        form = form_class()
        form.month.data = report.month  # the month of a report never changes
    if form.validate_on_submit():
        values, custom = _figures(form, metrics, latest.currency)
        base = int(form.base_version.data) if (form.base_version.data or "").isdigit() else None
        version = attempt(form, services.correct_kpis, current_user, report, values, custom, form.note.data, base)
        if version is not FAILED:
            flash(_("Correction saved as version %(n)d; earlier versions stay in the history.", n=version.version),
                  "success")
            return redirect(url_for("progress.view_kpi_report", report_id=report.id))
    return render_template("progress/kpi_form.html", form=form, startup=startup, metrics=metrics, report=report,
                           currency=latest.currency, month=services.month_label(report.month)), \
        (422 if form.errors else 200)


@bp.route("/startups/<int:startup_id>/checkin", methods=["GET", "POST"])
@login_required
def checkin(startup_id: int):
    startup = load_startup(startup_id, write=True)
    existing = checkin_services.this_weeks_checkin(startup)
    form = forms.CheckInForm(obj=existing) if existing else forms.CheckInForm()
    if form.validate_on_submit():
        data = {key: form[key].data for key in ("progress", "blockers", "help_text", "help_tags", "morale")}
        if existing:
            saved = attempt(form, checkin_services.update_checkin, current_user, existing, data)
        else:
            saved = attempt(form, checkin_services.submit_checkin, current_user, startup, data)
        if saved is not FAILED:
            flash(_("Check-in saved. You can change it until the end of the week."), "success")
            if saved.help_open:
                flash(_("The incubator team has been alerted that you need help."), "info")
            return redirect(url_for("progress.startup_progress", startup_id=startup.id) + "#checkins")
    week = current_week_start()
    # Shown as the last minute of Sunday (in the viewer's zone), which reads better than "Monday 00:00".
    last_minute = week_ends_at(week) - timedelta(minutes=1)
    return render_template("progress/checkin_form.html", form=form, startup=startup, existing=existing,
                           week=iso_week_label(week), last_minute=last_minute), (422 if form.errors else 200)
