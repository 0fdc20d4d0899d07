"""Who may see and do what with reports.

- Managers: everything (every startup's investor profile and full preview, every snapshot, generating,
  sharing with investor accounts or by link, revoking, the list of views).
- Founders: their own startup's investor profile, consent and funding rounds; the preview of exactly what
  investors will see; generating their one-pager (a few a day); sharing it by link and revoking any share
  of it (it is their data). They never see cohort reports.
- Investors: the snapshots shared with their account while the share is active, nothing else.
- Mentors: no access to reports.
- Anyone holding an active link: that one snapshot (the token is the authorization; see ``services``).
"""
from __future__ import annotations

import sqlalchemy as sa

from incubator.auth.models import Role, User
from incubator.cohorts.models import Startup
from incubator.cohorts.permissions import is_founder_of, is_manager
from incubator.db import utcnow
from incubator.extensions import db
from incubator.reports.models import ReportShare, ReportSnapshot, ShareKind


def can_manage_reports(user: User) -> bool:
    """The reports list, cohort reports, sharing with investor accounts, the monthly batch."""
    return is_manager(user)


def can_edit_investor_profile(user: User, startup: Startup) -> bool:
    return is_manager(user) or is_founder_of(user, startup)


def can_generate_onepager(user: User, startup: Startup) -> bool:
    return is_manager(user) or is_founder_of(user, startup)


def is_startup_owner(user: User, snapshot: ReportSnapshot) -> bool:
    """A founder of the startup a one-pager is about."""
    return snapshot.is_one_pager and snapshot.startup is not None and is_founder_of(user, snapshot.startup)


def active_account_share(user: User, snapshot: ReportSnapshot) -> ReportShare | None:
    """The investor's active account share of ``snapshot``, if any."""
    if not user.is_authenticated or user.role != Role.INVESTOR:
        return None
    return db.session.scalar(
        sa.select(ReportShare).where(ReportShare.snapshot_id == snapshot.id, ReportShare.recipient_id == user.id,
                                     ReportShare.kind == ShareKind.ACCOUNT, ReportShare.revoked_at.is_(None),
                                     ReportShare.expires_at > utcnow())
        .order_by(ReportShare.expires_at.desc()).limit(1)
    )


def can_view_snapshot(user: User, snapshot: ReportSnapshot) -> bool:
    """Managers, the startup's founders (one-pagers), investors with an active share."""
    return is_manager(user) or is_startup_owner(user, snapshot) or active_account_share(user, snapshot) is not None


def can_share_snapshot(user: User, snapshot: ReportSnapshot) -> bool:
    """See the shares of a snapshot and create links: managers, and founders for their own one-pagers."""
    return is_manager(user) or is_startup_owner(user, snapshot)


def can_share_with_accounts(user: User) -> bool:
    """Choosing investor accounts to share with: managers (the incubator keeps its investor network)."""
    return is_manager(user)


def can_revoke_share(user: User, share: ReportShare) -> bool:
    return can_share_snapshot(user, share.snapshot)


def can_see_shared_with_me(user: User) -> bool:
    return user.is_authenticated and user.role == Role.INVESTOR
