"""Who may see and change programs, cohorts and startups."""
from __future__ import annotations

from incubator.auth.models import Role, User
from incubator.cohorts.models import Startup


def is_manager(user: User) -> bool:
    return user.is_authenticated and user.role == Role.MANAGER


def can_manage_cohorts(user: User) -> bool:
    return is_manager(user)


def is_founder_of(user: User, startup: Startup) -> bool:
    return (
        user.is_authenticated
        and user.role == Role.FOUNDER
        and any(member.user_id == user.id for member in startup.members)
    )


def can_list_startups(user: User) -> bool:
    return user.is_authenticated and user.role in (Role.MANAGER, Role.MENTOR)


def can_view_startup(user: User, startup: Startup) -> bool:
    """Managers and mentors see every profile; founders only their own startup's."""
    return can_list_startups(user) or is_founder_of(user, startup)


def can_edit_startup(user: User, startup: Startup) -> bool:
    return is_manager(user) or is_founder_of(user, startup)


def can_change_startup_status(user: User) -> bool:
    return is_manager(user)
