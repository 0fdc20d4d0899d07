"""Who may see applications, review them, see scores and decide."""
from __future__ import annotations

from incubator.applications.models import Application, ReviewAssignment, ReviewStatus
from incubator.auth.models import Role, User


def can_manage_applications(user: User) -> bool:
    return user.is_authenticated and user.role == Role.MANAGER


def can_be_reviewer(user: User) -> bool:
    return user.is_active and user.role in (Role.MANAGER, Role.MENTOR)


def own_assignment(user: User, application: Application) -> ReviewAssignment | None:
    return next((a for a in application.assignments if a.reviewer_id == user.id), None)


def can_view_application(user: User, application: Application) -> bool:
    """Managers see every application; reviewers only those assigned to them, unless conflicted.

    The reviewer's current role is checked too: an assignment does not outlive a change of role.
    """
    if not user.is_authenticated or not can_be_reviewer(user):
        return False
    assignment = own_assignment(user, application)
    if assignment is not None and assignment.status == ReviewStatus.CONFLICT:
        return False
    return can_manage_applications(user) or assignment is not None


def can_review(user: User, assignment: ReviewAssignment) -> bool:
    return (
        user.is_authenticated
        and can_be_reviewer(user)
        and assignment.reviewer_id == user.id
        and assignment.status != ReviewStatus.CONFLICT
    )


def can_see_scores(user: User, application: Application) -> bool:
    """Scores stay hidden from anyone with a review of their own still to submit (independent review)."""
    assignment = own_assignment(user, application)
    if assignment is not None:
        return assignment.status == ReviewStatus.SUBMITTED
    return can_manage_applications(user)
