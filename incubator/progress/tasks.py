"""Scheduled progress reminders (see ``incubator/jobs/registry.py``): check-in reminder and nudge, the
managers' weekly digest and daily overdue-milestone alerts.

Each task reads what it needs in a fixed number of bulk queries (``progress.reminders``) and then
calls ``notify`` once per message, so its cost grows with the messages sent, never with the number of
startups, milestones or check-ins. Dedupe keys are ``<job>:<period key>:<recipient>``: built from the
period the run is for rather than from the run key, so a forced run ("Run now" with "Run again",
``run-once --force``) tells only people who were not told yet for that period (e.g. a founder added
since) instead of emailing everyone twice.
"""
from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext

from incubator.core.urls import app_path, external_url
from incubator.notifications.services import notify
from incubator.progress.models import HELP_TAGS
from incubator.progress.reminders import (
    TOP_ITEMS,
    active_managers,
    cohort_digests,
    founders_of,
    founders_without_checkin,
    overdue_milestones,
)


def _period_days(run) -> tuple[date, date]:
    """The first and the last local day of the run's period."""
    zone = ZoneInfo(run.timezone)
    return run.period.start.astimezone(zone).date(), (run.period.end.astimezone(zone) - timedelta(days=1)).date()


def _run_day(run) -> date:
    """The local day the run happens, kept inside its period (a run for a past period uses its last day)."""
    first, last = _period_days(run)
    return min(max(run.started_at.astimezone(ZoneInfo(run.timezone)).date(), first), last)


def _remind_checkin(run, nudge: bool) -> str:
    week_start, _last = _period_days(run)
    sent, startups = 0, set()
    for user, startup_id, startup_name in founders_without_checkin(week_start):
        if nudge:
            title = _l("Reminder: %(startup)s has not checked in this week", startup=startup_name)
        else:
            title = _l("Time for the weekly check-in of %(startup)s", startup=startup_name)
        body = _l("Tell the incubator team how the week went: progress, blockers and whether you need help. "
                  "It takes two minutes.")
        done = notify(user, "reminders", title, body, link=app_path("progress.checkin", startup_id=startup_id),
                      email_template="checkin_reminder",
                      dedupe_key=f"{run.job_name}:{run.period.key}:{startup_id}:{user.id}",
                      startup_name=startup_name, week_start=week_start, nudge=nudge)
        if done is not None:
            sent += 1
            startups.add(startup_id)
    return f"{sent} reminders to founders of {len(startups)} startups for {run.period.key}"


def weekly_checkin_reminder(run) -> str:
    """Monday: remind the founders of every tracked startup with no check-in for this ISO week.

    :param run: the job's ``RunContext`` (its period is the ISO week).
    :return: a short summary for the jobs page.
    """
    return _remind_checkin(run, nudge=False)


def checkin_nudge(run) -> str:
    """Thursday: the same reminder, to the founders of startups that still have no check-in this week.

    :param run: the job's ``RunContext`` (its period is the ISO week).
    :return: a short summary for the jobs page.
    """
    return _remind_checkin(run, nudge=True)


def manager_digest(run) -> str:
    """Monday: one email per manager covering every running cohort: startups that missed last week's
    check-in, overdue milestones and open help requests (counts, the first few of each, dashboard links).

    :param run: the job's ``RunContext`` (its period is the ISO week; "last week" is the one before).
    :return: a short summary for the jobs page.
    """
    week_start, _last = _period_days(run)
    cohorts = cohort_digests(week_start - timedelta(days=7), _run_day(run))
    if not cohorts:
        return "no running cohorts"
    managers = active_managers()
    dashboards = {c.cohort_id: external_url("progress.cohort_dashboard", cohort_id=c.cohort_id) for c in cohorts}
    link = (app_path("progress.cohort_dashboard", cohort_id=cohorts[0].cohort_id) if len(cohorts) == 1
            else app_path("cohorts.list_cohorts"))
    missing = sum(len(c.missing_checkins) for c in cohorts)
    overdue = sum(len(c.overdue) for c in cohorts)
    flags = sum(len(c.help_flags) for c in cohorts)
    body = _l("Missing check-ins last week: %(missing)d. Overdue milestones: %(overdue)d. "
              "Open help requests: %(flags)d.", missing=missing, overdue=overdue, flags=flags)
    sent = 0
    for manager in managers:
        done = notify(manager, "digests", _l("Weekly progress digest"), body, link=link,
                      email_template="manager_digest", dedupe_key=f"{run.job_name}:{run.period.key}:{manager.id}",
                      cohorts=cohorts, dashboards=dashboards, last_week=week_start - timedelta(days=7),
                      top=TOP_ITEMS, help_tag_labels=HELP_TAGS)
        sent += done is not None
    return f"digest for {len(cohorts)} cohorts sent to {sent} managers"


def overdue_milestone_alerts(run) -> str:
    """Daily: each tracked startup's founders get the list of its overdue milestones; each manager gets
    one combined message for all running cohorts (there is no manager per startup).

    Sent every day while a milestone stays overdue; nothing is sent when none is.

    :param run: the job's ``RunContext`` (its period is the day; overdue means due before that day).
    :return: a short summary for the jobs page.
    """
    today = _run_day(run)
    items = overdue_milestones(today)
    if not items:
        return "no overdue milestones"
    by_startup: dict[int, list] = defaultdict(list)
    for item in items:
        by_startup[item.startup_id].append(item)
    founders, sent = founders_of(set(by_startup)), 0
    for startup_id, startup_items in by_startup.items():
        name = startup_items[0].startup_name
        for user in founders.get(startup_id, []):
            title = lazy_ngettext("%(num)d overdue milestone at %(startup)s",
                                  "%(num)d overdue milestones at %(startup)s", len(startup_items), startup=name)
            done = notify(user, "reminders", title, _l("Update them, or ask the incubator team for a new date."),
                          link=app_path("progress.startup_progress", startup_id=startup_id),
                          email_template="overdue_milestones",
                          dedupe_key=f"{run.job_name}:{run.period.key}:{startup_id}:{user.id}",
                          groups=[(name, "", startup_items)], today=today, for_manager=False)
            sent += done is not None
    groups = [(entries[0].startup_name, external_url("progress.startup_progress", startup_id=startup_id), entries)
              for startup_id, entries in by_startup.items()]
    title = lazy_ngettext("%(num)d overdue milestone in the running cohorts",
                          "%(num)d overdue milestones in the running cohorts", len(items))
    body = _l("Startups with overdue milestones: %(names)s", names=", ".join(group[0] for group in groups))
    for manager in active_managers():
        done = notify(manager, "reminders", title, body, link=app_path("cohorts.list_cohorts"),
                      email_template="overdue_milestones",
                      dedupe_key=f"{run.job_name}:{run.period.key}:manager:{manager.id}",
                      groups=groups, today=today, for_manager=True)
        sent += done is not None
    return f"{len(items)} overdue milestones of {len(by_startup)} startups; {sent} messages"
