"""Managers' pages: resources (with opening hours and photo), blackouts, the approvals queue, training
certifications, allowances and every booking (with cancelling)."""
from __future__ import annotations

from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from incubator.auth.models import User
from incubator.cohorts.models import Cohort, Startup
from incubator.core.authz import manager_required
from incubator.core.errors import ServiceError
from incubator.core.money import from_minor, to_minor
from incubator.core.pagination import page_args
from incubator.core.timeutil import local_to_utc
from incubator.core.uow import FAILED, attempt, perform
from incubator.db import utcnow
from incubator.extensions import db
from incubator.resources import forms, queries
from incubator.resources.models import (
    BOOKING_STATUS_LABELS,
    RESOURCE_TYPE_LABELS,
    WEEKDAY_LABELS,
    Allowance,
    Blackout,
    Booking,
    Certification,
    Resource,
    ResourceType,
)
from incubator.resources.services import catalog as catalog_services
from incubator.resources.services import lifecycle
from incubator.resources.views import bp
from incubator.resources.views.common import load_booking

ALL_BOOKINGS_PAGE = 50


# Resources ----------------------------------------------------------------------------------------


@bp.get("/manage")
@manager_required
def manage_resources():
    return render_template("resources/manage.html", resources=queries.catalog(include_archived=True))


def _resource_data(form: forms.ResourceForm) -> dict:
    data = {key: form[key].data for key in catalog_services.FIELDS if key in form and key != "price_minor"}
    price = form.price.data if form.price.data is not None else Decimal(0)
    try:
        data["price_minor"] = to_minor(price, form.currency.data)
    except ValueError as exc:
        raise ServiceError.on("price", _("Enter a price such as 5 or 12.50.")) from exc
    return data


def _hours(form: forms.ResourceForm) -> list:
    hours = []
    for weekday, entry in enumerate(form.hours.entries):
        for opens, closes in ((entry.form.opens.data, entry.form.closes.data),
                              (entry.form.opens_again.data, entry.form.closes_again.data)):
            if opens is None and closes is None:
                continue
            if opens is None or closes is None:
                raise ServiceError.on("hours", _("Give both an opening and a closing time for %(day)s, or neither.",
                                                 day=WEEKDAY_LABELS[weekday]))
            hours.append((weekday, opens, closes))
    return hours


def _save(resource, form):
    photo = form.photo.data if form.photo.data and getattr(form.photo.data, "filename", "") else None
    return catalog_services.save_resource(current_user, resource, _resource_data(form), _hours(form),
                                          photo.stream if photo else None)


def _resource_form(resource: Resource | None) -> forms.ResourceForm:
    if request.method == "POST":
        return forms.ResourceForm()
    form = forms.ResourceForm(obj=resource, formdata=None)
    by_day: dict[int, list] = {}
    if resource is not None:
        form.price.data = from_minor(resource.price_minor, resource.currency)
        for hours in resource.hours:  # ordered by weekday and opening time; the form holds two per day
            by_day.setdefault(hours.weekday, []).append(hours)
    for weekday, entry in enumerate(form.hours.entries):
        if weekday in by_day:
            first, *rest = by_day[weekday]
            entry.form.opens.data, entry.form.closes.data = first.opens, first.closes
            if rest:
                entry.form.opens_again.data, entry.form.closes_again.data = rest[0].opens, rest[0].closes
        elif resource is None and weekday < 5:
            entry.form.opens.data = datetime.strptime("08:00", "%H:%M").time()
            entry.form.closes.data = datetime.strptime("17:00", "%H:%M").time()
    return form


def _edit_page(resource: Resource | None):
    form = _resource_form(resource)
    if form.validate_on_submit():
        saved = attempt(form, _save, resource, form)
        if saved is not FAILED:
            flash(_("%(name)s saved.", name=saved.name), "success")
            return redirect(url_for("resources.manage_resources"))
    return render_template("resources/resource_form.html", form=form, resource=resource,
                           weekdays=[str(w) for w in WEEKDAY_LABELS]), (422 if form.errors else 200)


@bp.route("/manage/new", methods=["GET", "POST"])
@manager_required
def create_resource():
    return _edit_page(None)


