"""The grant ledger: recording disbursements, reversing an entry, attaching a receipt.

Rules (decided for issue 5, also shown to managers on the pages):

- Every disbursement pays one tranche. A tranche is never paid beyond its amount (it may be paid in
  several parts); paying ahead means paying the next tranche early, which needs a reason (below).
- A tranche whose milestone is not verified, or whose date has not come, is not payable. Paying it
  anyway needs an ``early_reason``, which is kept on the entry and in the audit log.
- The balance (total minus disbursed) never goes below zero. Every write takes the grant's row lock
  first, and the database CHECKs on the running totals refuse an overdraw in any case.
- Nothing is deleted or edited. A mistake is reversed by a counter-entry that names the entry it
  reverses and gives a reason; an entry is reversed at most once, and a reversal is never reversed
  (record a new disbursement instead).
"""
from __future__ import annotations

import sqlite3
from datetime import date
from typing import IO

import sqlalchemy as sa
from flask_babel import gettext as _

from incubator.audit.services import record
from incubator.auth.models import User
from incubator.core.errors import ConflictError, ServiceError
from incubator.core.money import format_money
from incubator.core.uploads import save_evidence
from incubator.db import is_unique_violation, utcnow
from incubator.extensions import db
from incubator.grants import notices
from incubator.grants.models import EntryKind, Grant, LedgerEntry, Tranche, Unlock
from incubator.grants.services import amount_to_minor, lock_grant
from incubator.progress.periods import local_today

RECEIPTS = "grant-receipts"


def is_check_violation(exc: Exception) -> bool:
    """True when a database error is a CHECK constraint violation (PostgreSQL 23514, SQLite "CHECK")."""
    orig = getattr(exc, "orig", exc)
    if (getattr(orig, "sqlstate", None) or getattr(orig, "pgcode", None)) == "23514":
        return True
    return isinstance(orig, sqlite3.IntegrityError) and "CHECK constraint" in str(orig)


def _check_day(day, field: str, today: date, not_before: date | None = None) -> date:
    if not isinstance(day, date):
        raise ServiceError.on(field, _("Give the date the money moved."))
    if day > today:
        raise ServiceError.on(field, _("The date cannot be in the future."))
    if day.year < 2000:
        raise ServiceError.on(field, _("Give a date after the year 2000."))
    if not_before is not None and day < not_before:
        raise ServiceError.on(field, _("The date cannot be before the payment it reverses (%(day)s).",
                                       day=not_before.isoformat()))
    return day


def _text(value, field: str, limit: int, required: str | None = None) -> str:
    text = (value or "").strip()
    if required and not text:
        raise ServiceError.on(field, required)
    if len(text) > limit:
        raise ServiceError.on(field, _("Keep it under %(n)d characters.", n=limit))
    return text


def _receipt_name(filename: str) -> str:
    return (filename or "").replace("\\", "/").rsplit("/", 1)[-1].strip()[:200] or _("receipt")


def _append(grant: Grant, tranche: Tranche, kind: EntryKind, amount_minor: int, actor: User, **fields) -> LedgerEntry:
    """Add the next numbered entry and move both running totals (the caller holds the grant's lock)."""
    grant.entry_count += 1
    grant.disbursed_minor += amount_minor
    tranche.disbursed_minor += amount_minor
    entry = LedgerEntry(grant_id=grant.id, tranche_id=tranche.id, seq=grant.entry_count, kind=kind,
                        amount_minor=amount_minor, balance_after_minor=grant.remaining_minor,
                        recorded_by_id=actor.id, recorded_at=utcnow(), **fields)
    db.session.add(entry)
    try:
        # The unique keys (grant_id, seq) and reverses_id are the last word if two writers got this far.
        with db.session.begin_nested():
            db.session.flush()
    except sa.exc.IntegrityError as exc:
        if is_unique_violation(exc):
            raise ConflictError(_("Someone else just changed this ledger. Reload the page and check.")) from exc
        if is_check_violation(exc):
            raise ConflictError(_("That would take the grant's balance below zero.")) from exc
        raise
    return entry


def _unlock_text(tranche: Tranche) -> str:
    if tranche.unlock == Unlock.DATE:
        return _("it can be paid from %(day)s", day=tranche.due_on.isoformat())
    if tranche.milestone is None:
        return _("its milestone was removed from the startup's plan")
    return _("it unlocks when “%(title)s” is verified", title=tranche.milestone.title)


