"""Milestones: a cohort's plan (templates), each startup's milestones and their change history.

Overdue is never stored: it follows from the due date and the status (``Milestone.is_overdue`` and
``overdue_clause`` say the same thing in Python and in SQL).
"""
from __future__ import annotations

import enum
from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from incubator.auth.models import User
from incubator.cohorts.models import Cohort, Startup
from incubator.db import TimestampMixin, UTCDateTime, str_enum, utcnow
from incubator.extensions import db


class MilestoneStatus(enum.StrEnum):
    PLANNED = "planned"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    MISSED = "missed"
    DROPPED = "dropped"


MILESTONE_STATUS_LABELS = {
    MilestoneStatus.PLANNED: _l("Planned"),
    MilestoneStatus.IN_PROGRESS: _l("In progress"),
    MilestoneStatus.DONE: _l("Done"),
    MilestoneStatus.MISSED: _l("Missed"),
    MilestoneStatus.DROPPED: _l("Dropped"),
}

# Statuses that still owe work: past their due date they are overdue.
OPEN_STATUSES = (MilestoneStatus.PLANNED, MilestoneStatus.IN_PROGRESS)


class Verification(enum.StrEnum):
    NONE = "none"  # not marked done yet
    PENDING = "pending"  # marked done, waiting for a manager
    VERIFIED = "verified"  # a manager checked the evidence: counts as achieved
    SENT_BACK = "sent_back"  # a manager sent it back with a comment


VERIFICATION_LABELS = {
    Verification.NONE: _l("Not submitted"),
    Verification.PENDING: _l("Waiting for verification"),
    Verification.VERIFIED: _l("Verified"),
    Verification.SENT_BACK: _l("Sent back"),
}


class MilestoneTemplate(TimestampMixin, db.Model):
    """One line of a cohort's milestone plan, copied to every startup of the cohort."""

    __tablename__ = "milestone_templates"
    __table_args__ = (
        sa.UniqueConstraint("cohort_id", "title"),
        sa.CheckConstraint("target_value IS NULL OR target_value >= 0", name="target_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(sa.ForeignKey("cohorts.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(sa.String(160))
    description: Mapped[str] = mapped_column(sa.Text, default="")
    due_on: Mapped[date]
    target_value: Mapped[int | None] = mapped_column(sa.BigInteger)
    target_unit: Mapped[str] = mapped_column(sa.String(40), default="")
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))

    cohort: Mapped[Cohort] = relationship()


class Milestone(TimestampMixin, db.Model):
    __tablename__ = "milestones"
    __table_args__ = (
        # A plan line is applied to a startup once, however often "apply" is pressed (NULLs never clash).
        sa.UniqueConstraint("startup_id", "template_id"),
        sa.CheckConstraint("target_value IS NULL OR target_value >= 0", name="target_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    startup_id: Mapped[int] = mapped_column(sa.ForeignKey("startups.id", ondelete="CASCADE"), index=True)
    template_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("milestone_templates.id", ondelete="SET NULL"), index=True
    )
    title: Mapped[str] = mapped_column(sa.String(160))
    description: Mapped[str] = mapped_column(sa.Text, default="")
    due_on: Mapped[date] = mapped_column(index=True)
    target_value: Mapped[int | None] = mapped_column(sa.BigInteger)
    target_unit: Mapped[str] = mapped_column(sa.String(40), default="")
    status: Mapped[MilestoneStatus] = mapped_column(
        str_enum(MilestoneStatus), default=MilestoneStatus.PLANNED, index=True
    )
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    evidence_url: Mapped[str] = mapped_column(sa.String(500), default="")
    evidence_path: Mapped[str | None] = mapped_column(sa.String(255))
    evidence_name: Mapped[str] = mapped_column(sa.String(255), default="")
    verification: Mapped[Verification] = mapped_column(str_enum(Verification), default=Verification.NONE)
    verified_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    verification_comment: Mapped[str] = mapped_column(sa.Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))

    startup: Mapped[Startup] = relationship()
    verified_by: Mapped[User | None] = relationship(foreign_keys=[verified_by_id])
    changes: Mapped[list[MilestoneChange]] = relationship(
        back_populates="milestone", order_by="MilestoneChange.id.desc()", cascade="all, delete-orphan",
        passive_deletes=True,
    )

    @property
    def from_plan(self) -> bool:
        return self.template_id is not None

    @property
    def status_label(self) -> str:
        return str(MILESTONE_STATUS_LABELS[self.status])

    @property
    def verification_label(self) -> str:
        return str(VERIFICATION_LABELS[self.verification])

    @property
    def is_verified(self) -> bool:
        return self.verification == Verification.VERIFIED

    @property
    def has_evidence(self) -> bool:
        return bool(self.evidence_url or self.evidence_path)

    def is_overdue(self, today: date) -> bool:
        """Past its due date and still planned or in progress (``today`` in the incubator's time zone)."""
        return self.due_on < today and self.status in OPEN_STATUSES


def overdue_clause(today: date):
    """``Milestone.is_overdue`` as a SQL condition."""
    return sa.and_(Milestone.due_on < today, Milestone.status.in_(OPEN_STATUSES))


class MilestoneChange(db.Model):
    """One changed field of a milestone: who, when, the old and the new value (append-only)."""

    __tablename__ = "milestone_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    milestone_id: Mapped[int] = mapped_column(sa.ForeignKey("milestones.id", ondelete="CASCADE"), index=True)
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    field: Mapped[str] = mapped_column(sa.String(32))
    old_value: Mapped[str] = mapped_column(sa.Text, default="")
    new_value: Mapped[str] = mapped_column(sa.Text, default="")
    comment: Mapped[str] = mapped_column(sa.Text, default="")

    milestone: Mapped[Milestone] = relationship(back_populates="changes")
    actor: Mapped[User | None] = relationship()