@bp.route("/<int:resource_id>/edit", methods=["GET", "POST"])
@manager_required
def edit_resource(resource_id: int):
    return _edit_page(db.get_or_404(Resource, resource_id))


@bp.post("/<int:resource_id>/archive")
@manager_required
def toggle_resource(resource_id: int):
    resource = db.get_or_404(Resource, resource_id)
    active = not resource.is_active
    perform(catalog_services.set_resource_active, current_user, resource, active)
    flash(_("%(name)s is bookable again.", name=resource.name) if active else
          _("%(name)s is archived: no new bookings; existing ones are kept.", name=resource.name), "info")
    return redirect(url_for("resources.manage_resources"))


# Blackouts ------------------------------------------------------------------------------------


def _resource_choices(everything: str | None = None) -> list[tuple[int, str]]:
    choices = [(r.id, r.name) for r in queries.catalog(include_archived=False)]
    return ([(0, everything)] if everything else []) + choices


@bp.route("/blackouts", methods=["GET", "POST"])
@manager_required
def blackouts():
    form = forms.BlackoutForm()
    form.resource_id.choices = _resource_choices(_("Every resource (a holiday)"))
    if form.validate_on_submit():
        resource = db.session.get(Resource, form.resource_id.data) if form.resource_id.data else None
        result = attempt(form, catalog_services.add_blackout, current_user, resource,
                         local_to_utc(form.starts_at.data), local_to_utc(form.ends_at.data), form.kind.data,
                         form.reason.data or "", form.cancel_clashing.data)
        if result is not FAILED:
            _blackout, clashing = result
            if clashing and form.cancel_clashing.data:
                flash(_("Blackout added; %(n)d bookings were cancelled and their founders told.", n=len(clashing)),
                      "success")
            elif clashing:
                flash(_("Blackout added. %(n)d bookings still overlap it: cancel them from All bookings if they "
                        "cannot go ahead.", n=len(clashing)), "warning")
            else:
                flash(_("Blackout added."), "success")
            return redirect(url_for("resources.blackouts"))
    return render_template("resources/blackouts.html", form=form, blackouts=queries.upcoming_blackouts(utcnow())), \
        (422 if form.errors else 200)


@bp.post("/blackouts/<int:blackout_id>/delete")
@manager_required
def delete_blackout(blackout_id: int):
    perform(catalog_services.delete_blackout, current_user, db.get_or_404(Blackout, blackout_id))
    flash(_("Blackout removed: that time is bookable again."), "info")
    return redirect(url_for("resources.blackouts"))


# Approvals -------------------------------------------------------------------------------------


@bp.get("/approvals")
@manager_required
def approvals():
    return render_template("resources/approvals.html", requests=queries.pending_requests(),
                           form=forms.DecisionForm(formdata=None), now=utcnow())


@bp.post("/bookings/<int:booking_id>/decide")
@manager_required
def decide(booking_id: int):
    booking = load_booking(booking_id)
    form = forms.DecisionForm()
    if not form.validate_on_submit() or not (form.approve.data or form.reject.data):
        flash(_("Choose Approve or Reject."), "danger")
        return redirect(url_for("resources.approvals"))
    approve = bool(form.approve.data)
    decided = attempt(form, lifecycle.decide_booking, current_user, booking, approve, form.note.data or "")
    if decided is not FAILED:
        flash(_("Approved; the founders were told.") if approve else _("Rejected; the founders were told why."),
              "success" if approve else "info")
    else:
        for error in form.note.errors:
            flash(error, "danger")
    return redirect(url_for("resources.approvals"))


# Certifications ----------------------------------------------------------------------------------


@bp.route("/certifications", methods=["GET", "POST"])
@manager_required
def certifications():
    form = forms.CertificationForm()
    form.resource_id.choices = [(r.id, r.name) for r in queries.catalog() if r.requires_training] or \
        _resource_choices()
    form.user_id.choices = [(u.id, f"{u.name} ({u.email})") for u in queries.founder_accounts()]
    if form.validate_on_submit():
        resource = db.get_or_404(Resource, form.resource_id.data)
        user = db.get_or_404(User, form.user_id.data)
        if attempt(form, catalog_services.certify, current_user, resource, user, form.note.data or "") is not FAILED:
            flash(_("%(name)s may now book %(resource)s.", name=user.name, resource=resource.name), "success")
            return redirect(url_for("resources.certifications"))
    return render_template("resources/certifications.html", form=form,
                           certifications=queries.certifications()), (422 if form.errors else 200)


