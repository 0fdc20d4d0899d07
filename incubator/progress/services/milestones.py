"""Milestone rules: the cohort plan, custom milestones, status and evidence, verification, history.

Every change to a milestone writes one ``MilestoneChange`` per field (who, when, old and new value).
"""
from __future__ import annotations

from datetime import date
from typing import IO
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask_babel import gettext as _

from incubator.audit.services import record
from incubator.auth.models import User
from incubator.cohorts.models import Cohort, Startup, StartupStatus
from incubator.cohorts.permissions import is_manager
from incubator.core.errors import ConflictError, ForbiddenError, ServiceError
from incubator.core.uploads import save_evidence
from incubator.db import utcnow
from incubator.extensions import db
from incubator.progress.models import Milestone, MilestoneChange, MilestoneStatus, MilestoneTemplate, Verification
from incubator.progress.services import lock, unique_or_conflict

DETAIL_FIELDS = ("title", "description", "due_on", "target_value", "target_unit")
MAX_TARGET = 10**12
FOUNDER_STATUSES = (MilestoneStatus.PLANNED, MilestoneStatus.IN_PROGRESS, MilestoneStatus.DONE)


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    return str(value.value if hasattr(value, "value") else value)


def _change(milestone: Milestone, actor: User | None, field: str, old, new, comment: str = "") -> None:
    db.session.add(MilestoneChange(milestone_id=milestone.id, actor_id=actor.id if actor else None, field=field,
                                   old_value=_text(old), new_value=_text(new), comment=comment))


def _clean_details(data: dict) -> dict:
    """Trim and check title, description, due date and target; raise with every problem at once."""
    clean = {key: data[key] for key in DETAIL_FIELDS if key in data}
    errors: dict[str, list[str]] = {}
    for key in ("title", "description", "target_unit"):
        if key in clean:
            clean[key] = (clean[key] or "").strip()
    if "title" in clean and not clean["title"]:
        errors["title"] = [_("Give the milestone a title.")]
    elif len(clean.get("title", "")) > 160:
        errors["title"] = [_("Keep the title under 160 characters.")]
    if "due_on" in clean:
        due = clean["due_on"]
        if not isinstance(due, date):
            errors["due_on"] = [_("Give a due date.")]
        elif not 2000 <= due.year <= 2100:
            errors["due_on"] = [_("Give a due date between 2000 and 2100.")]
    target = clean.get("target_value")
    if target is not None and (not isinstance(target, int) or isinstance(target, bool)):
        errors["target_value"] = [_("The target must be a whole number.")]
    elif target is not None and target < 0:
        errors["target_value"] = [_("The target cannot be negative.")]
    elif target is not None and target > MAX_TARGET:
        errors["target_value"] = [_("The target is too large.")]
    if len(clean.get("target_unit", "")) > 40:
        errors["target_unit"] = [_("Keep the unit under 40 characters.")]
    if len(clean.get("description", "")) > 5000:
        errors["description"] = [_("Keep the description under 5,000 characters.")]
    if errors:
        raise ServiceError(_("Please correct the highlighted fields."), errors)
    return clean


def _check_url(url: str) -> str:
    url = (url or "").strip()
    if not url:
        return ""
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
    except ValueError:
        parts, host = None, ""
    if parts is None or parts.scheme not in ("http", "https") or "." not in host or len(url) > 500:
        raise ServiceError.on("evidence_url", _("Give a full web address starting with https://."))
    return url


# The plan --------------------------------------------------------------------------------------


def create_template(actor: User, cohort: Cohort, data: dict) -> MilestoneTemplate:
    """Add a line to the cohort's milestone plan and give it to every active startup of the cohort.

    :param data: ``title``, ``description``, ``due_on``, ``target_value`` (or None), ``target_unit``.
    :raises ConflictError: the plan already has a milestone with this title.
    """
    clean = _clean_details({"description": "", "target_unit": "", "target_value": None} | data)
    taken = ConflictError.on("title", _("The plan already has a milestone called “%(title)s”.", title=clean["title"]))
    if db.session.scalar(sa.select(MilestoneTemplate.id).where(
            MilestoneTemplate.cohort_id == cohort.id, MilestoneTemplate.title == clean["title"])):
        raise taken
    template = MilestoneTemplate(cohort_id=cohort.id, created_by_id=actor.id, **clean)
    with unique_or_conflict(taken):
        db.session.add(template)
    record(actor, "milestone_plan.added", cohort, title=template.title)
    apply_plan(actor, cohort)
    return template


