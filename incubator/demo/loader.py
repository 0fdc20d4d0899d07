"""Builds the demo incubator through the application's own services.

Services only flush; ``flask demo`` commits once at the end, so a refusal half-way leaves the
database as it was. The only writes that bypass a service are the timestamps moved into the
past (services stamp "now", and a running cohort's applications were not all sent today).
"""
from __future__ import annotations

import importlib
import importlib.util
import io
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import current_app

from incubator.applications.models import Application, ApplicationStatus, ReviewAssignment
from incubator.applications.services import (
    assign_reviewer,
    decide,
    declare_conflict,
    set_rubric,
    submit_application,
    submit_review,
)
from incubator.auth.models import User
from incubator.auth.passwords import hash_password, password_problems
from incubator.auth.services import create_user, find_user
from incubator.cohorts.choices import PROVINCES, SECTORS, label
from incubator.cohorts.models import Cohort, CohortStatus, Startup
from incubator.cohorts.services import (
    add_team_member,
    change_cohort_status,
    create_cohort,
    update_cohort,
    update_startup,
)
from incubator.core.errors import ConflictError
from incubator.demo.data import (
    ACCOUNTS,
    COMMENTS,
    DEMO_PASSWORD,
    MARKER_EMAIL,
    OPEN_PITCHES,
    OPEN_RUBRIC,
    RUNNING_PITCHES,
    RUNNING_RUBRIC,
    WITHDRAWN_STARTUPS,
    Account,
    Pitch,
)
from incubator.demo.pdf import pitch_deck_pdf
from incubator.demo.progress import load_progress
from incubator.extensions import db
from incubator.notifications.models import Notification, OutboxMessage

PROGRAM = "Technology Business Incubation Programme"
REVIEWER_ROTATION = ("mentor", "seoul", "shanghai", "berlin", "programs")
SCORE_JITTER = (0, 1, -1, 0, 1, 0, -1)
# A strict and a generous reviewer, so the ranking shows disagreement between reviewers.
REVIEWER_BIAS = {"berlin": -1, "programs": 1}


@dataclass
class DemoSummary:
    """What ``load_demo`` created, for the command's report."""

    accounts: int = 0
    cohorts: int = 0
    startups: int = 0
    applications: int = 0
    reviews: int = 0
    emails: int = 0


def demo_loaded() -> bool:
    """True once the demo manager account exists (the demo is then never loaded again)."""
    return find_user(MARKER_EMAIL) is not None


def load_demo(today: date | None = None) -> DemoSummary:
    """Create the demo incubator (accounts, two cohorts, applications, reviews, and the running cohort's
    progress: milestones, KPIs and check-ins) in the current transaction.

    :param today: the local date the timeline is built around; defaults to today in ``DEFAULT_TIMEZONE``.
    :return: how much was created.
    :raises ConflictError: a demo email already belongs to an account.
    """
    zone = ZoneInfo(current_app.config["DEFAULT_TIMEZONE"])
    today = today or datetime.now(zone).date()
    taken = [account.email for account in ACCOUNTS.values() if find_user(account.email)]
    if taken:
        raise ConflictError(f"These demo accounts already exist: {', '.join(taken)}. Use an empty database.")
    summary = DemoSummary()
    emails_before = _outbox_size()
    people = {key: _create_account(account) for key, account in ACCOUNTS.items()}
    summary.accounts = len(people)
    manager = people["manager"]

    running_start = today - timedelta(days=60)
    running = _open_cohort(manager, {
        "name": f"Cohort {running_start:%B %Y}",
        "track": "Mixed sectors",
        "description": "Six months of coaching, mentoring and investor meetings, ending with a Demo Day.",
        "starts_on": running_start,
        "ends_on": today + timedelta(days=120),
        "applications_close_at": _local_midnight(today + timedelta(days=1), zone),
        "capacity": 16,
        "sectors": list(SECTORS),
    }, RUNNING_RUBRIC)
    closed_at = _local_midnight(running_start - timedelta(days=14), zone)
    reviewed, decided = closed_at + timedelta(days=2), closed_at + timedelta(days=7)
    timelines = [(closed_at - timedelta(days=30 - i), reviewed, decided) for i in range(len(RUNNING_PITCHES))]
    _run_intake(manager, people, running, RUNNING_PITCHES, timelines, summary)
    update_cohort(manager, running, _cohort_data(running, applications_close_at=closed_at))
    change_cohort_status(manager, running, CohortStatus.RUNNING)
    load_progress(manager, people["programs"], people["founder"], running, today, zone)

    upcoming_start = today + timedelta(days=60)
    upcoming = _open_cohort(manager, {
        "name": f"Cohort {upcoming_start:%B %Y}",
        "track": "Digital, clean energy and health",
        "description": "Our next intake, for startups in digital, clean energy, health, education and agritech.",
        "starts_on": upcoming_start,
        "ends_on": today + timedelta(days=240),
        "applications_close_at": _local_midnight(today + timedelta(days=31), zone),
        "capacity": 12,
        "sectors": ["digital", "clean_energy", "health", "education", "agritech"],
    }, OPEN_RUBRIC)
    now = datetime.now(timezone.utc)
    sent = [now - timedelta(days=2 * (len(OPEN_PITCHES) - i), hours=i) for i in range(len(OPEN_PITCHES))]
    timelines = [(at, at + timedelta(days=1), at + timedelta(days=2)) for at in sent]
    _run_intake(manager, people, upcoming, OPEN_PITCHES, timelines, summary)
    summary.cohorts = 2
    db.session.flush()
    context = DemoContext(people=people, running=running, upcoming=upcoming, today=today, zone=zone)
    for loader in _domain_loaders():
        loader(context)
        db.session.flush()
    summary.emails = _outbox_size() - emails_before
    return summary


