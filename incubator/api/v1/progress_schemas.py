"""Pydantic models for the progress endpoints (milestones, KPI reports, check-ins).

Money travels in major units as decimal strings or numbers (``"1250.50"``) in the report's currency;
months as ``YYYY-MM``. Sign, range and type are checked here; the domain rules (no future month, women
within the team, evidence before done, one per period) answer from the services with the same messages
as the web forms.
"""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Literal

from flask_babel import gettext as _
from pydantic import AfterValidator, Field

from incubator.api.v1.schemas import Id, Input, LongText, Output, Page, optional
from incubator.core.money import from_minor
from incubator.progress.models import (
    CORE_METRICS,
    HELP_TAGS,
    CheckIn,
    KpiReport,
    KpiVersion,
    MetricKind,
    Milestone,
    MilestoneChange,
    MilestoneStatus,
)
from incubator.progress.periods import iso_week_label, parse_month, week_ends_at

MAX_COUNT = 1_000_000_000
MAX_MONEY = Decimal("10000000000000")


def _month(value: str) -> str:
    if parse_month(value) is None:
        raise ValueError(_("Give the month as YYYY-MM, for example 2026-03."))
    return value


Title = Annotated[str, Field(min_length=1, max_length=160)]
Unit = Annotated[str, Field(max_length=40)]
Target = Annotated[int, Field(ge=0, le=10**12)]
Month = Annotated[str, Field(description="A month as YYYY-MM.", examples=["2026-03"]), AfterValidator(_month)]
Money = Annotated[Decimal, Field(ge=0, le=MAX_MONEY, description="In major units of the report's currency.")]
Count = Annotated[int, Field(ge=0, le=MAX_COUNT)]
Text = Annotated[str, Field(max_length=5000)]
HelpTag = Literal[tuple(HELP_TAGS)]


# Milestones -------------------------------------------------------------------------------------


class MilestoneIn(Input):
    title: Title
    description: LongText = ""
    due_on: date
    target_value: Target | None = None
    target_unit: Unit = ""


class MilestonePatch(Input):
    title: Title = optional(description="Managers, or founders for their own (not plan) milestones.")
    description: LongText = optional()
    due_on: date = optional()
    target_value: Target | None = optional()
    target_unit: Unit = optional()
    status: MilestoneStatus = optional(description="Done needs evidence first; missed and dropped on plan "
                                                   "milestones are for managers.")
    evidence_url: Annotated[str, Field(max_length=500)] = optional(description="An https:// link, or empty.")


class EvidenceUpload(Input):
    """The multipart form carries only the file."""


class MilestoneVerification(Input):
    decision: Literal["verified", "sent_back"]
    comment: Text = Field("", description="Required when sending back.")


class MilestoneChangeOut(Output):
    at: datetime
    actor_name: str | None
    field: str
    old_value: str
    new_value: str
    comment: str


class MilestoneOut(Output):
    id: int
    startup_id: int
    from_plan: bool
    title: str
    description: str
    due_on: date
    target_value: int | None
    target_unit: str
    status: MilestoneStatus
    status_label: str
    overdue: bool = Field(description="Derived: past its due date and still planned or in progress.")
    verification: str = Field(description="none, pending, verified or sent_back.")
    verification_label: str
    verified_at: datetime | None
    verification_comment: str
    done_at: datetime | None
    evidence_url: str
    evidence_file_name: str | None
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, milestone: Milestone, today: date) -> MilestoneOut:
        """Serialize a milestone; ``today`` (incubator time zone) decides ``overdue``."""
        return cls(
            id=milestone.id, startup_id=milestone.startup_id, from_plan=milestone.from_plan, title=milestone.title,
            description=milestone.description, due_on=milestone.due_on, target_value=milestone.target_value,
            target_unit=milestone.target_unit, status=milestone.status, status_label=milestone.status_label,
            overdue=milestone.is_overdue(today), verification=milestone.verification.value,
            verification_label=milestone.verification_label, verified_at=milestone.verified_at,
            verification_comment=milestone.verification_comment, done_at=milestone.done_at,
            evidence_url=milestone.evidence_url,
            evidence_file_name=(milestone.evidence_name or None) if milestone.evidence_path else None,
            created_at=milestone.created_at, updated_at=milestone.updated_at,
        )


class MilestoneDetail(MilestoneOut):
    history: list[MilestoneChangeOut] = Field(description="Every change, newest first.")

    @classmethod
    def with_history(cls, milestone: Milestone, changes: list[MilestoneChange], today: date) -> MilestoneDetail:
        return cls(**MilestoneOut.of(milestone, today).model_dump(), history=[
            MilestoneChangeOut(at=c.created_at, actor_name=c.actor.name if c.actor else None, field=c.field,
                               old_value=c.old_value, new_value=c.new_value, comment=c.comment)
            for c in changes
        ])


