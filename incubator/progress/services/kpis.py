"""KPI rules: one report per startup and month, corrections as new versions, custom metrics, rates.

Money arrives here in minor units of the report's currency; views and the API convert what people
type (``12.50``) with ``incubator.core.money.to_minor`` first.
"""
from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from flask_babel import format_date
from flask_babel import gettext as _

from incubator.audit.services import record
from incubator.auth.models import User
from incubator.cohorts.models import Cohort, Startup
from incubator.core.errors import ConflictError, ServiceError
from incubator.extensions import db
from incubator.progress.models import (
    CORE_METRICS,
    ExchangeRate,
    KpiCustomValue,
    KpiMetric,
    KpiReport,
    KpiVersion,
    MetricKind,
)
from incubator.progress.periods import current_month
from incubator.progress.services import lock, unique_or_conflict

DEFAULT_KHR_PER_USD = 4100
MAX_COUNT = 1_000_000_000
MAX_MONEY_MINOR = 10**15
EARLIEST_MONTH = date(2000, 1, 1)


def month_label(month: date) -> str:
    """The month in words in the viewer's language, such as "March 2026"."""
    return format_date(month, "MMMM y")


def _month_problem(month: date | None) -> str | None:
    if month is None or month.day != 1:
        return _("Choose a month.")
    if month > current_month():
        return _("%(month)s has not started yet; you cannot report a month in the future.", month=month_label(month))
    if month < EARLIEST_MONTH:
        return _("Choose a month from January 2000 onwards.")
    return None


def _validate(values: dict, custom: dict, metrics: dict[int, KpiMetric],
              errors: dict[str, list[str]] | None = None) -> tuple[dict, dict, dict[str, list[str]]]:
    """Every core metric present, whole, not negative, not absurd; women within their totals.

    :param errors: problems found before (the month's), reported together with the figures'.
    :return: the clean figures, the clean custom values and every problem by field.
    """
    errors = dict(errors or {})
    clean = {}
    for key, (label, kind) in CORE_METRICS.items():
        value = values.get(key)
        limit = MAX_MONEY_MINOR if kind == MetricKind.MONEY else MAX_COUNT
        if value is None:
            errors[key] = [_("%(metric)s is required (enter 0 if there was none).", metric=label)]
        elif not isinstance(value, int) or isinstance(value, bool):
            errors[key] = [_("%(metric)s must be a number.", metric=label)]
        elif value < 0:
            errors[key] = [_("%(metric)s cannot be negative.", metric=label)]
        elif value > limit:
            errors[key] = [_("%(metric)s is too large.", metric=label)]
        else:
            clean[key] = value
    for part in ("full_time", "part_time"):
        total, women = clean.get(f"employees_{part}"), clean.get(f"employees_{part}_women")
        if total is not None and women is not None and women > total:
            errors[f"employees_{part}_women"] = [_("There cannot be more women than employees (%(n)d).", n=total)]
    clean_custom = {}
    for metric_id, value in custom.items():
        metric = metrics.get(metric_id)
        field = f"metric_{metric_id}"
        if metric is None:
            errors[field] = [_("This metric does not belong to the startup's cohort.")]
        elif value is None:
            continue
        elif not isinstance(value, int) or isinstance(value, bool):
            errors[field] = [_("%(metric)s must be a number.", metric=metric.name)]
        elif value < 0:
            errors[field] = [_("%(metric)s cannot be negative.", metric=metric.name)]
        elif value > (MAX_MONEY_MINOR if metric.kind == MetricKind.MONEY else MAX_COUNT):
            errors[field] = [_("%(metric)s is too large.", metric=metric.name)]
        else:
            clean_custom[metric_id] = value
    return clean, clean_custom, errors


def _check_values(values: dict, custom: dict, metrics: dict[int, KpiMetric],
                  errors: dict[str, list[str]] | None = None) -> tuple[dict, dict]:
    clean, clean_custom, errors = _validate(values, custom, metrics, errors)
    if errors:
        raise ServiceError(_("Please correct the highlighted figures."), errors)
    return clean, clean_custom