def apply_plan(actor: User, cohort: Cohort) -> int:
    """Give every active startup of the cohort the plan milestones it does not have yet (safe to repeat).

    :return: how many milestones were created.
    """
    templates = db.session.scalars(sa.select(MilestoneTemplate).where(MilestoneTemplate.cohort_id == cohort.id)).all()
    startups = db.session.scalars(
        sa.select(Startup.id).where(Startup.cohort_id == cohort.id, Startup.status == StartupStatus.ACTIVE)
    ).all()
    have = set(db.session.execute(
        sa.select(Milestone.startup_id, Milestone.template_id)
        .join(Startup).where(Startup.cohort_id == cohort.id, Milestone.template_id.is_not(None))
    ).tuples())
    created = [
        Milestone(startup_id=startup_id, template_id=t.id, title=t.title, description=t.description,
                  due_on=t.due_on, target_value=t.target_value, target_unit=t.target_unit, created_by_id=actor.id)
        for t in templates for startup_id in startups if (startup_id, t.id) not in have
    ]
    db.session.add_all(created)
    db.session.flush()
    for milestone in created:
        _change(milestone, actor, "created", None, milestone.title, _("From the cohort plan"))
    db.session.flush()
    if created:
        record(actor, "milestone_plan.applied", cohort, created=len(created))
    return len(created)


def delete_template(actor: User, template: MilestoneTemplate) -> None:
    """Remove a line from the plan. Startups' copies nobody has touched go with it; the others are kept
    as the startup's own milestones (their history says so)."""
    milestones = db.session.scalars(
        sa.select(Milestone).where(Milestone.template_id == template.id)
    ).all()
    for milestone in milestones:
        untouched = milestone.status == MilestoneStatus.PLANNED and not milestone.has_evidence and \
            milestone.verification == Verification.NONE
        if untouched:
            db.session.delete(milestone)
        else:
            _change(milestone, actor, "plan", template.title, "", _("Removed from the cohort plan; kept here"))
    record(actor, "milestone_plan.removed", template.cohort, title=template.title)
    db.session.delete(template)
    db.session.flush()


# A startup's milestones ---------------------------------------------------------------------------


def create_milestone(actor: User, startup: Startup, data: dict) -> Milestone:
    """Add a custom milestone to a startup (founders and managers).

    :param data: ``title``, ``description``, ``due_on``, ``target_value`` (or None), ``target_unit``.
    """
    clean = _clean_details({"description": "", "target_unit": "", "target_value": None} | data)
    if "title" not in clean or "due_on" not in clean:
        raise ServiceError(_("Please correct the highlighted fields."),
                           {k: [_("This field is required.")] for k in ("title", "due_on") if k not in clean})
    milestone = Milestone(startup_id=startup.id, created_by_id=actor.id, **clean)
    db.session.add(milestone)
    db.session.flush()
    _change(milestone, actor, "created", None, milestone.title)
    db.session.flush()
    record(actor, "milestone.created", startup, title=milestone.title)
    return milestone


def _refuse_if_locked(actor: User, milestone: Milestone) -> None:
    if milestone.is_verified and not is_manager(actor):
        raise ConflictError(_("This milestone is verified. Ask the incubator team if it needs to change."))


