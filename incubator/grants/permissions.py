"""Who may see and change grants.

Managers see every grant and are the only ones who create grants, change tranche plans, record and
reverse disbursements. A startup's founders read their own startup's grant (tranches, conditions,
ledger, receipts) and nothing else; mentors and investors see no grant (investor reports show totals).
"""
from __future__ import annotations

from incubator.auth.models import User
from incubator.cohorts.models import Startup
from incubator.cohorts.permissions import is_founder_of, is_manager


def can_view_grant(user: User, startup: Startup) -> bool:
    """The startup's grant page, ledger, CSV and receipts."""
    return is_manager(user) or is_founder_of(user, startup)


def can_manage_grants(user: User) -> bool:
    """Create grants, edit tranche plans, record and reverse disbursements, the overview."""
    return is_manager(user)
