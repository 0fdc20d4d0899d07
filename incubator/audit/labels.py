"""Readable, translated names for audit actions; unknown actions fall back to their code."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

ACTION_LABELS = {
    "application.submitted": _l("Application submitted"),
    "application.accepted": _l("Application accepted"),
    "application.waitlisted": _l("Application waitlisted"),
    "application.rejected": _l("Application not selected"),
    "cohort.created": _l("Cohort created"),
    "cohort.updated": _l("Cohort edited"),
    "cohort.status_changed": _l("Cohort status changed"),
    "invitation.sent": _l("Invitation sent"),
    "invitation.resent": _l("Invitation link renewed"),
    "invitation.revoked": _l("Invitation revoked"),
    "invitation.accepted": _l("Invitation accepted"),
    "password.reset": _l("Password reset by email"),
    "password.set": _l("Password set from the command line"),
    "review.assigned": _l("Reviewer assigned"),
    "review.unassigned": _l("Reviewer removed"),
    "review.submitted": _l("Review submitted"),
    "review.conflict_declared": _l("Conflict of interest declared"),
    "rubric.updated": _l("Scoring rubric changed"),
    "startup.created": _l("Startup created"),
    "startup.updated": _l("Startup profile edited"),
    "startup.status_changed": _l("Startup status changed"),
    "team.member_added": _l("Team member added"),
    "team.member_removed": _l("Team member removed"),
    "user.created": _l("Account created"),
    "user.role_changed": _l("Access changed"),
}

# Details recorded as a [before, after] pair.
CHANGE_KEYS = frozenset({"role", "admin", "active"})


def action_label(action: str) -> str:
    label = ACTION_LABELS.get(action)
    return str(label) if label is not None else action


def detail_pair(key: str, value) -> str:
    """One detail as ``key: value``; a recorded change reads ``before → after``."""
    if key in CHANGE_KEYS and isinstance(value, list) and len(value) == 2:
        return f"{key}: {detail_text(value[0])} → {detail_text(value[1])}"
    return f"{key}: {detail_text(value)}"


def detail_text(value) -> str:
    """Details as a person reads them: lists joined, booleans as yes/no."""
    if isinstance(value, list):
        return ", ".join(detail_text(v) for v in value)
    if isinstance(value, bool):
        return str(_l("yes") if value else _l("no"))
    return str(value)
