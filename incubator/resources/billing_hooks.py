"""Registers the resources domain with billing: what paying for a booking, or not paying in time, does.

Imported when the app starts (by ``incubator.resources.views``), so the web app, the scheduler and the
Stripe webhook all know the kinds ``resource_booking`` and ``resource_series``.
"""
from __future__ import annotations

import sqlalchemy as sa

from incubator.billing.hooks import register_fulfilment
from incubator.extensions import db
from incubator.resources.models import Booking
from incubator.resources.payments import KIND_BOOKING, KIND_SERIES
from incubator.resources.services.lifecycle import confirm_paid, release_unpaid


def _bookings(kind: str, subject_id: int) -> list[Booking]:
    column = Booking.series_id if kind == KIND_SERIES else Booking.id
    return list(db.session.scalars(sa.select(Booking).where(column == subject_id).order_by(Booking.starts_at)
                                   .with_for_update()))


def _paid(kind: str):
    return lambda subject_id, charge: confirm_paid(_bookings(kind, subject_id))


def _released(kind: str):
    return lambda subject_id, charge: release_unpaid(_bookings(kind, subject_id))


def register() -> None:
    """Register both charge kinds (safe to call again)."""
    for kind in (KIND_BOOKING, KIND_SERIES):
        register_fulfilment(kind, on_paid=_paid(kind), on_released=_released(kind))


register()