def figure_problems(startup: Startup, month: date | None, values: dict, custom: dict) -> dict[str, list[str]]:
    """The problems ``submit_kpis`` would report, without writing anything (for a form that failed to parse).

    :param month: ``None`` when the month could not be read; it is then not checked.
    """
    metrics = {m.id: m for m in active_metrics(startup.cohort_id)}
    problem = _month_problem(month) if month is not None else None
    return _validate(values, custom, metrics, {"month": [problem]} if problem else None)[2]


def active_metrics(cohort_id: int) -> list[KpiMetric]:
    """The cohort's custom metrics that startups still report, in order."""
    return list(db.session.scalars(
        sa.select(KpiMetric).where(KpiMetric.cohort_id == cohort_id, KpiMetric.archived.is_(False))
        .order_by(KpiMetric.position, KpiMetric.id)
    ))


def _new_version(report: KpiReport, number: int, currency: str, actor: User, values: dict, custom: dict,
                 note: str) -> KpiVersion:
    version = KpiVersion(report_id=report.id, version=number, currency=currency, submitted_by_id=actor.id,
                         note=note, **values)
    version.custom_values = [KpiCustomValue(metric_id=m, value=v) for m, v in sorted(custom.items())]
    return version


def submit_kpis(actor: User, startup: Startup, month: date | None, values: dict, custom: dict | None = None,
                note: str = "") -> KpiReport:
    """Record the startup's report for ``month`` (version 1), in the startup's currency.

    :param values: every key of ``CORE_METRICS``; money in minor units.
    :param custom: custom metric values by metric id (None to leave one out).
    :raises ConflictError: the month already has a report (correct it instead); also when two
        submissions for the same month race, whichever commits second.
    """
    problem = _month_problem(month)
    metrics = {m.id: m for m in active_metrics(startup.cohort_id)}
    clean, clean_custom = _check_values(values, custom or {}, metrics, {"month": [problem]} if problem else None)
    taken = ConflictError.on("month", _("%(month)s already has a report. Open it to correct it.",
                                        month=month_label(month)))
    if db.session.scalar(sa.select(KpiReport.id).where(KpiReport.startup_id == startup.id, KpiReport.month == month)):
        raise taken
    report = KpiReport(startup_id=startup.id, month=month, latest_version=1)
    with unique_or_conflict(taken):
        db.session.add(report)
    db.session.add(_new_version(report, 1, startup.currency, actor, clean, clean_custom, (note or "").strip()))
    db.session.flush()
    record(actor, "kpis.submitted", startup, month=month.isoformat())
    return report


def correct_kpis(actor: User, report: KpiReport, values: dict, custom: dict | None, note: str,
                 base_version: int | None = None) -> KpiVersion:
    """Add a corrected version of a report; the earlier versions stay as they were.

    :param base_version: the version the person was looking at; if someone corrected the report since,
        the correction is refused rather than silently overwriting theirs.
    :param note: what was corrected and why (required).
    :raises ConflictError: ``base_version`` is no longer the latest.
    """
    lock(KpiReport, report.id)
    db.session.refresh(report)
    latest = report.versions[0]
    if base_version is not None and base_version != report.latest_version:
        raise ConflictError(_("Someone corrected this report meanwhile (it is now at version %(n)d). Reload it "
                              "and check before correcting.", n=report.latest_version))
    note = (note or "").strip()
    if not note:
        raise ServiceError.on("note", _("Say briefly what you corrected and why."))
    metrics = {m.id: m for m in active_metrics(report.startup.cohort_id)}
    # Values of metrics archived since are carried over: the form no longer shows them.
    kept = {m: v for m, v in latest.custom().items() if m not in metrics}
    metrics |= {v.metric_id: v.metric for v in latest.custom_values}
    clean, clean_custom = _check_values(values, kept | (custom or {}), metrics)
    unchanged = all(getattr(latest, k) == v for k, v in clean.items()) and latest.custom() == clean_custom
    if unchanged:
        raise ServiceError(_("These are the figures already reported; nothing to correct."))
    number = report.latest_version + 1
    version = _new_version(report, number, latest.currency, actor, clean, clean_custom, note)
    with unique_or_conflict(ConflictError(_("Someone corrected this report at the same moment. Reload it and "
                                            "check before correcting."))):
        db.session.add(version)
    report.latest_version = number
    db.session.flush()
    record(actor, "kpis.corrected", report.startup, month=report.month.isoformat(), version=number)
    return version


