"""The access matrix: for every (endpoint, method) in the URL map, which roles the app must let through.

``tests/test_access_matrix.py`` runs each entry once per role in ``ROLES``. A role listed in ``allow``
must get an ordinary answer (``ok``: a page, a redirect, or a 4xx for the deliberately empty input, but
never 403 or 500). Every other role is refused: anonymous web visitors are sent to the login page, the
API answers 401, and signed-in users get ``denied`` (403 unless noted). A refused request changes nothing.

URL arguments come from the world ``build_world`` creates, keyed by argument name (``cohort_id``, ``startup_id``
...); ``args`` maps an argument to another world key where the default would be ambiguous (tokens).
"""
from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from incubator.audit.models import AuditEntry
from incubator.auth.models import Invitation, Role
from incubator.auth.services import create_api_token
from incubator.auth.tokens import APPLICATION_STATUS_SALT, INVITATION_SALT, RESET_SALT, fingerprint, sign
from incubator.cohorts.models import CohortStatus
from incubator.db import utcnow
from incubator.extensions import db
from incubator.notifications.models import Notification, OutboxMessage, OutboxStatus
from incubator.notifications.services import UNSUBSCRIBE_SALT
from tests.factories import (
    ApplicationFactory,
    CohortFactory,
    ReviewAssignmentFactory,
    RubricCriterionFactory,
    StartupFactory,
    TeamMemberFactory,
    UserFactory,
    founder_of,
)

ROLES = (
    "anonymous",
    "manager",  # a manager without the admin flag
    "admin",  # a manager with is_admin
    "founder",  # founder of the startup the URL is about
    "other_founder",  # founder of another startup in the same cohort
    "mentor",  # mentor assigned to review the application, and matched (accepted) with the founder's startup
    "other_mentor",  # mentor with no assignment
    "investor",
)

EVERYONE = frozenset(ROLES)
SIGNED_IN = EVERYONE - {"anonymous"}
MANAGERS = frozenset({"manager", "admin"})
ADMIN = frozenset({"admin"})
STAFF = MANAGERS | {"mentor", "other_mentor"}  # may list and read every startup
REVIEWERS = MANAGERS | {"mentor"}  # may read the application (managers, and the assigned mentor)
STARTUP_EDITORS = MANAGERS | {"founder"}
STARTUP_VIEWERS = STAFF | {"founder"}
PROGRESS_EDITORS = MANAGERS | {"founder"}  # progress: managers and the startup's own founders
PROGRESS_VIEWERS = PROGRESS_EDITORS | {"mentor"}  # plus the mentor whose match with the startup is accepted

PAGE = frozenset({200})
# An empty or minimal submission from someone who may act: re-rendered form, redirect, or a refusal
# about the input or the state. Never 403 (that is an authorization answer) and never 500.
SUBMIT = frozenset({200, 201, 302, 400, 409, 422})


@dataclass(frozen=True)
class Route:
    allow: frozenset[str]
    ok: frozenset[int] = SUBMIT
    denied: int = 403
    args: dict[str, str] = field(default_factory=dict)
    data: dict | None = None
    multipart: bool = False  # API bodies are JSON unless the operation takes multipart/form-data
    note: str = ""


def page(allow, **kwargs) -> Route:
    return Route(allow=frozenset(allow), ok=PAGE, **kwargs)


def submit(allow, **kwargs) -> Route:
    return Route(allow=frozenset(allow), ok=SUBMIT, **kwargs)


