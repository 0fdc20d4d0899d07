"""Managers' utilization report: a chart and a table per resource and week or month, and the same as CSV."""
from __future__ import annotations

from datetime import timedelta

from flask import Response, render_template, request

from incubator.core.authz import manager_required
from incubator.db import utcnow
from incubator.resources import charts, forms, queries, utilization
from incubator.resources.availability import incubator_zone
from incubator.resources.views import bp

DEFAULT_WEEKS = 8
DEFAULT_MONTHS = 6


def _report():
    form = forms.UtilizationFilterForm(request.args)
    form.resource_id.choices = [(0, "")] + [(r.id, r.name) for r in queries.catalog(include_archived=True)]
    form.validate()
    granularity = form.granularity.data if form.granularity.data in ("week", "month") else "week"
    today = utcnow().astimezone(incubator_zone()).date()
    end = form.end.data if form.end.data and not form.end.errors else today
    default_start = end - (timedelta(weeks=DEFAULT_WEEKS - 1) if granularity == "week" else
                           timedelta(days=31 * (DEFAULT_MONTHS - 1)))
    start = form.start.data if form.start.data and not form.start.errors else default_start
    if start > end:
        start, end = end, start
    resource_id = form.resource_id.data if not form.resource_id.errors else None
    rows = utilization.utilization(granularity, start, end, resource_id or None)
    return form, granularity, start, end, rows


@bp.get("/utilization")
@manager_required
def utilization_report():
    form, granularity, start, end, rows = _report()
    totals = utilization.totals(rows)
    args = {"granularity": granularity, "start": start.isoformat(), "end": end.isoformat(),
            "resource_id": form.resource_id.data or ""}
    covered = (rows[0].period.first_day, rows[-1].period.after - timedelta(days=1)) if rows else (start, end)
    return render_template("resources/utilization.html", form=form, groups=utilization.per_resource(rows),
                           granularity=granularity, covered=covered,
                           start=start, end=end, args=args,
                           chart=charts.utilization_chart("utilization", totals, granularity))


@bp.get("/utilization.csv")
@manager_required
def utilization_csv():
    _form, granularity, start, end, rows = _report()
    filename = f"resource-utilization-{granularity}-{start:%Y-%m-%d}-{end:%Y-%m-%d}.csv"
    return Response(utilization.to_csv(rows), mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "no-store"})
