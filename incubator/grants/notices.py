"""What founders and managers are told about grants (category ``grants``), in each reader's language.

Amounts are formatted when the message is rendered for its recipient (``LazyString``), so a Khmer reader
gets Khmer number formatting. Dedupe keys make every message safe to repeat (a retried request, a rerun
job): one message per ledger entry and founder, one per tranche condition and founder.
"""
from __future__ import annotations

import hashlib
from collections.abc import Sequence

from flask_babel import LazyString, format_date, get_locale, lazy_ngettext
from flask_babel import lazy_gettext as _l

from incubator.auth.models import User
from incubator.core.money import format_money
from incubator.core.urls import app_path
from incubator.grants.models import LedgerEntry, Tranche, Unlock
from incubator.notifications.services import notify
from incubator.progress.reminders import active_managers, founders_of

CATEGORY = "grants"


def lazy_money(amount_minor: int, currency: str) -> LazyString:
    """An amount formatted in the locale active when it is rendered (the recipient's)."""
    return LazyString(lambda: format_money(amount_minor, currency, str(get_locale() or "en")))


def lazy_date(day) -> LazyString:
    """A date in the recipient's language."""
    return LazyString(lambda: format_date(day, "medium") if day else "")


def _lazy_name(tranche: Tranche) -> LazyString:
    return LazyString(lambda: tranche.name)


def _founders(startup_id: int) -> list[User]:
    return founders_of({startup_id}).get(startup_id, [])


def tell_disbursed(entry: LedgerEntry) -> int:
    """Tell the startup's founders that money was sent (or, for a reversal, taken back).

    :return: how many founders were told.
    """
    grant, tranche = entry.grant, entry.tranche
    link = app_path("grants.view_grant", grant_id=grant.id)
    amount = lazy_money(abs(entry.amount_minor), grant.currency)
    if entry.is_reversal:
        title = _l("Grant payment reversed: %(amount)s (%(tranche)s)", amount=amount, tranche=_lazy_name(tranche))
        body = _l("The incubator team reversed payment no. %(number)d of %(title)s. Reason: %(reason)s",
                  number=entry.reverses.seq, title=grant.title, reason=entry.note)
    else:
        title = _l("%(amount)s of your grant was sent (%(tranche)s)", amount=amount, tranche=_lazy_name(tranche))
        body = _l("Paid on %(day)s, reference %(reference)s. %(left)s of %(title)s is still to come.",
                  day=lazy_date(entry.paid_on), reference=entry.reference,
                  left=lazy_money(entry.balance_after_minor, grant.currency), title=grant.title)
    told = 0
    for user in _founders(grant.startup_id):
        told += notify(user, CATEGORY, title, body, link=link, dedupe_key=f"grant-entry:{entry.id}:{user.id}") \
            is not None
    return told


def _condition_key(tranche: Tranche) -> str:
    condition = f"m{tranche.milestone_id}" if tranche.unlock == Unlock.MILESTONE else f"d{tranche.due_on}"
    return f"{tranche.id}:{condition}"


def _because(tranche: Tranche):
    if tranche.unlock == Unlock.MILESTONE and tranche.milestone is not None:
        return _l("the milestone “%(title)s” was verified", title=tranche.milestone.title)
    return _l("its date (%(day)s) has come", day=lazy_date(tranche.due_on))


def tell_payable(tranches: Sequence[Tranche], job_name: str) -> int:
    """Tell each startup's founders that a tranche became payable, and each manager once about all of them.

    :param tranches: tranches with their grant, startup and milestone loaded.
    :return: how many messages were written.
    """
    founders = founders_of({t.grant.startup_id for t in tranches})
    sent = 0
    for tranche in tranches:
        grant = tranche.grant
        title = _l("%(tranche)s of your grant is now payable: %(amount)s", tranche=_lazy_name(tranche),
                   amount=lazy_money(tranche.left_minor, grant.currency))
        body = _l("It unlocked because %(because)s. The incubator team will now transfer it.",
                  because=_because(tranche))
        for user in founders.get(grant.startup_id, []):
            sent += notify(user, CATEGORY, title, body, link=app_path("grants.view_grant", grant_id=grant.id),
                           dedupe_key=f"{job_name}:tranche:{_condition_key(tranche)}:{user.id}") is not None
    if not tranches:
        return sent
    names = LazyString(lambda: "; ".join(
        f"{t.grant.startup.name}: {t.name} ({format_money(t.left_minor, t.grant.currency, str(get_locale() or 'en'))})"
        for t in tranches))
    digest = hashlib.sha256(",".join(_condition_key(t) for t in tranches).encode()).hexdigest()[:24]
    title = lazy_ngettext("%(num)d grant tranche is now payable", "%(num)d grant tranches are now payable",
                          len(tranches))
    body = _l("Ready to transfer: %(names)s", names=names)
    for manager in active_managers():
        sent += notify(manager, CATEGORY, title, body, link=app_path("grants.overview"),
                       dedupe_key=f"{job_name}:managers:{digest}:{manager.id}") is not None
    return sent
