"""Bookings of a resource, and the weekly series recurring bookings belong to.

A timed booking holds ``[starts_at, ends_at)``; a counted one (credits) holds nothing and asks for ``units``
(``starts_at == ends_at`` is the moment of the request). While a booking is in a *holding* status nobody
else can have an overlapping one: on PostgreSQL the exclusion constraint below is the last word (SQLSTATE
23P01, mapped to a 409); on SQLite every transaction starts with ``BEGIN IMMEDIATE`` so the services'
check-then-insert is serialised. The constraint is created only on PostgreSQL (``ddl_if``), by the migration.
"""
from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.dialects.postgresql import ExcludeConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from incubator.auth.models import User
from incubator.cohorts.models import Startup
from incubator.db import TimestampMixin, UTCDateTime, str_enum, utcnow
from incubator.extensions import db
from incubator.resources.models.catalog import Resource


class BookingStatus(enum.StrEnum):
    PENDING = "pending"  # waiting for a manager's approval; holds the slot
    AWAITING_PAYMENT = "awaiting_payment"  # the paid part is in Stripe Checkout; holds the slot
    CONFIRMED = "confirmed"
    CHECKED_IN = "checked_in"  # used
    NO_SHOW = "no_show"  # not checked in within the grace period; released
    CANCELLED = "cancelled"
    REJECTED = "rejected"
    EXPIRED = "expired"  # the approval or the payment never came


BOOKING_STATUS_LABELS = {
    BookingStatus.PENDING: _l("Waiting for approval"),
    BookingStatus.AWAITING_PAYMENT: _l("Awaiting payment"),
    BookingStatus.CONFIRMED: _l("Confirmed"),
    BookingStatus.CHECKED_IN: _l("Checked in"),
    BookingStatus.NO_SHOW: _l("No-show"),
    BookingStatus.CANCELLED: _l("Cancelled"),
    BookingStatus.REJECTED: _l("Rejected"),
    BookingStatus.EXPIRED: _l("Expired"),
}

# Statuses that keep the slot from everyone else (the exclusion constraint's WHERE).
HOLDING_STATUSES = (BookingStatus.PENDING, BookingStatus.AWAITING_PAYMENT, BookingStatus.CONFIRMED,
                    BookingStatus.CHECKED_IN)
# Statuses that use up an allowance: a no-show kept the slot from others, so it counts.
COUNTED_STATUSES = (*HOLDING_STATUSES, BookingStatus.NO_SHOW)
# Statuses that are over: nothing more can happen to the booking.
FINAL_STATUSES = (BookingStatus.NO_SHOW, BookingStatus.CANCELLED, BookingStatus.REJECTED, BookingStatus.EXPIRED)

_HOLDING_SQL = "status IN ({})".format(", ".join(f"'{s.value}'" for s in HOLDING_STATUSES))


class BookingSeries(db.Model):
    """A weekly recurring booking: its occurrences were created together, all or nothing."""

    __tablename__ = "booking_series"
    __table_args__ = (sa.CheckConstraint("weeks BETWEEN 2 AND 52", name="weeks_range"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    resource_id: Mapped[int] = mapped_column(sa.ForeignKey("resources.id", ondelete="RESTRICT"), index=True)
    startup_id: Mapped[int | None] = mapped_column(sa.ForeignKey("startups.id", ondelete="RESTRICT"), index=True)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    weeks: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    resource: Mapped[Resource] = relationship()
    bookings: Mapped[list[Booking]] = relationship(back_populates="series", order_by="Booking.starts_at")


class Booking(TimestampMixin, db.Model):
    __tablename__ = "bookings"
    __table_args__ = (
        sa.CheckConstraint(
            "(units IS NULL AND ends_at > starts_at) OR (units >= 1 AND ends_at = starts_at)", name="interval_or_units"
        ),
        sa.CheckConstraint("paid_quantity >= 0 AND amount_minor >= 0", name="paid_not_negative"),
        sa.CheckConstraint("currency IN ('USD', 'KHR')", name="currency_known"),
        sa.Index("ix_bookings_resource_id_starts_at", "resource_id", "starts_at"),
        sa.Index("ix_bookings_startup_id_starts_at", "startup_id", "starts_at"),
        sa.Index("ix_bookings_status_starts_at", "status", "starts_at"),
        ExcludeConstraint(
            (sa.column("resource_id"), "="),
            (sa.func.tstzrange(sa.column("starts_at"), sa.column("ends_at")), "&&"),
            name="ex_bookings_no_overlap",
            using="gist",
            where=sa.text(_HOLDING_SQL),
        ).ddl_if(dialect="postgresql"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    resource_id: Mapped[int] = mapped_column(sa.ForeignKey("resources.id", ondelete="RESTRICT"))
    # NULL: the incubator's own use (a manager booked it for an event or a workshop).
    startup_id: Mapped[int | None] = mapped_column(sa.ForeignKey("startups.id", ondelete="RESTRICT"))
    booked_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"), index=True)
    series_id: Mapped[int | None] = mapped_column(sa.ForeignKey("booking_series.id", ondelete="SET NULL"),
                                                  index=True)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime())
    units: Mapped[int | None]  # counted resources only
    status: Mapped[BookingStatus] = mapped_column(str_enum(BookingStatus, length=24), default=BookingStatus.CONFIRMED)
    purpose: Mapped[str] = mapped_column(sa.String(200), default="")
    # The part beyond the allowance (minutes, or units when counted) and its price, fixed when booked.
    paid_quantity: Mapped[int] = mapped_column(default=0)
    amount_minor: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    currency: Mapped[str] = mapped_column(sa.String(3), default="USD")
    # A pending approval or an unpaid hold lets the slot go after this.
    hold_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decision_note: Mapped[str] = mapped_column(sa.String(500), default="")
    checked_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    checked_in_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    cancelled_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    cancel_reason: Mapped[str] = mapped_column(sa.String(500), default="")
    released_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # no-show or expiry

    resource: Mapped[Resource] = relationship()
    startup: Mapped[Startup | None] = relationship()
    booked_by: Mapped[User | None] = relationship(foreign_keys=[booked_by_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])
    cancelled_by: Mapped[User | None] = relationship(foreign_keys=[cancelled_by_id])
    checked_in_by: Mapped[User | None] = relationship(foreign_keys=[checked_in_by_id])
    series: Mapped[BookingSeries | None] = relationship(back_populates="bookings")

    @property
    def status_label(self) -> str:
        return str(BOOKING_STATUS_LABELS[self.status])

    @property
    def holds_slot(self) -> bool:
        return self.status in HOLDING_STATUSES

    @property
    def minutes(self) -> int:
        """The booked length in minutes (0 for counted bookings)."""
        return int((self.ends_at - self.starts_at).total_seconds() // 60)

    @property
    def quantity(self) -> int:
        """Minutes, or units for counted bookings: what allowances and prices count."""
        return self.units if self.units is not None else self.minutes

    @property
    def is_paid_use(self) -> bool:
        return self.amount_minor > 0

    def __repr__(self) -> str:
        return f"<Booking {self.id} r{self.resource_id} {self.starts_at:%Y-%m-%d %H:%M} {self.status.value}>"
