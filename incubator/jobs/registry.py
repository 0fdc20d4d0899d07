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

Resources (``incubator/resources/tasks.py``), every few minutes with no catch-up (each sweep handles all that
is due): ``release_no_shows`` every(15), ``expire_booking_requests`` every(15) (unanswered approvals, and
approved paid use nobody started to pay for), ``booking_reminders`` every(5) (an hour ahead, once per booking).

Mentoring (``incubator/mentoring/tasks.py``): ``mentor_session_reminders`` every(5), MINUTE, no catch-up: each
sweep finds sessions about 24 h / 1 h ahead (dedupe key per session and reminder), so the next sweep covers a
missed one.

Billing (``incubator/billing/tasks.py``): ``release_unpaid_holds`` every(5), MINUTE, no catch-up (each run
releases every lapsed hold); ``bill_monthly_fees`` daily 07:00, DAY, caught up once.

Reports (``incubator/reports/tasks.py``): ``monthly_reports`` monthly(1, 6), MONTH, caught up once; it commits
once per report rather than once per run (see the task's docstring).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from flask_babel import lazy_gettext as _l

from incubator.jobs.periods import Granularity
from incubator.jobs.schedules import Schedule, daily, every, monthly, weekly


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
    JobSpec(
        name="grant_tranches_due",
        task="incubator.grants.tasks:grant_tranches_due",
        schedule=daily(8, 15),
        period=Granularity.DAY,
        description=_l("Tells the founders when a tranche of their grant becomes payable (its milestone was "
                       "verified or its date came), and the managers which tranches are ready to transfer; "
                       "once per tranche."),
        policy=_l("If today's run was missed, it runs once when the scheduler is back; a tranche missed one day "
                  "is announced the next."),
        catch_up=True,
    ),
    JobSpec(
        name="mentor_session_reminders",
        task="incubator.mentoring.tasks:mentor_session_reminders",
        schedule=every(5),
        period=Granularity.MINUTE,
        description=_l("Reminds the mentor and the founders of each mentoring session about a day before and "
                       "about an hour before it starts (each reminder once per person)."),
        policy=_l("No catch-up: each run looks 24 hours ahead for reminders not sent yet, so the next run "
                  "covers a missed one."),
        misfire_grace_seconds=120,
        keep_days=7,
    ),
    JobSpec(
        name="release_unpaid_holds",
        task="incubator.billing.tasks:release_unpaid_holds",
        schedule=every(5),
        period=Granularity.MINUTE,
        description=_l("Releases bookings held for online payment that were not paid within 30 minutes "
                       "(their Stripe Checkout page is closed first)."),
        policy=_l("No catch-up: every run releases every lapsed hold, so the next run covers a missed one."),
        misfire_grace_seconds=120,
        keep_days=7,
    ),
    JobSpec(
        name="release_no_shows",
        task="incubator.resources.tasks:release_no_show_bookings",
        schedule=every(15),
        period=Granularity.MINUTE,
        description=_l("Releases startup bookings nobody checked in to within 15 minutes of their start, and "
                       "counts them as no-shows."),
        policy=_l("No catch-up: every run releases every booking past its check-in time, so the next run "
                  "covers a missed one."),
        misfire_grace_seconds=300,
        keep_days=7,
    ),
    JobSpec(
        name="expire_booking_requests",
        task="incubator.resources.tasks:expire_booking_requests",
        schedule=every(15),
        period=Granularity.MINUTE,
        description=_l("Lets go of booking requests no manager answered within 48 hours, or by their start if "
                       "that comes first, and tells the founders."),
        policy=_l("No catch-up: every run expires every lapsed request, so the next run covers a missed one."),
        misfire_grace_seconds=300,
        keep_days=7,
    ),
    JobSpec(
        name="booking_reminders",
        task="incubator.resources.tasks:booking_reminders",
        schedule=every(5),
        period=Granularity.MINUTE,
        description=_l("Reminds founders of each confirmed booking starting within the hour, with the check-in "
                       "link (once per booking)."),
        policy=_l("No catch-up: each run looks an hour ahead, so the next run covers a missed one."),
        misfire_grace_seconds=120,
        keep_days=7,
    ),
    JobSpec(
        name="bill_monthly_fees",
        task="incubator.billing.tasks:bill_monthly_fees",
        schedule=daily(7),
        period=Granularity.DAY,
        description=_l("Issues this month's bill of every monthly fee whose billing day has come (a Stripe "
                       "invoice, or a charge to be invoiced when Stripe is off). Each month is billed once."),
        policy=_l("If today's run was missed, it runs once when the scheduler is back; a fee missed one day "
                  "is billed the next."),
        catch_up=True,
    ),
    JobSpec(
        name="monthly_reports",
        task="incubator.reports.tasks:monthly_reports",
        schedule=monthly(1, 6),
        period=Granularity.MONTH,
        description=_l("Makes the investor one-pager of every active startup in the running cohorts and each "
                       "running cohort's impact report (English and Khmer), as kept snapshots with their PDFs. "
                       "One failing startup does not stop the others; the summary counts failures."),
        policy=_l("If this month's run was missed, it runs once when the scheduler is back."),
        catch_up=True,
        misfire_grace_seconds=6 * 3600,
        keep_days=400,
    ),
)


def all_jobs() -> tuple[JobSpec, ...]:
    """Every registered job, in registry order."""
    return JOBS


def get_job(name: str) -> JobSpec | None:
    """The job called ``name``, or ``None``."""
    return next((spec for spec in all_jobs() if spec.name == name), None)
