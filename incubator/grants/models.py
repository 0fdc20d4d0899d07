"""Grants, their tranches and the append-only ledger of money sent.

The ledger is the record: every disbursement is an entry, and a mistake is corrected by a reversal entry
that names the entry it reverses (once; the unique key on ``reverses_id`` says so). Nothing is updated
in place or deleted. ``Grant.disbursed_minor`` and ``Tranche.disbursed_minor`` are running totals kept
in the same transaction as each entry, under the grant's row lock, so the database CHECKs can refuse
an overdraw even if a rule in Python were skipped: the balance (total minus disbursed) never goes
below zero, and no tranche is paid beyond its amount.

Whether a tranche is payable is never stored: it follows from its milestone's verification or its date
(``Tranche.is_unlocked`` and ``unlocked_clause`` say the same thing in Python and in SQL).
"""
from __future__ import annotations

import enum
from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from incubator.auth.models import User
from incubator.cohorts.models import Startup
from incubator.db import TimestampMixin, UTCDateTime, str_enum, utcnow
from incubator.extensions import db
from incubator.progress.models import Milestone, Verification


class Unlock(enum.StrEnum):
    MILESTONE = "milestone"  # payable once a manager verifies the milestone
    DATE = "date"  # payable from that day on (incubator time zone)


class EntryKind(enum.StrEnum):
    DISBURSEMENT = "disbursement"
    REVERSAL = "reversal"


ENTRY_KIND_LABELS = {EntryKind.DISBURSEMENT: _l("Disbursement"), EntryKind.REVERSAL: _l("Reversal")}


class TrancheState(enum.StrEnum):
    WAITING = "waiting"  # its milestone is not verified yet, or its date is ahead
    PAYABLE = "payable"  # unlocked, nothing paid yet
    PARTLY_PAID = "partly_paid"
    PAID = "paid"
    NO_CONDITION = "no_condition"  # its milestone was removed from the startup's plan


TRANCHE_STATE_LABELS = {
    TrancheState.WAITING: _l("Not payable yet"),
    TrancheState.PAYABLE: _l("Payable"),
    TrancheState.PARTLY_PAID: _l("Partly paid"),
    TrancheState.PAID: _l("Paid"),
    TrancheState.NO_CONDITION: _l("Milestone removed"),
}


class Grant(TimestampMixin, db.Model):
    """A startup's seed grant: the committed total in one currency, split into tranches."""

    __tablename__ = "grants"
    __table_args__ = (
        sa.CheckConstraint("currency IN ('USD', 'KHR')", name="currency_known"),
        sa.CheckConstraint("total_minor > 0", name="total_positive"),
        # The balance (total minus disbursed) never goes below zero, and nothing is paid back beyond zero.
        sa.CheckConstraint("disbursed_minor >= 0 AND disbursed_minor <= total_minor", name="balance_not_negative"),
        sa.CheckConstraint("entry_count >= 0", name="entry_count_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # One grant per startup; a second one (even two managers at once) is refused by this key.
    startup_id: Mapped[int] = mapped_column(sa.ForeignKey("startups.id", ondelete="RESTRICT"), unique=True)
    title: Mapped[str] = mapped_column(sa.String(120))
    conditions: Mapped[str] = mapped_column(sa.Text, default="")
    currency: Mapped[str] = mapped_column(sa.String(3))
    total_minor: Mapped[int] = mapped_column(sa.BigInteger)
    disbursed_minor: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    # How many ledger entries exist; the next entry is number entry_count + 1. Zero means the plan is editable.
    entry_count: Mapped[int] = mapped_column(default=0)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))

    startup: Mapped[Startup] = relationship()
    created_by: Mapped[User | None] = relationship()
    tranches: Mapped[list[Tranche]] = relationship(back_populates="grant", order_by="Tranche.position")

    @property
    def remaining_minor(self) -> int:
        return self.total_minor - self.disbursed_minor

    @property
    def plan_locked(self) -> bool:
        """Once money has moved, the tranche plan is the agreement and no longer changes."""
        return self.entry_count > 0