@dataclass
class DemoContext:
    """What later domains build their demo data on: the demo accounts (by ``ACCOUNTS`` key), both cohorts,
    and the local date and zone the timeline is built around."""

    people: dict[str, User]
    running: Cohort
    upcoming: Cohort
    today: date
    zone: ZoneInfo


# Each of these domains may ship ``incubator/<domain>/demo.py`` with ``load_demo(context: DemoContext)``;
# they run in this order after the core demo (reports last, so its snapshots see everything).
DOMAIN_DEMOS = ("mentoring", "resources", "grants", "billing", "reports")


def _domain_loaders():
    for domain in DOMAIN_DEMOS:
        if importlib.util.find_spec(f"incubator.{domain}") and importlib.util.find_spec(f"incubator.{domain}.demo"):
            yield importlib.import_module(f"incubator.{domain}.demo").load_demo


def _outbox_size() -> int:
    return db.session.scalar(sa.select(sa.func.count(OutboxMessage.id)))


def _create_account(account: Account) -> User:
    policy_ok = not password_problems(DEMO_PASSWORD, account.email)
    user = create_user(
        account.email,
        account.name,
        account.role,
        password=DEMO_PASSWORD if policy_ok else None,
        is_admin=account.is_admin,
        locale=account.locale,
        timezone=account.timezone,
    )
    if not policy_ok:
        # The demo password is published in the README; only the demo may skip the policy.
        user.password_hash = hash_password(DEMO_PASSWORD)
    return user


def _local_midnight(day: date, zone: ZoneInfo) -> datetime:
    """The end of ``day`` in the incubator's time zone, as UTC."""
    return datetime.combine(day + timedelta(days=1), time(0, 0), tzinfo=zone).astimezone(timezone.utc)


def _cohort_data(cohort: Cohort, **changes) -> dict:
    data = {key: getattr(cohort, key) for key in
            ("name", "track", "description", "starts_on", "ends_on", "applications_close_at", "capacity", "sectors")}
    data.update(changes)
    return data


def _open_cohort(manager: User, data: dict, rubric: list[dict]) -> Cohort:
    cohort = create_cohort(manager, PROGRAM, data)
    set_rubric(manager, cohort, rubric)
    change_cohort_status(manager, cohort, CohortStatus.OPEN)
    return cohort


def _founder_email(founder: tuple[str, ...]) -> str:
    if len(founder) > 2:
        return founder[2]
    return founder[0].lower().replace(" ", ".").replace("-", "") + "@example.com"


def _deck(pitch: Pitch) -> io.BytesIO:
    lines = [
        f"{label(SECTORS, pitch.sector)} - {label(PROVINCES, pitch.province)}",
        "Team: " + ", ".join(founder[0] for founder in pitch.founders),
        pitch.traction or "Pre-revenue",
    ]
    return io.BytesIO(pitch_deck_pdf(pitch.name, lines))