def update_milestone(actor: User, milestone: Milestone, changes: dict) -> Milestone:
    """Change a milestone's details, status or evidence link; each changed field is kept in the history.

    Founders change only the status (planned, in progress, done) and evidence of plan milestones;
    marking one done needs evidence and sends it to the managers for verification.

    :param changes: any of ``DETAIL_FIELDS``, ``status``, ``evidence_url``; the others are left alone.
    """
    lock(Milestone, milestone.id)
    db.session.refresh(milestone)
    _refuse_if_locked(actor, milestone)
    manager = is_manager(actor)
    details = _clean_details({k: v for k, v in changes.items() if k in DETAIL_FIELDS})
    details = {k: v for k, v in details.items() if getattr(milestone, k) != v}
    if details and not manager and milestone.from_plan:
        raise ForbiddenError(_("Plan milestones are set by the incubator team; you can update their status "
                               "and evidence."))
    for key, value in details.items():
        _change(milestone, actor, key, getattr(milestone, key), value)
        setattr(milestone, key, value)
    if "evidence_url" in changes:
        url = _check_url(changes["evidence_url"])
        if url != milestone.evidence_url:
            _change(milestone, actor, "evidence_url", milestone.evidence_url, url)
            milestone.evidence_url = url
    if changes.get("status") is not None:
        _set_status(actor, milestone, MilestoneStatus(changes["status"]), manager)
    db.session.flush()
    return milestone


def _set_status(actor: User, milestone: Milestone, status: MilestoneStatus, manager: bool) -> None:
    if status == milestone.status:
        return
    if not manager and status not in FOUNDER_STATUSES and milestone.from_plan:
        raise ForbiddenError(_("Only the incubator team can mark a plan milestone as missed or dropped."))
    if status == MilestoneStatus.DONE and not milestone.has_evidence:
        raise ServiceError.on("status", _("Add evidence (a link or a file) before marking the milestone done."))
    _change(milestone, actor, "status", milestone.status, status)
    milestone.status = status
    if status == MilestoneStatus.DONE:
        milestone.done_at = utcnow()
        new_verification = Verification.PENDING
    else:
        milestone.done_at = None
        new_verification = Verification.NONE
    if milestone.verification != new_verification:
        _change(milestone, actor, "verification", milestone.verification, new_verification)
        milestone.verification = new_verification
        milestone.verified_by_id = None
        milestone.verified_at = None


def attach_evidence(actor: User, milestone: Milestone, stream: IO[bytes], filename: str) -> Milestone:
    """Store an uploaded evidence file (PDF, PNG, JPEG or WebP, size-limited), replacing the previous one.

    The earlier file stays on disk, so the history can still name it.
    """
    lock(Milestone, milestone.id)
    db.session.refresh(milestone)
    _refuse_if_locked(actor, milestone)
    path = save_evidence(stream, "evidence", field="evidence_file")
    name = (filename or "").replace("\\", "/").rsplit("/", 1)[-1].strip()[:200] or _("evidence")
    _change(milestone, actor, "evidence_file", milestone.evidence_name, name)
    milestone.evidence_path, milestone.evidence_name = path, name
    db.session.flush()
    return milestone


def verify_milestone(actor: User, milestone: Milestone, approve: bool, comment: str = "") -> Milestone:
    """A manager verifies a done milestone, or sends it back (status back to in progress) with a comment.

    :raises ConflictError: the milestone is not waiting for verification (not done, or already verified).
    """
    lock(Milestone, milestone.id)
    db.session.refresh(milestone)
    comment = (comment or "").strip()
    if milestone.is_verified:
        raise ConflictError(_("This milestone is already verified."))
    if milestone.status != MilestoneStatus.DONE:
        raise ConflictError(_("Only a milestone marked done can be verified or sent back."))
    if not approve and not comment:
        raise ServiceError.on("comment", _("Say what is missing, so the founders know what to do."))
    new = Verification.VERIFIED if approve else Verification.SENT_BACK
    _change(milestone, actor, "verification", milestone.verification, new, comment)
    milestone.verification = new
    milestone.verification_comment = comment
    milestone.verified_by_id = actor.id
    milestone.verified_at = utcnow()
    if not approve:
        _change(milestone, actor, "status", milestone.status, MilestoneStatus.IN_PROGRESS)
        milestone.status = MilestoneStatus.IN_PROGRESS
        milestone.done_at = None
    db.session.flush()
    record(actor, "milestone.verified" if approve else "milestone.sent_back", milestone.startup,
           title=milestone.title, comment=comment or None)
    return milestone
