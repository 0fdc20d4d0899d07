"""The ledger of one grant as CSV, for the finance team and donor reports.

Same conventions as the progress exports (``progress.exports.to_csv``): UTF-8 with a byte-order mark,
headers in the viewer's language, times in the viewer's time zone, formula-like text neutralised.
Amounts are exact, positive decimal numbers in the grant's currency (``1500.50``, riel without decimals):
money paid out and money reversed have a column each, so no cell starts with a minus sign (which the
formula guard would otherwise turn into text).
"""
from __future__ import annotations

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import joinedload

from incubator.core.timeutil import utc_to_local_naive
from incubator.extensions import db
from incubator.grants.models import Grant, LedgerEntry
from incubator.grants.services import to_major
from incubator.progress.exports import to_csv


def _major(amount_minor: int, currency: str) -> str:
    return str(to_major(amount_minor, currency))


def ledger_csv(grant: Grant) -> str:
    """One line per ledger entry, in order, with the running balance (one query)."""
    entries = db.session.scalars(
        sa.select(LedgerEntry).where(LedgerEntry.grant_id == grant.id).order_by(LedgerEntry.seq)
        .options(joinedload(LedgerEntry.recorded_by), joinedload(LedgerEntry.reverses))
    )
    tranches = {t.id: t for t in grant.tranches}
    header = [_("No."), _("Date"), _("Kind"), _("Tranche"), _("Reference"), _("Paid out"), _("Reversed"), _("Currency"),
              _("Balance after"), _("Reverses no."), _("Note or reason"), _("Paid early because"), _("Receipt"),
              _("Recorded by"), _("Recorded at")]

    def row(entry: LedgerEntry) -> list:
        local = utc_to_local_naive(entry.recorded_at)
        return [entry.seq, entry.paid_on.isoformat(), entry.kind_label, tranches[entry.tranche_id].name,
                entry.reference, "" if entry.is_reversal else _major(entry.amount_minor, grant.currency),
                _major(-entry.amount_minor, grant.currency) if entry.is_reversal else "", grant.currency,
                _major(entry.balance_after_minor, grant.currency), entry.reverses.seq if entry.reverses else None,
                entry.note, entry.early_reason, entry.receipt_name if entry.receipt_path else "",
                entry.recorded_by.name if entry.recorded_by else "", local.strftime("%Y-%m-%d %H:%M")]

    return to_csv(header, (row(entry) for entry in entries))