@bp.post("/certifications/<int:certification_id>/revoke")
@manager_required
def revoke_certification(certification_id: int):
    certification = db.get_or_404(Certification, certification_id)
    perform(catalog_services.revoke_certification, current_user, certification)
    flash(_("Certification withdrawn; bookings already made are kept."), "info")
    return redirect(url_for("resources.certifications"))


# Allowances ------------------------------------------------------------------------------------


def _allowance_form() -> forms.AllowanceForm:
    form = forms.AllowanceForm()
    form.scope.choices = [(f"c:{c.id}", _("Each startup of %(cohort)s", cohort=c.name))
                          for c in queries.current_cohorts()]
    form.scope.choices += [(f"s:{s.id}", s.name) for s in queries.bookable_startups()]
    form.target.choices = [(f"t:{t.value}", _("All: %(type)s", type=label)) for t, label in
                           RESOURCE_TYPE_LABELS.items()]
    form.target.choices += [(f"r:{r.id}", r.name) for r in queries.catalog()]
    return form


def _allowance_args(form: forms.AllowanceForm) -> dict:
    kind, _sep, ident = form.scope.data.partition(":")
    cohort = db.session.get(Cohort, int(ident)) if kind == "c" else None
    startup = db.session.get(Startup, int(ident)) if kind == "s" else None
    kind, _sep, ident = form.target.data.partition(":")
    resource = db.session.get(Resource, int(ident)) if kind == "r" else None
    resource_type = ident if kind == "t" else None
    counted = resource.is_counted if resource else resource_type == ResourceType.CREDITS.value
    amount = form.amount.data
    if counted:
        if amount != amount.to_integral_value():
            raise ServiceError.on("amount", _("Credits are counted in whole units."))
        quantity = int(amount)
    else:
        quantity = int((amount * 60).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    return {"cohort": cohort, "startup": startup, "resource": resource, "resource_type": resource_type,
            "period": form.period.data, "amount": quantity}


def _set_allowance(form):
    return catalog_services.set_allowance(current_user, **_allowance_args(form))


@bp.route("/allowances", methods=["GET", "POST"])
@manager_required
def allowances():
    form = _allowance_form()
    if form.validate_on_submit() and attempt(form, _set_allowance, form) is not FAILED:
        flash(_("Allowance saved."), "success")
        return redirect(url_for("resources.allowances"))
    return render_template("resources/allowances.html", form=form, allowances=queries.allowances()), \
        (422 if form.errors else 200)


@bp.post("/allowances/<int:allowance_id>/delete")
@manager_required
def delete_allowance(allowance_id: int):
    perform(catalog_services.delete_allowance, current_user, db.get_or_404(Allowance, allowance_id))
    flash(_("Allowance removed."), "info")
    return redirect(url_for("resources.allowances"))


# Every booking ------------------------------------------------------------------------------------


@bp.get("/all-bookings")
@manager_required
def all_bookings():
    resource_id = request.args.get("resource_id", type=int)
    status = request.args.get("status", "")
    status = status if status in {s.value for s in BOOKING_STATUS_LABELS} else ""
    show = request.args.get("show", "upcoming")
    start = utcnow() if show == "upcoming" else None
    query = queries.all_bookings_query(resource_id=resource_id, status=status or None, start=start)
    if show != "upcoming":
        query = query.order_by(None).order_by(Booking.starts_at.desc(), Booking.id.desc())
    page, per_page = page_args(ALL_BOOKINGS_PAGE)
    bookings = db.paginate(query, page=page, per_page=per_page, error_out=False)
    args = {k: v for k, v in request.args.items() if k != "page"}
    return render_template("resources/all_bookings.html", bookings=bookings, resources=queries.catalog(True),
                           statuses=BOOKING_STATUS_LABELS, resource_id=resource_id, status=status, show=show,
                           args=args, cancel_form=forms.CancelForm(formdata=None), now=utcnow())
