"""Allowances (quotas): how much of a resource, or of a type of resource, each startup may use per period.

An allowance is set for a whole cohort (every startup of it gets the amount) or for one startup, on one
resource or on every resource of a type, per week, per month or for the whole cohort. ``amount`` is in
minutes for timed resources and in units for counted ones (credits). Which allowances apply to a booking
and how bookings crossing a period boundary are split is decided in ``incubator.resources.quota``.

``key`` spells the scope, the target and the period (``c12:t:meeting_room:week``), so the database keeps
one allowance per combination even though the nullable columns cannot carry a portable unique key.
"""
from __future__ import annotations

import enum

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from incubator.cohorts.models import Cohort, Startup
from incubator.db import TimestampMixin, str_enum
from incubator.extensions import db
from incubator.resources.models.catalog import RESOURCE_TYPE_LABELS, Resource, ResourceType


class AllowancePeriod(enum.StrEnum):
    WEEK = "week"  # ISO week, Monday 00:00 in Asia/Phnom_Penh
    MONTH = "month"
    COHORT = "cohort"  # the cohort's whole run, from its first to its last day


ALLOWANCE_PERIOD_LABELS = {
    AllowancePeriod.WEEK: _l("per week"),
    AllowancePeriod.MONTH: _l("per month"),
    AllowancePeriod.COHORT: _l("for the whole programme"),
}


class Allowance(TimestampMixin, db.Model):
    __tablename__ = "resource_allowances"
    __table_args__ = (
        sa.CheckConstraint("(cohort_id IS NULL) <> (startup_id IS NULL)", name="one_scope"),
        sa.CheckConstraint("(resource_id IS NULL) <> (resource_type IS NULL)", name="one_target"),
        sa.CheckConstraint("amount >= 0", name="amount_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(sa.String(80), unique=True)
    cohort_id: Mapped[int | None] = mapped_column(sa.ForeignKey("cohorts.id", ondelete="CASCADE"), index=True)
    startup_id: Mapped[int | None] = mapped_column(sa.ForeignKey("startups.id", ondelete="CASCADE"), index=True)
    resource_id: Mapped[int | None] = mapped_column(sa.ForeignKey("resources.id", ondelete="CASCADE"), index=True)
    resource_type: Mapped[ResourceType | None] = mapped_column(str_enum(ResourceType))
    period: Mapped[AllowancePeriod] = mapped_column(str_enum(AllowancePeriod))
    amount: Mapped[int]  # minutes, or units for counted resources
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))

    cohort: Mapped[Cohort | None] = relationship()
    startup: Mapped[Startup | None] = relationship()
    resource: Mapped[Resource | None] = relationship()

    @staticmethod
    def make_key(cohort_id: int | None, startup_id: int | None, resource_id: int | None,
                 resource_type: ResourceType | str | None, period: AllowancePeriod | str) -> str:
        scope = f"c{cohort_id}" if cohort_id is not None else f"s{startup_id}"
        target = f"r:{resource_id}" if resource_id is not None else f"t:{ResourceType(resource_type).value}"
        return f"{scope}:{target}:{AllowancePeriod(period).value}"

    @property
    def counted(self) -> bool:
        """Whether ``amount`` is units (credits) rather than minutes."""
        if self.resource is not None:
            return self.resource.is_counted
        return self.resource_type == ResourceType.CREDITS

    @property
    def target_label(self) -> str:
        if self.resource is not None:
            return self.resource.name
        return str(RESOURCE_TYPE_LABELS[self.resource_type])

    @property
    def period_label(self) -> str:
        return str(ALLOWANCE_PERIOD_LABELS[self.period])

    @property
    def specificity(self) -> int:
        """Higher wins: a startup's own allowance over its cohort's, one resource over its whole type."""
        return (2 if self.startup_id is not None else 0) + (1 if self.resource_id is not None else 0)
