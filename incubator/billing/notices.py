"""Who hears about payments: founders when a bill is issued, paid or refunded; managers when a charge needs them.

Every message has a dedupe key per charge and event, so a webhook replay, a job rerun or a reconcile
never tells anyone twice. Messages go through ``notify`` (category ``payments``; in the recipient's
language, emailed after commit).
"""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from incubator.core.money import format_money
from incubator.core.urls import app_path
from incubator.notifications.services import notify
from incubator.progress.reminders import active_managers, founders_of


def _amount(charge) -> str:
    return format_money(charge.amount_minor, charge.currency)


def _tell_founders(charge, event: str, title, body) -> int:
    link = app_path("billing.startup_payments", startup_id=charge.startup_id)
    sent = 0
    for user in founders_of({charge.startup_id}).get(charge.startup_id, []):
        done = notify(user, "payments", title, body, link=link, dedupe_key=f"charge:{charge.id}:{event}:{user.id}")
        sent += done is not None
    return sent


def bill_issued(charge) -> int:
    """A monthly fee's bill for the founders (with how to pay)."""
    body = (_l("Pay it online from the Payments page before the due date.") if charge.invoice_url
            else _l("The incubator will send you an invoice; pay by bank transfer or in person."))
    return _tell_founders(charge, "issued", _l("New bill: %(description)s (%(amount)s)",
                                               description=charge.description, amount=_amount(charge)), body)


def payment_received(charge) -> int:
    return _tell_founders(charge, "paid", _l("Payment received: %(description)s (%(amount)s)",
                                             description=charge.description, amount=_amount(charge)),
                          _l("Thank you. The receipt is on the Payments page."))


def refund_sent(charge) -> int:
    return _tell_founders(charge, f"refund:{charge.refunded_minor}",
                          _l("Refund: %(description)s", description=charge.description),
                          _l("%(amount)s is on its way back to the card or account you paid with.",
                             amount=format_money(charge.refunded_minor, charge.currency)))


def attention_needed(charge) -> int:
    """Managers: a charge needs a person (a late payment whose refund failed, a failed invoice payment…)."""
    link = app_path("billing.view_charge", charge_id=charge.id)
    sent = 0
    for manager in active_managers():
        done = notify(manager, "payments", _l("A payment needs your attention: %(description)s",
                                              description=charge.description),
                      charge.attention_note, link=link,
                      dedupe_key=f"charge:{charge.id}:attention:{charge.updated_at:%Y%m%d%H%M%S}:{manager.id}")
        sent += done is not None
    return sent
