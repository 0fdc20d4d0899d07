"""Founders' and managers' booking pages: the catalog, a resource's calendar and booking form, their bookings,
one booking (check in, cancel, pay)."""
from __future__ import annotations

from datetime import date, datetime, timedelta

from flask import abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import format_time
from flask_babel import gettext as _
from flask_login import current_user, login_required

from incubator.cohorts.permissions import is_manager
from incubator.core.authz import require
from incubator.core.errors import ServiceError
from incubator.core.pagination import page_args
from incubator.core.uow import FAILED, attempt, perform
from incubator.core.uploads import upload_path
from incubator.db import utcnow
from incubator.extensions import db
from incubator.resources import forms, payments, queries, quota
from incubator.resources.availability import calendar
from incubator.resources.models import WEEKDAY_LABELS, BookingStatus
from incubator.resources.permissions import can_act_on_booking, can_book_for, can_browse_resources
from incubator.resources.services import bookings as booking_services
from incubator.resources.services import lifecycle
from incubator.resources.services.rules import CHECK_IN_GRACE, CHECK_IN_OPENS
from incubator.resources.views import bp
from incubator.resources.views.common import (
    bars,
    display_hours,
    interval_from,
    load_booking,
    load_resource,
    startup_choices,
    viewer_zone,
)

MY_BOOKINGS_PAGE = 20
# The services name the interval's fields as the API does; the form asks for a day and two times.
FORM_FIELDS = {"starts_at": "start", "ends_at": "end"}


@bp.get("/")
@login_required
def list_resources():
    require(can_browse_resources(current_user))
    resources = queries.catalog()
    certified = queries.certified_resource_ids(current_user)
    return render_template("resources/catalog.html", resources=resources, certified=certified,
                           manager=is_manager(current_user))


@bp.get("/<int:resource_id>/photo")
@login_required
def resource_photo(resource_id: int):
    resource = load_resource(resource_id)
    if not resource.photo_path:
        abort(404)
    try:
        return send_file(upload_path(resource.photo_path), max_age=3600)
    except FileNotFoundError:
        abort(404)


def _calendar_range(zone) -> tuple[str, date, int]:
    view = request.args.get("view", "week")
    view = view if view in ("day", "week") else "week"
    today = datetime.now(zone).date()
    try:
        day = date.fromisoformat(request.args.get("day", ""))
    except ValueError:
        day = today
    day = min(max(day, today - timedelta(days=366)), today + timedelta(days=366))
    return view, day, 7 if view == "week" else 1


def _describe(segment) -> str:
    when = f"{format_time(segment.start, 'HH:mm')}–{format_time(segment.end, 'HH:mm')}"
    names = {"free": _("free"), "busy": _("booked"), "mine": _("your booking"), "pending": _("held (waiting)"),
             "blackout": _("closed"), "closed": _("not bookable")}
    text = f"{when} {names[segment.kind]}"
    return f"{text}: {segment.label}" if segment.label else text


def _resource_page(resource, form=None, status: int = 200, clashes=(), refusal: str = ""):
    manager = is_manager(current_user)
    zone = viewer_zone()
    now = utcnow()
    startups, choices = startup_choices(manager)
    chosen_id = request.args.get("startup_id", type=int) or (form.startup_id.data if form is not None else None)
    startup = next((s for s in startups if s.id == chosen_id), startups[0] if startups and not manager else None)
    if form is None:
        form = forms.UnitsForm(formdata=None) if resource.is_counted else _prefilled_form()
        form.startup_id.data = startup.id if startup else 0
    form.startup_id.choices = choices
    context = {"resource": resource, "form": form, "manager": manager, "startup": startup, "now": now,
               "certified": booking_services.is_certified(current_user, resource) if resource.requires_training
               else True, "weekdays": [str(w) for w in WEEKDAY_LABELS],
               "allowance_lines": [],
               "has_allowance": bool(startup and quota.applicable_allowances(startup, resource))}
    if not resource.is_counted:
        view, first_day, days = _calendar_range(zone)
        mine = [s.id for s in startups] if not manager else []
        cal = calendar(resource, first_day, days, zone, now=now, mine=mine, show_names=manager)
        hours = display_hours(cal, zone)
        if startup is not None:
            context["allowance_lines"] = quota.lines_between(startup, resource, max(now, cal[0].start), cal[-1].end)
        length = timedelta(minutes=max(resource.min_minutes, min(60, resource.max_minutes)))
        context.update(view=view, first_day=first_day, last_day=first_day + timedelta(days=days - 1), days=cal,
                       hours=hours, step=timedelta(days=days),
                       bars={d.day: bars(d, hours, zone, _describe) for d in cal}, describe=_describe,
                       suggest_end=lambda slot: min(slot.end, slot.start + length))
    elif startup is not None:
        context["allowance_lines"] = quota.current_lines(startup, resource, now)
    context["clashes"], context["refusal"] = list(clashes), refusal
    return render_template("resources/resource.html", **context), status


