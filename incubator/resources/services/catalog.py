"""Managing the catalog: resources and their opening hours and photo, blackouts, training certifications
and allowances. Every change is audited."""
from __future__ import annotations

from datetime import datetime, time
from typing import IO

import sqlalchemy as sa
from flask_babel import gettext as _

from incubator.audit.services import record
from incubator.auth.models import Role, User
from incubator.cohorts.models import Cohort, Startup
from incubator.core.errors import ConflictError, ServiceError
from incubator.core.money import CURRENCIES
from incubator.core.uploads import save_image
from incubator.db import utcnow
from incubator.extensions import db
from incubator.resources.models import (
    HOLDING_STATUSES,
    Allowance,
    AllowancePeriod,
    Blackout,
    Booking,
    Certification,
    OpeningHours,
    Resource,
    ResourceType,
)
from incubator.resources.models.catalog import SLOT_CHOICES, BlackoutKind
from incubator.resources.services import unique_or_conflict
from incubator.resources.services.lifecycle import cancel_booking

FIELDS = ("name", "type", "description", "location", "capacity", "slot_minutes", "min_minutes", "max_minutes",
          "advance_days", "cancel_cutoff_hours", "requires_approval", "requires_training", "price_minor",
          "currency", "unit_label", "max_units")
MAX_AMOUNT = 10**9


def _problems(data: dict) -> dict[str, list[str]]:
    errors: dict[str, str] = {}

    def whole(name: str, low: int, high: int, message: str) -> None:
        value = data.get(name)
        if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
            errors[name] = message

    if not data["name"]:
        errors["name"] = _("Give the resource a name.")
    elif len(data["name"]) > 120:
        errors["name"] = _("Keep the name under 120 characters.")
    if len(data["location"]) > 160:
        errors["location"] = _("Keep the location under 160 characters.")
    if len(data["description"]) > 5000:
        errors["description"] = _("Keep the description under 5,000 characters.")
    whole("capacity", 1, 10000, _("Give how many people it holds (1 or more)."))
    if data.get("slot_minutes") not in SLOT_CHOICES:
        errors["slot_minutes"] = _("Choose 15, 30 or 60 minutes.")
    whole("min_minutes", 1, 7 * 24 * 60, _("Give the shortest booking in minutes."))
    whole("max_minutes", 1, 7 * 24 * 60, _("Give the longest booking in minutes."))
    if "min_minutes" not in errors and "max_minutes" not in errors and data["max_minutes"] < data["min_minutes"]:
        errors["max_minutes"] = _("The longest booking cannot be shorter than the shortest.")
    whole("advance_days", 1, 365, _("Give 1 to 365 days."))
    whole("cancel_cutoff_hours", 0, 720, _("Give 0 to 720 hours."))
    whole("price_minor", 0, 10**12, _("The price cannot be negative."))
    if data.get("currency") not in CURRENCIES:
        errors["currency"] = _("Choose USD or KHR.")
    if len(data["unit_label"]) > 40:
        errors["unit_label"] = _("Keep the unit under 40 characters.")
    if data.get("max_units") is not None:
        whole("max_units", 1, MAX_AMOUNT, _("Give at least 1, or leave it empty."))
    return {name: [message] for name, message in errors.items()}


def _clean_hours(hours: list[tuple[int, time, time]]) -> list[tuple[int, time, time]]:
    clean = sorted(set(hours))
    for weekday, opens, closes in clean:
        if not 0 <= weekday <= 6 or closes <= opens:
            raise ServiceError.on("hours", _("Each day's closing time must be after its opening time."))
    for (day_a, _opens_a, closes_a), (day_b, opens_b, _closes_b) in zip(clean, clean[1:], strict=False):
        if day_a == day_b and opens_b < closes_a:
            raise ServiceError.on("hours", _("A day's opening hours overlap."))
    return clean


