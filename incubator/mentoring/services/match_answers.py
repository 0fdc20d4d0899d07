"""A mentor's answer to a published match: accept (founders may then book them) or decline (with a reason).

The match row is locked first, so two answers at once cannot both apply; the second gets a 409.
"""
from __future__ import annotations

from flask_babel import gettext as _

from incubator.audit.services import record
from incubator.auth.models import User
from incubator.core.errors import ConflictError, ForbiddenError, ServiceError
from incubator.db import utcnow
from incubator.extensions import db
from incubator.mentoring.models import Match, MatchStatus
from incubator.mentoring.services import match_notices
from incubator.progress.services import lock

MAX_REASON = 1000


def _open(actor: User, match: Match) -> None:
    if match.mentor_id != actor.id:
        raise ForbiddenError(_("Only the matched mentor can answer."))
    lock(Match, match.id)
    db.session.refresh(match)
    if match.status != MatchStatus.PUBLISHED:
        raise ConflictError(_("This match is no longer waiting for an answer (it is now: %(status)s).",
                              status=match.status_label))


def accept_match(actor: User, match: Match) -> Match:
    """The mentor accepts; the founders are told and may book sessions with them.

    :raises ConflictError: the match is not waiting for an answer.
    """
    _open(actor, match)
    match.status, match.answered_at = MatchStatus.ACCEPTED, utcnow()
    db.session.flush()
    match_notices.accepted(match)
    record(actor, "match.accepted", match, label=match.startup.name, mentor=actor.name)
    return match


def decline_match(actor: User, match: Match, reason: str) -> Match:
    """The mentor declines with a reason; managers are told (the slot is free for a re-run).

    :raises ServiceError: no reason given. :raises ConflictError: the match is not waiting for an answer.
    """
    reason = (reason or "").strip()
    if not reason:
        raise ServiceError.on("reason", _("Tell the incubator team why, so they can find a better match."))
    if len(reason) > MAX_REASON:
        raise ServiceError.on("reason", _("Keep the reason under 1,000 characters."))
    _open(actor, match)
    match.status, match.answered_at, match.decline_reason = MatchStatus.DECLINED, utcnow(), reason
    db.session.flush()
    match_notices.declined(match)
    record(actor, "match.declined", match, label=match.startup.name, mentor=actor.name)
    return match
