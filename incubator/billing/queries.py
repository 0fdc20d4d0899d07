"""Reading payments for the pages and the CSV: filtered, paginated, a fixed number of queries.

``payments_select`` is the one filtered query behind the managers' payments page, its totals and its
CSV; ``startup_payments`` gathers a startup's charges and fees for its Payments page.
"""
from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import joinedload

from incubator.billing.models import (
    CHARGE_STATUS_LABELS,
    KIND_MONTHLY_FEE,
    Charge,
    ChargeStatus,
    MonthlyFee,
    overdue_clause,
)
from incubator.cohorts.models import Cohort, Startup, StartupStatus
from incubator.core.money import from_minor
from incubator.core.timeutil import local_to_utc, utc_to_local_naive
from incubator.extensions import db

# Filters beyond the stored statuses.
OVERDUE, ATTENTION = "overdue", "attention"
PAGE_SIZE = 50


@dataclass
class PaymentFilters:
    status: str = ""
    startup_id: int | None = None
    kind: str = ""
    created_from: date | None = None
    created_to: date | None = None
    search: str = ""

    def as_args(self) -> dict:
        """The filters as query-string arguments (for pager and CSV links)."""
        values = {"status": self.status, "startup_id": self.startup_id, "kind": self.kind,
                  "from": self.created_from.isoformat() if self.created_from else None,
                  "to": self.created_to.isoformat() if self.created_to else None, "q": self.search}
        return {key: value for key, value in values.items() if value}


def parse_filters(args) -> PaymentFilters:
    """Filters from the query string; anything unparsable is ignored rather than refused."""
    statuses = {s.value for s in ChargeStatus} | {OVERDUE, ATTENTION}
    status = args.get("status", "")
    return PaymentFilters(
        status=status if status in statuses else "",
        startup_id=args.get("startup_id", type=int),
        kind=(args.get("kind") or "")[:40],
        created_from=_date(args.get("from")),
        created_to=_date(args.get("to")),
        search=(args.get("q") or "").strip()[:100],
    )


def _date(raw: str | None) -> date | None:
    try:
        return date.fromisoformat(raw) if raw else None
    except ValueError:
        return None


def payments_select(filters: PaymentFilters, now: datetime) -> sa.Select:
    """Charges matching ``filters``, newest first, with their startup loaded in the same query."""
    query = sa.select(Charge).options(joinedload(Charge.startup))
    if filters.status == OVERDUE:
        query = query.where(overdue_clause(now))
    elif filters.status == ATTENTION:
        query = query.where(Charge.needs_attention.is_(True))
    elif filters.status:
        query = query.where(Charge.status == ChargeStatus(filters.status))
    if filters.startup_id:
        query = query.where(Charge.startup_id == filters.startup_id)
    if filters.kind:
        query = query.where(Charge.kind == filters.kind)
    if filters.created_from:
        query = query.where(Charge.created_at >= local_to_utc(datetime.combine(filters.created_from, time(0))))
    if filters.created_to:
        end = datetime.combine(filters.created_to + timedelta(days=1), time(0))
        query = query.where(Charge.created_at < local_to_utc(end))
    if filters.search:
        pattern = f"%{filters.search.lower()}%"
        query = query.join(Startup, Startup.id == Charge.startup_id).where(sa.or_(
            sa.func.lower(Charge.description).like(pattern), sa.func.lower(Startup.name).like(pattern),
            sa.func.lower(Charge.offline_reference).like(pattern),
            Charge.stripe_checkout_session_id == filters.search, Charge.stripe_payment_intent_id == filters.search,
            Charge.stripe_invoice_id == filters.search))
    return query.order_by(Charge.created_at.desc(), Charge.id.desc())


@dataclass
class Totals:
    """Sums per currency over the filtered charges (one aggregate query)."""

    by_currency: dict[str, dict[str, int]] = field(default_factory=dict)


def payment_totals(filters: PaymentFilters, now: datetime) -> Totals:
    filtered = payments_select(filters, now).order_by(None).options().subquery()
    paid = sa.case((filtered.c.status.in_([s.value for s in (ChargeStatus.PAID, ChargeStatus.REFUNDED,
                                                                 ChargeStatus.PARTIALLY_REFUNDED)]),
                    filtered.c.amount_minor), else_=0)
    unpaid = sa.case((filtered.c.status.in_([ChargeStatus.TO_INVOICE.value, ChargeStatus.AWAITING_PAYMENT.value]),
                      filtered.c.amount_minor), else_=0)
    rows = db.session.execute(
        sa.select(filtered.c.currency, sa.func.count(), sa.func.sum(paid), sa.func.sum(filtered.c.refunded_minor),
                  sa.func.sum(unpaid)).group_by(filtered.c.currency).order_by(filtered.c.currency)
    ).all()
    return Totals({currency: {"count": count, "received": int(received or 0), "refunded": int(refunded or 0),
                              "outstanding": int(outstanding or 0)}
                   for currency, count, received, refunded, outstanding in rows})


