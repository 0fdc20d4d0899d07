"""Managers' jobs page: every scheduled job, its schedule in the incubator's time zone, its runs, "Run now"."""
from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, abort, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from incubator.core.authz import manager_required
from incubator.core.pagination import page_args
from incubator.db import utcnow
from incubator.extensions import db
from incubator.jobs import runner
from incubator.jobs.forms import RunNowForm
from incubator.jobs.models import JobRun, JobTrigger
from incubator.jobs.queries import recent_runs, scheduler_status
from incubator.jobs.registry import all_jobs, get_job
from incubator.jobs.scheduler import next_run_times

bp = Blueprint("jobs", __name__)


@bp.get("/")
@manager_required
def list_jobs():
    specs = all_jobs()
    now = utcnow()
    return render_template(
        "jobs/list.html",
        specs=specs,
        runs=recent_runs([spec.name for spec in specs]),
        next_runs=next_run_times(current_app, now),
        status=scheduler_status(now),
        forms={spec.name: RunNowForm(prefix=spec.name, formdata=None) for spec in specs},
        tz=current_app.config["DEFAULT_TIMEZONE"],
    )


@bp.get("/<name>")
@manager_required
def view_job(name: str):
    spec = get_job(name) or abort(404)
    page, per_page = page_args(50)
    runs = db.paginate(
        sa.select(JobRun).where(JobRun.job_name == spec.name).order_by(JobRun.started_at.desc(), JobRun.id.desc()),
        page=page, per_page=per_page,
    )
    return render_template(
        "jobs/view.html", spec=spec, runs=runs, next_run=next_run_times(current_app)[spec.name],
        form=RunNowForm(prefix=spec.name, formdata=None), tz=current_app.config["DEFAULT_TIMEZONE"],
    )


@bp.post("/<name>/run")
@manager_required
def run_job(name: str):
    spec = get_job(name) or abort(404)
    form = RunNowForm(prefix=spec.name)
    if not form.validate_on_submit():
        abort(400)
    user_id = current_user.id
    # The job runs in its own transaction; end this request's first (on SQLite an open one holds the lock).
    db.session.commit()
    outcome = runner.run_job(current_app._get_current_object(), spec.name, force=form.force.data,
                             trigger=JobTrigger.MANUAL, user_id=user_id)
    if outcome.status == runner.SUCCEEDED:
        flash(_("%(job)s ran for %(period)s: %(summary)s", job=spec.name, period=outcome.period_key,
                summary=outcome.summary or _("done")), "success")
    elif outcome.status == runner.SKIPPED:
        flash(_("%(job)s has already run for %(period)s, so it did nothing. Tick “Run again” to run it once "
                "more.", job=spec.name, period=outcome.period_key), "info")
    else:
        flash(_("%(job)s failed and nothing it did was kept: %(error)s", job=spec.name, error=outcome.error),
              "danger")
    return redirect(url_for("jobs.list_jobs") + f"#job-{spec.name}")


GRANULARITY_LABELS = {
    "minute": _l("Once per minute"),
    "hour": _l("Once per hour"),
    "day": _l("Once per day"),
    "week": _l("Once per week (Monday to Sunday)"),
    "month": _l("Once per month"),
}
RUN_STATUS_LABELS = {"succeeded": _l("Succeeded"), "failed": _l("Failed")}
TRIGGER_LABELS = {
    "scheduled": _l("On schedule"),
    "catch_up": _l("Caught up"),
    "manual": _l("Run now"),
    "cli": _l("Command line"),
}


@bp.app_template_filter("job_period")
def job_period(value: str) -> str:
    return str(GRANULARITY_LABELS.get(value, value))


@bp.app_template_filter("job_run_status")
def job_run_status(value: str) -> str:
    return str(RUN_STATUS_LABELS.get(value, value))


@bp.app_template_filter("job_trigger")
def job_trigger(value: str) -> str:
    return str(TRIGGER_LABELS.get(value, value))


@bp.app_template_filter("job_duration")
def duration(milliseconds: int) -> str:
    if milliseconds < 1000:
        return _("%(n)d ms", n=milliseconds)
    return _("%(s).1f s", s=milliseconds / 1000)
