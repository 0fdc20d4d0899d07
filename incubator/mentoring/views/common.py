"""Loading helpers for the mentoring views: each loads one object, 404 if missing, and checks access."""
from __future__ import annotations

from flask import abort
from flask_login import current_user
from sqlalchemy.orm import joinedload

from incubator.auth.models import Role, User
from incubator.cohorts.models import Cohort, Startup
from incubator.cohorts.queries import startup_with_team
from incubator.core.authz import require
from incubator.extensions import db
from incubator.mentoring.models import Match
from incubator.mentoring.permissions import can_manage_mentoring, can_view_match


def load_mentor(mentor_id: int) -> User:
    """A mentor account (404 for any other kind of account)."""
    user = db.session.get(User, mentor_id)
    if user is None or user.role != Role.MENTOR:
        abort(404)
    return user


def load_startup(startup_id: int, check) -> Startup:
    startup = db.first_or_404(startup_with_team(startup_id))
    require(check(current_user, startup))
    return startup


def load_cohort(cohort_id: int) -> Cohort:
    cohort = db.get_or_404(Cohort, cohort_id)
    require(can_manage_mentoring(current_user))
    return cohort


def load_match(match_id: int, check=can_view_match) -> Match:
    match = db.first_or_404(
        db.select(Match).where(Match.id == match_id)
        .options(joinedload(Match.startup).selectinload(Startup.members), joinedload(Match.mentor),
                 joinedload(Match.cohort))
    )
    require(check(current_user, match))
    return match
