"""When mentors can be booked: weekly hours in the mentor's own time zone, date exceptions, booking
settings, office-hours blocks open to a whole cohort, and each cohort's mentoring policy.

Weekly rules and exceptions are wall-clock times in the mentor's zone (``User.timezone``); they are
turned into UTC instants only when slots are generated (``incubator.mentoring.slots``), so a mentor's
"Tuesday 09:00" stays 09:00 in Berlin across daylight-saving changes.
"""
from __future__ import annotations

import enum
from datetime import date, datetime, time

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from incubator.auth.models import User
from incubator.cohorts.models import Cohort
from incubator.db import TimestampMixin, UTCDateTime, str_enum
from incubator.extensions import db

WEEKDAY_LABELS = (_l("Monday"), _l("Tuesday"), _l("Wednesday"), _l("Thursday"), _l("Friday"), _l("Saturday"),
                  _l("Sunday"))

DEFAULT_SLOT_MINUTES = 45
DEFAULT_BUFFER_MINUTES = 15
DEFAULT_NOTICE_HOURS = 12
DEFAULT_WINDOW_DAYS = 30
DEFAULT_MONTHLY_MINUTES = 240  # four mentor hours per startup per month
DEFAULT_CUTOFF_HOURS = 24


class AvailabilityRule(db.Model):
    """One weekly time range, such as Tuesdays 09:00-12:00 in the mentor's zone."""

    __tablename__ = "mentor_availability_rules"
    __table_args__ = (
        sa.CheckConstraint("weekday BETWEEN 0 AND 6", name="weekday_range"),
        sa.CheckConstraint("end_time > start_time", name="times_ordered"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    mentor_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    weekday: Mapped[int]  # 0 = Monday, as date.weekday()
    start_time: Mapped[time]
    end_time: Mapped[time]


class ExceptionKind(enum.StrEnum):
    OFF = "off"  # not available (the whole day, or between the given times)
    EXTRA = "extra"  # available between the given times, on top of the weekly hours


EXCEPTION_KIND_LABELS = {ExceptionKind.OFF: _l("Not available"), ExceptionKind.EXTRA: _l("Extra hours")}


class AvailabilityException(db.Model):
    """A dated change to the weekly hours: a day (or part of one) off, or extra hours."""

    __tablename__ = "mentor_availability_exceptions"
    __table_args__ = (
        sa.CheckConstraint("(start_time IS NULL) = (end_time IS NULL)", name="times_paired"),
        sa.CheckConstraint("end_time IS NULL OR end_time > start_time", name="times_ordered"),
        sa.CheckConstraint("kind = 'off' OR start_time IS NOT NULL", name="extra_has_times"),
        sa.Index("ix_mentor_availability_exceptions_mentor_day", "mentor_id", "day"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    mentor_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    day: Mapped[date]  # the mentor's local date
    kind: Mapped[ExceptionKind] = mapped_column(str_enum(ExceptionKind))
    start_time: Mapped[time | None]  # both empty: the whole day
    end_time: Mapped[time | None]
    note: Mapped[str] = mapped_column(sa.String(200), default="")

    @property
    def whole_day(self) -> bool:
        return self.start_time is None

    @property
    def kind_label(self) -> str:
        return str(EXCEPTION_KIND_LABELS[self.kind])


class BookingSettings(TimestampMixin, db.Model):
    """A mentor's booking rules; a mentor without a row uses the defaults."""

    __tablename__ = "mentor_booking_settings"
    __table_args__ = (
        sa.CheckConstraint("slot_minutes BETWEEN 15 AND 240", name="slot_range"),
        sa.CheckConstraint("buffer_minutes BETWEEN 0 AND 120", name="buffer_range"),
        sa.CheckConstraint("notice_hours BETWEEN 0 AND 336", name="notice_range"),
        sa.CheckConstraint("window_days BETWEEN 1 AND 180", name="window_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    mentor_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    slot_minutes: Mapped[int] = mapped_column(default=DEFAULT_SLOT_MINUTES)
    buffer_minutes: Mapped[int] = mapped_column(default=DEFAULT_BUFFER_MINUTES)
    notice_hours: Mapped[int] = mapped_column(default=DEFAULT_NOTICE_HOURS)
    window_days: Mapped[int] = mapped_column(default=DEFAULT_WINDOW_DAYS)
    # How founders join: a video-call link or a place; copied onto each booking when it is made.
    location: Mapped[str] = mapped_column(sa.String(300), default="")
    paused: Mapped[bool] = mapped_column(default=False)  # no new regular bookings (office hours still open)


class OfficeHours(TimestampMixin, db.Model):
    """A block of time any startup of a cohort may book slots in, without being matched with the mentor."""

    __tablename__ = "mentor_office_hours"
    __table_args__ = (
        sa.CheckConstraint("ends_at > starts_at", name="times_ordered"),
        sa.CheckConstraint("slot_minutes BETWEEN 15 AND 240", name="slot_range"),
        sa.Index("ix_mentor_office_hours_cohort_ends", "cohort_id", "ends_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    mentor_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    cohort_id: Mapped[int] = mapped_column(sa.ForeignKey("cohorts.id", ondelete="CASCADE"))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime())
    slot_minutes: Mapped[int] = mapped_column(default=30)
    topic: Mapped[str] = mapped_column(sa.String(200), default="")
    location: Mapped[str] = mapped_column(sa.String(300), default="")
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # no new bookings once closed

    mentor: Mapped[User] = relationship()
    cohort: Mapped[Cohort] = relationship()

    @property
    def is_open(self) -> bool:
        return self.closed_at is None


class MentoringPolicy(TimestampMixin, db.Model):
    """A cohort's mentoring rules: the monthly mentor-time allowance per startup and the change cut-off."""

    __tablename__ = "mentoring_policies"
    __table_args__ = (
        sa.CheckConstraint("monthly_minutes >= 0", name="allowance_positive"),
        sa.CheckConstraint("cancel_cutoff_hours BETWEEN 0 AND 336", name="cutoff_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(sa.ForeignKey("cohorts.id", ondelete="CASCADE"), unique=True)
    # Mentor time each startup may book per calendar month (Phnom Penh time); 0 means no limit.
    monthly_minutes: Mapped[int] = mapped_column(default=DEFAULT_MONTHLY_MINUTES)
    # Either side may cancel or move a session until this many hours before it; after that managers only.
    cancel_cutoff_hours: Mapped[int] = mapped_column(default=DEFAULT_CUTOFF_HOURS)
    updated_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