def kinds_in_use() -> list[str]:
    return list(db.session.scalars(sa.select(Charge.kind).distinct().order_by(Charge.kind)))


def startup_choices(active_only: bool = False) -> list[tuple[int, str]]:
    """``(id, "name (cohort)")`` for select boxes, by name (one query)."""
    query = sa.select(Startup.id, Startup.name, Cohort.name).join(Cohort, Cohort.id == Startup.cohort_id)
    if active_only:
        query = query.where(Startup.status == StartupStatus.ACTIVE)
    return [(startup_id, f"{name} ({cohort})") for startup_id, name, cohort in
            db.session.execute(query.order_by(Startup.name, Cohort.starts_on.desc()))]


def overdue_summary(now: datetime) -> tuple[int, int]:
    """(overdue charges, startups concerned) for the manager dashboard (one query)."""
    count, startups = db.session.execute(
        sa.select(sa.func.count(Charge.id), sa.func.count(sa.distinct(Charge.startup_id))).where(overdue_clause(now))
    ).one()
    return count, startups


def awaiting_count(startup_id: int) -> int:
    return db.session.scalar(sa.select(sa.func.count(Charge.id)).where(
        Charge.startup_id == startup_id, Charge.status == ChargeStatus.AWAITING_PAYMENT)) or 0


def attention_count() -> int:
    return db.session.scalar(sa.select(sa.func.count(Charge.id)).where(Charge.needs_attention.is_(True))) or 0


@dataclass
class StartupPayments:
    charges: list[Charge]
    fees: list[MonthlyFee]
    fee_charges: dict[int, list[Charge]]


def startup_payments(startup: Startup, limit: int = 200) -> StartupPayments:
    """A startup's charges (newest first, bounded) and monthly fees with their bills (two queries)."""
    charges = list(db.session.scalars(
        sa.select(Charge).where(Charge.startup_id == startup.id)
        .order_by(Charge.created_at.desc(), Charge.id.desc()).limit(limit)
    ))
    fees = list(db.session.scalars(
        sa.select(MonthlyFee).where(MonthlyFee.startup_id == startup.id)
        .order_by(MonthlyFee.active.desc(), MonthlyFee.id)
    ))
    fee_charges: dict[int, list[Charge]] = {fee.id: [] for fee in fees}
    for charge in charges:
        if charge.kind == KIND_MONTHLY_FEE and charge.subject_id in fee_charges:
            fee_charges[charge.subject_id].append(charge)
    return StartupPayments(charges, fees, fee_charges)


# CSV -------------------------------------------------------------------------------------------------

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def _when(value) -> str:
    local = utc_to_local_naive(value)
    return local.strftime("%Y-%m-%d %H:%M") if local else ""


def payments_csv(filters: PaymentFilters, now: datetime) -> Iterator[str]:
    """The filtered charges as CSV text chunks (UTF-8 with BOM, viewer's time zone), read 500 rows at a time."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")

    def flush() -> str:
        text = out.getvalue()
        out.seek(0)
        out.truncate()
        return text

    writer.writerow([_("Charge"), _("Created"), _("Startup"), _("Kind"), _("Subject"), _("Month"), _("Description"),
                     _("Currency"), _("Amount"), _("Status"), _("Overdue"), _("Paid at"), _("Refunded"), _("Net"),
                     _("Offline reference"), _("Stripe Checkout Session"), _("Stripe PaymentIntent"),
                     _("Stripe invoice")])
    yield "\ufeff" + flush()
    rows = db.session.execute(payments_select(filters, now).execution_options(yield_per=500)).scalars()
    for index, charge in enumerate(rows, 1):
        writer.writerow([_cell(v) for v in (
            charge.id, _when(charge.created_at), charge.startup.name, charge.kind, charge.subject_id,
            charge.period, charge.description, charge.currency, from_minor(charge.amount_minor, charge.currency),
            CHARGE_STATUS_LABELS[charge.status], _("yes") if charge.is_overdue(now) else "", _when(charge.paid_at),
            from_minor(charge.refunded_minor, charge.currency), from_minor(charge.net_minor, charge.currency),
            charge.offline_reference, charge.stripe_checkout_session_id, charge.stripe_payment_intent_id,
            charge.stripe_invoice_id)])
        if index % 500 == 0:
            yield flush()
    yield flush()
