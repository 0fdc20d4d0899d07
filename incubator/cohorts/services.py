"""Rules for programs, cohorts, startups and teams."""
from __future__ import annotations

from typing import IO

import sqlalchemy as sa
from flask_babel import gettext as _

from incubator.audit.services import record
from incubator.auth.models import Invitation, Role, User
from incubator.cohorts.choices import SECTORS
from incubator.cohorts.models import Cohort, CohortStatus, Program, Startup, StartupStatus, TeamMember
from incubator.core.errors import ConflictError, ServiceError
from incubator.core.money import CURRENCIES
from incubator.core.uploads import save_image
from incubator.db import utcnow
from incubator.extensions import db

ALLOWED_TRANSITIONS = {
    CohortStatus.PLANNING: {CohortStatus.OPEN},
    CohortStatus.OPEN: {CohortStatus.PLANNING, CohortStatus.RUNNING},
    CohortStatus.RUNNING: {CohortStatus.COMPLETED},
    CohortStatus.COMPLETED: set(),
}

COHORT_FIELDS = ("name", "track", "description", "starts_on", "ends_on", "applications_close_at", "capacity", "sectors")
STARTUP_FIELDS = ("name", "sector", "stage", "province", "description", "website", "founded_on", "currency")


def get_or_create_program(name: str, description: str = "") -> Program:
    program = db.session.scalar(sa.select(Program).where(Program.name == name.strip()))
    if program is None:
        program = Program(name=name.strip(), description=description)
        db.session.add(program)
        db.session.flush()
    return program


def _check_cohort_data(data: dict) -> None:
    errors: dict[str, list[str]] = {}
    if data["ends_on"] < data["starts_on"]:
        errors["ends_on"] = [_("The end date must be on or after the start date.")]
    if data["capacity"] < 1:
        errors["capacity"] = [_("Capacity must be at least 1.")]
    unknown = set(data.get("sectors") or []) - set(SECTORS)
    if unknown:
        errors["sectors"] = [_("Unknown sector.")]
    if errors:
        raise ServiceError(_("Please correct the highlighted fields."), errors)


def accepted_count(cohort: Cohort) -> int:
    return db.session.scalar(
        sa.select(sa.func.count(Startup.id)).where(Startup.cohort_id == cohort.id, Startup.application_id.is_not(None))
    )


def create_cohort(actor: User, program_name: str, data: dict) -> Cohort:
    """Create a cohort (in planning) under a program, creating the program if new."""
    _check_cohort_data(data)
    program = get_or_create_program(program_name)
    cohort = Cohort(program_id=program.id, **{k: data[k] for k in COHORT_FIELDS if k in data})
    db.session.add(cohort)
    db.session.flush()
    record(actor, "cohort.created", cohort)
    return cohort


def update_cohort(actor: User, cohort: Cohort, data: dict) -> Cohort:
    _check_cohort_data(data)
    if data["capacity"] < accepted_count(cohort):
        raise ServiceError.on(
            "capacity", _("%(n)d startups are already accepted; capacity cannot be lower.", n=accepted_count(cohort))
        )
    for key in COHORT_FIELDS:
        if key in data:
            setattr(cohort, key, data[key])
    db.session.flush()
    record(actor, "cohort.updated", cohort)
    return cohort


def change_cohort_status(actor: User, cohort: Cohort, status: CohortStatus | str) -> Cohort:
    status = CohortStatus(status)
    if status not in ALLOWED_TRANSITIONS[cohort.status]:
        raise ConflictError(
            _("A cohort cannot go from %(old)s to %(new)s.", old=cohort.status_label, new=status.value)
        )
    if status == CohortStatus.OPEN and not cohort.criteria:
        raise ConflictError(_("Define the scoring rubric before opening the cohort for applications."))
    old = cohort.status
    cohort.status = status
    db.session.flush()
    record(actor, "cohort.status_changed", cohort, old=old.value, new=status.value)
    return cohort


def update_startup(actor: User, startup: Startup, data: dict, status: str | None = None) -> Startup:
    """Edit a startup profile; only managers may pass ``status``."""
    name = data.get("name", startup.name).strip()
    clash = db.session.scalar(
        sa.select(Startup.id).where(
            Startup.cohort_id == startup.cohort_id, Startup.name == name, Startup.id != startup.id
        )
    )
    if clash:
        raise ConflictError.on("name", _("Another startup in this cohort already uses that name."))
    if data.get("currency", startup.currency) not in CURRENCIES:
        raise ServiceError.on("currency", _("Choose US dollars or riel."))
    for key in STARTUP_FIELDS:
        if key in data:
            setattr(startup, key, data[key].strip() if isinstance(data[key], str) else data[key])
    if status is not None and status != startup.status.value:
        record(actor, "startup.status_changed", startup, old=startup.status.value, new=status)
        startup.status = StartupStatus(status)
    db.session.flush()
    record(actor, "startup.updated", startup)
    return startup


def set_startup_logo(actor: User, startup: Startup, stream: IO[bytes]) -> Startup:
    startup.logo_path = save_image(stream, "logos", field="logo")
    db.session.flush()
    return startup


def add_team_member(
    actor: User, startup: Startup, name: str, role_title: str, email: str = "", gender: str = "undisclosed"
) -> TeamMember:
    """Add a person to the startup's team (no account is created for them)."""
    member = TeamMember(startup_id=startup.id, name=name.strip(), role_title=role_title.strip(),
                        email=email.strip().lower(), gender=gender)
    db.session.add(member)
    db.session.flush()
    record(actor, "team.member_added", startup, member=member.name)
    return member


def remove_team_member(actor: User, member: TeamMember) -> None:
    """Take someone off the team; their pending invitation to this startup dies with it.

    Founders may remove team members without an account; only managers remove a founder who has
    one, so co-founders cannot lock each other out.
    """
    if member.user_id is not None and member.user_id == actor.id:
        raise ServiceError(_("You cannot remove yourself from the team."))
    if member.user_id is not None and actor.role != Role.MANAGER:
        raise ServiceError(_("Only the incubator team can remove a founder who has an account."))
    founders_left = [m for m in member.startup.members if m.user_id and m.id != member.id]
    if member.user_id is not None and not founders_left:
        raise ServiceError(_("A startup must keep at least one founder with an account."))
    if member.email:
        pending = db.session.scalars(
            sa.select(Invitation).where(
                Invitation.startup_id == member.startup_id,
                Invitation.email == member.email,
                Invitation.accepted_at.is_(None),
                Invitation.revoked_at.is_(None),
            )
        )
        for invitation in pending:
            invitation.revoked_at = utcnow()
    record(actor, "team.member_removed", member.startup, member=member.name)
    db.session.delete(member)
    db.session.flush()


def attach_founder(startup: Startup, user: User) -> TeamMember:
    """Link a founder's account to the startup's team, reusing the row that carries their email."""
    member = next((m for m in startup.members if m.email and m.email == user.email), None)
    if member is None:
        member = TeamMember(startup_id=startup.id, name=user.name, email=user.email, is_founder=True)
        db.session.add(member)
    member.user_id = user.id
    member.is_founder = True
    db.session.flush()
    return member
