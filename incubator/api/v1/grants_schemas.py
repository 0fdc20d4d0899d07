"""Pydantic models for the grant endpoints (grants, tranches, ledger entries, cohort totals).

Amounts travel in major units of the grant's currency as decimal strings or numbers (``"2500.50"``,
riel without decimals) and come back both ways: ``amount`` (a decimal string) and ``amount_minor``
(an exact integer of cents or riel). A fraction the currency cannot hold is a 422, never rounded.
"""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import Field

from incubator.api.v1.schemas import Id, Input, LongText, Output, Page, PageQuery, optional
from incubator.grants.models import EntryKind, Grant, LedgerEntry, Tranche, TrancheState, Unlock
from incubator.grants.reporting import Totals
from incubator.grants.services import MAX_MINOR, to_major
from incubator.progress.models import MilestoneStatus

Amount = Annotated[Decimal, Field(gt=0, le=Decimal(MAX_MINOR), description="In major units of the grant's "
                                  "currency: USD with at most 2 decimals, KHR without decimals.")]
Title = Annotated[str, Field(min_length=1, max_length=120)]
Reason = Annotated[str, Field(max_length=2000)]
Currency = Literal["USD", "KHR"]


# Input ------------------------------------------------------------------------------------------


class TrancheIn(Input):
    label: Annotated[str, Field(max_length=120)] = ""
    amount: Amount
    unlock: Unlock = Field(description="milestone: payable once the milestone is verified; date: from due_on.")
    milestone_id: Id | None = Field(None, description="With unlock=milestone: one of the startup's milestones.")
    due_on: date | None = Field(None, description="With unlock=date: the first day it can be paid.")


class GrantIn(Input):
    title: Title
    currency: Currency
    total: Amount
    conditions: LongText = ""
    tranches: list[TrancheIn] = Field(min_length=1, max_length=12,
                                      description="In payment order; the amounts must add up to the total.")


class GrantPatch(Input):
    title: Title = optional()
    currency: Currency = optional()
    total: Amount = optional()
    conditions: LongText = optional()
    tranches: list[TrancheIn] = optional(min_length=1, max_length=12,
                                         description="Replaces the whole plan; must add up to the total.")


class DisbursementIn(Input):
    tranche_id: Id
    amount: Amount
    paid_on: date = Field(description="The day the money was sent (not in the future).")
    reference: Title = Field(description="The bank transfer or cash receipt reference.")
    note: Reason = ""
    early_reason: Reason = Field("", description="Required when the tranche is not payable yet (else 409).")


class ReversalIn(Input):
    reason: Annotated[str, Field(min_length=1, max_length=2000)]
    reversed_on: date | None = Field(None, description="When the money came back; default today.")


class ReceiptUpload(Input):
    """The multipart form carries only the file."""


class GrantListQuery(PageQuery):
    cohort_id: Id | None = None


# Output -----------------------------------------------------------------------------------------


def _major(amount_minor: int, currency: str) -> Decimal:
    return to_major(amount_minor, currency)


class MilestoneRef(Output):
    id: int
    title: str
    due_on: date
    status: MilestoneStatus
    verification: str = Field(description="none, pending, verified or sent_back.")


class TrancheOut(Output):
    id: int
    position: int
    name: str
    label: str
    amount: Decimal
    amount_minor: int
    disbursed_minor: int
    left_minor: int = Field(description="Still to be paid on this tranche.")
    unlock: Unlock
    milestone: MilestoneRef | None = Field(description="With unlock=milestone; null if it was removed.")
    due_on: date | None
    payable: bool = Field(description="Derived: unlocked (milestone verified or date reached) and not fully paid.")
    state: TrancheState
    state_label: str

    @classmethod
    def of(cls, tranche: Tranche, currency: str, today: date) -> TrancheOut:
        m = tranche.milestone
        return cls(
            id=tranche.id, position=tranche.position, name=tranche.name, label=tranche.label,
            amount=_major(tranche.amount_minor, currency), amount_minor=tranche.amount_minor,
            disbursed_minor=tranche.disbursed_minor, left_minor=tranche.left_minor, unlock=tranche.unlock,
            milestone=MilestoneRef(id=m.id, title=m.title, due_on=m.due_on, status=m.status,
                                   verification=m.verification.value) if m else None,
            due_on=tranche.due_on, payable=tranche.left_minor > 0 and tranche.is_unlocked(today),
            state=tranche.state(today), state_label=tranche.state_label(today),
        )


