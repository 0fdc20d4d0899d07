"""Who may invite whom and manage accounts."""
from __future__ import annotations

from incubator.auth.models import Role, User


def can_manage_people(user: User) -> bool:
    return user.is_authenticated and user.role == Role.MANAGER


def can_invite_role(user: User, role: Role | str) -> bool:
    """Managers invite founders, mentors and investors; only admins invite managers."""
    if not can_manage_people(user):
        return False
    return Role(role) != Role.MANAGER or user.is_admin


def can_change_access(user: User) -> bool:
    return can_manage_people(user) and user.is_admin