MATRIX: dict[tuple[str, str], Route] = {
    # Home and language ------------------------------------------------------------------------
    ("home.index", "GET"): page(EVERYONE),
    ("home.set_language", "POST"): submit(EVERYONE),
    # Accounts -----------------------------------------------------------------------------------
    ("auth.login", "GET"): Route(EVERYONE, ok=frozenset({200, 302})),  # signed-in users go home
    ("auth.login", "POST"): submit(EVERYONE),
    ("auth.logout", "POST"): submit(EVERYONE),
    ("auth.forgot_password", "GET"): page(EVERYONE),
    ("auth.forgot_password", "POST"): submit(EVERYONE),
    ("auth.reset_password", "GET"): page(EVERYONE, args={"token": "reset_token"}),
    ("auth.reset_password", "POST"): submit(EVERYONE, args={"token": "reset_token"}),
    ("auth.accept_invitation", "GET"): page(EVERYONE, args={"token": "invitation_token"}),
    ("auth.accept_invitation", "POST"): submit(EVERYONE, args={"token": "invitation_token"}),
    ("auth.profile", "GET"): page(SIGNED_IN),
    ("auth.profile", "POST"): submit(SIGNED_IN),
    ("auth.change_password", "POST"): submit(SIGNED_IN),
    ("auth.create_token", "POST"): submit(SIGNED_IN),
    # The token belongs to the founder; anyone else's token id is answered as if it did not exist.
    ("auth.revoke_token", "POST"): submit({"founder"}, denied=404, note="others' tokens are hidden (404)"),
    # People (managers; roles and activation are for admins only) -------------------------------
    ("auth.list_users", "GET"): page(MANAGERS),
    ("auth.invite", "GET"): page(MANAGERS),
    ("auth.invite", "POST"): submit(MANAGERS),
    ("auth.revoke_invitation", "POST"): submit(MANAGERS),  # a founder invitation
    ("auth.resend_invitation", "POST"): submit(MANAGERS),
    ("auth.edit_access", "GET"): page(ADMIN),
    ("auth.edit_access", "POST"): submit(ADMIN),
    # Cohorts (managers) ---------------------------------------------------------------------
    ("cohorts.list_cohorts", "GET"): page(MANAGERS),
    ("cohorts.create_cohort", "GET"): page(MANAGERS),
    ("cohorts.create_cohort", "POST"): submit(MANAGERS),
    ("cohorts.view_cohort", "GET"): page(MANAGERS),
    ("cohorts.edit_cohort", "GET"): page(MANAGERS),
    ("cohorts.edit_cohort", "POST"): submit(MANAGERS),
    # open -> planning is a legal move, so an allowed manager really changes something here.
    ("cohorts.change_status", "POST"): submit(MANAGERS, data={"status": "planning"}),
    # Startups ---------------------------------------------------------------------------------
    ("cohorts.list_startups", "GET"): page(STAFF),
    ("cohorts.view_startup", "GET"): page(STARTUP_VIEWERS),
    ("cohorts.startup_logo", "GET"): page(STARTUP_VIEWERS),
    ("cohorts.edit_startup", "GET"): page(STARTUP_EDITORS),
    ("cohorts.edit_startup", "POST"): submit(STARTUP_EDITORS),
    ("cohorts.add_member", "POST"): submit(STARTUP_EDITORS),
    ("cohorts.remove_member", "POST"): submit(STARTUP_EDITORS),
    # Selection: applications, reviews, decisions --------------------------------------------
    ("applications.my_reviews", "GET"): page(STAFF),
    ("applications.edit_rubric", "GET"): page(MANAGERS),
    ("applications.edit_rubric", "POST"): submit(MANAGERS),
    ("applications.ranking", "GET"): page(MANAGERS),
    ("applications.view_application", "GET"): page(REVIEWERS),
    ("applications.pitch_deck", "GET"): page(REVIEWERS),
    ("applications.assign", "POST"): submit(MANAGERS),
    ("applications.unassign", "POST"): submit(MANAGERS),
    ("applications.decide", "POST"): submit(MANAGERS),
    # Only the reviewer named on the assignment; managers cannot review in someone else's name.
    ("applications.review", "GET"): page({"mentor"}),
    ("applications.review", "POST"): submit({"mentor"}),
    ("applications.declare_conflict", "POST"): submit({"mentor"}),
    # Public call for applications ------------------------------------------------------------
    ("apply.open_calls", "GET"): page(EVERYONE),
    ("apply.apply", "GET"): page(EVERYONE),
    ("apply.apply", "POST"): submit(EVERYONE),
    ("apply.thanks", "GET"): page(EVERYONE),
    ("apply.status", "GET"): page(EVERYONE, args={"token": "status_token"}),
    # Audit log and outbox (managers) -----------------------------------------------------------
    ("audit.list_entries", "GET"): page(MANAGERS),
    ("notifications.list_messages", "GET"): page(MANAGERS),
    ("notifications.view_message", "GET"): page(MANAGERS),
    # Scheduled jobs (managers) -----------------------------------------------------------------
    ("jobs.list_jobs", "GET"): page(MANAGERS),
    ("jobs.view_job", "GET"): page(MANAGERS, args={"name": "job_name"}),
    ("jobs.run_job", "POST"): submit(MANAGERS, args={"name": "job_name"}),
    # In-app notifications: each user's own; the notification belongs to the founder ------------
    ("inbox.list_notifications", "GET"): page(SIGNED_IN),
    ("inbox.mark_all_read", "POST"): submit(SIGNED_IN),
    ("inbox.open_notification", "POST"): submit({"founder"}, denied=404, note="others' notifications are hidden"),
    ("inbox.mark_read", "POST"): submit({"founder"}, denied=404, note="others' notifications are hidden"),
    ("inbox.preferences", "GET"): page(SIGNED_IN),
    ("inbox.preferences", "POST"): submit(SIGNED_IN),
    # The signed link is the authorization: no sign-in needed (an email's one-click unsubscribe).
    ("inbox.unsubscribe", "GET"): page(EVERYONE, args={"token": "unsubscribe_token"}),
    ("inbox.unsubscribe", "POST"): submit(EVERYONE, args={"token": "unsubscribe_token"}),
    # JSON API v1 (bearer token) ----------------------------------------------------------------
    ("api_v1.openapi_document", "GET"): page(EVERYONE),
    ("api_v1.list_cohorts", "GET"): page(MANAGERS),
    ("api_v1.create_cohort", "POST"): submit(MANAGERS),
    ("api_v1.get_cohort", "GET"): page(MANAGERS),
    ("api_v1.update_cohort", "PATCH"): submit(MANAGERS),
    ("api_v1.change_cohort_status", "POST"): submit(MANAGERS),
    ("api_v1.list_applications", "GET"): page(MANAGERS),
    ("api_v1.submit_application", "POST"): submit(EVERYONE, multipart=True),  # public: no token needed
    ("api_v1.get_application", "GET"): page(REVIEWERS),
    ("api_v1.decide_application", "POST"): submit(MANAGERS),
    ("api_v1.submit_review", "POST"): submit({"mentor"}),
    ("api_v1.list_startups", "GET"): page(STAFF),
    ("api_v1.get_startup", "GET"): page(STARTUP_VIEWERS),
    ("api_v1.update_startup", "PATCH"): submit(STARTUP_EDITORS),
    # Progress tracking (issue 3) ---------------------------------------------------------------
    # Managers see every startup's progress; founders only their own startup's; the matched mentor may read it.
    # Cohort pages point at the running cohort.
    ("progress.cohort_dashboard", "GET"): page(MANAGERS, args={"cohort_id": "running_cohort_id"}),
    ("progress.export_csv", "GET"): page(MANAGERS, args={"cohort_id": "running_cohort_id", "kind": "export_kind"}),
    ("progress.edit_plan", "GET"): page(MANAGERS, args={"cohort_id": "running_cohort_id"}),
    ("progress.edit_plan", "POST"): submit(MANAGERS, args={"cohort_id": "running_cohort_id"}),
    ("progress.apply_plan", "POST"): submit(MANAGERS, args={"cohort_id": "running_cohort_id"}),
    ("progress.delete_template", "POST"): submit(MANAGERS),
    ("progress.settings", "GET"): page(MANAGERS, args={"cohort_id": "running_cohort_id"}),
    ("progress.set_rate", "POST"): submit(MANAGERS, args={"cohort_id": "running_cohort_id"}),
    ("progress.add_metric", "POST"): submit(MANAGERS, args={"cohort_id": "running_cohort_id"}),
    ("progress.archive_metric", "POST"): submit(MANAGERS),
    ("progress.resolve_help", "POST"): submit(MANAGERS),
    ("progress.verify_milestone", "POST"): submit(MANAGERS),
    ("progress.startup_progress", "GET"): page(PROGRESS_VIEWERS),
    ("progress.add_milestone", "GET"): page(PROGRESS_EDITORS),
    ("progress.add_milestone", "POST"): submit(PROGRESS_EDITORS),
    ("progress.view_milestone", "GET"): page(PROGRESS_VIEWERS),
    ("progress.edit_milestone", "GET"): page(PROGRESS_EDITORS),
    ("progress.edit_milestone", "POST"): submit(PROGRESS_EDITORS),
    ("progress.milestone_evidence", "GET"): page(PROGRESS_VIEWERS),
    # The month due is already reported in the world, so the form sends editors on to correct it (302).
    ("progress.submit_kpis", "GET"): Route(PROGRESS_EDITORS, ok=frozenset({200, 302})),
    ("progress.submit_kpis", "POST"): submit(PROGRESS_EDITORS),
    ("progress.view_kpi_report", "GET"): page(PROGRESS_VIEWERS),
    ("progress.correct_kpis", "GET"): page(PROGRESS_EDITORS),
    ("progress.correct_kpis", "POST"): submit(PROGRESS_EDITORS),
    ("progress.checkin", "GET"): page(PROGRESS_EDITORS),
    ("progress.checkin", "POST"): submit(PROGRESS_EDITORS),
    ("api_v1.list_milestones", "GET"): page(PROGRESS_VIEWERS),
    ("api_v1.create_milestone", "POST"): submit(PROGRESS_EDITORS),
    ("api_v1.get_milestone", "GET"): page(PROGRESS_VIEWERS),
    ("api_v1.update_milestone", "PATCH"): submit(PROGRESS_EDITORS),
    ("api_v1.upload_evidence", "POST"): submit(PROGRESS_EDITORS, multipart=True),
    ("api_v1.verify_milestone", "POST"): submit(MANAGERS),
    ("api_v1.list_kpi_reports", "GET"): page(PROGRESS_VIEWERS),
    ("api_v1.submit_kpi_report", "POST"): submit(PROGRESS_EDITORS),
    ("api_v1.get_kpi_report", "GET"): page(PROGRESS_VIEWERS),
    ("api_v1.correct_kpi_report", "POST"): submit(PROGRESS_EDITORS),
    ("api_v1.list_checkins", "GET"): page(PROGRESS_VIEWERS),
    ("api_v1.submit_checkin", "POST"): submit(PROGRESS_EDITORS),
    ("api_v1.get_checkin", "GET"): page(PROGRESS_VIEWERS),
    ("api_v1.update_checkin", "PATCH"): submit(PROGRESS_EDITORS),
    ("api_v1.resolve_help", "POST"): submit(MANAGERS),
}

