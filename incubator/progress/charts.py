"""Server-rendered SVG line charts: readable without JavaScript, with a text summary and the figures.

Each chart is a ``<figure>``: the SVG (``role="img"`` with ``<title>`` and ``<desc>``), an HTML legend
and a collapsed table of the figures for screen readers and for copying. Lines differ by colour
(Okabe-Ito palette, safe for colour blindness) and by dash pattern, so they also survive printing.
"""
from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date

from babel.numbers import format_compact_currency, format_decimal
from flask_babel import format_date, get_locale
from flask_babel import gettext as _
from markupsafe import Markup, escape

from incubator.core.money import convert_minor, format_money, from_minor
from incubator.progress.models import MetricKind
from incubator.progress.periods import add_months

WIDTH, HEIGHT = 640, 220
LEFT, RIGHT, TOP, BOTTOM = 64, 16, 12, 28
COLOURS = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00")
DASHES = ("", "7 4", "2 3", "9 3 2 3", "4 2")
MAX_X_LABELS = 8
MAX_MARKERS = 36
MIN_LABEL_GAP = 64  # px between the last two x labels (about two short month names)


@dataclass(frozen=True)
class Series:
    name: str
    values: Sequence[float | int | None]


def _nice_step(span: float, ticks: int = 4) -> float:
    raw = span / ticks
    magnitude = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 2.5, 5, 10):
        if raw <= factor * magnitude:
            return factor * magnitude
    return 10 * magnitude


def _axis(values: list[float]) -> tuple[float, float, list[float]]:
    """The y range (starting at 0 unless values go below) and its tick values."""
    low, high = min([0.0, *values]), max([0.0, *values])
    if high == low:
        high = low + 1
    step = _nice_step(high - low)
    bottom = math.floor(low / step) * step
    top = math.ceil(high / step) * step
    count = round((top - bottom) / step)
    return bottom, top, [bottom + i * step for i in range(count + 1)]


def _segments(points: list[tuple[float, float] | None]) -> list[list[tuple[float, float]]]:
    segments, current = [], []
    for point in points:
        if point is None:
            if current:
                segments.append(current)
            current = []
        else:
            current.append(point)
    if current:
        segments.append(current)
    return segments


def _auto_summary(labels: Sequence[str], series: Sequence[Series], fmt: Callable[[float], str]) -> str:
    sentences = []
    for line in series:
        known = [(labels[i], v) for i, v in enumerate(line.values) if v is not None]
        if not known:
            continue
        (start, first), (end, last) = known[0], known[-1]
        if len(known) == 1:
            sentences.append(_("%(series)s: %(value)s in %(label)s.", series=line.name, value=fmt(first), label=start))
        else:
            sentences.append(_("%(series)s went from %(first)s in %(start)s to %(last)s in %(end)s.",
                               series=line.name, first=fmt(first), start=start, last=fmt(last), end=end))
    return " ".join(sentences)


