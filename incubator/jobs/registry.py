"""What runs when: the declarative list of scheduled jobs.

Each entry names a task (``"package.module:function"``, imported when it runs), its schedule in the
incubator's time zone (``DEFAULT_TIMEZONE``, Asia/Phnom_Penh), the period its runs are counted in
(the job runs at most once per period key) and its catch-up policy: whether a run missed while the
scheduler was down is made up once when it starts again.

Adding a job is one entry here plus one task function ``task(run: RunContext) -> str`` in the
owning domain's ``tasks.py``. Tasks that email build their dedupe keys from the job name and
``run.period.key`` (not the run key), so a forced run never emails anyone twice for one period.

In the registry now: ``deliver_email`` (every minute), ``prune_job_runs`` (daily 03:30), and the
progress reminders of ``incubator/progress/tasks.py``: ``weekly_checkin_reminder`` (Monday 09:00,
caught up once), ``checkin_nudge`` (Thursday 09:00, caught up only within 24 hours), ``manager_digest``
(Monday 08:00, caught up once) and ``overdue_milestones`` (daily 08:00, caught up once).

Planned entries (added with their features):

- ``mentor_session_reminders`` every(5), MINUTE, no catch-up: each sweep finds sessions 24 h / 1 h ahead
  (dedupe key per session and reminder), so the next sweep covers a missed one.
- ``booking_reminders``        every(5), MINUTE, no catch-up (same reason).
- ``release_unpaid_holds``     every(5), MINUTE, no catch-up; ``release_no_shows`` every(15), MINUTE, no catch-up.
- ``monthly_report``           monthly(1, 6), MONTH, catch up once.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from flask_babel import lazy_gettext as _l

from incubator.jobs.periods import Granularity
from incubator.jobs.schedules import Schedule, daily, every, weekly


@dataclass(frozen=True)
class JobSpec:
    """One scheduled job.

    :param name: stable identifier, stored in ``job_runs`` (never rename a job with history).
    :param task: ``"module:function"``; the function takes a ``RunContext`` and returns a short summary.
    :param schedule: when it fires, in the incubator's time zone.
    :param period: the period a run counts for; the period key is computed from the time the run
        starts, in the incubator's time zone, so a late start early in the period keeps its key.
    :param catch_up: on scheduler start, run once if this period's scheduled time has passed without
        a successful run (once, however many periods were missed).
    :param catch_up_within: only catch up if the missed time is at most this long ago.
    :param policy: the catch-up policy in words, shown on the jobs page and by ``flask jobs list``.
    :param misfire_grace_seconds: how late APScheduler may still start a run while the process is up.
    :param keep_days: successful runs older than this are pruned (failed runs are kept twice as long).
    """

    name: str
    task: str
    schedule: Schedule
    period: Granularity
    description: object
    policy: object
    catch_up: bool = False
    catch_up_within: timedelta | None = None
    misfire_grace_seconds: int = 3600
    keep_days: int = 90


JOBS: tuple[JobSpec, ...] = (
    JobSpec(
        name="deliver_email",
        task="incubator.notifications.tasks:deliver_due_email",
        schedule=every(1),
        period=Granularity.MINUTE,
        description=_l("Sends queued email that is due: retries failed messages with growing delays "
                       "(1, 4, 16, 64 and 256 minutes) and gives up after 6 attempts."),
        policy=_l("No catch-up: every run sends everything that is due, so the next minute covers a missed one."),
        misfire_grace_seconds=30,
        keep_days=7,
    ),
    JobSpec(
        name="prune_job_runs",
        task="incubator.jobs.tasks:prune_job_runs",
        schedule=daily(3, 30),
        period=Granularity.DAY,
        description=_l("Deletes old job history (kept 7 days for every-minute jobs, 90 days for the others)."),
        policy=_l("If today's run was missed, it runs once when the scheduler is back."),
        catch_up=True,
    ),
    JobSpec(
        name="weekly_checkin_reminder",
        task="incubator.progress.tasks:weekly_checkin_reminder",
        schedule=weekly("mon", 9),
        period=Granularity.WEEK,
        description=_l("Reminds the founders of every active startup in a running cohort that has no check-in "
                       "for this week yet."),
        policy=_l("If this week's run was missed, it runs once when the scheduler is back."),
        catch_up=True,
    ),
    JobSpec(
        name="checkin_nudge",
        task="incubator.progress.tasks:checkin_nudge",
        schedule=weekly("thu", 9),
        period=Granularity.WEEK,
        description=_l("Reminds again the founders whose startup still has no check-in this week."),
        policy=_l("Caught up only within 24 hours of Thursday 09:00; a later nudge is noise."),
        catch_up=True,
        catch_up_within=timedelta(hours=24),
    ),
    JobSpec(
        name="manager_digest",
        task="incubator.progress.tasks:manager_digest",
        schedule=weekly("mon", 8),
        period=Granularity.WEEK,
        description=_l("Emails each manager one digest of the running cohorts: startups that missed last "
                       "week's check-in, overdue milestones and open help requests."),
        policy=_l("If this week's run was missed, it runs once when the scheduler is back."),
        catch_up=True,
    ),
    JobSpec(
        name="overdue_milestones",
        task="incubator.progress.tasks:overdue_milestone_alerts",
        schedule=daily(8),
        period=Granularity.DAY,
        description=_l("Tells each startup's founders about its overdue milestones, and each manager about "
                       "all of them in one message."),
        policy=_l("If today's run was missed, it runs once when the scheduler is back."),
        catch_up=True,
    ),
)


def all_jobs() -> tuple[JobSpec, ...]:
    """Every registered job, in registry order."""
    return JOBS


def get_job(name: str) -> JobSpec | None:
    """The job called ``name``, or ``None``."""
    return next((spec for spec in all_jobs() if spec.name == name), None)