class GrantSummary(Output):
    id: int
    startup_id: int
    startup_name: str
    cohort_id: int
    title: str
    currency: str
    total: Decimal
    total_minor: int
    disbursed_minor: int
    remaining_minor: int
    plan_locked: bool = Field(description="True once money was disbursed: the plan can no longer change.")

    @classmethod
    def fields_of(cls, grant: Grant) -> dict:
        return dict(
            id=grant.id, startup_id=grant.startup_id, startup_name=grant.startup.name,
            cohort_id=grant.startup.cohort_id, title=grant.title, currency=grant.currency,
            total=_major(grant.total_minor, grant.currency), total_minor=grant.total_minor,
            disbursed_minor=grant.disbursed_minor, remaining_minor=grant.remaining_minor,
            plan_locked=grant.plan_locked,
        )

    @classmethod
    def of(cls, grant: Grant) -> GrantSummary:
        return cls(**cls.fields_of(grant))


class GrantOut(GrantSummary):
    conditions: str
    disbursed: Decimal
    remaining: Decimal
    payable_minor: int = Field(description="What unlocked tranches still wait for.")
    entry_count: int
    tranches: list[TrancheOut]
    next_tranche_id: int | None = Field(description="The first tranche that is neither paid nor payable yet.")
    created_at: datetime
    updated_at: datetime

    @classmethod
    def detail(cls, grant: Grant, today: date, payable_minor: int, next_id: int | None) -> GrantOut:
        return cls(
            **GrantSummary.fields_of(grant), conditions=grant.conditions,
            disbursed=_major(grant.disbursed_minor, grant.currency),
            remaining=_major(grant.remaining_minor, grant.currency), payable_minor=payable_minor,
            entry_count=grant.entry_count,
            tranches=[TrancheOut.of(t, grant.currency, today) for t in grant.tranches], next_tranche_id=next_id,
            created_at=grant.created_at, updated_at=grant.updated_at,
        )


class GrantPage(Page[GrantSummary]):
    pass


class EntryOut(Output):
    id: int
    grant_id: int
    seq: int = Field(description="The line number in the grant's ledger (1, 2, 3...).")
    kind: EntryKind
    kind_label: str
    tranche_id: int
    currency: str
    amount: Decimal = Field(description="Positive for a disbursement, negative for a reversal.")
    amount_minor: int
    balance_after_minor: int
    paid_on: date
    reference: str
    note: str = Field(description="A comment; for a reversal, its reason.")
    early_reason: str = Field(description="Why it was paid before the tranche was payable (empty otherwise).")
    receipt_name: str | None
    reverses_id: int | None
    reversed_by_id: int | None
    recorded_by_name: str | None
    recorded_at: datetime

    @classmethod
    def of(cls, entry: LedgerEntry, currency: str) -> EntryOut:
        return cls(
            id=entry.id, grant_id=entry.grant_id, seq=entry.seq, kind=entry.kind, kind_label=entry.kind_label,
            tranche_id=entry.tranche_id, currency=currency, amount=_major(entry.amount_minor, currency),
            amount_minor=entry.amount_minor, balance_after_minor=entry.balance_after_minor, paid_on=entry.paid_on,
            reference=entry.reference, note=entry.note, early_reason=entry.early_reason,
            receipt_name=(entry.receipt_name or None) if entry.receipt_path else None, reverses_id=entry.reverses_id,
            reversed_by_id=entry.reversed_by.id if entry.reversed_by else None,
            recorded_by_name=entry.recorded_by.name if entry.recorded_by else None, recorded_at=entry.recorded_at,
        )


class EntryPage(Page[EntryOut]):
    pass


class CurrencyTotals(Output):
    currency: str
    grants: int
    committed_minor: int
    disbursed_minor: int
    remaining_minor: int
    payable_minor: int

    @classmethod
    def of(cls, totals: Totals) -> CurrencyTotals:
        return cls(currency=totals.currency, grants=totals.grants, committed_minor=totals.committed_minor,
                   disbursed_minor=totals.disbursed_minor, remaining_minor=totals.remaining_minor,
                   payable_minor=totals.payable_minor)


class CohortGrantTotals(Output):
    cohort_id: int
    cohort_name: str
    by_currency: list[CurrencyTotals] = Field(description="One line per currency that has grants.")
    khr_per_usd: int
    rate_is_set: bool = Field(description="False when no rate is set for the cohort and the default is used.")
    converted: list[CurrencyTotals] = Field(
        description="Everything in USD, then everything in KHR: each currency's sum converted once at khr_per_usd "
                    "(rounded half up to the cent or riel) and added to the amounts already in that currency.")
