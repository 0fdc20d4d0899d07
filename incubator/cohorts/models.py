"""Programs group cohorts; a cohort selects startups; a startup has a team."""
from __future__ import annotations

import enum
from datetime import date, datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from incubator.auth.models import User
from incubator.db import TimestampMixin, UTCDateTime, str_enum, utcnow
from incubator.extensions import db

if TYPE_CHECKING:
    from incubator.applications.models import RubricCriterion


class CohortStatus(enum.StrEnum):
    PLANNING = "planning"
    OPEN = "open"
    RUNNING = "running"
    COMPLETED = "completed"


COHORT_STATUS_LABELS = {
    CohortStatus.PLANNING: _l("Planning"),
    CohortStatus.OPEN: _l("Open for applications"),
    CohortStatus.RUNNING: _l("Running"),
    CohortStatus.COMPLETED: _l("Completed"),
}


class StartupStatus(enum.StrEnum):
    ACTIVE = "active"
    GRADUATED = "graduated"
    WITHDRAWN = "withdrawn"


STARTUP_STATUS_LABELS = {
    StartupStatus.ACTIVE: _l("Active"),
    StartupStatus.GRADUATED: _l("Graduated"),
    StartupStatus.WITHDRAWN: _l("Withdrawn"),
}


class Program(TimestampMixin, db.Model):
    __tablename__ = "programs"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(120), unique=True)
    description: Mapped[str] = mapped_column(sa.Text, default="")

    cohorts: Mapped[list[Cohort]] = relationship(back_populates="program", order_by="Cohort.starts_on.desc()")


class Cohort(TimestampMixin, db.Model):
    __tablename__ = "cohorts"
    __table_args__ = (
        sa.CheckConstraint("capacity >= 1", name="capacity_positive"),
        sa.CheckConstraint("ends_on >= starts_on", name="dates_ordered"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    program_id: Mapped[int] = mapped_column(sa.ForeignKey("programs.id", ondelete="RESTRICT"), index=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    track: Mapped[str] = mapped_column(sa.String(120), default="")
    description: Mapped[str] = mapped_column(sa.Text, default="")
    starts_on: Mapped[date]
    ends_on: Mapped[date]
    applications_close_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    capacity: Mapped[int]
    status: Mapped[CohortStatus] = mapped_column(str_enum(CohortStatus), default=CohortStatus.PLANNING, index=True)
    sectors: Mapped[list[str]] = mapped_column(sa.JSON, default=list)

    program: Mapped[Program] = relationship(back_populates="cohorts")
    startups: Mapped[list[Startup]] = relationship(back_populates="cohort", order_by="Startup.name")
    criteria: Mapped[list[RubricCriterion]] = relationship(
        back_populates="cohort", order_by="RubricCriterion.position", cascade="all, delete-orphan"
    )

    @property
    def status_label(self) -> str:
        return str(COHORT_STATUS_LABELS[self.status])

    def accepts_applications(self, now: datetime | None = None) -> bool:
        now = now or utcnow()
        return self.status == CohortStatus.OPEN and (
            self.applications_close_at is None or self.applications_close_at > now
        )


class Startup(TimestampMixin, db.Model):
    __tablename__ = "startups"
    __table_args__ = (
        sa.UniqueConstraint("cohort_id", "name"),
        sa.CheckConstraint("currency IN ('USD', 'KHR')", name="currency_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(sa.ForeignKey("cohorts.id", ondelete="RESTRICT"), index=True)
    # One startup per accepted application; the unique key stops a double accept.
    application_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("applications.id", ondelete="SET NULL"), unique=True
    )
    name: Mapped[str] = mapped_column(sa.String(120))
    logo_path: Mapped[str | None] = mapped_column(sa.String(255))
    sector: Mapped[str] = mapped_column(sa.String(32))
    stage: Mapped[str] = mapped_column(sa.String(32))
    province: Mapped[str] = mapped_column(sa.String(32))
    description: Mapped[str] = mapped_column(sa.Text, default="")
    website: Mapped[str] = mapped_column(sa.String(255), default="")
    founded_on: Mapped[date | None]
    status: Mapped[StartupStatus] = mapped_column(str_enum(StartupStatus), default=StartupStatus.ACTIVE, index=True)
    # The currency its KPI reports are kept in (each report remembers the currency it was sent in).
    currency: Mapped[str] = mapped_column(sa.String(3), default="USD", server_default="USD")

    cohort: Mapped[Cohort] = relationship(back_populates="startups")
    members: Mapped[list[TeamMember]] = relationship(
        back_populates="startup", order_by="TeamMember.id", cascade="all, delete-orphan"
    )

    @property
    def status_label(self) -> str:
        return str(STARTUP_STATUS_LABELS[self.status])


class TeamMember(db.Model):
    __tablename__ = "team_members"
    __table_args__ = (sa.UniqueConstraint("startup_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    startup_id: Mapped[int] = mapped_column(sa.ForeignKey("startups.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"), index=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    email: Mapped[str] = mapped_column(sa.String(254), default="")
    gender: Mapped[str] = mapped_column(sa.String(16), default="undisclosed")
    role_title: Mapped[str] = mapped_column(sa.String(80), default="")
    is_founder: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    startup: Mapped[Startup] = relationship(back_populates="members")
    user: Mapped[User | None] = relationship()
