"""Managers: mentor hours delivered per mentor and per startup (page and CSV), and each cohort's mentoring policy."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal

import sqlalchemy as sa
from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from incubator.cohorts.models import Cohort, CohortStatus
from incubator.core.authz import manager_required
from incubator.core.uow import FAILED, attempt
from incubator.extensions import db
from incubator.mentoring.booking_forms import PolicyForm
from incubator.mentoring.reporting import hours_report
from incubator.mentoring.services import availability
from incubator.mentoring.views.booking_blueprint import bp
from incubator.progress.exports import to_csv
from incubator.progress.periods import incubator_zone, local_today

CSV_KINDS = ("mentors", "startups")
MAX_RANGE_DAYS = 3 * 366


def _date_arg(name: str, default: date) -> date:
    try:
        return date.fromisoformat(request.args.get(name, ""))
    except ValueError:
        return default


def _filters() -> dict:
    """The page's cohort and date range (inclusive local dates in the incubator's time zone), made sane."""
    cohorts = db.session.scalars(sa.select(Cohort).order_by(Cohort.starts_on.desc())).all()
    today = local_today()
    start, end = _date_arg("start", today.replace(day=1)), _date_arg("end", today)
    if end < start:
        start, end = end, start
    start = max(start, end - timedelta(days=MAX_RANGE_DAYS))
    raw = request.args.get("cohort_id")
    if raw is None:
        running = next((c for c in cohorts if c.status == CohortStatus.RUNNING), None)
        cohort_id = running.id if running else None
    else:
        cohort_id = int(raw) if raw.isdigit() and any(c.id == int(raw) for c in cohorts) else None
    zone = incubator_zone()
    return {
        "cohorts": cohorts, "cohort_id": cohort_id, "start": start, "end": end,
        "start_at": datetime.combine(start, time(0, 0), tzinfo=zone).astimezone(timezone.utc),
        "end_at": datetime.combine(end + timedelta(days=1), time(0, 0), tzinfo=zone).astimezone(timezone.utc),
    }


@bp.get("/hours")
@manager_required
def mentor_hours():
    filters = _filters()
    mentors, startups = hours_report(filters["cohort_id"], filters["start_at"], filters["end_at"])
    return render_template("mentoring/booking/hours.html", mentors=mentors, startups=startups, **filters,
                           total_minutes=sum(row.minutes for row in mentors),
                           total_sessions=sum(row.sessions for row in mentors))


@bp.get("/hours/<kind>.csv")
@manager_required
def mentor_hours_csv(kind: str):
    if kind not in CSV_KINDS:
        abort(404)
    filters = _filters()
    mentors, startups = hours_report(filters["cohort_id"], filters["start_at"], filters["end_at"])
    if kind == "mentors":
        header = [_("Mentor"), _("Time zone"), _("Sessions held"), _("Hours"), _("Minutes"), _("Startups mentored"),
                  _("No-shows")]
        rows = [[r.name, r.detail, r.sessions, f"{r.hours:.2f}", r.minutes, len(r.counterparts), r.no_shows]
                for r in mentors]
    else:
        header = [_("Startup"), _("Sessions held"), _("Hours"), _("Minutes"), _("Mentors"), _("No-shows")]
        rows = [[r.name, r.sessions, f"{r.hours:.2f}", r.minutes, len(r.counterparts), r.no_shows] for r in startups]
    filename = f"mentor-hours-{kind}-{filters['start']:%Y-%m-%d}-{filters['end']:%Y-%m-%d}.csv"
    return Response(to_csv(header, rows), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


@bp.route("/cohorts/<int:cohort_id>/policy", methods=["GET", "POST"])
@manager_required
def cohort_policy(cohort_id: int):
    cohort = db.get_or_404(Cohort, cohort_id)
    policy = availability.policy_for(cohort.id)
    form = PolicyForm(data={"monthly_hours": Decimal(policy.monthly_minutes) / 60,
                            "cancel_cutoff_hours": policy.cancel_cutoff_hours})
    if form.validate_on_submit():
        minutes = int(round(form.monthly_hours.data * 60))
        if attempt(form, availability.save_policy, current_user, cohort, minutes,
                   form.cancel_cutoff_hours.data) is not FAILED:
            flash(_("Mentoring policy of %(cohort)s saved.", cohort=cohort.name), "success")
            return redirect(url_for("mentor_booking.cohort_policy", cohort_id=cohort.id))
    return render_template("mentoring/booking/policy.html", cohort=cohort, form=form, policy=policy), \
        (422 if form.errors else 200)
