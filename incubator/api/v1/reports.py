"""Reports endpoints: the snapshots a caller may read, with their stored figures.

The same permissions as the web pages: managers read every report, founders their startups' one-pagers,
investors the reports shared with their account while the share is active (each read is counted as a
view, like opening the page). Mentors have no access (403). A one-pager whose founders have since
withdrawn consent for one of its sections is 403 for investors, with a message saying so.
"""
from __future__ import annotations

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from incubator.api.v1.errors import abort_json
from incubator.api.v1.payloads import first_or_404, paginate, parse_query, respond
from incubator.api.v1.reports_schemas import ReportDetail, ReportListQuery, ReportOut, ReportPage
from incubator.api.v1.spec import operation
from incubator.auth.models import Role
from incubator.cohorts.models import TeamMember
from incubator.core.authz import require
from incubator.db import utcnow
from incubator.extensions import db
from incubator.reports import services
from incubator.reports.models import ReportKind, ReportShare, ReportSnapshot, ShareKind
from incubator.reports.permissions import active_account_share, can_view_snapshot, is_startup_owner

TAG = "reports"


def _visible(query: sa.Select) -> sa.Select:
    if current_user.role == Role.MANAGER:
        return query
    if current_user.role == Role.FOUNDER:
        mine = sa.select(TeamMember.startup_id).where(TeamMember.user_id == current_user.id)
        return query.where(ReportSnapshot.kind == ReportKind.ONE_PAGER, ReportSnapshot.startup_id.in_(mine))
    shared = sa.select(ReportShare.snapshot_id).where(
        ReportShare.recipient_id == current_user.id, ReportShare.kind == ShareKind.ACCOUNT,
        ReportShare.revoked_at.is_(None), ReportShare.expires_at > utcnow())
    return query.where(ReportSnapshot.id.in_(shared))


@operation("/reports", summary=_l("List the reports you may read"), tag=TAG, query=ReportListQuery,
           response=ReportPage)
def list_reports():
    """Newest first. Managers see every report, founders their startups' one-pagers, investors what is shared
    with them; mentors get 403."""
    require(current_user.role in (Role.MANAGER, Role.FOUNDER, Role.INVESTOR))
    args = parse_query(ReportListQuery)
    query = _visible(sa.select(ReportSnapshot)).order_by(ReportSnapshot.created_at.desc(), ReportSnapshot.id.desc())
    if args.kind:
        query = query.where(ReportSnapshot.kind == args.kind)
    if args.cohort_id:
        query = query.where(ReportSnapshot.cohort_id == args.cohort_id)
    snapshots, envelope = paginate(query, args)
    return respond(ReportPage(items=[ReportOut.of(s) for s in snapshots], **envelope))


@operation("/reports/<id:snapshot_id>", summary=_l("Get a report with its figures"), tag=TAG,
           response=ReportDetail)
def get_report(snapshot_id: int):
    """The report's metadata and the figures stored when it was made (they never change afterwards)."""
    snapshot = first_or_404(sa.select(ReportSnapshot).where(ReportSnapshot.id == snapshot_id),
                            _("There is no report with id %(id)d.", id=snapshot_id))
    require(can_view_snapshot(current_user, snapshot))
    if not (current_user.is_manager or is_startup_owner(current_user, snapshot)):
        if services.withheld_sections(snapshot, services.current_consent(snapshot)):
            abort_json(403, _("The startup has changed what it shares with investors since this report was made."))
        services.record_view(snapshot, "api", share=active_account_share(current_user, snapshot),
                             viewer=current_user)
        db.session.commit()
    return respond(ReportDetail.of(snapshot))