# Each later domain keeps its own cases in ``tests/access_cases_<domain>.py``: a ``ROUTES`` dict of the same shape
# and ``build(world: dict) -> dict`` returning extra world keys (URL arguments, objects). Merged here.
DOMAIN_CASE_MODULES = tuple(
    importlib.import_module(f"tests.{path.stem}")
    for path in sorted(Path(__file__).parent.glob("access_cases_*.py"))
)
for _module in DOMAIN_CASE_MODULES:
    _clash = MATRIX.keys() & _module.ROUTES.keys()
    assert not _clash, f"{_module.__name__} repeats matrix entries: {sorted(_clash)}"
    MATRIX.update(_module.ROUTES)

# Served by Flask and Bootstrap-Flask, not by our views.
SKIPPED_ENDPOINTS = frozenset({"static", "bootstrap.static"})
IMPLICIT_METHODS = frozenset({"HEAD", "OPTIONS"})


def is_api(endpoint: str) -> bool:
    return endpoint.startswith("api_v1.")


def cases() -> list[tuple[str, str, str]]:
    """One (endpoint, method, role) per test."""
    return [(endpoint, method, role) for (endpoint, method) in MATRIX for role in ROLES]


# The world the URLs point at ----------------------------------------------------------------------


def build_world(app, pdf_bytes: bytes, png_bytes: bytes) -> dict:
    """One of everything a URL can point at, plus one user per role in ``ROLES`` (flushed and committed)."""
    uploads = Path(app.config["UPLOAD_FOLDER"]) / "matrix"
    uploads.mkdir(parents=True, exist_ok=True)
    (uploads / "deck.pdf").write_bytes(pdf_bytes)
    (uploads / "logo.png").write_bytes(png_bytes)

    users = {
        "manager": UserFactory(role=Role.MANAGER, name="Maly Manager"),
        "admin": UserFactory(role=Role.MANAGER, is_admin=True, name="Ada Admin"),
        "mentor": UserFactory(role=Role.MENTOR, name="Mony Mentor"),
        "other_mentor": UserFactory(role=Role.MENTOR, name="Otto Mentor"),
        "investor": UserFactory(role=Role.INVESTOR, name="Ivy Investor"),
    }
    admin = users["admin"]
    open_cohort = CohortFactory(status=CohortStatus.OPEN)
    RubricCriterionFactory(cohort=open_cohort, name="Team", weight=2)
    RubricCriterionFactory(cohort=open_cohort, name="Market", weight=1)
    application = ApplicationFactory(cohort=open_cohort, pitch_deck_path="matrix/deck.pdf")
    assignment = ReviewAssignmentFactory(application=application, reviewer=users["mentor"], assigned_by_id=admin.id)

    running = CohortFactory(status=CohortStatus.RUNNING, program=open_cohort.program)
    startup = StartupFactory(cohort=running, name="Kampot Cold Chain", logo_path="matrix/logo.png")
    other_startup = StartupFactory(cohort=running, name="Mekong Pay")
    users["founder"] = founder_of(startup)
    users["other_founder"] = founder_of(other_startup)
    member = TeamMemberFactory(startup=startup, user=None, is_founder=False, name="Dara Intern")

    expires = utcnow() + timedelta(days=7)
    invitation = Invitation(email="invitee@example.org", role=Role.FOUNDER, startup_id=startup.id,
                            invited_by_id=admin.id, expires_at=expires)
    manager_invitation = Invitation(email="new-manager@example.org", role=Role.MANAGER, invited_by_id=admin.id,
                                    expires_at=expires)
    db.session.add_all([invitation, manager_invitation])
    db.session.flush()
    message = OutboxMessage(to_email=invitation.email, subject="You are invited", body_text="Join us.",
                            body_html="<p>Join us.</p>", category="invitation", status=OutboxStatus.STORED)
    db.session.add(message)
    notification = Notification(user_id=users["founder"].id, category="reviews", title="Welcome",
                                link=f"/cohorts/startups/{startup.id}")
    db.session.add(notification)
    db.session.add(AuditEntry(actor_id=admin.id, action="invitation.sent", target_type="invitations",
                              target_id=invitation.id, target_label=invitation.email))
    progress = build_progress_world(running, startup, admin)
    founder_token, _plaintext = create_api_token(users["founder"], "laptop")
    db.session.commit()

    investor = users["investor"]
    world = {
        "users": users,
        "startup": startup,
        "application": application,
        "assignment": assignment,
        "manager_invitation": manager_invitation,
        "invitation": invitation,
        # URL arguments, by the name the rules use
        "cohort_id": open_cohort.id,
        "startup_id": startup.id,
        "member_id": member.id,
        "application_id": application.id,
        "assignment_id": assignment.id,
        "invitation_id": invitation.id,
        "token_id": founder_token.id,
        "user_id": investor.id,
        "message_id": message.id,
        "notification_id": notification.id,
        "job_name": "deliver_email",
        "unsubscribe_token": sign({"u": users["mentor"].id, "c": "reviews"}, UNSUBSCRIBE_SALT),
        "invitation_token": sign({"i": invitation.id, "n": invitation.token_nonce}, INVITATION_SALT),
        "reset_token": sign({"u": investor.id, "f": fingerprint(investor.password_hash)}, RESET_SALT),
        "status_token": sign({"a": application.id}, APPLICATION_STATUS_SALT),
        **progress,
    }
    for module in DOMAIN_CASE_MODULES:
        world.update(module.build(world))
    db.session.commit()
    return world


