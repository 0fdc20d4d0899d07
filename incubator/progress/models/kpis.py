"""Monthly KPI reports: one report per startup and month, corrected by adding versions.

A report never changes in place. Submitting creates the report with version 1; each correction adds
version n+1 and moves ``KpiReport.latest_version``, so every earlier figure stays readable. Money is
kept in minor units of the currency the version was sent in (the startup's currency at the time).
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


class MetricKind(enum.StrEnum):
    MONEY = "money"
    COUNT = "count"


# The core metrics every startup reports, in form order: key -> (label, kind).
CORE_METRICS = {
    "revenue": (_l("Revenue"), MetricKind.MONEY),
    "paying_customers": (_l("Paying customers"), MetricKind.COUNT),
    "active_users": (_l("Active users"), MetricKind.COUNT),
    "employees_full_time": (_l("Full-time employees"), MetricKind.COUNT),
    "employees_full_time_women": (_l("Full-time employees: women"), MetricKind.COUNT),
    "employees_part_time": (_l("Part-time employees"), MetricKind.COUNT),
    "employees_part_time_women": (_l("Part-time employees: women"), MetricKind.COUNT),
    "funding_raised": (_l("Funding raised this month"), MetricKind.MONEY),
    "cash_in_bank": (_l("Cash in bank"), MetricKind.MONEY),
}
MONEY_METRICS = tuple(key for key, (_label, kind) in CORE_METRICS.items() if kind == MetricKind.MONEY)


class KpiMetric(TimestampMixin, db.Model):
    """A custom metric a manager adds for every startup of a cohort (archived, never deleted)."""

    __tablename__ = "kpi_metrics"
    __table_args__ = (sa.UniqueConstraint("cohort_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(sa.ForeignKey("cohorts.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(sa.String(80))
    unit: Mapped[str] = mapped_column(sa.String(40), default="")
    kind: Mapped[MetricKind] = mapped_column(str_enum(MetricKind), default=MetricKind.COUNT)
    position: Mapped[int] = mapped_column(default=0)
    archived: Mapped[bool] = mapped_column(default=False)

    cohort: Mapped[Cohort] = relationship()


class KpiReport(db.Model):
    """The one report of a startup for a month (``month`` is the month's first day)."""

    __tablename__ = "kpi_reports"
    __table_args__ = (
        sa.UniqueConstraint("startup_id", "month"),
        sa.CheckConstraint("latest_version >= 1", name="version_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    startup_id: Mapped[int] = mapped_column(sa.ForeignKey("startups.id", ondelete="CASCADE"), index=True)
    month: Mapped[date] = mapped_column(index=True)
    latest_version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    startup: Mapped[Startup] = relationship()
    versions: Mapped[list[KpiVersion]] = relationship(
        back_populates="report", order_by="KpiVersion.version.desc()", cascade="all, delete-orphan",
        passive_deletes=True,
    )


_NOT_NEGATIVE = (
    "revenue", "paying_customers", "active_users", "employees_full_time", "employees_full_time_women",
    "employees_part_time", "employees_part_time_women", "funding_raised", "cash_in_bank",
)


class KpiVersion(db.Model):
    """The figures of one version of a report; never updated after it is written."""

    __tablename__ = "kpi_versions"
    __table_args__ = (
        # Two corrections made from the same version at once: the database lets only one through.
        sa.UniqueConstraint("report_id", "version"),
        sa.CheckConstraint("version >= 1", name="version_positive"),
        sa.CheckConstraint(" AND ".join(f"{name} >= 0" for name in _NOT_NEGATIVE), name="not_negative"),
        sa.CheckConstraint(
            "employees_full_time_women <= employees_full_time AND employees_part_time_women <= employees_part_time",
            name="women_within_total",
        ),
        sa.CheckConstraint("currency IN ('USD', 'KHR')", name="currency_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(sa.ForeignKey("kpi_reports.id", ondelete="CASCADE"), index=True)
    version: Mapped[int]
    currency: Mapped[str] = mapped_column(sa.String(3))
    revenue: Mapped[int] = mapped_column(sa.BigInteger)  # minor units of ``currency``
    paying_customers: Mapped[int]
    active_users: Mapped[int]
    employees_full_time: Mapped[int]
    employees_full_time_women: Mapped[int]
    employees_part_time: Mapped[int]
    employees_part_time_women: Mapped[int]
    funding_raised: Mapped[int] = mapped_column(sa.BigInteger)  # minor units
    cash_in_bank: Mapped[int] = mapped_column(sa.BigInteger)  # minor units
    note: Mapped[str] = mapped_column(sa.Text, default="")
    submitted_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    report: Mapped[KpiReport] = relationship(back_populates="versions")
    submitted_by: Mapped[User | None] = relationship()
    custom_values: Mapped[list[KpiCustomValue]] = relationship(
        back_populates="version", cascade="all, delete-orphan", passive_deletes=True
    )

    @property
    def employees(self) -> int:
        return self.employees_full_time + self.employees_part_time

    @property
    def women_employees(self) -> int:
        return self.employees_full_time_women + self.employees_part_time_women

    def custom(self) -> dict[int, int]:
        """Custom metric values by metric id."""
        return {value.metric_id: value.value for value in self.custom_values}


class KpiCustomValue(db.Model):
    __tablename__ = "kpi_custom_values"
    __table_args__ = (
        sa.UniqueConstraint("version_id", "metric_id"),
        sa.CheckConstraint("value >= 0", name="not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(sa.ForeignKey("kpi_versions.id", ondelete="CASCADE"), index=True)
    metric_id: Mapped[int] = mapped_column(sa.ForeignKey("kpi_metrics.id", ondelete="RESTRICT"), index=True)
    value: Mapped[int] = mapped_column(sa.BigInteger)  # minor units for money metrics

    version: Mapped[KpiVersion] = relationship(back_populates="custom_values")
    metric: Mapped[KpiMetric] = relationship()


class ExchangeRate(TimestampMixin, db.Model):
    """The riel-per-dollar rate a manager sets for a cohort's converted totals."""

    __tablename__ = "exchange_rates"
    __table_args__ = (sa.CheckConstraint("khr_per_usd > 0", name="rate_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(sa.ForeignKey("cohorts.id", ondelete="CASCADE"), unique=True)
    khr_per_usd: Mapped[int]
    set_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))

    set_by: Mapped[User | None] = relationship()
