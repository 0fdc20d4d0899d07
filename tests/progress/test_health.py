"""The documented health rule (a pure function) and the small date helpers it relies on."""
from __future__ import annotations

from datetime import date

import pytest

from incubator.progress.health import (
    Health,
    HealthInputs,
    assess,
    days_since,
    expected_kpi_month,
    kpi_months_behind,
)


def test_nothing_wrong_is_on_track():
    assert assess(HealthInputs(days_since_checkin=3, latest_morale=4, kpi_months_behind=0)).status == Health.ON_TRACK


def test_unknowns_alone_do_not_raise_the_alarm():
    assert assess(HealthInputs()).status == Health.ON_TRACK


@pytest.mark.parametrize(("inputs", "reason"), [
    (HealthInputs(overdue_milestones=1), "overdue_one"),
    (HealthInputs(days_since_checkin=8), "checkin_late"),
    (HealthInputs(days_since_checkin=20), "checkin_late"),
    (HealthInputs(open_help_flags=1, oldest_help_days=6), "help_open"),
    (HealthInputs(latest_morale=3), "morale_mixed"),
    (HealthInputs(revenue_change=-0.21), "revenue_drop"),
    (HealthInputs(kpi_months_behind=1), "kpis_missing"),
])
def test_each_watch_condition(inputs, reason):
    result = assess(inputs)
    assert result.status == Health.WATCH
    assert result.reasons == (reason,)


@pytest.mark.parametrize(("inputs", "reason"), [
    (HealthInputs(overdue_milestones=2), "overdue_many"),
    (HealthInputs(days_since_checkin=21), "checkin_stale"),
    (HealthInputs(latest_morale=2), "morale_low"),
    (HealthInputs(latest_morale=1), "morale_low"),
    (HealthInputs(open_help_flags=1, oldest_help_days=7), "help_waiting"),
    (HealthInputs(kpi_months_behind=2), "kpis_behind"),
])
def test_each_risk_condition(inputs, reason):
    result = assess(inputs)
    assert result.status == Health.AT_RISK
    assert result.reasons == (reason,)


@pytest.mark.parametrize("inputs", [
    HealthInputs(days_since_checkin=7), HealthInputs(revenue_change=-0.20), HealthInputs(latest_morale=4),
    HealthInputs(revenue_change=0.5), HealthInputs(kpi_months_behind=0),
])
def test_just_inside_the_thresholds_is_on_track(inputs):
    assert assess(inputs).status == Health.ON_TRACK


def test_risk_wins_and_keeps_every_reason_worst_first():
    result = assess(HealthInputs(overdue_milestones=3, latest_morale=3, days_since_checkin=10))
    assert result.status == Health.AT_RISK
    assert result.reasons == ("overdue_many", "checkin_late", "morale_mixed")
    assert result.label == "At risk"
    assert result.reason_labels()[0] == "2 or more milestones overdue"


@pytest.mark.parametrize(("today", "expected"), [
    (date(2026, 11, 10), date(2026, 9, 1)),  # October's report is due by 10 November
    (date(2026, 11, 11), date(2026, 10, 1)),
    (date(2026, 1, 5), date(2025, 11, 1)),
    (date(2026, 1, 31), date(2025, 12, 1)),
])
def test_expected_kpi_month(today, expected):
    assert expected_kpi_month(today) == expected


def test_months_behind_counts_from_the_latest_report_or_the_programme_start():
    today = date(2026, 11, 20)  # October is due
    assert kpi_months_behind(date(2026, 10, 1), date(2026, 1, 1), today) == 0
    assert kpi_months_behind(date(2026, 9, 1), date(2026, 1, 1), today) == 1
    assert kpi_months_behind(date(2026, 7, 1), date(2026, 1, 1), today) == 3
    assert kpi_months_behind(None, date(2026, 10, 15), today) == 1  # October was the first month due
    assert kpi_months_behind(None, date(2026, 11, 2), today) == 0  # nothing due yet
    assert kpi_months_behind(None, date(2027, 1, 1), today) == 0  # the programme has not started


def test_days_since_a_checkin_or_the_programme_start():
    assert days_since(date(2026, 11, 1), date(2026, 9, 1), date(2026, 11, 20)) == 19
    assert days_since(None, date(2026, 11, 10), date(2026, 11, 20)) == 10
    assert days_since(None, date(2026, 12, 10), date(2026, 11, 20)) == 0
