"""Rules for applying, reviewing and deciding."""
from __future__ import annotations

from typing import IO

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from incubator.applications.models import (
    Application,
    ApplicationFounder,
    ApplicationStatus,
    ReviewAssignment,
    ReviewScore,
    ReviewStatus,
    RubricCriterion,
)
from incubator.applications.permissions import can_be_reviewer
from incubator.audit.services import record
from incubator.auth.models import Role, User
from incubator.auth.tokens import APPLICATION_STATUS_SALT, TokenInvalid, sign, unsign
from incubator.cohorts.models import Cohort, Startup, TeamMember
from incubator.cohorts.services import accepted_count
from incubator.core.errors import ConflictError, ServiceError
from incubator.core.uploads import save_pdf
from incubator.core.urls import app_path, external_url
from incubator.db import utcnow
from incubator.extensions import db
from incubator.notifications.email import queue_email
from incubator.notifications.services import notify

APPLICATION_FIELDS = (
    "startup_name", "sector", "stage", "province", "problem", "solution", "traction", "team", "website",
)


def lock_cohort(cohort: Cohort) -> Cohort:
    """Serialize writers on one cohort (PostgreSQL row lock; SQLite already holds the write lock)."""
    db.session.execute(sa.select(Cohort.id).where(Cohort.id == cohort.id).with_for_update())
    db.session.refresh(cohort)
    return cohort


def is_full(cohort: Cohort) -> bool:
    return accepted_count(cohort) >= cohort.capacity


def status_link(application: Application) -> str:
    return external_url("apply.status", token=sign({"a": application.id}, APPLICATION_STATUS_SALT))


def application_for_status_token(token: str) -> Application:
    try:
        data = unsign(token, APPLICATION_STATUS_SALT, max_age=None)
    except TokenInvalid as exc:
        raise ServiceError(_("This status link is not valid.")) from exc
    application = db.session.get(Application, data.get("a")) if isinstance(data.get("a"), int) else None
    if application is None:
        raise ServiceError(_("This status link is not valid."))
    return application


def submit_application(
    cohort: Cohort, data: dict, founders: list[dict], pitch_deck: IO[bytes] | None, locale: str = "en"
) -> Application:
    """Record a public application; the cohort must be open and not yet full.

    :param founders: dicts with ``name``, ``email``, ``gender``; the first is the contact.
    :param pitch_deck: a PDF stream (required), checked by content.
    """
    if not cohort.accepts_applications():
        raise ConflictError(_("%(cohort)s is not accepting applications.", cohort=cohort.name))
    if is_full(cohort):
        raise ConflictError(_("%(cohort)s is full and no longer accepts applications.", cohort=cohort.name))
    if not founders:
        raise ServiceError.on("founders", _("Name at least one founder."))
    if len({f["email"].lower() for f in founders}) != len(founders):
        raise ServiceError.on("founders", _("Each founder needs a different email."))
    if pitch_deck is None:
        raise ServiceError.on("pitch_deck", _("Attach your pitch deck as a PDF."))
    _refuse_duplicate(cohort, founders[0]["email"], data.get("startup_name") or "")
    deck_path = save_pdf(pitch_deck, "pitch_decks", field="pitch_deck")
    application = Application(
        cohort_id=cohort.id,
        contact_email=founders[0]["email"].strip().lower(),
        pitch_deck_path=deck_path,
        locale=locale,
        **{k: (data.get(k) or "").strip() for k in APPLICATION_FIELDS},
    )
    application.founders = [
        ApplicationFounder(position=i, name=f["name"].strip(), email=f["email"].strip().lower(), gender=f["gender"])
        for i, f in enumerate(founders)
    ]
    db.session.add(application)
    db.session.flush()
    queue_email(
        application.contact_email,
        _l("We received your application to %(cohort)s", cohort=cohort.name),
        "application_received",
        locale=locale,
        application=application,
        cohort=cohort,
        link=status_link(application),
    )
    record(None, "application.submitted", application, label=application.startup_name, cohort_id=cohort.id)
    return application


def _refuse_duplicate(cohort: Cohort, contact_email: str, startup_name: str) -> None:
    duplicate = db.session.scalar(
        sa.select(Application.id).where(
            Application.cohort_id == cohort.id,
            sa.or_(
                Application.contact_email == contact_email.strip().lower(),
                sa.func.lower(Application.startup_name) == startup_name.strip().lower(),
            ),
        )
    )
    if duplicate:
        raise ConflictError(
            _("An application from this startup or email to %(cohort)s already exists. Follow it with the "
              "status link in the confirmation email.", cohort=cohort.name)
        )