# Cohort settings -----------------------------------------------------------------------------------


def exchange_rate(cohort_id: int) -> tuple[int, ExchangeRate | None]:
    """The cohort's riel-per-dollar rate (the default when no manager has set one) and its row."""
    row = db.session.scalar(sa.select(ExchangeRate).where(ExchangeRate.cohort_id == cohort_id))
    return (row.khr_per_usd if row else DEFAULT_KHR_PER_USD), row


def set_exchange_rate(actor: User, cohort: Cohort, khr_per_usd: int | None) -> ExchangeRate:
    """Set the riel per US dollar used to convert the cohort's totals.

    :raises ServiceError: the rate is missing or outside 1-100,000.
    """
    if not isinstance(khr_per_usd, int) or isinstance(khr_per_usd, bool) or not 1 <= khr_per_usd <= 100_000:
        raise ServiceError.on("khr_per_usd", _("Give the number of riel in one US dollar, for example 4100."))
    _rate, row = exchange_rate(cohort.id)
    old = row.khr_per_usd if row else None
    if row is None:
        row = ExchangeRate(cohort_id=cohort.id, khr_per_usd=khr_per_usd, set_by_id=actor.id)
        with unique_or_conflict(ConflictError(_("Another manager set the rate at the same moment. Reload the page."))):
            db.session.add(row)
    else:
        row.khr_per_usd, row.set_by_id = khr_per_usd, actor.id
    db.session.flush()
    record(actor, "exchange_rate.set", cohort, old=old, new=khr_per_usd)
    return row


def add_metric(actor: User, cohort: Cohort, name: str, unit: str, kind: MetricKind | str) -> KpiMetric:
    """Add a custom monthly metric to every startup's KPI form in the cohort.

    :raises ConflictError: the cohort already has a metric with this name.
    """
    name, unit = (name or "").strip(), (unit or "").strip()
    if not name or len(name) > 80:
        raise ServiceError.on("name", _("Give the metric a name of at most 80 characters."))
    if len(unit) > 40:
        raise ServiceError.on("unit", _("Keep the unit under 40 characters."))
    if kind not in set(MetricKind):
        raise ServiceError.on("kind", _("Choose money or count."))
    taken = ConflictError.on("name", _("This cohort already has a metric called “%(name)s”.", name=name))
    if db.session.scalar(sa.select(KpiMetric.id).where(KpiMetric.cohort_id == cohort.id, KpiMetric.name == name)):
        raise taken
    position = db.session.scalar(
        sa.select(sa.func.coalesce(sa.func.max(KpiMetric.position), 0)).where(KpiMetric.cohort_id == cohort.id)
    )
    metric = KpiMetric(cohort_id=cohort.id, name=name, unit=unit, kind=MetricKind(kind), position=position + 1)
    with unique_or_conflict(taken):
        db.session.add(metric)
    record(actor, "kpi_metric.added", cohort, metric=name)
    return metric


def archive_metric(actor: User, metric: KpiMetric) -> KpiMetric:
    """Stop asking for a custom metric; the values already reported are kept."""
    if metric.archived:
        raise ConflictError(_("This metric is already archived."))
    metric.archived = True
    db.session.flush()
    record(actor, "kpi_metric.archived", metric.cohort, metric=metric.name)
    return metric