def _prefilled_form():
    form = forms.BookingForm(formdata=None)
    for name, parse in (("day", date.fromisoformat), ("start", _time), ("end", _time)):
        raw = request.args.get(name)
        if raw:
            try:
                form[name].data = parse(raw)
            except ValueError:
                pass
    return form


def _time(raw: str):
    return datetime.strptime(raw, "%H:%M").time()


@bp.get("/<int:resource_id>")
@login_required
def view_resource(resource_id: int):
    return _resource_page(load_resource(resource_id))


@bp.post("/<int:resource_id>/book")
@login_required
def book(resource_id: int):
    resource = load_resource(resource_id)
    manager = is_manager(current_user)
    startups, choices = startup_choices(manager)
    form = forms.UnitsForm() if resource.is_counted else forms.BookingForm()
    form.startup_id.choices = choices
    startup = next((s for s in startups if s.id == form.startup_id.data), None)
    if startup is None and not (manager and form.startup_id.data == 0):
        if not startups and not manager:
            abort(403)  # a founder with no active startup cannot book for anyone
        form.startup_id.errors = [_("Choose one of your startups.")]
        return _resource_page(resource, form, 422)
    require(can_book_for(current_user, startup))
    if not form.validate_on_submit():
        return _resource_page(resource, form, 422)
    if resource.is_counted:
        args = {"units": form.units.data}
    else:
        starts_at, ends_at = interval_from(form.day.data, form.start.data, form.end.data)
        args = {"starts_at": starts_at, "ends_at": ends_at, "weeks": form.weeks.data or 1}
    try:
        outcome = perform(booking_services.create_booking, current_user, resource, startup=startup,
                          purpose=form.purpose.data or "", **args)
    except ServiceError as exc:
        return _refused(resource, form, exc)
    first = outcome.first
    if outcome.needs_payment:
        return _go_to_checkout(outcome.charge, first)
    if first.status == BookingStatus.PENDING:
        flash(_("Request sent. The slot is held for you until a manager answers; you will be told."), "info")
    elif outcome.series is not None:
        flash(_("Booked for %(n)d weeks.", n=len(outcome.bookings)), "success")
    elif first.amount_minor:
        flash(_("Booked. The part beyond your allowance will be invoiced."), "success")
    else:
        flash(_("Booked."), "success")
    return redirect(url_for("resources.view_booking", booking_id=first.id))


def _refused(resource, form, exc: ServiceError):
    """Show a refusal beside its fields (or above the form's button), with the list of clashing weeks if any."""
    clashes = exc.fields.get("clashes", [])
    placed = False
    for name, messages in exc.fields.items():
        name = FORM_FIELDS.get(name, name)
        if name != "clashes" and name in form:
            form[name].errors = list(form[name].errors) + list(messages)
            placed = True
    return _resource_page(resource, form, exc.status, clashes, "" if placed else exc.message)


def _go_to_checkout(charge, booking):
    try:
        perform(payments.checkout_link, charge, booking)
    except ServiceError as exc:
        flash(_("The booking is held, but the payment page could not be opened: %(error)s Try again from this "
                "page.", error=exc.message), "warning")
        return redirect(url_for("resources.view_booking", booking_id=booking.id))
    # Via a same-site page: the CSP's form-action 'self' also covers a form post's redirects.
    return redirect(url_for("billing.go_to_checkout", charge_id=charge.id), 303)