def line_chart(chart_id: str, title: str, labels: Sequence[str], series: Sequence[Series],
               fmt: Callable[[float], str], tick_fmt: Callable[[float], str] | None = None,
               summary: str | None = None, markers: bool = True) -> Markup:
    """A line chart with one line per series over the ``labels`` (x axis, evenly spaced).

    :param chart_id: unique on the page (ids for the accessible name and description).
    :param fmt: formats one value in full (data table, point tooltips, summary).
    :param tick_fmt: formats the y-axis ticks (defaults to ``fmt``); use a compact format for money.
    :param markers: a dot with a tooltip on each point (left out on long series: the table has the figures).
    :return: a ``<figure>`` (or a short note when there is nothing to draw).
    """
    tick_fmt = tick_fmt or fmt
    values = [float(v) for line in series for v in line.values if v is not None]
    if not labels or not values:
        return Markup('<figure class="chart"><figcaption class="chart-title">{}</figcaption>'
                      '<p class="text-muted small">{}</p></figure>').format(title, _("No figures yet."))
    bottom, top, ticks = _axis(values)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    count = len(labels)

    def x(i: int) -> float:
        return LEFT + (plot_w / 2 if count == 1 else i * plot_w / (count - 1))

    def y(v: float) -> float:
        return TOP + plot_h - (v - bottom) / (top - bottom) * plot_h

    ident = escape(chart_id)
    desc = summary if summary is not None else _auto_summary(labels, series, fmt)
    parts = [Markup('<svg class="chart-svg" viewBox="0 0 {w} {h}" role="img" aria-labelledby="{i}-t {i}-d" '
                    'preserveAspectRatio="xMidYMid meet" xmlns="http://www.w3.org/2000/svg">').format(
        w=WIDTH, h=HEIGHT, i=ident),
        Markup('<title id="{}-t">{}</title><desc id="{}-d">{}</desc>').format(ident, title, ident, desc)]
    for tick in ticks:
        ty = round(y(tick), 1)
        parts.append(Markup('<line x1="{l}" x2="{r}" y1="{y}" y2="{y}" stroke="#dee2e6" stroke-width="1"/>'
                            '<text x="{tx}" y="{ly}" text-anchor="end" font-size="11" fill="#495057">{t}</text>')
                     .format(l=LEFT, r=WIDTH - RIGHT, y=ty, tx=LEFT - 6, ly=ty + 4, t=tick_fmt(tick)))
    step = max(1, math.ceil(count / MAX_X_LABELS))
    shown = set(range(0, count, step)) | {count - 1}
    before_last = max(shown - {count - 1}, default=None)
    if before_last is not None and x(count - 1) - x(before_last) < MIN_LABEL_GAP:
        shown.discard(before_last)  # the last label is right-aligned; keep it clear of its neighbour
    for i in sorted(shown):
        anchor = "middle" if 0 < i < count - 1 or count == 1 else ("start" if i == 0 else "end")
        parts.append(Markup('<text x="{x}" y="{y}" text-anchor="{a}" font-size="11" fill="#495057">{t}</text>')
                     .format(x=round(x(i), 1), y=HEIGHT - 8, a=anchor, t=labels[i]))
    for n, line in enumerate(series):
        colour, dash = COLOURS[n % len(COLOURS)], DASHES[n % len(DASHES)]
        points = [None if v is None else (round(x(i), 1), round(y(float(v)), 1)) for i, v in enumerate(line.values)]
        for segment in _segments(points):
            coords = " ".join(f"{px},{py}" for px, py in segment)
            parts.append(Markup('<polyline points="{}" fill="none" stroke="{}" stroke-width="2.5" '
                                'stroke-dasharray="{}" stroke-linejoin="round"/>').format(coords, colour, dash))
        for i, v in enumerate(line.values):
            if v is not None and markers and count <= MAX_MARKERS:
                parts.append(Markup('<circle cx="{}" cy="{}" r="3" fill="{}"><title>{}: {} ({})</title></circle>')
                             .format(points[i][0], points[i][1], colour, line.name, fmt(v), labels[i]))
    parts.append(Markup("</svg>"))
    return Markup('<figure class="chart"><figcaption class="chart-title">{title}</figcaption>{svg}{legend}{table}'
                  '</figure>').format(title=title, svg=Markup("").join(parts), legend=_legend(series),
                                      table=_table(labels, series, fmt))


def _legend(series: Sequence[Series]) -> Markup:
    items = [
        Markup('<li><svg width="28" height="10" aria-hidden="true"><line x1="0" x2="28" y1="5" y2="5" stroke="{}" '
               'stroke-width="3" stroke-dasharray="{}"/></svg> {}</li>').format(
            COLOURS[n % len(COLOURS)], DASHES[n % len(DASHES)], line.name)
        for n, line in enumerate(series)
    ]
    return Markup('<ul class="chart-legend" aria-hidden="true">{}</ul>').format(Markup("").join(items))


def _table(labels: Sequence[str], series: Sequence[Series], fmt: Callable[[float], str]) -> Markup:
    head = Markup("").join(Markup('<th scope="col">{}</th>').format(line.name) for line in series)
    rows = Markup("").join(
        Markup('<tr><th scope="row">{}</th>{}</tr>').format(label, Markup("").join(
            Markup("<td>{}</td>").format("–" if line.values[i] is None else fmt(line.values[i])) for line in series))
        for i, label in enumerate(labels)
    )
    return Markup('<details class="chart-data"><summary>{}</summary><div class="table-responsive">'
                  '<table class="table table-sm"><thead><tr><th scope="col">{}</th>{}</tr></thead><tbody>{}</tbody>'
                  '</table></div></details>').format(_("Show the figures"), _("Period"), head, rows)


# The progress charts ----------------------------------------------------------------------------------

MAX_MONTHS = 24


def _locale() -> str:
    return str(get_locale() or "en")


def money_formats(currency: str) -> tuple[Callable, Callable]:
    """(full, compact) formatters for amounts in minor units of ``currency``."""
    locale = _locale()

    def full(value: float) -> str:
        return format_money(int(round(value)), currency, locale)

    def compact(value: float) -> str:
        return format_compact_currency(float(from_minor(int(round(value)), currency)), currency, locale=locale,
                                       fraction_digits=1)

    return full, compact


def count_format(value: float) -> str:
    """A count in the viewer's locale."""
    return format_decimal(value, locale=_locale())