class MilestonePage(Page[MilestoneOut]):
    pass


# KPI reports ------------------------------------------------------------------------------------


class KpiFigures(Input):
    revenue: Money
    paying_customers: Count
    active_users: Count
    employees_full_time: Count
    employees_full_time_women: Count
    employees_part_time: Count
    employees_part_time_women: Count
    funding_raised: Money
    cash_in_bank: Money
    custom: dict[Id, Annotated[Decimal, Field(ge=0, le=MAX_MONEY)]] = Field(
        default_factory=dict, description="The cohort's custom metrics by metric id (money in major units).")


class KpiIn(KpiFigures):
    month: Month
    note: Annotated[str, Field(max_length=2000)] = ""


class KpiCorrection(KpiFigures):
    note: Annotated[str, Field(min_length=1, max_length=2000)] = Field(description="What was corrected and why.")
    base_version: Annotated[int, Field(ge=1)] | None = Field(
        None, description="The version you corrected; if the report has moved on since, the answer is 409.")


class KpiVersionOut(Output):
    version: int
    currency: str
    revenue: Decimal
    paying_customers: int
    active_users: int
    employees_full_time: int
    employees_full_time_women: int
    employees_part_time: int
    employees_part_time_women: int
    funding_raised: Decimal
    cash_in_bank: Decimal
    custom: dict[int, Decimal | int]
    note: str
    submitted_at: datetime
    submitted_by_name: str | None

    @classmethod
    def of(cls, version: KpiVersion, metric_kinds: dict[int, MetricKind]) -> KpiVersionOut:
        figures = {key: (from_minor(getattr(version, key), version.currency) if kind == MetricKind.MONEY
                         else getattr(version, key)) for key, (_label, kind) in CORE_METRICS.items()}
        custom = {m: from_minor(v, version.currency) if metric_kinds.get(m) == MetricKind.MONEY else v
                  for m, v in version.custom().items()}
        return cls(version=version.version, currency=version.currency, custom=custom, note=version.note,
                   submitted_at=version.submitted_at,
                   submitted_by_name=version.submitted_by.name if version.submitted_by else None, **figures)


class KpiReportOut(Output):
    id: int
    startup_id: int
    month: str = Field(description="YYYY-MM")
    latest_version: int
    current: KpiVersionOut

    @classmethod
    def of(cls, report: KpiReport, current: KpiVersion, metric_kinds: dict[int, MetricKind]) -> KpiReportOut:
        return cls(id=report.id, startup_id=report.startup_id, month=f"{report.month:%Y-%m}",
                   latest_version=report.latest_version, current=KpiVersionOut.of(current, metric_kinds))


class KpiReportDetail(KpiReportOut):
    versions: list[KpiVersionOut] = Field(description="Every version, newest first.")


class KpiReportPage(Page[KpiReportOut]):
    pass


# Check-ins --------------------------------------------------------------------------------------


class CheckInIn(Input):
    progress: Annotated[str, Field(min_length=1, max_length=5000)]
    blockers: Text = ""
    help_text: Text = Field("", description="Any text here, or any tag, raises a help flag for the managers.")
    help_tags: list[HelpTag] = Field(default_factory=list, max_length=len(HELP_TAGS))
    morale: Annotated[int, Field(ge=1, le=5)]


class CheckInPatch(Input):
    progress: Annotated[str, Field(min_length=1, max_length=5000)] = optional()
    blockers: Text = optional()
    help_text: Text = optional()
    help_tags: list[HelpTag] = optional(max_length=len(HELP_TAGS))
    morale: Annotated[int, Field(ge=1, le=5)] = optional()


class HelpResolution(Input):
    comment: Annotated[str, Field(min_length=1, max_length=5000)] = Field(description="The founders see it.")


class CheckInOut(Output):
    id: int
    startup_id: int
    week: str = Field(description="The ISO week, such as 2026-W47 (Monday to Sunday, Asia/Phnom_Penh).")
    week_start: date
    editable_until: datetime
    progress: str
    blockers: str
    help_text: str
    help_tags: list[str]
    morale: int
    help_requested: bool
    help_open: bool
    help_resolved_at: datetime | None
    help_resolution: str
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, checkin: CheckIn) -> CheckInOut:
        return cls(
            id=checkin.id, startup_id=checkin.startup_id, week=iso_week_label(checkin.week_start),
            week_start=checkin.week_start, editable_until=week_ends_at(checkin.week_start),
            progress=checkin.progress, blockers=checkin.blockers, help_text=checkin.help_text,
            help_tags=list(checkin.help_tags or []), morale=checkin.morale, help_requested=checkin.help_requested,
            help_open=checkin.help_open, help_resolved_at=checkin.help_resolved_at,
            help_resolution=checkin.help_resolution, created_at=checkin.created_at, updated_at=checkin.updated_at,
        )


class CheckInPage(Page[CheckInOut]):
    pass
