"""Charts for reports: the progress line charts, with text inside the SVG kept to digits and Latin letters.

WeasyPrint draws SVG ``<text>`` glyph by glyph, without complex-script shaping, so Khmer inside an SVG
would come out broken in the PDF. Titles, legends and the figures' table are HTML (shaped correctly);
inside the SVG there are only numbers: month labels such as ``03/26`` in Khmer reports and compact
amounts such as ``12.5K``.
"""
from __future__ import annotations

from datetime import date

from babel.numbers import format_compact_decimal
from flask_babel import format_date, get_locale
from flask_babel import gettext as _
from markupsafe import Markup

from incubator.core.money import format_money, from_minor
from incubator.progress.charts import Series, count_format, line_chart


def _latin_month(month: date) -> str:
    return format_date(month, "MMM yy") if str(get_locale() or "en") == "en" else month.strftime("%m/%y")


def _compact(value: float) -> str:
    return format_compact_decimal(value, locale="en", fraction_digits=1)


def _money_formats(currency: str):
    locale = str(get_locale() or "en")

    def full(value: float) -> str:
        return format_money(int(round(value)), currency, locale)

    def tick(value: float) -> str:
        return _compact(float(from_minor(int(round(value)), currency)))

    return full, tick


def _count_tick(value: float) -> str:
    return _compact(value)


def onepager_charts(traction: dict) -> list[Markup]:
    """Revenue, customers and users, and team charts from a one-pager's traction data."""
    months = traction.get("months") or []
    if not months:
        return []
    labels = [_latin_month(date.fromisoformat(m["month"] + "-01")) for m in months]
    currency = traction["currency"]
    full, tick = _money_formats(currency)

    def series(name: str, key: str) -> Series:
        return Series(name, [m[key] for m in months])

    return [
        line_chart("op-revenue", _("Monthly revenue (%(currency)s)", currency=currency), labels,
                   [series(_("Revenue"), "revenue")], full, tick),
        line_chart("op-customers", _("Customers and users"), labels,
                   [series(_("Paying customers"), "paying_customers"), series(_("Active users"), "active_users")],
                   count_format, _count_tick),
        line_chart("op-team", _("Employees"), labels,
                   [series(_("Employees"), "employees"), series(_("Women employed"), "employees_women")],
                   count_format, _count_tick),
    ]


def impact_charts(trend: list[dict], currency: str) -> list[Markup]:
    """The cohort's monthly revenue and jobs, summed over the reports received each month."""
    if not trend:
        return []
    labels = [_latin_month(date.fromisoformat(m["month"] + "-01")) for m in trend]
    full, tick = _money_formats(currency)
    return [
        line_chart("impact-revenue", _("Monthly revenue of the cohort (%(currency)s)", currency=currency), labels,
                   [Series(_("Revenue"), [m["revenue"] for m in trend])], full, tick),
        line_chart("impact-jobs", _("Jobs in the cohort's startups"), labels,
                   [Series(_("Employees"), [m["employees"] for m in trend]),
                    Series(_("Women employed"), [m["women"] for m in trend])], count_format, _count_tick),
    ]


def bar_rows(counts: dict[str, int], labeller) -> list[dict]:
    """Rows for a bar table: label, count, share of the total (percent) and the bar length, largest first."""
    total = sum(counts.values())
    top = max(counts.values(), default=0)
    rows = [
        {"label": labeller(key), "count": count, "share": (count / total) if total else 0.0,
         "bar": round(100 * count / top, 1) if top else 0}
        for key, count in counts.items()
    ]
    return sorted(rows, key=lambda r: (-r["count"], r["label"]))