def build_progress_world(cohort, startup, actor) -> dict:
    """Progress objects for ``startup`` (issue 3): a plan line, a done milestone with an evidence file waiting
    for verification, a KPI report, this week's check-in asking for help and a custom metric."""
    from incubator.progress.models import (
        CheckIn,
        KpiMetric,
        KpiReport,
        KpiVersion,
        Milestone,
        MilestoneStatus,
        MilestoneTemplate,
        Verification,
    )
    from incubator.progress.periods import add_months, current_month, current_week_start

    today = utcnow().date()
    template = MilestoneTemplate(cohort_id=cohort.id, title="Company registered", due_on=today + timedelta(days=30))
    milestone = Milestone(startup_id=startup.id, title="MVP live", due_on=today, status=MilestoneStatus.DONE,
                          done_at=utcnow(), verification=Verification.PENDING, evidence_path="matrix/logo.png",
                          evidence_name="screenshot.png")
    metric = KpiMetric(cohort_id=cohort.id, name="Farmers reached", unit="farmers")
    report = KpiReport(startup_id=startup.id, month=add_months(current_month(), -1))
    checkin = CheckIn(startup_id=startup.id, week_start=current_week_start(), progress="Pilot with 3 farms.",
                      morale=4, help_text="A lawyer for the lease.", help_tags=["legal"], help_requested=True)
    db.session.add_all([template, milestone, metric, report, checkin])
    db.session.flush()
    db.session.add(KpiVersion(report_id=report.id, version=1, currency="USD", revenue=120000, paying_customers=12,
                              active_users=150, employees_full_time=3, employees_full_time_women=2,
                              employees_part_time=1, employees_part_time_women=0, funding_raised=0,
                              cash_in_bank=900000, submitted_by_id=actor.id))
    db.session.flush()
    return {"running_cohort_id": cohort.id, "template_id": template.id, "milestone_id": milestone.id,
            "metric_id": metric.id, "report_id": report.id, "checkin_id": checkin.id, "export_kind": "kpis"}
