"""Sessions: "My sessions" (upcoming and past), a session's page, cancelling, moving, notes, ratings and no-shows."""
from __future__ import annotations

import sqlalchemy as sa
from flask import Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from incubator.cohorts.permissions import is_manager
from incubator.core.authz import require
from incubator.core.uow import FAILED, attempt
from incubator.db import utcnow
from incubator.extensions import db
from incubator.mentoring import calendar
from incubator.mentoring.booking_forms import (
    CancelForm,
    NoShowForm,
    NoteForm,
    RescheduleForm,
    parse_slot_key,
    slot_key,
)
from incubator.mentoring.booking_permissions import (
    can_change_booking,
    can_list_sessions,
    can_mark_no_show,
    can_read_note,
    change_deadline,
    side_of,
    within_cutoff,
)
from incubator.mentoring.models.availability import OfficeHours
from incubator.mentoring.models.bookings import BookingStatus, MentorBooking, NoteSide
from incubator.mentoring.queries import accepted_match, sessions_query
from incubator.mentoring.services import availability
from incubator.mentoring.services import bookings as services
from incubator.mentoring.slots import group_by_day
from incubator.mentoring.views import calendar as calendar_views
from incubator.mentoring.views.booking_blueprint import bp
from incubator.mentoring.views.booking_common import load_booking, week_page
from incubator.progress.reminders import founders_of

PER_PAGE = 20


@bp.get("/sessions")
@login_required
def list_sessions():
    require(can_list_sessions(current_user))
    tab = "past" if request.args.get("tab") == "past" else "upcoming"
    now = utcnow()
    page = db.paginate(sessions_query(current_user, tab, now), page=request.args.get("page", 1, type=int),
                       per_page=PER_PAGE, error_out=False)
    office_hours = availability.upcoming_office_hours(now) if is_manager(current_user) else []
    return render_template("mentoring/booking/sessions.html", page=page, tab=tab, now=now,
                           office_hours=office_hours, feed=calendar_views.feed_panel(current_user))


def _detail(booking: MentorBooking, cancel_form=None, note_form=None, status: int = 200):
    now = utcnow()
    side = side_of(current_user, booking)
    cutoff = availability.policy_for(booking.cohort_id).cancel_cutoff_hours
    own_note = booking.note_of(side) if side else None
    if note_form is None:
        note_form = NoteForm(formdata=None, obj=own_note)
    if side == NoteSide.MENTOR:
        note_form.rating.label.text = _("How prepared and engaged was the startup?")
    notes = [note for note in booking.notes if can_read_note(current_user, note.side, booking)]
    changeable = (booking.status == BookingStatus.CONFIRMED and not booking.has_started(now)
                  and can_change_booking(current_user, booking))
    return render_template(
        "mentoring/booking/detail.html", booking=booking, side=side, now=now, notes=notes,
        founders=founders_of({booking.startup_id}).get(booking.startup_id, []),
        changeable=changeable, within_cutoff=within_cutoff(current_user, booking, cutoff, now), cutoff=cutoff,
        deadline=change_deadline(booking, cutoff), cancel_form=cancel_form or CancelForm(formdata=None),
        note_form=note_form, no_show_form=NoShowForm(formdata=None),
        can_note=side is not None and booking.status != BookingStatus.CANCELLED and booking.has_started(now),
        can_no_show=can_mark_no_show(current_user, booking) and booking.status != BookingStatus.CANCELLED
        and booking.has_started(now),
    ), status


@bp.get("/sessions/<int:booking_id>")
@login_required
def view_booking(booking_id: int):
    return _detail(load_booking(booking_id))


