"""Server-rendered SVG bar chart of utilization: booked, used and no-show hours per week or month.

Readable without JavaScript, like ``incubator/progress/charts.py``: a ``<figure>`` with the SVG
(``role="img"``, ``<title>`` and ``<desc>``), an HTML legend and a collapsed table of the figures. Bars use
the Okabe-Ito palette (safe for colour blindness) and sit in a fixed order within each group.
"""
from __future__ import annotations

import math
from collections.abc import Sequence

from flask_babel import format_date
from flask_babel import gettext as _
from markupsafe import Markup

from incubator.resources.formatting import hours_text

WIDTH, HEIGHT = 640, 240
LEFT, RIGHT, TOP, BOTTOM = 56, 12, 12, 30
COLOURS = ("#0072B2", "#009E73", "#D55E00")
MAX_LABELS = 12


def _nice_top(value: float) -> tuple[float, float]:
    """A round axis maximum and its tick step for ``value`` (hours)."""
    if value <= 0:
        return 1.0, 0.25
    raw = value / 4
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(f * magnitude for f in (1, 2, 2.5, 5, 10) if raw <= f * magnitude)
    return math.ceil(value / step) * step, step


def utilization_chart(chart_id: str, totals: Sequence[dict], granularity: str) -> Markup:
    """Grouped bars per period: booked, used and no-show hours (``totals`` from ``utilization.totals``)."""
    title = _("Hours booked, used and lost to no-shows per week") if granularity == "week" else \
        _("Hours booked, used and lost to no-shows per month")
    if not totals:
        return Markup('<figure class="chart"><figcaption class="chart-title">{}</figcaption>'
                      '<p class="text-muted small">{}</p></figure>').format(title, _("No bookings in this range."))
    names = (_("Booked"), _("Used"), _("No-shows"))
    keys = ("booked", "used", "no_show")
    fmt = "d MMM" if granularity == "week" else "MMM yy"
    labels = [format_date(entry["period"].first_day, fmt) for entry in totals]
    peak = max(entry[key] for entry in totals for key in keys) / 60
    top, step = _nice_top(peak)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    group_w = plot_w / len(totals)
    bar_w = max(1.0, min(18.0, group_w * 0.8 / len(keys)))

    def y(hours: float) -> float:
        return TOP + plot_h - hours / top * plot_h

    booked = sum(entry["booked"] for entry in totals)
    used = sum(entry["used"] for entry in totals)
    summary = _("In total %(booked)s booked, %(used)s used, %(lost)s lost to no-shows.",
                booked=hours_text(booked), used=hours_text(used),
                lost=hours_text(sum(entry["no_show"] for entry in totals)))
    parts = [Markup('<svg class="chart-svg" viewBox="0 0 {w} {h}" role="img" aria-labelledby="{i}-t {i}-d" '
                    'preserveAspectRatio="xMidYMid meet" xmlns="http://www.w3.org/2000/svg">'
                    '<title id="{i}-t">{t}</title><desc id="{i}-d">{d}</desc>').format(
        w=WIDTH, h=HEIGHT, i=chart_id, t=title, d=summary)]
    tick = 0.0
    while tick <= top + 1e-9:
        ty = round(y(tick), 1)
        parts.append(Markup('<line x1="{l}" x2="{r}" y1="{y}" y2="{y}" stroke="#dee2e6"/><text x="{tx}" y="{ly}" '
                            'text-anchor="end" font-size="11" fill="#495057">{t}</text>').format(
            l=LEFT, r=WIDTH - RIGHT, y=ty, tx=LEFT - 6, ly=ty + 4, t=hours_text(round(tick * 60))))
        tick += step
    every = max(1, math.ceil(len(totals) / MAX_LABELS))
    for i, entry in enumerate(totals):
        x0 = LEFT + i * group_w + (group_w - bar_w * len(keys)) / 2
        for n, key in enumerate(keys):
            hours = entry[key] / 60
            top_y = round(y(hours), 1)
            parts.append(Markup('<rect x="{x}" y="{y}" width="{w}" height="{h}" fill="{c}"><title>{label}, {name}: '
                                '{v}</title></rect>').format(
                x=round(x0 + n * bar_w, 1), y=top_y, w=round(bar_w, 1), h=round(TOP + plot_h - top_y, 1),
                c=COLOURS[n], label=labels[i], name=names[n], v=hours_text(entry[key])))
        if i % every == 0:
            parts.append(Markup('<text x="{x}" y="{y}" text-anchor="middle" font-size="11" fill="#495057">{t}</text>')
                         .format(x=round(LEFT + (i + 0.5) * group_w, 1), y=HEIGHT - 10, t=labels[i]))
    parts.append(Markup("</svg>"))
    legend = Markup("").join(
        Markup('<li><svg width="14" height="10" aria-hidden="true"><rect width="14" height="10" fill="{}"/></svg> '
               '{}</li>').format(COLOURS[n], name) for n, name in enumerate(names))
    head = Markup("").join(Markup('<th scope="col">{}</th>').format(name) for name in names)
    body = Markup("").join(
        Markup('<tr><th scope="row">{}</th>{}</tr>').format(labels[i], Markup("").join(
            Markup("<td>{}</td>").format(hours_text(entry[key])) for key in keys))
        for i, entry in enumerate(totals))
    table = Markup('<details class="chart-data"><summary>{}</summary><div class="table-responsive"><table '
                   'class="table table-sm"><thead><tr><th scope="col">{}</th>{}</tr></thead><tbody>{}</tbody></table>'
                   '</div></details>').format(_("Show the figures"), _("Period"), head, body)
    return Markup('<figure class="chart"><figcaption class="chart-title">{}</figcaption>{}<ul class="chart-legend" '
                  'aria-hidden="true">{}</ul>{}</figure>').format(title, Markup("").join(parts), legend, table)