def rubric_locked(cohort: Cohort) -> bool:
    """True once a review has been submitted against the cohort's rubric."""
    submitted = db.session.scalar(
        sa.select(ReviewAssignment.id)
        .join(Application)
        .where(Application.cohort_id == cohort.id, ReviewAssignment.status == ReviewStatus.SUBMITTED)
        .limit(1)
    )
    return submitted is not None


def set_rubric(actor: User, cohort: Cohort, criteria: list[dict]) -> list[RubricCriterion]:
    """Replace the cohort's rubric; refused once any review has been submitted (scores would lose meaning)."""
    if rubric_locked(cohort):
        raise ConflictError(_("Reviews have already been submitted; the rubric can no longer change."))
    if not criteria:
        raise ServiceError.on("criteria", _("The rubric needs at least one criterion."))
    if any(not (c.get("name") or "").strip() for c in criteria):
        raise ServiceError.on("criteria", _("Give every criterion a name."))
    names = [c["name"].strip().lower() for c in criteria]
    if len(set(names)) != len(names):
        raise ServiceError.on("criteria", _("Each criterion needs a different name."))
    cohort.criteria.clear()
    db.session.flush()
    for position, item in enumerate(criteria):
        cohort.criteria.append(
            RubricCriterion(name=item["name"].strip(), description=(item.get("description") or "").strip(),
                            weight=item["weight"], position=position)
        )
    db.session.flush()
    record(actor, "rubric.updated", cohort, criteria=[c["name"] for c in criteria])
    return list(cohort.criteria)


def assign_reviewer(actor: User, application: Application, reviewer: User) -> ReviewAssignment:
    if not can_be_reviewer(reviewer):
        raise ServiceError.on("reviewer", _("Only managers and mentors can review."))
    if any(a.reviewer_id == reviewer.id for a in application.assignments):
        raise ConflictError(_("%(name)s is already assigned to this application.", name=reviewer.name))
    assignment = ReviewAssignment(application_id=application.id, reviewer_id=reviewer.id, assigned_by_id=actor.id)
    db.session.add(assignment)
    db.session.flush()
    record(actor, "review.assigned", application, label=application.startup_name, reviewer=reviewer.email)
    if reviewer.id != actor.id:
        notify(reviewer, "reviews", _l("New application to review: %(startup)s", startup=application.startup_name),
               _l("%(manager)s asked you to review %(startup)s for %(cohort)s.", manager=actor.name,
                  startup=application.startup_name, cohort=application.cohort.name),
               link=app_path("applications.review", assignment_id=assignment.id),
               dedupe_key=f"review-assigned:{assignment.id}")
    return assignment


def unassign_reviewer(actor: User, assignment: ReviewAssignment) -> None:
    if assignment.status == ReviewStatus.SUBMITTED:
        raise ConflictError(_("This review is already submitted and is kept."))
    record(actor, "review.unassigned", assignment.application, label=assignment.application.startup_name,
           reviewer_id=assignment.reviewer_id)
    db.session.delete(assignment)
    db.session.flush()


def _lock_assignment(assignment: ReviewAssignment) -> ReviewAssignment:
    db.session.execute(sa.select(ReviewAssignment.id).where(ReviewAssignment.id == assignment.id).with_for_update())
    db.session.refresh(assignment)
    return assignment


def declare_conflict(reviewer: User, assignment: ReviewAssignment, reason: str) -> None:
    """The reviewer steps off this application; they no longer see it."""
    _lock_assignment(assignment)
    if assignment.status == ReviewStatus.SUBMITTED:
        raise ConflictError(_("You already submitted this review."))
    if not reason.strip():
        raise ServiceError.on("reason", _("Say briefly what the conflict is."))
    assignment.status = ReviewStatus.CONFLICT
    assignment.conflict_reason = reason.strip()
    db.session.flush()
    record(reviewer, "review.conflict_declared", assignment.application, label=assignment.application.startup_name,
           reason=assignment.conflict_reason)


