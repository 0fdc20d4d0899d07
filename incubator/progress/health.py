"""The health rule: one status per startup from its milestones, check-ins, help flags and KPIs.

A pure function of plain numbers (no database, no request), so the rule is easy to read and to test.

**At risk** when any of these holds:
  - 2 or more milestones are overdue;
  - no check-in for 21 days or more (counted from the programme start when there is none);
  - the latest morale is 1 or 2 (out of 5);
  - a help flag has been open for 7 days or more;
  - KPI reports are 2 or more months behind.

**Watch** when none of the above holds but any of these does:
  - 1 milestone is overdue;
  - no check-in for 8 to 20 days;
  - a help flag is open (for less than 7 days);
  - the latest morale is 3;
  - revenue fell by more than 20% from the month before;
  - last month's KPI report is missing (1 month behind).

**On track** otherwise. A month's KPI report is expected by the 10th of the following month.
"""
from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import date

from flask_babel import lazy_gettext as _l

from incubator.progress.periods import add_months, months_between

OVERDUE_RISK = 2
CHECKIN_RISK_DAYS = 21
CHECKIN_WATCH_DAYS = 8
HELP_RISK_DAYS = 7
MORALE_RISK = 2
MORALE_WATCH = 3
REVENUE_DROP_WATCH = -0.20
KPI_MONTHS_RISK = 2
KPI_DUE_DAY = 10


class Health(enum.StrEnum):
    ON_TRACK = "on_track"
    WATCH = "watch"
    AT_RISK = "at_risk"


HEALTH_LABELS = {
    Health.ON_TRACK: _l("On track"),
    Health.WATCH: _l("Watch"),
    Health.AT_RISK: _l("At risk"),
}
# Worst first: the dashboard's default order puts the startups that need attention on top.
HEALTH_RANK = {Health.AT_RISK: 0, Health.WATCH: 1, Health.ON_TRACK: 2}

REASON_LABELS = {
    "overdue_many": _l("2 or more milestones overdue"),
    "overdue_one": _l("1 milestone overdue"),
    "checkin_stale": _l("No check-in for 3 weeks or more"),
    "checkin_late": _l("No check-in for over a week"),
    "morale_low": _l("Low morale"),
    "morale_mixed": _l("Mixed morale"),
    "help_waiting": _l("Help request waiting a week or more"),
    "help_open": _l("Open help request"),
    "kpis_behind": _l("KPI reports 2+ months behind"),
    "kpis_missing": _l("Last month's KPIs missing"),
    "revenue_drop": _l("Revenue fell more than 20%"),
}


@dataclass(frozen=True)
class HealthInputs:
    """What the rule looks at; ``None`` means "not known yet" and never raises the alarm by itself."""

    overdue_milestones: int = 0
    days_since_checkin: int | None = None
    latest_morale: int | None = None
    open_help_flags: int = 0
    oldest_help_days: int | None = None
    kpi_months_behind: int | None = None
    revenue_change: float | None = None  # a fraction: -0.25 is a 25% fall


@dataclass(frozen=True)
class HealthResult:
    status: Health
    reasons: tuple[str, ...] = field(default_factory=tuple)

    @property
    def label(self) -> str:
        return str(HEALTH_LABELS[self.status])

    def reason_labels(self) -> list[str]:
        return [str(REASON_LABELS[code]) for code in self.reasons]


def assess(inputs: HealthInputs) -> HealthResult:
    """Apply the rule in the module docstring.

    :param inputs: the startup's current numbers.
    :return: the status and the reason codes behind it (worst reasons first).
    """
    risk, watch = [], []
    if inputs.overdue_milestones >= OVERDUE_RISK:
        risk.append("overdue_many")
    elif inputs.overdue_milestones == 1:
        watch.append("overdue_one")
    days = inputs.days_since_checkin
    if days is not None and days >= CHECKIN_RISK_DAYS:
        risk.append("checkin_stale")
    elif days is not None and days >= CHECKIN_WATCH_DAYS:
        watch.append("checkin_late")
    if inputs.latest_morale is not None and inputs.latest_morale <= MORALE_RISK:
        risk.append("morale_low")
    elif inputs.latest_morale == MORALE_WATCH:
        watch.append("morale_mixed")
    if inputs.open_help_flags:
        if inputs.oldest_help_days is not None and inputs.oldest_help_days >= HELP_RISK_DAYS:
            risk.append("help_waiting")
        else:
            watch.append("help_open")
    behind = inputs.kpi_months_behind
    if behind is not None and behind >= KPI_MONTHS_RISK:
        risk.append("kpis_behind")
    elif behind == 1:
        watch.append("kpis_missing")
    if inputs.revenue_change is not None and inputs.revenue_change < REVENUE_DROP_WATCH:
        watch.append("revenue_drop")
    if risk:
        return HealthResult(Health.AT_RISK, tuple(risk + watch))
    if watch:
        return HealthResult(Health.WATCH, tuple(watch))
    return HealthResult(Health.ON_TRACK)


def expected_kpi_month(today: date) -> date:
    """The latest month whose report is due by ``today`` (reports are due by the 10th of the next month)."""
    return add_months(today.replace(day=1), -1 if today.day > KPI_DUE_DAY else -2)


def kpi_months_behind(latest_month: date | None, programme_start: date, today: date) -> int:
    """How many due monthly reports are missing after the latest one (or since the programme began)."""
    expected = expected_kpi_month(today)
    if latest_month is None:
        first_due = programme_start.replace(day=1)
        return max(0, months_between(first_due, expected) + 1)
    return max(0, months_between(latest_month, expected))


def days_since(last: date | None, programme_start: date, today: date) -> int:
    """Days since ``last`` (a check-in), or since the programme began when there is none yet."""
    return max(0, (today - (last or programme_start)).days)