def _run_intake(
    manager: User,
    people: dict[str, User],
    cohort: Cohort,
    pitches: list[Pitch],
    timelines: list[tuple[datetime, datetime, datetime]],
    summary: DemoSummary,
) -> None:
    """Submit, review and decide ``pitches`` at their (submitted, reviewed, decided) moments.

    Every application is submitted before any decision, as in a real intake: a cohort that is
    full refuses new applications.
    """
    applications = [_submit(cohort, pitch) for pitch in pitches]
    summary.applications += len(applications)
    for index, (application, pitch, (submitted, reviewed, _)) in enumerate(
        zip(applications, pitches, timelines, strict=True)
    ):
        # Services stamp "now"; move the history back so the timeline reads like a real intake.
        application.submitted_at = submitted
        summary.reviews += _review(manager, people, application, pitch, index, submitted, reviewed)
    for application, pitch, (_, _, decided) in zip(applications, pitches, timelines, strict=True):
        if pitch.outcome == ApplicationStatus.SUBMITTED:
            continue
        note = "Congratulations!" if pitch.outcome == ApplicationStatus.ACCEPTED else ""
        decide(manager, application, pitch.outcome, note)
        application.decided_at = decided
        if pitch.outcome == ApplicationStatus.ACCEPTED:
            _complete_startup(manager, application, pitch)
            summary.startups += 1
    db.session.flush()


def _submit(cohort: Cohort, pitch: Pitch) -> Application:
    slug = "".join(ch if ch.isalnum() else "-" for ch in pitch.name.lower()).strip("-")
    data = {
        "startup_name": pitch.name,
        "sector": pitch.sector,
        "stage": pitch.stage,
        "province": pitch.province,
        "problem": pitch.problem,
        "solution": pitch.solution,
        "traction": pitch.traction,
        "team": "; ".join(founder[0] for founder in pitch.founders),
        "website": f"https://{slug}.example.com",
    }
    founders = [{"name": f[0], "gender": f[1], "email": _founder_email(f)} for f in pitch.founders]
    return submit_application(cohort, data, founders, _deck(pitch), locale=pitch.locale)


def _review(
    manager: User,
    people: dict[str, User],
    application: Application,
    pitch: Pitch,
    index: int,
    submitted: datetime,
    reviewed: datetime,
) -> int:
    """Assign the pitch's reviewers and submit the finished reviews; returns how many were submitted."""
    reviews = pitch.reviews
    if reviews is None:
        reviews = {REVIEWER_ROTATION[(index + k) % len(REVIEWER_ROTATION)]: "done" for k in range(2)}
    done = 0
    for number, (key, state) in enumerate(reviews.items()):
        reviewer = people[key]
        assignment = assign_reviewer(manager, application, reviewer)
        assignment.assigned_at = submitted + timedelta(hours=12)
        if state == "done":
            _score(reviewer, assignment, pitch, index + 2 * number, REVIEWER_BIAS.get(key, 0))
            assignment.submitted_at = reviewed + timedelta(hours=5 * number)
            done += 1
        elif state == "conflict":
            declare_conflict(reviewer, assignment, "I advised this team on a grant application last year.")
        _date_review_notice(assignment, read=state in ("done", "conflict"))
    return done


def _date_review_notice(assignment: ReviewAssignment, read: bool) -> None:
    """Date the reviewer's "new application to review" notification like its assignment; read once handled."""
    notice = db.session.scalar(
        sa.select(Notification).where(Notification.dedupe_key == f"review-assigned:{assignment.id}")
    )
    if notice is not None:
        notice.created_at = assignment.assigned_at
        notice.read_at = (assignment.submitted_at or assignment.assigned_at) if read else None


def _score(reviewer: User, assignment: ReviewAssignment, pitch: Pitch, seed: int, bias: int) -> None:
    criteria = assignment.application.cohort.criteria
    scores = {
        criterion.id: min(5, max(1, pitch.quality + bias + SCORE_JITTER[(seed + position) % len(SCORE_JITTER)]))
        for position, criterion in enumerate(criteria)
    }
    submit_review(reviewer, assignment, scores, COMMENTS[pitch.quality])


def _complete_startup(manager: User, application: Application, pitch: Pitch) -> Startup:
    startup = db.session.scalar(sa.select(Startup).where(Startup.application_id == application.id))
    for name, gender, role_title in pitch.team:
        add_team_member(manager, startup, name, role_title, _founder_email((name, gender)), gender)
    status = "withdrawn" if pitch.name in WITHDRAWN_STARTUPS else None
    if pitch.founded:
        update_startup(manager, startup, {"founded_on": date(pitch.founded, 1 + len(pitch.name) % 12, 1)}, status)
    elif status:
        update_startup(manager, startup, {}, status)
    return startup