def _month_axis(months: list[date]) -> list[date]:
    """Every month from the first to the last given, at most the last ``MAX_MONTHS``."""
    if not months:
        return []
    first, last = min(months), max(months)
    first = max(first, add_months(last, -(MAX_MONTHS - 1)))
    axis, month = [], first
    while month <= last:
        axis.append(month)
        month = add_months(month, 1)
    return axis


def _month_label(month: date) -> str:
    return format_date(month, "MMM yy")


def startup_kpi_charts(reports: list, metrics: list, khr_per_usd: int) -> list[Markup]:
    """Trend charts for one startup: revenue and funding, customers and users, team, cash, custom metrics.

    :param reports: ``(KpiReport, KpiVersion)`` pairs (current versions), in any order.
    """
    if not reports:
        return []
    by_month = {report.month: version for report, version in reports}
    axis = _month_axis(list(by_month))
    labels = [_month_label(m) for m in axis]
    currency = by_month[max(by_month)].currency
    full, compact = money_formats(currency)

    def money(key: str) -> list[int | None]:
        return [None if m not in by_month else
                convert_minor(getattr(by_month[m], key), by_month[m].currency, currency, khr_per_usd) for m in axis]

    def count(getter) -> list[int | None]:
        return [getter(by_month[m]) if m in by_month else None for m in axis]

    charts = [
        line_chart("kpi-revenue", _("Revenue and funding (%(currency)s)", currency=currency), labels,
                   [Series(_("Revenue"), money("revenue")), Series(_("Funding raised"), money("funding_raised"))],
                   full, compact),
        line_chart("kpi-customers", _("Customers and users"), labels,
                   [Series(_("Paying customers"), count(lambda v: v.paying_customers)),
                    Series(_("Active users"), count(lambda v: v.active_users))], count_format),
        line_chart("kpi-team", _("Team"), labels,
                   [Series(_("Full-time"), count(lambda v: v.employees_full_time)),
                    Series(_("Part-time"), count(lambda v: v.employees_part_time)),
                    Series(_("Women"), count(lambda v: v.women_employees))], count_format),
        line_chart("kpi-cash", _("Cash in bank (%(currency)s)", currency=currency), labels,
                   [Series(_("Cash in bank"), money("cash_in_bank"))], full, compact),
    ]
    for metric in metrics:
        points = [by_month[m].custom().get(metric.id) if m in by_month else None for m in axis]
        if all(p is None for p in points):
            continue
        if metric.kind == MetricKind.MONEY:
            charts.append(line_chart(f"kpi-metric-{metric.id}", metric.name, labels, [Series(metric.name, points)],
                                     full, compact))
        else:
            name = f"{metric.name} ({metric.unit})" if metric.unit else metric.name
            charts.append(line_chart(f"kpi-metric-{metric.id}", name, labels, [Series(metric.name, points)],
                                     count_format))
    return charts


def cohort_total_charts(totals: list, currency: str) -> list[Markup]:
    """The cohort's summed KPIs per month (money already converted to ``currency``)."""
    by_month = {total.month: total for total in totals}
    axis = _month_axis(list(by_month))
    if not axis:
        return []
    labels = [_month_label(m) for m in axis]
    full, compact = money_formats(currency)

    def series(name: str, key: str) -> Series:
        return Series(name, [getattr(by_month[m], key) if m in by_month else None for m in axis])

    return [
        line_chart("total-revenue", _("Cohort revenue and funding (%(currency)s)", currency=currency), labels,
                   [series(_("Revenue"), "revenue"), series(_("Funding raised"), "funding_raised")], full, compact),
        line_chart("total-customers", _("Cohort customers and users"), labels,
                   [series(_("Paying customers"), "paying_customers"), series(_("Active users"), "active_users")],
                   count_format),
        line_chart("total-jobs", _("Jobs in the cohort's startups"), labels,
                   [series(_("Full-time"), "employees_full_time"), series(_("Part-time"), "employees_part_time"),
                    series(_("Women"), "employees_women")], count_format),
    ]


def burnup_chart(chart_id: str, burnup) -> Markup:
    """Milestone burn-up: all milestones, due, done and verified, counted up to each point in time.

    :param burnup: a ``BurnUp`` from ``incubator.progress.burnup``.
    """
    title = _("Milestone burn-up")
    if not burnup.points:
        return line_chart(chart_id, title, [], [], count_format)
    names = {"scope": _("All milestones"), "due": _("Due"), "done": _("Done"), "verified": _("Verified")}
    series = [Series(names[line], burnup.counts[line]) for line in ("scope", "due", "done", "verified")]
    return line_chart(chart_id, title, [format_date(p, "d MMM") for p in burnup.points], series, count_format,
                      markers=False)
