"""Who may see and change a startup's progress.

Managers see and change everything. A startup's founders see and report their own startup's
progress. A mentor whose match with the startup is accepted may read it (to prepare sessions), never change it.
"""
from __future__ import annotations

from incubator.auth.models import Role, User
from incubator.cohorts.models import Startup
from incubator.cohorts.permissions import is_founder_of, is_manager
from incubator.progress.models import Milestone


def can_view_progress(user: User, startup: Startup) -> bool:
    return is_manager(user) or is_founder_of(user, startup) or _is_matched_mentor(user, startup)


def _is_matched_mentor(user: User, startup: Startup) -> bool:
    if not user.is_authenticated or user.role != Role.MENTOR:
        return False
    from incubator.mentoring.queries import accepted_match  # mentoring builds on progress, not the reverse

    return accepted_match(user.id, startup.id) is not None


def can_report_progress(user: User, startup: Startup) -> bool:
    """Submit KPIs and check-ins, add and update milestones."""
    return is_manager(user) or is_founder_of(user, startup)


def can_manage_progress(user: User) -> bool:
    """Cohort dashboards, plans, custom metrics, rates, exports, verification and help flags."""
    return is_manager(user)


def can_edit_milestone_details(user: User, milestone: Milestone) -> bool:
    """Title, description, due date and target: managers, or founders for their own custom milestones."""
    return is_manager(user) or (not milestone.from_plan and is_founder_of(user, milestone.startup))
