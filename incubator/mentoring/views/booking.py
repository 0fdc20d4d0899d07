"""Founders' "Book a mentor": their startup's matched mentors and the cohort's office hours, then a slot.

Slots are listed by day in the viewer's time zone, each also in the mentor's local time. Managers may
open the same pages to book on a startup's behalf.
"""
from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from incubator.auth.models import Role, User
from incubator.cohorts.models import Cohort, CohortStatus, Startup, StartupStatus
from incubator.cohorts.permissions import is_founder_of, is_manager
from incubator.core.authz import require
from incubator.core.uow import FAILED, attempt
from incubator.db import utcnow
from incubator.extensions import db
from incubator.mentoring.booking_forms import BookingForm, parse_slot_key, slot_key
from incubator.mentoring.booking_permissions import can_book_mentor, can_book_office_hours, startup_takes_mentoring
from incubator.mentoring.models.availability import OfficeHours
from incubator.mentoring.queries import mentors_of_startup
from incubator.mentoring.services import availability
from incubator.mentoring.services import bookings as services
from incubator.mentoring.slots import group_by_day
from incubator.mentoring.views.booking_blueprint import bp
from incubator.mentoring.views.booking_common import founder_startups, load_startup, week_page


@bp.get("/book")
@login_required
def book_start():
    """Founders go straight to their startup's page; managers choose a startup first."""
    if is_manager(current_user):
        startups = db.session.scalars(
            sa.select(Startup).join(Cohort).where(Cohort.status == CohortStatus.RUNNING,
                                                  Startup.status == StartupStatus.ACTIVE)
            .order_by(Cohort.name, Startup.name)).all()
        return render_template("mentoring/booking/choose_startup.html", startups=startups)
    require(current_user.role == Role.FOUNDER)
    startups = founder_startups(current_user.id)
    if len(startups) == 1:
        return redirect(url_for("mentor_booking.book_overview", startup_id=startups[0].id))
    return render_template("mentoring/booking/choose_startup.html", startups=startups)


def _allowances(startup: Startup, *instants) -> list[dict]:
    """The startup's mentor time in each month the instants fall in (incubator time), in order."""
    total = availability.policy_for(startup.cohort_id).monthly_minutes
    months = sorted({services.month_of(at) for at in instants or (utcnow(),)})
    return [{"month": month, "total": total, "left": services.allowance_left(startup, month),
             "used": services.minutes_used(startup.id, month)} for month in months]


@bp.get("/startups/<int:startup_id>/book")
@login_required
def book_overview(startup_id: int):
    startup = load_startup(startup_id)
    mentors = mentors_of_startup(startup.id)
    settings = availability.settings_for_many([m.id for m in mentors])
    office_hours = availability.upcoming_office_hours(utcnow(), cohort_id=startup.cohort_id)
    return render_template("mentoring/booking/overview.html", startup=startup, mentors=mentors, settings=settings,
                           office_hours=office_hours, allowances=_allowances(startup),
                           takes_mentoring=startup_takes_mentoring(startup), now=utcnow())


def _book(form: BookingForm, startup: Startup, mentor: User, block: OfficeHours | None):
    parsed = parse_slot_key(form.slot.data)
    if parsed is None or parsed[1] != (block.id if block else None):
        form.slot.errors = [*form.slot.errors, _("Choose a time from the list.")]
        return FAILED
    return attempt(form, services.book_session, current_user, startup, mentor, parsed[0], form.agenda.data, block)


def _booked(booking):
    flash(_("Booked. %(mentor)s has been told; add the session to your calendar below.",
            mentor=booking.mentor.name), "success")
    return redirect(url_for("mentor_booking.view_booking", booking_id=booking.id))


@bp.route("/startups/<int:startup_id>/book/<int:mentor_id>", methods=["GET", "POST"])
@login_required
def book_mentor(startup_id: int, mentor_id: int):
    startup = load_startup(startup_id)
    mentor = db.get_or_404(User, mentor_id)
    require(can_book_mentor(current_user, startup, mentor))
    form = BookingForm()
    if form.validate_on_submit():
        booking = _book(form, startup, mentor, None)
        if booking is not FAILED:
            return _booked(booking)
    settings = availability.settings_for(mentor.id)
    page = week_page(request.args.get("week", 0, type=int) or 0, current_user.timezone, settings.window_days)
    open_slots = availability.regular_open_slots(mentor, page.start, page.end)
    return render_template(
        "mentoring/booking/book.html", startup=startup, mentor=mentor, form=form, settings=settings, page=page,
        days=group_by_day(open_slots, current_user.timezone), slot_key=slot_key, block=None,
        allowances=_allowances(startup, page.start, page.end - timedelta(seconds=1)),
        founder=is_founder_of(current_user, startup),
    ), (422 if form.errors or request.method == "POST" else 200)


@bp.route("/startups/<int:startup_id>/office-hours/<int:office_hours_id>", methods=["GET", "POST"])
@login_required
def book_office_hours(startup_id: int, office_hours_id: int):
    startup = load_startup(startup_id)
    block = db.get_or_404(OfficeHours, office_hours_id)
    require(can_book_office_hours(current_user, startup, block))
    if block.mentor is None:
        abort(404)
    form = BookingForm()
    if form.validate_on_submit():
        booking = _book(form, startup, block.mentor, block)
        if booking is not FAILED:
            return _booked(booking)
    open_slots = availability.office_hours_open_slots(block)
    return render_template(
        "mentoring/booking/book.html", startup=startup, mentor=block.mentor, form=form, block=block, page=None,
        settings=availability.settings_for(block.mentor_id), days=group_by_day(open_slots, current_user.timezone),
        slot_key=slot_key, allowances=_allowances(startup, block.starts_at),
        founder=is_founder_of(current_user, startup),
    ), (422 if form.errors or request.method == "POST" else 200)