def record_disbursement(actor: User, grant: Grant, data: dict, receipt: tuple[IO[bytes], str] | None = None,
                        today: date | None = None) -> LedgerEntry:
    """Record money sent to the startup against one tranche, and tell the founders.

    :param data: ``tranche_id``, ``amount`` (major units of the grant's currency), ``paid_on`` (a date, not
        in the future), ``reference`` (the bank or cash reference, required), ``note`` (optional) and
        ``early_reason`` (required only when the tranche is not payable yet).
    :param receipt: an optional ``(stream, filename)``: a PDF, PNG, JPEG or WebP checked by content.
    :param today: the incubator's date (defaults to today in Asia/Phnom_Penh).
    :return: the new entry.
    :raises ServiceError: a field is missing or wrong.
    :raises ConflictError: more than is left on the tranche, or the tranche is not payable and no reason given.
    """
    today = today or local_today()
    grant = lock_grant(grant.id)
    tranche = next((t for t in grant.tranches if t.id == data.get("tranche_id")), None)
    if tranche is None:
        raise ServiceError.on("tranche_id", _("Choose one of this grant's tranches."))
    amount = amount_to_minor(data.get("amount"), grant.currency, "amount")
    paid_on = _check_day(data.get("paid_on"), "paid_on", today)
    reference = _text(data.get("reference"), "reference", 120,
                      _("Give the bank transfer or receipt reference, so the payment can be traced."))
    note = _text(data.get("note"), "note", 2000)
    early_reason = _text(data.get("early_reason"), "early_reason", 2000)
    if tranche.left_minor <= 0:
        raise ConflictError.on("tranche_id", _("%(tranche)s is already paid in full.", tranche=tranche.name))
    if amount > tranche.left_minor:
        raise ConflictError.on("amount", _(
            "Only %(left)s of %(tranche)s (%(amount)s) is left to pay. A tranche is never paid beyond its amount; "
            "pay the rest from the next tranche.", tranche=tranche.name,
            left=format_money(tranche.left_minor, grant.currency),
            amount=format_money(tranche.amount_minor, grant.currency)))
    if amount > grant.remaining_minor:  # implied by the tranche rule; kept so the ledger can never go negative
        raise ConflictError.on("amount", _("That is more than the grant's balance of %(left)s.",
                                           left=format_money(grant.remaining_minor, grant.currency)))
    payable = tranche.is_unlocked(today)
    if not payable and not early_reason:
        raise ConflictError.on("early_reason", _(
            "%(tranche)s is not payable yet: %(why)s. To pay it early, give the reason.",
            tranche=tranche.name, why=_unlock_text(tranche)))
    path, name = None, ""
    if receipt is not None:
        path, name = save_evidence(receipt[0], RECEIPTS, field="receipt"), _receipt_name(receipt[1])
    entry = _append(grant, tranche, EntryKind.DISBURSEMENT, amount, actor, paid_on=paid_on, reference=reference,
                    note=note, early_reason="" if payable else early_reason, receipt_path=path, receipt_name=name)
    if tranche.payable_notified_at is None:
        tranche.payable_notified_at = utcnow()  # money sent says more than "payable"; the job stays quiet
    db.session.flush()
    record(actor, "grant.disbursed", grant, label=grant.startup.name, entry=entry.seq, tranche=tranche.position,
           amount=format_money(amount, grant.currency), reference=reference, paid_on=paid_on.isoformat(),
           early_reason=early_reason if not payable else None)
    notices.tell_disbursed(entry)
    return entry


def reverse_entry(actor: User, entry: LedgerEntry, reason: str, on: date | None = None,
                  today: date | None = None) -> LedgerEntry:
    """Cancel a disbursement with a counter-entry of the opposite amount, and tell the founders.

    :param reason: why (required): kept on the reversal, shown to the founders and in the audit log.
    :param on: the day the money came back or the payment was cancelled (default today; not in the future).
    :return: the reversal entry.
    :raises ConflictError: the entry is itself a reversal, or was already reversed.
    """
    today = today or local_today()
    grant = lock_grant(entry.grant_id)
    entry = db.session.scalar(sa.select(LedgerEntry).where(LedgerEntry.id == entry.id)
                              .execution_options(populate_existing=True))
    if entry.is_reversal:
        raise ConflictError(_("A reversal cannot be reversed. If the payment should stand, record it again as a "
                              "new disbursement."))
    earlier = db.session.scalar(sa.select(LedgerEntry.seq).where(LedgerEntry.reverses_id == entry.id))
    if earlier is not None:
        raise ConflictError(_("Entry no. %(seq)d was already reversed by entry no. %(by)d.", seq=entry.seq, by=earlier))
    reason = _text(reason, "reason", 2000, _("Say why this payment is reversed."))
    day = _check_day(on or today, "reversed_on", today, not_before=entry.paid_on)
    tranche = next(t for t in grant.tranches if t.id == entry.tranche_id)
    reversal = _append(grant, tranche, EntryKind.REVERSAL, -entry.amount_minor, actor, paid_on=day,
                       reference=entry.reference, note=reason, reverses_id=entry.id)
    record(actor, "grant.reversed", grant, label=grant.startup.name, entry=reversal.seq, reverses=entry.seq,
           amount=format_money(entry.amount_minor, grant.currency), reason=reason)
    notices.tell_disbursed(reversal)
    return reversal


def attach_receipt(actor: User, entry: LedgerEntry, stream: IO[bytes], filename: str) -> LedgerEntry:
    """Add the receipt of a disbursement recorded without one (receipts often arrive days later).

    :raises ConflictError: the entry already has a receipt (a ledger entry is never changed).
    :raises ServiceError: the file is not a PDF or an image, is empty or too large.
    """
    lock_grant(entry.grant_id)
    entry = db.session.scalar(sa.select(LedgerEntry).where(LedgerEntry.id == entry.id)
                              .execution_options(populate_existing=True))
    if entry.receipt_path:
        raise ConflictError(_("This entry already has a receipt; it cannot be replaced."))
    entry.receipt_path = save_evidence(stream, RECEIPTS, field="receipt")
    entry.receipt_name = _receipt_name(filename)
    db.session.flush()
    record(actor, "grant.receipt_added", entry.grant, label=entry.grant.startup.name, entry=entry.seq,
           file=entry.receipt_name)
    return entry