def save_resource(actor: User, resource: Resource | None, data: dict, hours: list[tuple[int, time, time]],
                  photo: IO[bytes] | None = None) -> Resource:
    """Create (``resource`` is ``None``) or update a resource with its weekly opening hours and photo.

    :param data: the ``FIELDS`` (money as integer minor units in ``price_minor``).
    :param hours: ``(weekday, opens, closes)`` in the incubator's zone; ignored for counted resources.
    :param photo: an uploaded image (PNG, JPEG or WebP, checked by content), or ``None`` to keep the current one.
    :raises ServiceError: invalid fields; ``ConflictError``: the name is taken.
    """
    clean = {key: data.get(key) for key in FIELDS}
    for key in ("name", "description", "location", "unit_label"):
        clean[key] = (clean[key] or "").strip()
    clean["type"] = ResourceType(clean["type"])
    errors = _problems(clean)
    if errors:
        raise ServiceError(_("Please correct the highlighted fields."), errors)
    hours = [] if clean["type"] == ResourceType.CREDITS else _clean_hours(hours)
    taken = ConflictError.on("name", _("There is already a resource called “%(name)s”.", name=clean["name"]))
    same_name = sa.select(Resource.id).where(Resource.name == clean["name"])
    if resource is not None:
        same_name = same_name.where(Resource.id != resource.id)
    if db.session.scalar(same_name):
        raise taken
    creating = resource is None
    if creating:
        resource = Resource(created_by_id=actor.id)
    if photo is not None:
        resource.photo_path = save_image(photo, "resources", field="photo")
    with unique_or_conflict(taken):
        for key, value in clean.items():
            setattr(resource, key, value)
        if creating:
            db.session.add(resource)
    current = {(h.weekday, h.opens, h.closes): h for h in resource.hours}
    for key, row in current.items():
        if key not in hours:
            resource.hours.remove(row)
    db.session.flush()
    for weekday, opens, closes in hours:
        if (weekday, opens, closes) not in current:
            resource.hours.append(OpeningHours(weekday=weekday, opens=opens, closes=closes))
    db.session.flush()
    record(actor, "resource.created" if creating else "resource.updated", resource)
    return resource


def set_resource_active(actor: User, resource: Resource, active: bool) -> None:
    """Archive a resource (no new bookings; existing ones stay) or bring it back."""
    resource.is_active = active
    db.session.flush()
    record(actor, "resource.restored" if active else "resource.archived", resource)


# Blackouts -------------------------------------------------------------------------------------


def add_blackout(actor: User, resource: Resource | None, starts_at: datetime, ends_at: datetime, kind: str,
                 reason: str, cancel_clashing: bool = False) -> tuple[Blackout, list[Booking]]:
    """Close a resource (or every resource: ``None``) for a holiday or maintenance.

    :param cancel_clashing: cancel the bookings it overlaps, telling their people the reason.
    :return: the blackout and the bookings it overlaps (cancelled, or left for the manager to decide).
    """
    reason = (reason or "").strip()
    if starts_at is None or ends_at is None or ends_at <= starts_at:
        raise ServiceError.on("ends_at", _("The end must be after the start."))
    if len(reason) > 200:
        raise ServiceError.on("reason", _("Keep the reason under 200 characters."))
    blackout = Blackout(resource_id=resource.id if resource else None, kind=BlackoutKind(kind), starts_at=starts_at,
                        ends_at=ends_at, reason=reason, created_by_id=actor.id)
    db.session.add(blackout)
    db.session.flush()
    query = sa.select(Booking).where(Booking.status.in_(HOLDING_STATUSES), Booking.units.is_(None),
                                     Booking.starts_at < ends_at, Booking.ends_at > max(starts_at, utcnow()))
    if resource is not None:
        query = query.where(Booking.resource_id == resource.id)
    clashing = list(db.session.scalars(query.order_by(Booking.starts_at)))
    if cancel_clashing:
        text = reason or blackout.kind_label
        for booking in clashing:
            cancel_booking(actor, booking, _("Closed: %(reason)s", reason=text))
    record(actor, "blackout.added", blackout, label=resource.name if resource else _("Every resource"),
           reason=reason or None, cancelled=len(clashing) if cancel_clashing else None)
    return blackout, clashing