@bp.get("/sessions/<int:booking_id>/calendar.ics")
@login_required
def booking_ics(booking_id: int):
    booking = load_booking(booking_id)
    body = calendar.booking_ics(booking, founders_of({booking.startup_id}).get(booking.startup_id, []))
    filename = f"mentoring-session-{booking.id}.ics"
    return Response(body, mimetype="text/calendar", headers={
        "Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "private, no-store"})


@bp.post("/sessions/<int:booking_id>/cancel")
@login_required
def cancel_booking(booking_id: int):
    booking = load_booking(booking_id)
    require(can_change_booking(current_user, booking))
    form = CancelForm()
    if form.validate_on_submit():
        if attempt(form, services.cancel_session, current_user, booking, form.reason.data) is not FAILED:
            flash(_("The session is cancelled and the other side has been told."), "success")
            return redirect(url_for("mentor_booking.view_booking", booking_id=booking.id))
        return redirect(url_for("mentor_booking.view_booking", booking_id=booking.id))
    return _detail(booking, cancel_form=form, status=422)


def _reschedule_slots(booking: MentorBooking, page):
    """Open slots the session may move to: the mentor's weekly hours (while still matched) and the mentor's
    office hours for the startup's cohort."""
    found = []
    if accepted_match(booking.mentor_id, booking.startup_id) is not None:
        found += availability.regular_open_slots(booking.mentor, page.start, page.end,
                                                 exclude_booking_id=booking.id)
    blocks = db.session.scalars(sa.select(OfficeHours).where(
        OfficeHours.mentor_id == booking.mentor_id, OfficeHours.cohort_id == booking.cohort_id,
        OfficeHours.closed_at.is_(None), OfficeHours.starts_at < page.end, OfficeHours.ends_at > page.start))
    for block in blocks:
        found += [s for s in availability.office_hours_open_slots(block, exclude_booking_id=booking.id)
                  if page.start <= s.starts_at < page.end]
    return [s for s in found if s.starts_at != booking.starts_at]


@bp.route("/sessions/<int:booking_id>/reschedule", methods=["GET", "POST"])
@login_required
def reschedule_booking(booking_id: int):
    booking = load_booking(booking_id)
    require(can_change_booking(current_user, booking))
    form = RescheduleForm()
    if form.validate_on_submit():
        parsed = parse_slot_key(form.slot.data)
        block = db.session.get(OfficeHours, parsed[1]) if parsed and parsed[1] else None
        if parsed is None or (parsed[1] and block is None):
            form.slot.errors = [*form.slot.errors, _("Choose a time from the list.")]
        elif attempt(form, services.reschedule_session, current_user, booking, parsed[0], form.reason.data,
                     block) is not FAILED:
            flash(_("The session is moved and the other side has been told."), "success")
            return redirect(url_for("mentor_booking.view_booking", booking_id=booking.id))
    settings = availability.settings_for(booking.mentor_id)
    page = week_page(request.args.get("week", 0, type=int) or 0, current_user.timezone, settings.window_days)
    cutoff = availability.policy_for(booking.cohort_id).cancel_cutoff_hours
    return render_template(
        "mentoring/booking/reschedule.html", booking=booking, form=form, page=page, slot_key=slot_key,
        days=group_by_day(_reschedule_slots(booking, page), current_user.timezone), mentor=booking.mentor,
        within_cutoff=within_cutoff(current_user, booking, cutoff), cutoff=cutoff,
    ), (422 if request.method == "POST" else 200)


@bp.post("/sessions/<int:booking_id>/notes")
@login_required
def save_notes(booking_id: int):
    booking = load_booking(booking_id)
    side = side_of(current_user, booking)
    require(side is not None)
    form = NoteForm()
    if form.validate_on_submit():
        data = {"body": form.body.data, "rating": form.rating.data}
        if side == NoteSide.MENTOR:
            data |= {"shared_comment": form.shared_comment.data, "share": form.share.data}
        if attempt(form, services.save_note, current_user, booking, side, data) is not FAILED:
            flash(_("Your notes are saved."), "success")
            return redirect(url_for("mentor_booking.view_booking", booking_id=booking.id) + "#notes")
    return _detail(booking, note_form=form, status=422)


@bp.post("/sessions/<int:booking_id>/no-show")
@login_required
def mark_no_show(booking_id: int):
    booking = load_booking(booking_id)
    require(can_mark_no_show(current_user, booking))
    form = NoShowForm()
    if form.validate_on_submit():
        no_show = form.no_show.data != "0"
        if attempt(form, services.set_no_show, current_user, booking, no_show) is not FAILED:
            flash(_("Marked as a no-show.") if no_show else _("Marked as held."), "success")
    return redirect(url_for("mentor_booking.view_booking", booking_id=booking.id))
