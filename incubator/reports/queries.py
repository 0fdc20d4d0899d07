"""What the report pages list, each in a fixed number of queries whatever the number of rows."""
from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload

from incubator.auth.models import Role, User
from incubator.cohorts.models import Cohort, CohortStatus, Startup
from incubator.db import utcnow
from incubator.extensions import db
from incubator.reports.models import (
    InvestorProfile,
    ReportBatch,
    ReportKind,
    ReportShare,
    ReportSnapshot,
    ReportView,
    ShareKind,
)

RECENT_VIEWS = 50


def snapshots_query(kind: str = "", cohort_id: int | None = None, startup_id: int | None = None) -> sa.Select:
    """Snapshots newest first, with their startup, cohort and author loaded (for ``db.paginate``)."""
    query = (sa.select(ReportSnapshot)
             .options(joinedload(ReportSnapshot.startup), joinedload(ReportSnapshot.cohort),
                      joinedload(ReportSnapshot.created_by))
             .order_by(ReportSnapshot.created_at.desc(), ReportSnapshot.id.desc()))
    if kind in {k.value for k in ReportKind}:
        query = query.where(ReportSnapshot.kind == kind)
    if cohort_id:
        query = query.where(ReportSnapshot.cohort_id == cohort_id)
    if startup_id:
        query = query.where(ReportSnapshot.startup_id == startup_id)
    return query


def active_share_counts(snapshot_ids: list[int]) -> dict[int, int]:
    if not snapshot_ids:
        return {}
    rows = db.session.execute(
        sa.select(ReportShare.snapshot_id, sa.func.count(ReportShare.id))
        .where(ReportShare.snapshot_id.in_(snapshot_ids), ReportShare.revoked_at.is_(None),
               ReportShare.expires_at > utcnow())
        .group_by(ReportShare.snapshot_id)
    ).all()
    return dict(rows)


def latest_batch() -> ReportBatch | None:
    return db.session.scalar(sa.select(ReportBatch).order_by(ReportBatch.started_at.desc()).limit(1))


def report_cohorts() -> list[Cohort]:
    """Cohorts a report can be made for: running and completed ones, newest first."""
    return list(db.session.scalars(
        sa.select(Cohort).where(Cohort.status.in_((CohortStatus.RUNNING, CohortStatus.COMPLETED)))
        .order_by(Cohort.starts_on.desc())
    ))


def profiles_query(cohort_id: int | None = None) -> sa.Select:
    """Startups of running and completed cohorts with their investor profile (or ``None``), by name."""
    query = (sa.select(Startup, InvestorProfile)
             .join(Cohort, Cohort.id == Startup.cohort_id)
             .outerjoin(InvestorProfile, InvestorProfile.startup_id == Startup.id)
             .where(Cohort.status.in_((CohortStatus.RUNNING, CohortStatus.COMPLETED)))
             .options(joinedload(Startup.cohort))
             .order_by(Startup.name, Startup.id))
    if cohort_id:
        query = query.where(Startup.cohort_id == cohort_id)
    return query


def latest_onepagers(startup_ids: list[int]) -> dict[int, ReportSnapshot]:
    """Each startup's newest one-pager snapshot."""
    if not startup_ids:
        return {}
    newest = (sa.select(sa.func.max(ReportSnapshot.id)).where(ReportSnapshot.startup_id.in_(startup_ids))
              .group_by(ReportSnapshot.startup_id))
    return {s.startup_id: s for s in db.session.scalars(sa.select(ReportSnapshot).where(ReportSnapshot.id.in_(newest)))}


def shares_of(snapshot: ReportSnapshot) -> list[ReportShare]:
    return list(db.session.scalars(
        sa.select(ReportShare).where(ReportShare.snapshot_id == snapshot.id)
        .options(joinedload(ReportShare.recipient), joinedload(ReportShare.created_by))
        .order_by(ReportShare.created_at.desc(), ReportShare.id.desc())
    ))


def recent_views(snapshot: ReportSnapshot) -> list[ReportView]:
    return list(db.session.scalars(
        sa.select(ReportView).where(ReportView.snapshot_id == snapshot.id)
        .options(joinedload(ReportView.viewer)).order_by(ReportView.viewed_at.desc(), ReportView.id.desc())
        .limit(RECENT_VIEWS)
    ))


def investors() -> list[User]:
    return list(db.session.scalars(
        sa.select(User).where(User.role == Role.INVESTOR, User.is_active.is_(True)).order_by(User.name)))


def shared_with(user: User, limit: int | None = None) -> list[ReportShare]:
    """The active account shares of ``user``, newest first, with their snapshots."""
    query = (sa.select(ReportShare)
             .where(ReportShare.recipient_id == user.id, ReportShare.kind == ShareKind.ACCOUNT,
                    ReportShare.revoked_at.is_(None), ReportShare.expires_at > utcnow())
             .options(selectinload(ReportShare.snapshot).joinedload(ReportSnapshot.cohort))
             .order_by(ReportShare.created_at.desc(), ReportShare.id.desc()))
    if limit:
        query = query.limit(limit)
    return list(db.session.scalars(query))


def founder_startups(user: User) -> list[Startup]:
    from incubator.cohorts.models import TeamMember

    return list(db.session.scalars(
        sa.select(Startup).join(TeamMember, TeamMember.startup_id == Startup.id)
        .where(TeamMember.user_id == user.id).order_by(Startup.name)))
