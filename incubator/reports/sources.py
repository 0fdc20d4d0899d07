"""Figures that other domains own (mentoring, shared resources, grants), each behind one function.

Each function returns ``None`` when the owning domain does not provide its reporting module yet (a real
check: the module and the function must exist), so the report says "not available yet" instead of
showing a zero that would read as "none delivered". Wiring a domain in is done in its own
``reporting.py``; nothing here needs to change.
"""
from __future__ import annotations

import importlib
import importlib.util
from collections.abc import Callable
from datetime import date, datetime, time, timedelta

from incubator.progress.periods import incubator_zone


def _provider(module: str, function: str) -> Callable | None:
    try:
        if importlib.util.find_spec(module) is None:
            return None
    except ModuleNotFoundError:  # the parent package itself is missing
        return None
    return getattr(importlib.import_module(module), function, None)


def _bounds(start: date, end: date) -> tuple[datetime, datetime]:
    """The days ``start`` to ``end`` (inclusive) as the instants [start, end) in the incubator's time zone."""
    zone = incubator_zone()
    return (datetime.combine(start, time(0, 0), tzinfo=zone),
            datetime.combine(end + timedelta(days=1), time(0, 0), tzinfo=zone))


def mentor_minutes(cohort_id: int, start: date, end: date) -> dict[int, int] | None:
    """Mentoring minutes delivered to each startup of the cohort between ``start`` and ``end`` (inclusive).

    :return: startup id → minutes, or ``None`` when mentoring does not report yet.
    """
    provider = _provider("incubator.mentoring.reporting", "mentor_hours_by_startup")
    if provider is None:
        return None
    return {int(k): int(v or 0) for k, v in (provider(cohort_id, *_bounds(start, end)) or {}).items()}


def mentor_endorsements(startup_id: int) -> list[dict] | None:
    """Ratings and comments mentors agreed to make public, newest first.

    :return: ``[{"mentor": name, "rating": 1-5 or None, "comment": text, "date": ISO date or ""}]``, or
        ``None`` when mentoring does not report yet.
    """
    provider = _provider("incubator.mentoring.reporting", "mentor_endorsements")
    if provider is None:
        return None
    endorsements = []
    for item in provider(startup_id) or []:
        when = item.get("date") or item.get("session_date") or item.get("created_at") or ""
        rating = item.get("rating")
        endorsements.append({
            "mentor": str(item.get("mentor_name") or item.get("mentor") or ""),
            "rating": int(rating) if rating is not None else None,
            "comment": str(item.get("comment") or ""),
            "date": when.isoformat()[:10] if hasattr(when, "isoformat") else str(when)[:10],
        })
    return endorsements


def resource_use(cohort_id: int, start: date, end: date) -> dict[int, dict] | None:
    """Shared-resource use per startup between ``start`` and ``end``.

    :return: startup id → ``{"hours", "bookings", "units"}``, or ``None`` when resources do not report yet.
    """
    provider = _provider("incubator.resources.reporting", "resource_use_by_startup")
    if provider is None:
        return None
    result = {}
    for startup_id, use in (provider(cohort_id, *_bounds(start, end)) or {}).items():
        result[int(startup_id)] = {
            "hours": float(use.get("hours") or 0),
            "bookings": int(use.get("bookings") or 0),
            "units": float(use.get("units") or 0),
        }
    return result


def grant_totals(cohort_id: int) -> dict[int, dict] | None:
    """Grants committed and disbursed per startup of the cohort.

    :return: startup id → ``{"currency", "committed_minor", "disbursed_minor"}``, or ``None`` when grants do
        not report yet.
    """
    provider = _provider("incubator.grants.reporting", "grant_totals_by_startup")
    if provider is None:
        return None
    return {
        int(startup_id): {
            "currency": str(totals.get("currency") or "USD"),
            "committed_minor": int(totals.get("committed_minor") or 0),
            "disbursed_minor": int(totals.get("disbursed_minor") or 0),
        }
        for startup_id, totals in (provider(cohort_id) or {}).items()
    }