def delete_blackout(actor: User, blackout: Blackout) -> None:
    """Remove a blackout: the time is bookable again."""
    record(actor, "blackout.removed", blackout,
           label=blackout.resource.name if blackout.resource else _("Every resource"))
    db.session.delete(blackout)
    db.session.flush()


# Certifications --------------------------------------------------------------------------------


def certify(actor: User, resource: Resource, user: User, note: str = "") -> Certification:
    """Record that ``user`` (a founder) is trained to use ``resource``.

    :raises ConflictError: already certified; ``ServiceError``: not a founder's account.
    """
    if user.role != Role.FOUNDER or not user.is_active:
        raise ServiceError.on("user_id", _("Only active founder accounts need certifying; managers may book "
                                           "every resource."))
    taken = ConflictError.on("user_id", _("%(name)s is already certified for %(resource)s.", name=user.name,
                                          resource=resource.name))
    if db.session.scalar(sa.select(Certification.id).where(Certification.resource_id == resource.id,
                                                           Certification.user_id == user.id)):
        raise taken
    certification = Certification(resource_id=resource.id, user_id=user.id, certified_by_id=actor.id,
                                  note=(note or "").strip()[:255])
    with unique_or_conflict(taken):
        db.session.add(certification)
    record(actor, "certification.granted", resource, user=user.email)
    return certification


def revoke_certification(actor: User, certification: Certification) -> None:
    """Withdraw a certification; bookings already made are kept."""
    record(actor, "certification.revoked", certification.resource, user=certification.user.email)
    db.session.delete(certification)
    db.session.flush()


# Allowances ----------------------------------------------------------------------------------------


def set_allowance(actor: User, *, cohort: Cohort | None, startup: Startup | None, resource: Resource | None,
                  resource_type: str | None, period: str, amount: int) -> Allowance:
    """Set (create or change) the allowance for a cohort's startups or one startup, on a resource or a type.

    :param amount: minutes for timed resources, units for counted ones.
    :raises ServiceError: scope or target missing or both given, or a negative amount.
    """
    if (cohort is None) == (startup is None):
        raise ServiceError.on("scope", _("Choose a cohort or a startup."))
    if (resource is None) == (not resource_type):
        raise ServiceError.on("target", _("Choose a resource or a type of resource."))
    if not isinstance(amount, int) or isinstance(amount, bool) or not 0 <= amount <= MAX_AMOUNT:
        raise ServiceError.on("amount", _("Give an amount of 0 or more."))
    period = AllowancePeriod(period)
    key = Allowance.make_key(cohort.id if cohort else None, startup.id if startup else None,
                             resource.id if resource else None, resource_type, period)
    allowance = db.session.scalar(sa.select(Allowance).where(Allowance.key == key))
    if allowance is None:
        allowance = Allowance(key=key, cohort_id=cohort.id if cohort else None,
                              startup_id=startup.id if startup else None, resource_id=resource.id if resource else None,
                              resource_type=ResourceType(resource_type) if resource_type else None, period=period,
                              amount=amount, created_by_id=actor.id)
        with unique_or_conflict(ConflictError(_("Someone else has just set this allowance. Reload the page."))):
            db.session.add(allowance)
    else:
        allowance.amount = amount
        db.session.flush()
    record(actor, "allowance.set", allowance, label=allowance.key, amount=amount)
    return allowance


def delete_allowance(actor: User, allowance: Allowance) -> None:
    """Remove an allowance (free resources become unlimited for that scope, priced ones fully paid)."""
    record(actor, "allowance.removed", allowance, label=allowance.key)
    db.session.delete(allowance)
    db.session.flush()