@bp.get("/bookings")
@login_required
def my_bookings():
    require(can_browse_resources(current_user))
    tab = "past" if request.args.get("tab") == "past" else "upcoming"
    now = utcnow()
    startups = queries.founder_startups(current_user)
    page, per_page = page_args(MY_BOOKINGS_PAGE)
    query = queries.my_bookings_query(current_user, [s.id for s in startups], tab == "upcoming", now)
    bookings = db.paginate(query, page=page, per_page=per_page, error_out=False)
    overview = [(s, quota.startup_overview(s, now)) for s in startups]
    return render_template("resources/my_bookings.html", bookings=bookings, tab=tab, overview=overview, now=now)


@bp.get("/bookings/<int:booking_id>")
@login_required
def view_booking(booking_id: int):
    booking = load_booking(booking_id)
    now = utcnow()
    manager = is_manager(current_user)
    actor = can_act_on_booking(current_user, booking)
    opens = booking.starts_at - CHECK_IN_OPENS
    closes = booking.ends_at if manager else booking.starts_at + CHECK_IN_GRACE
    charge = payments.charge_of(booking) if booking.amount_minor else None
    series = booking.series.bookings if booking.series_id else []
    if request.args.get("paid") and booking.status == BookingStatus.AWAITING_PAYMENT:
        flash(_("Thank you. The booking is confirmed as soon as the payment comes through (usually within a "
                "minute); reload this page."), "info")
    return render_template(
        "resources/booking.html", booking=booking, now=now, manager=manager, actor=actor, charge=charge,
        series=series, cutoff=lifecycle.cutoff_of(booking) if booking.units is None else None,
        can_check_in=actor and booking.status == BookingStatus.CONFIRMED and booking.units is None
        and opens <= now <= closes, check_in_opens=opens, check_in_closes=closes,
        cancel_form=forms.CancelForm(formdata=None),
        cancel_refusal=lifecycle.cancel_refusal(current_user, booking, now) if actor else None,
    )


@bp.post("/bookings/<int:booking_id>/check-in")
@login_required
def check_in(booking_id: int):
    booking = load_booking(booking_id)
    require(can_act_on_booking(current_user, booking))
    if attempt(None, lifecycle.check_in, current_user, booking) is not FAILED:
        flash(_("Checked in. Enjoy!"), "success")
    return redirect(url_for("resources.view_booking", booking_id=booking.id))


@bp.post("/bookings/<int:booking_id>/cancel")
@login_required
def cancel_booking(booking_id: int):
    booking = load_booking(booking_id)
    require(can_act_on_booking(current_user, booking))
    form = forms.CancelForm()
    if not form.validate_on_submit():
        flash(_("Keep the reason under 500 characters."), "danger")
    else:
        note = attempt(form, lifecycle.cancel_booking, current_user, booking, form.reason.data or "")
        if note is not FAILED:
            flash(_("Booking cancelled."), "success")
            if note:
                flash(note, "warning")
        else:
            for error in form.reason.errors:
                flash(error, "danger")
    return redirect(_back(booking.id))


@bp.post("/bookings/<int:booking_id>/cancel-series")
@login_required
def cancel_series(booking_id: int):
    booking = load_booking(booking_id)
    require(can_act_on_booking(current_user, booking))
    form = forms.CancelForm()
    if form.validate_on_submit():
        count = attempt(form, lifecycle.cancel_series, current_user, booking, form.reason.data or "")
        if count is not FAILED:
            flash(_("%(n)d weekly bookings cancelled.", n=count), "success")
        else:
            for error in form.reason.errors:
                flash(error, "danger")
    return redirect(_back(booking.id))


def _back(booking_id: int) -> str:
    target = request.form.get("next", "")
    if target == "all" and is_manager(current_user):
        return url_for("resources.all_bookings")
    return url_for("resources.view_booking", booking_id=booking_id)


@bp.post("/bookings/<int:booking_id>/pay")
@login_required
def pay(booking_id: int):
    booking = load_booking(booking_id)
    require(can_act_on_booking(current_user, booking))
    charge = perform(payments.charge_for_payment, current_user, booking, utcnow())
    return _go_to_checkout(charge, booking)
