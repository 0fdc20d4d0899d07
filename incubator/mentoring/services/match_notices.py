"""Telling mentors, founders and managers about matches (in the app, and by email by preference).

Each notice carries a dedupe key per match, event and recipient, so a retried request never tells
anyone twice.
"""
from __future__ import annotations

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from incubator.auth.models import Role, User
from incubator.cohorts.models import Startup, TeamMember
from incubator.core.urls import app_path
from incubator.extensions import db
from incubator.mentoring.models import Match
from incubator.notifications.services import notify

CATEGORY = "matching"


def founders_by_startup(startup_ids: list[int]) -> dict[int, list[User]]:
    """The founder accounts of each startup (one query)."""
    found: dict[int, list[User]] = {sid: [] for sid in startup_ids}
    if startup_ids:
        rows = db.session.execute(
            sa.select(TeamMember.startup_id, User).join(User, User.id == TeamMember.user_id)
            .where(TeamMember.startup_id.in_(startup_ids), User.role == Role.FOUNDER).order_by(User.id))
        for startup_id, user in rows:
            found[startup_id].append(user)
    return found


def _managers() -> list[User]:
    return list(db.session.scalars(sa.select(User).where(User.role == Role.MANAGER, User.is_active.is_(True))
                                   .order_by(User.id)))


def _startup_link(match: Match) -> str:
    return app_path("mentoring.startup_mentors", startup_id=match.startup_id)


def published(matches: list[Match]) -> None:
    """Ask each mentor to answer, and tell each startup's founders who was proposed."""
    ids = sorted({m.startup_id for m in matches})
    founders = founders_by_startup(ids)
    startups = {s.id: s for s in db.session.scalars(sa.select(Startup).where(Startup.id.in_(ids)))}
    mentors = {u.id: u for u in db.session.scalars(
        sa.select(User).where(User.id.in_({m.mentor_id for m in matches})))}
    for match in matches:
        startup, mentor = startups[match.startup_id], mentors[match.mentor_id]
        notify(mentor, CATEGORY, _l("You are matched with %(startup)s", startup=startup.name),
               _l("The incubator team matched you with %(startup)s. Please accept or decline.", startup=startup.name),
               link=app_path("mentoring.my_startups"), dedupe_key=f"match:{match.id}:published:{mentor.id}")
        for founder in founders[match.startup_id]:
            notify(founder, CATEGORY, _l("%(mentor)s is proposed as your mentor", mentor=mentor.name),
                   _l("%(mentor)s has been asked to mentor %(startup)s. We will tell you when they answer.",
                      mentor=mentor.name, startup=startup.name),
                   link=_startup_link(match), dedupe_key=f"match:{match.id}:published:{founder.id}")


def accepted(match: Match) -> None:
    for founder in founders_by_startup([match.startup_id])[match.startup_id]:
        notify(founder, CATEGORY, _l("%(mentor)s accepted to mentor %(startup)s", mentor=match.mentor.name,
                                     startup=match.startup.name),
               _l("You can now contact %(mentor)s and book sessions.", mentor=match.mentor.name),
               link=_startup_link(match), dedupe_key=f"match:{match.id}:accepted:{founder.id}")


def declined(match: Match) -> None:
    """Managers learn the reason (to re-run matching); founders only that another mentor will be found."""
    for manager in _managers():
        notify(manager, CATEGORY, _l("%(mentor)s declined %(startup)s", mentor=match.mentor.name,
                                     startup=match.startup.name),
               _l("Reason: %(reason)s. Re-run matching to find another mentor.",
                  reason=match.decline_reason or "—"),
               link=app_path("mentoring.proposals", cohort_id=match.cohort_id),
               dedupe_key=f"match:{match.id}:declined:{manager.id}")
    for founder in founders_by_startup([match.startup_id])[match.startup_id]:
        notify(founder, CATEGORY, _l("%(mentor)s cannot mentor %(startup)s", mentor=match.mentor.name,
                                     startup=match.startup.name),
               _l("The incubator team will find you another mentor."),
               link=_startup_link(match), dedupe_key=f"match:{match.id}:declined:{founder.id}")


def ended(match: Match) -> None:
    """A published or accepted match was removed by a manager."""
    title = _l("Mentoring of %(startup)s by %(mentor)s has ended", startup=match.startup.name,
               mentor=match.mentor.name)
    body = _l("The incubator team ended this match. Contact them if you have questions.")
    notify(match.mentor, CATEGORY, title, body, link=app_path("mentoring.my_startups"),
           dedupe_key=f"match:{match.id}:ended:{match.mentor_id}")
    for founder in founders_by_startup([match.startup_id])[match.startup_id]:
        notify(founder, CATEGORY, title, body, link=_startup_link(match),
               dedupe_key=f"match:{match.id}:ended:{founder.id}")