class Tranche(TimestampMixin, db.Model):
    """One part of a grant, unlocked by a verified milestone of the startup or by a date."""

    __tablename__ = "grant_tranches"
    __table_args__ = (
        sa.UniqueConstraint("grant_id", "position"),
        sa.CheckConstraint("amount_minor > 0", name="amount_positive"),
        sa.CheckConstraint("disbursed_minor >= 0 AND disbursed_minor <= amount_minor", name="within_amount"),
        # A date tranche has its date; a milestone tranche has no date (its milestone may have been removed).
        sa.CheckConstraint(
            "(unlock = 'date' AND due_on IS NOT NULL AND milestone_id IS NULL) OR (unlock = 'milestone' AND "
            "due_on IS NULL)",
            name="one_condition",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    grant_id: Mapped[int] = mapped_column(sa.ForeignKey("grants.id", ondelete="RESTRICT"), index=True)
    position: Mapped[int]
    label: Mapped[str] = mapped_column(sa.String(120), default="")
    amount_minor: Mapped[int] = mapped_column(sa.BigInteger)
    unlock: Mapped[Unlock] = mapped_column(str_enum(Unlock))
    milestone_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("milestones.id", ondelete="SET NULL"), index=True
    )
    due_on: Mapped[date | None]
    disbursed_minor: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    # Set when the founders and managers were told it became payable (or when money was first sent).
    payable_notified_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    grant: Mapped[Grant] = relationship(back_populates="tranches")
    milestone: Mapped[Milestone | None] = relationship()

    @property
    def name(self) -> str:
        number = str(_l("Tranche %(n)d", n=self.position))
        return f"{number}: {self.label}" if self.label else number

    @property
    def left_minor(self) -> int:
        """What is still to be paid on this tranche."""
        return self.amount_minor - self.disbursed_minor

    def is_unlocked(self, today: date) -> bool:
        """Its milestone is verified, or its date has come (``today`` in the incubator's time zone)."""
        if self.unlock == Unlock.DATE:
            return self.due_on is not None and self.due_on <= today
        return self.milestone is not None and self.milestone.verification == Verification.VERIFIED

    def state(self, today: date) -> TrancheState:
        if self.disbursed_minor >= self.amount_minor:
            return TrancheState.PAID
        if self.disbursed_minor > 0:
            return TrancheState.PARTLY_PAID
        if self.is_unlocked(today):
            return TrancheState.PAYABLE
        if self.unlock == Unlock.MILESTONE and self.milestone_id is None:
            return TrancheState.NO_CONDITION
        return TrancheState.WAITING

    def state_label(self, today: date) -> str:
        return str(TRANCHE_STATE_LABELS[self.state(today)])


def unlocked_clause(today: date):
    """``Tranche.is_unlocked`` as a SQL condition (the query must outer-join ``Milestone``)."""
    return sa.or_(
        sa.and_(Tranche.unlock == Unlock.DATE, Tranche.due_on <= today),
        sa.and_(Tranche.unlock == Unlock.MILESTONE, Milestone.verification == Verification.VERIFIED),
    )


class LedgerEntry(db.Model):
    """One line of a grant's ledger: money sent (positive) or a reversal of an earlier line (negative)."""

    __tablename__ = "grant_entries"
    __table_args__ = (
        # Numbered 1, 2, 3 per grant; two writers that both computed the same number collide here.
        sa.UniqueConstraint("grant_id", "seq"),
        sa.CheckConstraint("balance_after_minor >= 0", name="balance_not_negative"),
        sa.CheckConstraint(
            "(kind = 'disbursement' AND amount_minor > 0 AND reverses_id IS NULL) OR "
            "(kind = 'reversal' AND amount_minor < 0 AND reverses_id IS NOT NULL)",
            name="kind_consistent",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    grant_id: Mapped[int] = mapped_column(sa.ForeignKey("grants.id", ondelete="RESTRICT"), index=True)
    tranche_id: Mapped[int] = mapped_column(sa.ForeignKey("grant_tranches.id", ondelete="RESTRICT"), index=True)
    seq: Mapped[int]
    kind: Mapped[EntryKind] = mapped_column(str_enum(EntryKind))
    amount_minor: Mapped[int] = mapped_column(sa.BigInteger)  # signed, in the grant's currency
    balance_after_minor: Mapped[int] = mapped_column(sa.BigInteger)  # total minus disbursed after this entry
    paid_on: Mapped[date]  # the day the money moved (for a reversal: the day it came back or was cancelled)
    reference: Mapped[str] = mapped_column(sa.String(120), default="")
    note: Mapped[str] = mapped_column(sa.Text, default="")  # a comment; for a reversal, its reason
    early_reason: Mapped[str] = mapped_column(sa.Text, default="")  # why it was paid before it was payable
    receipt_path: Mapped[str | None] = mapped_column(sa.String(255))
    receipt_name: Mapped[str] = mapped_column(sa.String(255), default="")
    # An entry is reversed at most once: a second reversal of the same entry breaks this unique key. The
    # foreign key is NO ACTION (checked at the end of the statement), so an entry that was reversed cannot be
    # removed on its own, while a maintenance purge of a whole ledger in one statement still can.
    reverses_id: Mapped[int | None] = mapped_column(sa.ForeignKey("grant_entries.id"), unique=True)
    recorded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    grant: Mapped[Grant] = relationship()
    tranche: Mapped[Tranche] = relationship()
    recorded_by: Mapped[User | None] = relationship()
    reverses: Mapped[LedgerEntry | None] = relationship(remote_side=[id], back_populates="reversed_by")
    reversed_by: Mapped[LedgerEntry | None] = relationship(back_populates="reverses", uselist=False)

    @property
    def kind_label(self) -> str:
        return str(ENTRY_KIND_LABELS[self.kind])

    @property
    def is_reversal(self) -> bool:
        return self.kind == EntryKind.REVERSAL
