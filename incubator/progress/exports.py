"""CSV exports of a cohort's milestones, KPI reports and check-ins, for donor reports and spreadsheets.

Files are UTF-8 with a byte-order mark (so spreadsheet programs read Khmer correctly); headers and
labels are in the viewer's language and times in the viewer's time zone. Text that a spreadsheet
would run as a formula (starting with ``=``, ``+``, ``-``, ``@``) is prefixed with an apostrophe.
"""
from __future__ import annotations

import csv
import io
from collections.abc import Iterable

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import joinedload, selectinload

from incubator.cohorts.models import Cohort, Startup
from incubator.core.money import convert_minor, from_minor
from incubator.core.timeutil import utc_to_local_naive
from incubator.extensions import db
from incubator.progress.models import (
    CORE_METRICS,
    MONEY_METRICS,
    CheckIn,
    KpiMetric,
    KpiReport,
    KpiVersion,
    MetricKind,
    Milestone,
)
from incubator.progress.periods import local_today

KINDS = ("milestones", "kpis", "checkins")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value) -> str | int:
    if value is None:
        return ""
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, int):
        return value
    text = str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def _when(value) -> str:
    local = utc_to_local_naive(value)
    return local.strftime("%Y-%m-%d %H:%M") if local else ""


def to_csv(header: list[str], rows: Iterable[list]) -> str:
    """The CSV text (with a BOM) of ``header`` and ``rows``."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([_cell(h) for h in header])
    for row in rows:
        writer.writerow([_cell(v) for v in row])
    return out.getvalue()


def milestones_csv(cohort: Cohort) -> str:
    """One line per milestone of every startup in the cohort; ``overdue`` as of today."""
    today = local_today()
    milestones = db.session.scalars(
        sa.select(Milestone).join(Milestone.startup).where(Startup.cohort_id == cohort.id)
        .options(joinedload(Milestone.startup)).order_by(Startup.name, Milestone.due_on, Milestone.id)
    )
    header = [_("Startup"), _("Milestone"), _("From the cohort plan"), _("Due on"), _("Status"), _("Overdue"),
              _("Verification"), _("Verified or sent back at"), _("Done at"), _("Target"), _("Unit"),
              _("Evidence link"), _("Evidence file")]
    rows = ([m.startup.name, m.title, m.from_plan, m.due_on.isoformat(), m.status_label, m.is_overdue(today),
             m.verification_label, _when(m.verified_at), _when(m.done_at), m.target_value, m.target_unit,
             m.evidence_url, m.evidence_name] for m in milestones)
    return to_csv(header, rows)


def _major(amount: int, currency: str) -> str:
    return f"{from_minor(amount, currency):.2f}"


def kpis_csv(cohort: Cohort, khr_per_usd: int) -> str:
    """One line per startup and month (the current version), money in its own currency and in USD."""
    metrics = list(db.session.scalars(
        sa.select(KpiMetric).where(KpiMetric.cohort_id == cohort.id).order_by(KpiMetric.position, KpiMetric.id)))
    results = db.session.execute(
        sa.select(Startup.name, KpiReport.month, KpiVersion)
        .join(KpiReport, KpiReport.startup_id == Startup.id)
        .join(KpiVersion, sa.and_(KpiVersion.report_id == KpiReport.id, KpiVersion.version == KpiReport.latest_version))
        .where(Startup.cohort_id == cohort.id).order_by(Startup.name, KpiReport.month)
        .options(selectinload(KpiVersion.custom_values), joinedload(KpiVersion.submitted_by))
    ).all()
    header = [_("Startup"), _("Month"), _("Version"), _("Currency")]
    header += [str(label) for label, _kind in CORE_METRICS.values()]
    header += [_("%(metric)s in USD", metric=CORE_METRICS[key][0]) for key in MONEY_METRICS]
    header += [f"{m.name} ({m.unit})" if m.unit else m.name for m in metrics]
    header += [_("Submitted at"), _("Submitted by"), _("Note")]

    def row(name, month, version: KpiVersion) -> list:
        line = [name, f"{month:%Y-%m}", version.version, version.currency]
        for key, (_label, kind) in CORE_METRICS.items():
            value = getattr(version, key)
            line.append(_major(value, version.currency) if kind == MetricKind.MONEY else value)
        line += [_major(convert_minor(getattr(version, key), version.currency, "USD", khr_per_usd), "USD")
                 for key in MONEY_METRICS]
        custom = version.custom()
        for metric in metrics:
            value = custom.get(metric.id)
            line.append(_major(value, version.currency) if value is not None and metric.kind == MetricKind.MONEY
                        else value)
        line += [_when(version.submitted_at), version.submitted_by.name if version.submitted_by else "", version.note]
        return line

    return to_csv(header, (row(*result) for result in results))


def checkins_csv(cohort: Cohort) -> str:
    """One line per weekly check-in, with its help request and how it was resolved."""
    checkins = db.session.scalars(
        sa.select(CheckIn).join(CheckIn.startup).where(Startup.cohort_id == cohort.id)
        .options(joinedload(CheckIn.startup)).order_by(Startup.name, CheckIn.week_start)
    )
    header = [_("Startup"), _("Week"), _("Week starting"), _("Morale (1-5)"), _("Progress"), _("Blockers"),
              _("Help needed"), _("Help topics"), _("Help request"), _("Resolution"), _("Resolved at"),
              _("Submitted at")]

    def state(c: CheckIn) -> str:
        if not c.help_requested:
            return ""
        return _("open") if c.help_open else _("resolved")

    rows = ([c.startup.name, c.iso_week, c.week_start.isoformat(), c.morale, c.progress, c.blockers, c.help_text,
             ", ".join(c.help_tag_labels()), state(c), c.help_resolution, _when(c.help_resolved_at),
             _when(c.created_at)] for c in checkins)
    return to_csv(header, rows)
