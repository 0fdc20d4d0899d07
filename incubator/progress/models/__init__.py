"""The progress domain's models, one file per aggregate (milestones, KPIs, check-ins)."""
from incubator.progress.models.checkins import HELP_TAGS, CheckIn
from incubator.progress.models.kpis import (
    CORE_METRICS,
    MONEY_METRICS,
    ExchangeRate,
    KpiCustomValue,
    KpiMetric,
    KpiReport,
    KpiVersion,
    MetricKind,
)
from incubator.progress.models.milestones import (
    MILESTONE_STATUS_LABELS,
    VERIFICATION_LABELS,
    Milestone,
    MilestoneChange,
    MilestoneStatus,
    MilestoneTemplate,
    Verification,
)

__all__ = [
    "CORE_METRICS", "HELP_TAGS", "MILESTONE_STATUS_LABELS", "MONEY_METRICS", "VERIFICATION_LABELS", "CheckIn",
    "ExchangeRate", "KpiCustomValue", "KpiMetric", "KpiReport", "KpiVersion", "MetricKind", "Milestone",
    "MilestoneChange", "MilestoneStatus", "MilestoneTemplate", "Verification",
]
