"""Command-line tools, registered on ``flask``: ``flask users create|set-password``, ``flask demo`` and
``flask jobs run|list|run-once`` (the scheduler; each job runs in its own unit of work, see ``jobs/runner.py``)
and ``flask backup create|restore|show`` (``ops/backup_cli.py``).

Each command is a unit of work like a request: services flush, the command commits once, then
queued email is delivered. A refusal rolls back and exits non-zero with the service's message.
"""
from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from typing import Any

import click
from email_validator import EmailNotValidError, validate_email
from flask import current_app
from flask.cli import AppGroup, with_appcontext

from incubator.audit.services import record
from incubator.auth.models import Role
from incubator.auth.services import create_user, find_user, set_password
from incubator.core.errors import ServiceError
from incubator.core.uow import commit
from incubator.extensions import db
from incubator.notifications.email import deliver_committed
from incubator.ops.backup_cli import backup_cli  # noqa: F401  (registered in create_app with the others)

users_cli = AppGroup("users", help="Create accounts and set passwords.")

PASSWORD_STDIN_HELP = "Read the password from the first line of standard input instead of prompting."


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
        if not password:
            raise click.ClickException("No password on standard input.")
        return password
    return click.prompt("Password", hide_input=True, confirmation_prompt=True)


def _run(fn: Callable[..., Any], *args, **kwargs) -> Any:
    """Call a service and commit; a refusal becomes a click error (exit status 1)."""
    try:
        result = fn(*args, **kwargs)
        commit()
    except ServiceError as exc:
        db.session.rollback()
        # Show every reason (e.g. all password problems), not only the first.
        details = [str(m) for msgs in exc.fields.values() if len(msgs) > 1 for m in msgs if str(m) != exc.message]
        raise click.ClickException(" ".join([str(exc.message), *details])) from exc
    deliver_committed()
    return result


def _create_account(email: str, name: str, role: str, password: str, admin: bool):
    user = create_user(email, name, role, password=password, is_admin=admin)
    record(None, "user.created", user, label=user.email, role=user.role.value, admin=user.is_admin, via="cli")
    return user


def _change_password(user, password: str) -> None:
    set_password(user, password)
    record(None, "password.set", user, label=user.email, via="cli")


@users_cli.command("create")
@click.argument("email")
@click.option("--role", required=True, type=click.Choice([role.value for role in Role]), help="The account's role.")
@click.option("--name", default="", help="Display name (defaults to the email address).")
@click.option("--admin", is_flag=True, help="Make a manager an admin (invites managers, changes roles and access).")
@click.option("--password-stdin", is_flag=True, help=PASSWORD_STDIN_HELP)
def create_user_command(email: str, role: str, name: str, admin: bool, password_stdin: bool) -> None:
    """Create an account for EMAIL with a password.

    The password is asked for twice without echo (or read from standard input with
    --password-stdin) and must meet the password policy: 12 to 128 characters and not a
    common password.

    \b
    Example:
      flask users create ops@tbi.example.com --role manager --name "Sophea Lim" --admin
    """
    try:
        email = validate_email(email, check_deliverability=False).normalized
    except EmailNotValidError as exc:
        raise click.BadParameter(str(exc), param_hint="EMAIL") from exc
    if admin and role != Role.MANAGER:
        raise click.BadParameter("only managers can be admins.", param_hint="--admin")
    if find_user(email):
        raise click.ClickException(f"An account with the email {email.lower()} already exists.")
    password = _read_password(password_stdin)
    user = _run(_create_account, email, name, role, password, admin)
    suffix = " (admin)" if user.is_admin else ""
    click.echo(f"Created {user.role.value}{suffix} {user.email}.")


@users_cli.command("set-password")
@click.argument("email")
@click.option("--password-stdin", is_flag=True, help=PASSWORD_STDIN_HELP)
def set_password_command(email: str, password_stdin: bool) -> None:
    """Set a new password for the account EMAIL.

    The password is asked for twice without echo (or read from standard input with
    --password-stdin) and must meet the password policy. Every other session of the account
    is signed out.
    """
    user = find_user(email)
    if user is None:
        raise click.ClickException(f"No account with the email {email.strip().lower()}.")
    password = _read_password(password_stdin)
    _run(_change_password, user, password)
    click.echo(f"Password changed for {user.email}; other sessions were signed out.")