def submit_review(reviewer: User, assignment: ReviewAssignment, scores: dict[int, int], comment: str) -> None:
    """Score every criterion 1-5 once; a second submission (another tab, a double click) is refused."""
    _lock_assignment(assignment)
    if assignment.status == ReviewStatus.SUBMITTED:
        raise ConflictError(_("You already submitted this review."))
    if assignment.status == ReviewStatus.CONFLICT:
        raise ConflictError(_("You declared a conflict of interest for this application."))
    application = assignment.application
    if application.status != ApplicationStatus.SUBMITTED:
        raise ConflictError(_("A decision has already been made on this application."))
    criteria = {c.id for c in application.cohort.criteria}
    if not criteria:
        raise ServiceError(_("This cohort has no scoring rubric yet."))
    errors = {}
    if set(scores) != criteria:
        errors["scores"] = [_("Score every criterion.")]
    elif any(not isinstance(s, int) or not 1 <= s <= 5 for s in scores.values()):
        errors["scores"] = [_("Scores go from 1 to 5.")]
    if errors:
        raise ServiceError(_("Please score every criterion from 1 to 5."), errors)
    for criterion_id, score in scores.items():
        db.session.add(ReviewScore(assignment_id=assignment.id, criterion_id=criterion_id, score=score))
    assignment.status = ReviewStatus.SUBMITTED
    assignment.comment = comment.strip()
    assignment.submitted_at = utcnow()
    db.session.flush()
    record(reviewer, "review.submitted", application, label=application.startup_name)


DECISION_SUBJECTS = {
    ApplicationStatus.ACCEPTED: lambda cohort: _l("Welcome to %(cohort)s", cohort=cohort),
    ApplicationStatus.WAITLISTED: lambda cohort: _l("Your application to %(cohort)s is on the waitlist", cohort=cohort),
    ApplicationStatus.REJECTED: lambda cohort: _l("Your application to %(cohort)s", cohort=cohort),
}


def decide(actor: User, application: Application, decision: ApplicationStatus | str, note: str = "") -> Application:
    """Accept, waitlist or reject; accepting creates the startup and invites its founders.

    Capacity is checked under a lock on the cohort, so two managers accepting the last place at
    once cannot both succeed.
    """
    decision = ApplicationStatus(decision)
    if decision == ApplicationStatus.SUBMITTED:
        raise ServiceError.on("decision", _("Choose accept, waitlist or reject."))
    cohort = lock_cohort(application.cohort)
    db.session.refresh(application)
    if application.status == ApplicationStatus.ACCEPTED:
        raise ConflictError(_("%(name)s has already been accepted.", name=application.startup_name))
    if application.status == decision:
        raise ConflictError(_("This application already has that decision."))
    if decision == ApplicationStatus.ACCEPTED:
        if is_full(cohort):
            raise ConflictError(
                _("%(cohort)s is full (%(n)d of %(n)d places taken).", cohort=cohort.name, n=cohort.capacity)
            )
        _create_startup(actor, application)
    old = application.status
    application.status = decision
    application.decided_at = utcnow()
    application.decided_by_id = actor.id
    application.decision_note = note.strip()
    db.session.flush()
    queue_email(
        application.contact_email,
        DECISION_SUBJECTS[decision](cohort.name),
        f"decision_{decision.value}",
        locale=application.locale,
        application=application,
        cohort=cohort,
        note=application.decision_note,
        link=status_link(application),
    )
    record(actor, f"application.{decision.value}", application, label=application.startup_name, old=old.value)
    return application


def _create_startup(actor: User, application: Application) -> Startup:
    from incubator.auth.services import find_user, invite_user
    from incubator.cohorts.services import attach_founder

    name_taken = db.session.scalar(
        sa.select(Startup.id).where(
            Startup.cohort_id == application.cohort_id, Startup.name == application.startup_name
        )
    )
    if name_taken:
        raise ConflictError(_("A startup named %(name)s is already in this cohort.", name=application.startup_name))
    startup = Startup(
        cohort_id=application.cohort_id,
        application_id=application.id,
        name=application.startup_name,
        sector=application.sector,
        stage=application.stage,
        province=application.province,
        description=application.solution,
        website=application.website,
    )
    startup.members = [
        TeamMember(name=f.name, email=f.email, gender=f.gender, role_title=_("Founder"), is_founder=True)
        for f in application.founders
    ]
    db.session.add(startup)
    db.session.flush()
    for founder in application.founders:
        existing = find_user(founder.email)
        if existing is None:
            invite_user(actor, founder.email, Role.FOUNDER, name=founder.name, startup=startup,
                        locale=application.locale)
        elif existing.role == Role.FOUNDER:
            attach_founder(startup, existing)
    record(actor, "startup.created", startup, application_id=application.id)
    return startup
