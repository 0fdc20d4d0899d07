"""Weekly check-in rules: one per startup per ISO week, editable until the week ends, help flags."""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from flask_babel import gettext as _

from incubator.audit.services import record
from incubator.auth.models import User
from incubator.cohorts.models import Startup
from incubator.core.errors import ConflictError, ServiceError
from incubator.db import utcnow
from incubator.extensions import db
from incubator.progress.models import HELP_TAGS, CheckIn
from incubator.progress.periods import current_week_start, iso_week_label, week_ends_at
from incubator.progress.services import lock, unique_or_conflict

TEXT_FIELDS = ("progress", "blockers", "help_text")
MAX_TEXT = 5000


def _clean(data: dict) -> dict:
    errors: dict[str, list[str]] = {}
    clean = {key: (data.get(key) or "").strip() for key in TEXT_FIELDS}
    if not clean["progress"]:
        errors["progress"] = [_("Say in a sentence or two what moved forward this week.")]
    for key in TEXT_FIELDS:
        if len(clean[key]) > MAX_TEXT:
            errors[key] = [_("Keep this under 5,000 characters.")]
    tags = data.get("help_tags") or []
    if not isinstance(tags, list) or any(tag not in HELP_TAGS for tag in tags):
        errors["help_tags"] = [_("Choose help topics from the list.")]
    else:
        clean["help_tags"] = sorted(set(tags), key=list(HELP_TAGS).index)
    morale = data.get("morale")
    if not isinstance(morale, int) or isinstance(morale, bool) or not 1 <= morale <= 5:
        errors["morale"] = [_("Choose the team's morale from 1 (low) to 5 (great).")]
    else:
        clean["morale"] = morale
    if errors:
        raise ServiceError(_("Please correct the highlighted fields."), errors)
    return clean


def this_weeks_checkin(startup: Startup, now: datetime | None = None) -> CheckIn | None:
    """The startup's check-in for the current ISO week, if it has one."""
    return db.session.scalar(sa.select(CheckIn).where(
        CheckIn.startup_id == startup.id, CheckIn.week_start == current_week_start(now)))


def submit_checkin(actor: User, startup: Startup, data: dict, now: datetime | None = None) -> CheckIn:
    """Record the startup's check-in for the current ISO week (Asia/Phnom_Penh).

    :param data: ``progress``, ``blockers``, ``help_text``, ``help_tags`` (list), ``morale`` (1-5).
    :raises ConflictError: this week already has a check-in (edit it instead), including when two
        submissions race.
    """
    clean = _clean(data)
    week = current_week_start(now)
    taken = ConflictError(_("This week (%(week)s) already has a check-in. Edit it instead.",
                            week=iso_week_label(week)))
    if this_weeks_checkin(startup, now) is not None:
        raise taken
    checkin = CheckIn(startup_id=startup.id, week_start=week, submitted_by_id=actor.id,
                      help_requested=bool(clean["help_text"] or clean["help_tags"]), **clean)
    with unique_or_conflict(taken):
        db.session.add(checkin)
    record(actor, "checkin.submitted", startup, week=iso_week_label(week), help=checkin.help_requested or None)
    return checkin


def is_editable(checkin: CheckIn, now: datetime | None = None) -> bool:
    """A check-in can be edited until its week ends (Monday 00:00 in the incubator's time zone)."""
    return (now or utcnow()) < week_ends_at(checkin.week_start)


def update_checkin(actor: User, checkin: CheckIn, data: dict, now: datetime | None = None) -> CheckIn:
    """Edit a check-in during its own week. Asking for new help reopens a resolved flag.

    :raises ConflictError: the week has ended.
    """
    lock(CheckIn, checkin.id)
    db.session.refresh(checkin)
    if not is_editable(checkin, now):
        raise ConflictError(_("The week %(week)s has ended, so its check-in can no longer change.",
                              week=checkin.iso_week))
    clean = _clean(data)
    changed = sorted(key for key, value in clean.items() if getattr(checkin, key) != value)
    help_changed = any(key in changed for key in ("help_text", "help_tags"))
    for key in changed:
        setattr(checkin, key, clean[key])
    checkin.help_requested = bool(checkin.help_text or checkin.help_tags)
    if help_changed and checkin.help_requested and checkin.help_resolved_at is not None:
        checkin.help_resolved_at, checkin.help_resolved_by_id = None, None
        checkin.help_resolution = ""
    db.session.flush()
    if changed:
        record(actor, "checkin.updated", checkin.startup, week=checkin.iso_week, fields=changed)
    return checkin


def resolve_help(actor: User, checkin: CheckIn, comment: str) -> CheckIn:
    """A manager closes a help flag with a comment the founders see.

    :raises ConflictError: no help was asked for, or the flag is already resolved.
    """
    lock(CheckIn, checkin.id)
    db.session.refresh(checkin)
    if not checkin.help_requested:
        raise ConflictError(_("This check-in did not ask for help."))
    if checkin.help_resolved_at is not None:
        raise ConflictError(_("This help request is already resolved."))
    comment = (comment or "").strip()
    if not comment:
        raise ServiceError.on("comment", _("Write what was done or agreed; the founders will see it."))
    if len(comment) > MAX_TEXT:
        raise ServiceError.on("comment", _("Keep this under 5,000 characters."))
    checkin.help_resolved_at, checkin.help_resolved_by_id, checkin.help_resolution = utcnow(), actor.id, comment
    db.session.flush()
    record(actor, "checkin.help_resolved", checkin.startup, week=checkin.iso_week)
    return checkin
