"""CSV files of a snapshot: the one-pager's monthly KPI table, the impact report's per-startup table.

Built from the snapshot's stored data (never from live figures), in the report's language, with the
progress exports' conventions: UTF-8 with a byte-order mark, formulas neutralised, amounts in major units.
"""
from __future__ import annotations

from flask_babel import force_locale
from flask_babel import gettext as _

from incubator.core.money import from_minor
from incubator.progress.exports import to_csv
from incubator.reports.models import ReportKind, ReportSnapshot
from incubator.reports.render import Formatter


def _major(amount: int | None, currency: str) -> str:
    return "" if amount is None else str(from_minor(int(amount), currency))


def _onepager_csv(data: dict) -> str:
    traction = data.get("traction")
    currency = traction["currency"] if traction else ""
    header = [_("Month"), _("Currency"), _("Revenue"), _("Paying customers"), _("Active users"), _("Employees"),
              _("Women employed"), _("Funding raised this month")]
    rows = [[m["month"], currency, _major(m["revenue"], currency), m["paying_customers"], m["active_users"],
             m["employees"], m["employees_women"], _major(m["funding_raised"], currency)]
            for m in (traction or {}).get("months", [])]
    return to_csv(header, rows)


def _impact_csv(data: dict, fmt: Formatter) -> str:
    currency = data["currency"]
    header = [_("Startup"), _("Status"), _("Sector"), _("Stage"), _("Province"), _("Jobs at start"), _("Jobs now"),
              _("Women employed now"), _("Monthly revenue at start (%(currency)s)", currency=currency),
              _("Monthly revenue now (%(currency)s)", currency=currency),
              _("Funding raised in the period (%(currency)s)", currency=currency), _("Milestones verified"),
              _("Milestones planned"), _("Mentor hours"), _("Resource hours"), _("Grant currency"),
              _("Grants committed"), _("Grants disbursed")]
    rows = []
    for row in data["rows"]:
        grant = row.get("grant") or {}
        minutes = row.get("mentor_minutes")
        rows.append([
            row["name"], fmt.status(row["status"]), fmt.sector(row["sector"]), fmt.stage(row["stage"]),
            fmt.province(row["province"]), row["employees_start"], row["employees_now"], row["women_now"],
            _major(row["revenue_start"], currency), _major(row["revenue_now"], currency),
            _major(row["funding_period"], currency), row["milestones_verified"], row["milestones_total"],
            "" if minutes is None else round(minutes / 60, 1), row.get("resource_hours"),
            grant.get("currency", ""), _major(grant.get("committed_minor"), grant.get("currency", "USD")),
            _major(grant.get("disbursed_minor"), grant.get("currency", "USD")),
        ])
    return to_csv(header, rows)


def snapshot_csv(snapshot: ReportSnapshot) -> str:
    """The snapshot's table as CSV text, headers in the report's language."""
    with force_locale(snapshot.locale):
        if snapshot.kind == ReportKind.ONE_PAGER:
            return _onepager_csv(snapshot.data)
        return _impact_csv(snapshot.data, Formatter(snapshot.locale))


def csv_filename(snapshot: ReportSnapshot) -> str:
    stem = "kpis" if snapshot.is_one_pager else "impact"
    return f"{stem}-{snapshot.subject_key.replace(':', '-')}-{snapshot.as_of:%Y-%m-%d}-v{snapshot.version}.csv"


def pdf_filename(snapshot: ReportSnapshot) -> str:
    stem = "one-pager" if snapshot.is_one_pager else "impact-report"
    return f"{stem}-{snapshot.subject_key.replace(':', '-')}-{snapshot.as_of:%Y-%m-%d}-v{snapshot.version}.pdf"
