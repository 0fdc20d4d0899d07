"""Booked mentoring sessions, what each side noted afterwards, and private calendar feeds.

A slot can be booked once: on PostgreSQL an exclusion constraint refuses two active sessions of one
mentor whose times overlap (``btree_gist``; created by the migration, declared here for PostgreSQL
only); on SQLite every write transaction starts with ``BEGIN IMMEDIATE`` so the service's check and
insert cannot interleave with another writer's.
"""
from __future__ import annotations

import enum
import secrets
from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.dialects.postgresql import ExcludeConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from incubator.auth.models import User
from incubator.cohorts.models import Cohort, Startup
from incubator.db import TimestampMixin, UTCDateTime, str_enum, utcnow
from incubator.extensions import db
from incubator.mentoring.models.availability import OfficeHours


class BookingStatus(enum.StrEnum):
    CONFIRMED = "confirmed"  # booked; once it has ended without a no-show it counts as held
    CANCELLED = "cancelled"
    NO_SHOW = "no_show"  # the startup did not come (marked by the mentor or a manager)


BOOKING_STATUS_LABELS = {
    BookingStatus.CONFIRMED: _l("Confirmed"),
    BookingStatus.CANCELLED: _l("Cancelled"),
    BookingStatus.NO_SHOW: _l("No-show"),
}

# Statuses that keep the mentor's time taken (the exclusion constraint's WHERE clause says the same).
ACTIVE_STATUSES = (BookingStatus.CONFIRMED, BookingStatus.NO_SHOW)


def new_uid() -> str:
    return secrets.token_hex(16)


class MentorBooking(TimestampMixin, db.Model):
    __tablename__ = "mentor_bookings"
    __table_args__ = (
        sa.CheckConstraint("ends_at > starts_at", name="times_ordered"),
        sa.CheckConstraint("sequence >= 0", name="sequence_positive"),
        sa.Index("ix_mentor_bookings_mentor_starts", "mentor_id", "starts_at"),
        sa.Index("ix_mentor_bookings_startup_starts", "startup_id", "starts_at"),
        sa.Index("ix_mentor_bookings_status_starts", "status", "starts_at"),
        ExcludeConstraint(
            (sa.column("mentor_id"), "="),
            (sa.func.tstzrange(sa.column("starts_at"), sa.column("ends_at")), "&&"),
            name="ex_mentor_bookings_no_overlap",
            using="gist",
            where=sa.text("status <> 'cancelled'"),
        ).ddl_if(dialect="postgresql"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # The iCalendar UID: stable across reschedules, so calendar apps update the event instead of adding one.
    uid: Mapped[str] = mapped_column(sa.String(64), unique=True, default=new_uid)
    mentor_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    startup_id: Mapped[int] = mapped_column(sa.ForeignKey("startups.id", ondelete="CASCADE"))
    cohort_id: Mapped[int] = mapped_column(sa.ForeignKey("cohorts.id", ondelete="CASCADE"), index=True)
    office_hours_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("mentor_office_hours.id", ondelete="SET NULL"), index=True)
    booked_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime())
    status: Mapped[BookingStatus] = mapped_column(str_enum(BookingStatus), default=BookingStatus.CONFIRMED)
    agenda: Mapped[str] = mapped_column(sa.Text, default="")
    location: Mapped[str] = mapped_column(sa.String(300), default="")
    # RFC 5545 SEQUENCE: raised on every change of time or status calendar apps must pick up.
    sequence: Mapped[int] = mapped_column(default=0)
    # When the current time was set (booking or last reschedule); reminders skip what was just arranged.
    scheduled_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    reschedule_reason: Mapped[str] = mapped_column(sa.Text, default="")
    rescheduled_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    cancel_reason: Mapped[str] = mapped_column(sa.Text, default="")
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    cancelled_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    no_show_marked_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))

    mentor: Mapped[User] = relationship(foreign_keys=[mentor_id])
    startup: Mapped[Startup] = relationship()
    cohort: Mapped[Cohort] = relationship()
    office_hours: Mapped[OfficeHours | None] = relationship()
    booked_by: Mapped[User | None] = relationship(foreign_keys=[booked_by_id])
    cancelled_by: Mapped[User | None] = relationship(foreign_keys=[cancelled_by_id])
    notes: Mapped[list[SessionNote]] = relationship(back_populates="booking", order_by="SessionNote.id",
                                                    cascade="all, delete-orphan")

    @property
    def minutes(self) -> int:
        return int((self.ends_at - self.starts_at).total_seconds() // 60)

    @property
    def status_label(self) -> str:
        return str(BOOKING_STATUS_LABELS[self.status])

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES

    def has_started(self, now: datetime | None = None) -> bool:
        return self.starts_at <= (now or utcnow())

    def has_ended(self, now: datetime | None = None) -> bool:
        return self.ends_at <= (now or utcnow())

    def was_held(self, now: datetime | None = None) -> bool:
        """Took place: confirmed, over, and nobody marked the startup absent."""
        return self.status == BookingStatus.CONFIRMED and self.has_ended(now)

    def note_of(self, side: str) -> SessionNote | None:
        return next((note for note in self.notes if note.side == side), None)


class NoteSide(enum.StrEnum):
    MENTOR = "mentor"
    STARTUP = "startup"


class SessionNote(TimestampMixin, db.Model):
    """One side's notes and rating of a session. Private to that side and the managers, except the
    mentor's ``shared_comment`` with its rating, which the mentor may choose to share as an endorsement
    in reports to investors and donors (``share``)."""

    __tablename__ = "mentor_session_notes"
    __table_args__ = (
        sa.UniqueConstraint("booking_id", "side"),
        sa.CheckConstraint("rating IS NULL OR rating BETWEEN 1 AND 5", name="rating_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    booking_id: Mapped[int] = mapped_column(sa.ForeignKey("mentor_bookings.id", ondelete="CASCADE"))
    side: Mapped[NoteSide] = mapped_column(str_enum(NoteSide))
    author_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    body: Mapped[str] = mapped_column(sa.Text, default="")
    rating: Mapped[int | None]
    shared_comment: Mapped[str] = mapped_column(sa.Text, default="")
    share: Mapped[bool] = mapped_column(default=False, index=True)

    booking: Mapped[MentorBooking] = relationship(back_populates="notes")
    author: Mapped[User | None] = relationship()


class CalendarFeed(db.Model):
    """A user's private iCalendar feed. The URL carries a signed ``nonce``; revoking clears it."""

    __tablename__ = "calendar_feeds"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    nonce: Mapped[str | None] = mapped_column(sa.String(32), unique=True)
    created_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_fetched_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    user: Mapped[User] = relationship()

    @property
    def active(self) -> bool:
        return self.nonce is not None
