"""How other domains learn that what they sold was paid for, or released unpaid.

A domain that charges for something (``resources`` for bookings beyond an allowance) registers its
``kind`` once at import time::

    register_fulfilment("resource_booking", on_paid=confirm_booking, on_released=release_booking)

``on_paid(subject_id, charge)`` runs in the same transaction that marks the charge paid (a Stripe webhook
or a manager's "mark paid offline"); ``on_released(subject_id, charge)`` runs in the same transaction that
lets an unpaid charge go (the 30-minute hold lapsed, the Checkout Session expired, an asynchronous payment
failed, a manager cancelled the charge from the payments page). Neither is called when the owning domain
itself calls ``services.cancel_charge``: it is already releasing its subject. Callbacks only flush; an
exception rolls the whole transaction back (a webhook then answers 500 and Stripe retries it).
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from incubator.billing.models import Charge

Callback = Callable[[int, "Charge"], None]


@dataclass(frozen=True)
class Fulfilment:
    on_paid: Callback
    on_released: Callback


_FULFILMENTS: dict[str, Fulfilment] = {}


def register_fulfilment(kind: str, *, on_paid: Callback, on_released: Callback) -> None:
    """Register what happens to ``kind``'s subjects when their charge is paid or released.

    :param kind: the charge kind, e.g. ``"resource_booking"`` (registering it again replaces the callbacks).
    :param on_paid: called with ``(subject_id, charge)`` when the charge becomes paid.
    :param on_released: called with ``(subject_id, charge)`` when an unpaid charge expires or is cancelled.
    """
    _FULFILMENTS[kind] = Fulfilment(on_paid, on_released)


def unregister_fulfilment(kind: str) -> None:
    """Forget ``kind``'s callbacks (tests)."""
    _FULFILMENTS.pop(kind, None)


def fulfilment_for(kind: str) -> Fulfilment | None:
    return _FULFILMENTS.get(kind)


def run_paid(charge: Charge) -> None:
    """Tell the owning domain its subject is paid for (no-op for kinds nobody registered)."""
    fulfilment = _FULFILMENTS.get(charge.kind)
    if fulfilment is not None:
        fulfilment.on_paid(charge.subject_id, charge)


def run_released(charge: Charge) -> None:
    """Tell the owning domain its unpaid subject is released."""
    fulfilment = _FULFILMENTS.get(charge.kind)
    if fulfilment is not None:
        fulfilment.on_released(charge.subject_id, charge)