@click.command("demo")
@with_appcontext
def demo_command() -> None:
    """Load a demo incubator with accounts, cohorts, startups and reviews.

    Safe to run again: once the demo manager account exists nothing is changed. Every demo
    account has the same published password, so the command refuses to run when
    APP_ENV=production.
    """
    from incubator.demo import ACCOUNTS, DEMO_PASSWORD, LOGINS, demo_loaded, load_demo

    if current_app.config["APP_ENV"] == "production":
        raise click.ClickException("The demo has public passwords; it is not loaded when APP_ENV=production.")
    if demo_loaded():
        click.echo("Demo data is already loaded; nothing changed.")
    else:
        # One log line per queued email would bury the logins; the summary counts them instead.
        mail_log = logging.getLogger("incubator.notifications.email")
        level = mail_log.level
        mail_log.setLevel(logging.WARNING)
        try:
            summary = _run(load_demo)
        finally:
            mail_log.setLevel(level)
        click.echo(
            f"Loaded the demo: {summary.accounts} accounts, {summary.cohorts} cohorts, {summary.startups} startups, "
            f"{summary.applications} applications, {summary.reviews} submitted reviews, "
            f"{summary.emails} emails in the outbox."
        )
    click.echo(f"\nDemo logins (password for every account: {DEMO_PASSWORD}):")
    for key in LOGINS:
        account = ACCOUNTS[key]
        click.echo(f"  {account.role:<9} {account.email:<28} {account.name}")
    others = ", ".join(a.email for k, a in ACCOUNTS.items() if k not in LOGINS)
    click.echo(f"  also: {others}")
    click.echo(f"Sign in at {current_app.config['APP_BASE_URL']}/auth/login (emails: /outbox, as a manager)")


# Scheduled jobs ------------------------------------------------------------------------------

jobs_cli = AppGroup("jobs", help="Run the scheduler, list the scheduled jobs, run one now.")


def _local(moment, tz: str) -> str:
    from zoneinfo import ZoneInfo

    return moment.astimezone(ZoneInfo(tz)).strftime("%Y-%m-%d %H:%M") if moment else "-"


@jobs_cli.command("run")
def run_scheduler_command() -> None:
    """Run the scheduler in this process until Ctrl-C or SIGTERM.

    Run exactly one per installation, as its own process or service (README: "Scheduled jobs"), never
    inside the web server's workers. A second one by mistake does no harm: each job still runs once
    per period. On start, and every 10 minutes, jobs whose scheduled run was missed (the process was
    down, or the run failed) are caught up once, for jobs whose policy says so (see `flask jobs list`).
    """
    from incubator.jobs.scheduler import SchedulerRefused, start

    click.echo(f"Scheduler starting (times in {current_app.config['DEFAULT_TIMEZONE']}); Ctrl-C to stop.")
    try:
        start(current_app._get_current_object())
    except SchedulerRefused as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo("Scheduler stopped.")


@jobs_cli.command("list")
def list_jobs_command() -> None:
    """List the scheduled jobs with their schedule, catch-up policy, next run and last run."""
    from incubator.jobs.queries import recent_runs
    from incubator.jobs.registry import all_jobs
    from incubator.jobs.scheduler import next_run_times

    tz = current_app.config["DEFAULT_TIMEZONE"]
    specs = all_jobs()
    runs = recent_runs([spec.name for spec in specs], per_job=1)
    next_runs = next_run_times(current_app._get_current_object())
    click.echo(f"Times in {tz}.")
    for spec in specs:
        last = runs[spec.name][0] if runs[spec.name] else None
        click.echo(f"\n{spec.name}  ({spec.schedule.cron}, once per {spec.period.value})")
        click.echo(f"  {spec.description}")
        click.echo(f"  schedule: {spec.schedule.describe()}; next run {_local(next_runs[spec.name], tz)}")
        click.echo(f"  catch-up: {spec.policy}")
        if last is None:
            click.echo("  last run: never")
        else:
            outcome = last.summary if last.status.value == "succeeded" else last.error.strip().splitlines()[-1]
            click.echo(f"  last run: {last.status.value} for {last.period_key} at {_local(last.started_at, tz)} "
                       f"({last.duration_ms} ms): {outcome}")


@jobs_cli.command("run-once")
@click.argument("name")
@click.option("--period", default=None, metavar="P",
              help="The period to run for, in the job's granularity: 2026-11-23T09:05 (minute), 2026-11-23T09 "
                   "(hour), 2026-11-23 (day), 2026-W48 (ISO week) or 2026-11 (month). Default: the current one.")
@click.option("--force", is_flag=True, help="Run even if it already ran for that period (recorded as manual:<time>).")
def run_once_command(name: str, period: str | None, force: bool) -> None:
    """Run the job NAME once now, unless it already ran for the period.

    Exactly once per period, like the scheduler: running it again for the same period does
    nothing unless --force is given. Exits with status 1 if the job failed (everything it did is
    rolled back and the failure is recorded on the jobs page).

    \b
    Examples:
      flask jobs run-once deliver_email
      flask jobs run-once prune_job_runs --period 2026-11-23
    """
    from incubator.jobs.models import JobTrigger
    from incubator.jobs.runner import FAILED, SKIPPED, UnknownJob, run_job

    try:
        outcome = run_job(current_app._get_current_object(), name, period=period, force=force,
                          trigger=JobTrigger.CLI)
    except UnknownJob as exc:
        raise click.BadParameter(f"no job called {name!r}; see `flask jobs list`.", param_hint="NAME") from exc
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--period") from exc
    if outcome.status == SKIPPED:
        click.echo(f"{name} already ran for {outcome.period_key}; nothing done (use --force to run it again).")
    elif outcome.status == FAILED:
        raise click.ClickException(f"{name} failed for {outcome.period_key}, nothing kept: {outcome.error}")
    else:
        click.echo(f"{name} ran for {outcome.period_key} in {outcome.duration_ms} ms: {outcome.summary}")
