"""What each role's home page shows; each function runs a fixed number of queries."""
from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from incubator.applications.models import Application, ApplicationStatus, ReviewAssignment, ReviewStatus
from incubator.auth.models import Invitation, User
from incubator.cohorts.models import Cohort, CohortStatus, Startup, TeamMember
from incubator.db import utcnow
from incubator.extensions import db


def my_pending_reviews(user: User) -> list[ReviewAssignment]:
    return list(
        db.session.scalars(
            sa.select(ReviewAssignment)
            .join(Application)
            .where(
                ReviewAssignment.reviewer_id == user.id,
                ReviewAssignment.status == ReviewStatus.PENDING,
                Application.status == ApplicationStatus.SUBMITTED,
            )
            .options(selectinload(ReviewAssignment.application).selectinload(Application.cohort))
            .order_by(ReviewAssignment.assigned_at)
        )
    )


def manager_overview() -> dict:
    cohorts = list(
        db.session.scalars(
            sa.select(Cohort)
            .where(Cohort.status != CohortStatus.COMPLETED)
            .options(selectinload(Cohort.program))
            .order_by(Cohort.starts_on.desc())
        )
    )
    ids = [c.id for c in cohorts]
    startups = dict(
        db.session.execute(
            sa.select(Startup.cohort_id, sa.func.count(Startup.id)).where(Startup.cohort_id.in_(ids))
            .group_by(Startup.cohort_id)
        ).all()
    )
    awaiting = dict(
        db.session.execute(
            sa.select(Application.cohort_id, sa.func.count(Application.id))
            .where(Application.cohort_id.in_(ids), Application.status == ApplicationStatus.SUBMITTED)
            .group_by(Application.cohort_id)
        ).all()
    )
    pending_invitations = db.session.scalar(
        sa.select(sa.func.count(Invitation.id)).where(
            Invitation.accepted_at.is_(None), Invitation.revoked_at.is_(None), Invitation.expires_at > utcnow()
        )
    )
    return {
        "cohorts": cohorts,
        "startup_counts": startups,
        "awaiting_decision": awaiting,
        "pending_invitations": pending_invitations,
    }


def founder_startups(user: User) -> list[Startup]:
    return list(
        db.session.scalars(
            sa.select(Startup)
            .join(TeamMember)
            .where(TeamMember.user_id == user.id)
            .options(selectinload(Startup.cohort), selectinload(Startup.members))
            .order_by(Startup.name)
        )
    )


COMING_UP = 5  # items per list on the founder's home page


def mentor_coming_up(user: User) -> dict:
    """A mentor's next sessions (one query, at most ``COMING_UP``) and matches waiting for their answer."""
    from incubator.mentoring.models import Match, MatchStatus
    from incubator.mentoring.models.bookings import BookingStatus as SessionStatus
    from incubator.mentoring.models.bookings import MentorBooking
    from incubator.mentoring.queries import sessions_query

    sessions = db.session.scalars(sessions_query(user, "upcoming", utcnow()).where(
        MentorBooking.status == SessionStatus.CONFIRMED).limit(COMING_UP)).unique().all()
    waiting = db.session.scalar(sa.select(sa.func.count(Match.id)).where(
        Match.mentor_id == user.id, Match.status == MatchStatus.PUBLISHED))
    return {"sessions": sessions, "matches_waiting": waiting or 0}


def founder_coming_up(user: User, startup_ids: list[int]) -> dict:
    """The next mentor sessions and resource bookings of the founder's startups (two queries, at most
    ``COMING_UP`` each), soonest first."""
    from incubator.mentoring.models.bookings import BookingStatus as SessionStatus
    from incubator.mentoring.models.bookings import MentorBooking
    from incubator.mentoring.queries import sessions_query
    from incubator.resources.models import HOLDING_STATUSES
    from incubator.resources.models import Booking as ResourceBooking
    from incubator.resources.queries import my_bookings_query

    now = utcnow()
    sessions = db.session.scalars(sessions_query(user, "upcoming", now).where(
        MentorBooking.status == SessionStatus.CONFIRMED).limit(COMING_UP)).unique().all()
    bookings = db.session.scalars(my_bookings_query(user, startup_ids, True, now).where(
        ResourceBooking.status.in_(HOLDING_STATUSES)).limit(COMING_UP)).unique().all()
    return {"sessions": sessions, "bookings": bookings}
