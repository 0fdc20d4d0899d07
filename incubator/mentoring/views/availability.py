"""Mentors' "My availability": weekly hours in their own zone, booking settings, exceptions and office hours."""
from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from incubator.cohorts.models import Cohort, CohortStatus
from incubator.core.authz import require, roles_required
from incubator.core.uow import FAILED, attempt, perform
from incubator.db import utcnow
from incubator.extensions import db
from incubator.mentoring.booking_forms import AvailabilityForm, ExceptionForm, OfficeHoursForm
from incubator.mentoring.booking_permissions import can_manage_office_hours
from incubator.mentoring.models.availability import AvailabilityException, OfficeHours
from incubator.mentoring.services import availability as services
from incubator.mentoring.slots import group_by_day
from incubator.mentoring.views.booking_blueprint import bp

PREVIEW_DAYS = 7


def _running_cohorts() -> list[Cohort]:
    return list(db.session.scalars(sa.select(Cohort).where(Cohort.status == CohortStatus.RUNNING)
                                   .order_by(Cohort.starts_on.desc())))


def _availability_form() -> AvailabilityForm:
    settings = services.settings_for(current_user.id)
    form = AvailabilityForm(obj=settings)
    if not form.is_submitted():
        by_day: dict[int, list] = {}
        for rule in services.weekly_rules(current_user.id):
            by_day.setdefault(rule.weekday, []).append((rule.start_time, rule.end_time))
        for weekday, day_field in enumerate(form.day_fields()):
            day_field.data = by_day.get(weekday, [])
    return form


def _office_hours_form(blank: bool = False) -> OfficeHoursForm:
    form = OfficeHoursForm(formdata=None) if blank else OfficeHoursForm()
    form.cohort_id.choices = [(c.id, c.name) for c in _running_cohorts()]
    return form


def _page(form=None, exception_form=None, office_form=None, status: int = 200):
    now = utcnow()
    preview = services.regular_open_slots(current_user, now, now + timedelta(days=PREVIEW_DAYS), now)
    return render_template(
        "mentoring/booking/availability.html",
        form=form or _availability_form(),
        exception_form=exception_form or ExceptionForm(formdata=None),
        office_form=office_form or _office_hours_form(blank=True),
        exceptions=services.upcoming_exceptions(current_user, now),
        office_hours=services.upcoming_office_hours(now, mentor_id=current_user.id),
        preview=group_by_day(preview, current_user.timezone), preview_days=PREVIEW_DAYS,
        zone=current_user.timezone,
    ), status


@bp.route("/availability", methods=["GET", "POST"])
@roles_required("mentor")
def availability():
    form = _availability_form()
    if form.validate_on_submit():
        hours = {weekday: field.data for weekday, field in enumerate(form.day_fields()) if field.data}
        settings = {key: form[key].data for key in services.SETTING_LIMITS} | {
            "location": form.location.data, "paused": form.paused.data}
        if attempt(form, services.save_availability, current_user, hours, settings) is not FAILED:
            flash(_("Your availability is saved. Times are in your time zone, %(zone)s.",
                    zone=current_user.timezone), "success")
            return redirect(url_for("mentor_booking.availability"))
    return _page(form=form, status=422 if form.errors else 200)


@bp.post("/availability/exceptions")
@roles_required("mentor")
def add_exception():
    form = ExceptionForm()
    if form.validate_on_submit():
        data = {key: form[key].data for key in ("day", "kind", "start_time", "end_time", "note")}
        if attempt(form, services.add_exception, current_user, data) is not FAILED:
            flash(_("Exception added."), "success")
            return redirect(url_for("mentor_booking.availability") + "#exceptions")
    return _page(exception_form=form, status=422)


@bp.post("/availability/exceptions/<int:exception_id>/delete")
@roles_required("mentor")
def delete_exception(exception_id: int):
    exception = db.get_or_404(AvailabilityException, exception_id)
    require(exception.mentor_id == current_user.id)
    perform(services.delete_exception, current_user, exception)
    flash(_("Exception removed."), "success")
    return redirect(url_for("mentor_booking.availability") + "#exceptions")


@bp.post("/office-hours")
@roles_required("mentor")
def open_office_hours():
    form = _office_hours_form()
    if form.validate_on_submit():
        cohort = db.get_or_404(Cohort, form.cohort_id.data)
        data = {key: form[key].data for key in ("day", "start_time", "end_time", "slot_minutes", "repeat_weeks",
                                                "topic", "location")}
        blocks = attempt(form, services.open_office_hours, current_user, cohort, data)
        if blocks is not FAILED:
            flash(_("Office hours opened: every startup of %(cohort)s can book them now.", cohort=cohort.name),
                  "success")
            return redirect(url_for("mentor_booking.availability") + "#office-hours")
    return _page(office_form=form, status=422)


@bp.post("/office-hours/<int:office_hours_id>/close")
@login_required
def close_office_hours(office_hours_id: int):
    block = db.get_or_404(OfficeHours, office_hours_id)
    require(can_manage_office_hours(current_user, block))
    perform(services.close_office_hours, current_user, block)
    flash(_("Office hours closed to new bookings. Sessions already booked stay as they are."), "success")
    if block.mentor_id != current_user.id:
        return redirect(url_for("mentor_booking.list_sessions"))
    return redirect(url_for("mentor_booking.availability") + "#office-hours")
