"""The public side of a call for applications: open calls, the form, the status page. No login."""
from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, current_app, redirect, render_template, url_for
from flask_babel import get_locale
from sqlalchemy.orm import selectinload

from incubator.applications import forms, services
from incubator.cohorts.models import Cohort, CohortStatus
from incubator.core.errors import ServiceError
from incubator.core.uow import FAILED, attempt
from incubator.db import utcnow
from incubator.extensions import db, limiter

bp = Blueprint("apply", __name__)


@bp.get("/")
def open_calls():
    now = utcnow()
    cohorts = db.session.scalars(
        sa.select(Cohort)
        .where(Cohort.status == CohortStatus.OPEN)
        .where(sa.or_(Cohort.applications_close_at.is_(None), Cohort.applications_close_at > now))
        .options(selectinload(Cohort.program))
        .order_by(Cohort.applications_close_at)
    ).all()
    return render_template("apply/open_calls.html", cohorts=cohorts)


@bp.route("/<int:cohort_id>", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["APPLICATION_RATE_LIMIT"], methods=["POST"])
def apply(cohort_id: int):
    cohort = db.get_or_404(Cohort, cohort_id)
    if not cohort.accepts_applications() or services.is_full(cohort):
        return render_template("apply/closed.html", cohort=cohort, full=cohort.accepts_applications()), 409
    form = forms.ApplicationForm()
    if form.validate_on_submit():
        application = attempt(
            form, services.submit_application, cohort, form.data, form.founder_list(), form.pitch_deck.data.stream,
            locale=str(get_locale() or "en"),
        )
        if application is not FAILED:
            return redirect(url_for("apply.thanks", cohort_id=cohort.id))
    status = 422 if form.errors else 200
    return render_template("apply/form.html", form=form, cohort=cohort), status


@bp.get("/<int:cohort_id>/thanks")
def thanks(cohort_id: int):
    cohort = db.get_or_404(Cohort, cohort_id)
    return render_template("apply/thanks.html", cohort=cohort)


@bp.get("/status/<token>")
def status(token: str):
    try:
        application = services.application_for_status_token(token)
    except ServiceError as exc:
        return render_template("apply/link_problem.html", message=exc.message), 404
    return render_template("apply/status.html", application=application)
