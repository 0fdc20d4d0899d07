"""Applications to a cohort, the cohort's scoring rubric, reviewer assignments and scores."""
from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from incubator.auth.models import User
from incubator.cohorts.models import Cohort, Startup
from incubator.db import UTCDateTime, str_enum, utcnow
from incubator.extensions import db


class ApplicationStatus(enum.StrEnum):
    SUBMITTED = "submitted"
    ACCEPTED = "accepted"
    WAITLISTED = "waitlisted"
    REJECTED = "rejected"


APPLICATION_STATUS_LABELS = {
    ApplicationStatus.SUBMITTED: _l("Under review"),
    ApplicationStatus.ACCEPTED: _l("Accepted"),
    ApplicationStatus.WAITLISTED: _l("Waitlisted"),
    ApplicationStatus.REJECTED: _l("Not selected"),
}


class ReviewStatus(enum.StrEnum):
    PENDING = "pending"
    SUBMITTED = "submitted"
    CONFLICT = "conflict"


class Application(db.Model):
    __tablename__ = "applications"

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(sa.ForeignKey("cohorts.id", ondelete="RESTRICT"), index=True)
    startup_name: Mapped[str] = mapped_column(sa.String(120))
    contact_email: Mapped[str] = mapped_column(sa.String(254), index=True)
    sector: Mapped[str] = mapped_column(sa.String(32))
    stage: Mapped[str] = mapped_column(sa.String(32))
    province: Mapped[str] = mapped_column(sa.String(32))
    problem: Mapped[str] = mapped_column(sa.Text)
    solution: Mapped[str] = mapped_column(sa.Text)
    traction: Mapped[str] = mapped_column(sa.Text, default="")
    team: Mapped[str] = mapped_column(sa.Text, default="")
    website: Mapped[str] = mapped_column(sa.String(255), default="")
    pitch_deck_path: Mapped[str | None] = mapped_column(sa.String(255))
    locale: Mapped[str] = mapped_column(sa.String(8), default="en")
    status: Mapped[ApplicationStatus] = mapped_column(
        str_enum(ApplicationStatus), default=ApplicationStatus.SUBMITTED, index=True
    )
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    decision_note: Mapped[str] = mapped_column(sa.Text, default="")

    cohort: Mapped[Cohort] = relationship()
    founders: Mapped[list[ApplicationFounder]] = relationship(
        back_populates="application", order_by="ApplicationFounder.position", cascade="all, delete-orphan"
    )
    assignments: Mapped[list[ReviewAssignment]] = relationship(
        back_populates="application", cascade="all, delete-orphan"
    )
    startup: Mapped[Startup | None] = relationship(foreign_keys="Startup.application_id", viewonly=True)

    @property
    def status_label(self) -> str:
        return str(APPLICATION_STATUS_LABELS[self.status])


class ApplicationFounder(db.Model):
    __tablename__ = "application_founders"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(sa.ForeignKey("applications.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    name: Mapped[str] = mapped_column(sa.String(120))
    email: Mapped[str] = mapped_column(sa.String(254))
    gender: Mapped[str] = mapped_column(sa.String(16))

    application: Mapped[Application] = relationship(back_populates="founders")


class RubricCriterion(db.Model):
    __tablename__ = "rubric_criteria"
    __table_args__ = (sa.CheckConstraint("weight BETWEEN 1 AND 10", name="weight_range"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(sa.ForeignKey("cohorts.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    description: Mapped[str] = mapped_column(sa.Text, default="")
    weight: Mapped[int] = mapped_column(default=1)
    position: Mapped[int] = mapped_column(default=0)

    cohort: Mapped[Cohort] = relationship(back_populates="criteria")


class ReviewAssignment(db.Model):
    __tablename__ = "review_assignments"
    __table_args__ = (sa.UniqueConstraint("application_id", "reviewer_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(sa.ForeignKey("applications.id", ondelete="CASCADE"), index=True)
    reviewer_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    assigned_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    assigned_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    status: Mapped[ReviewStatus] = mapped_column(str_enum(ReviewStatus), default=ReviewStatus.PENDING)
    comment: Mapped[str] = mapped_column(sa.Text, default="")
    conflict_reason: Mapped[str] = mapped_column(sa.Text, default="")
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    application: Mapped[Application] = relationship(back_populates="assignments")
    reviewer: Mapped[User] = relationship(foreign_keys=[reviewer_id])
    scores: Mapped[list[ReviewScore]] = relationship(back_populates="assignment", cascade="all, delete-orphan")


class ReviewScore(db.Model):
    __tablename__ = "review_scores"
    __table_args__ = (
        sa.UniqueConstraint("assignment_id", "criterion_id"),
        sa.CheckConstraint("score BETWEEN 1 AND 5", name="score_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int] = mapped_column(sa.ForeignKey("review_assignments.id", ondelete="CASCADE"), index=True)
    criterion_id: Mapped[int] = mapped_column(sa.ForeignKey("rubric_criteria.id", ondelete="CASCADE"), index=True)
    score: Mapped[int]

    assignment: Mapped[ReviewAssignment] = relationship(back_populates="scores")
    criterion: Mapped[RubricCriterion] = relationship()
