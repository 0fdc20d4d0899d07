"""Who may see and change mentor profiles, the taxonomy, startups' needs and matches.

Managers run matching and see everything. Mentors edit their own profile, declare their conflicts and
answer their published matches. A startup's founders edit its needs and see its published mentors. The
mentor directory is open to managers, mentors and founders of startups in a running cohort. Proposals
(before publication) are for managers only.
"""
from __future__ import annotations

import sqlalchemy as sa

from incubator.auth.models import Role, User
from incubator.cohorts.models import Cohort, CohortStatus, Startup, TeamMember
from incubator.cohorts.permissions import is_founder_of, is_manager
from incubator.extensions import db
from incubator.mentoring.models import Match, MatchStatus


def is_mentor(user: User) -> bool:
    return user.is_authenticated and user.role == Role.MENTOR


def can_manage_mentoring(user: User) -> bool:
    """Taxonomy, cohort settings, matching runs and proposals, anyone's profile and conflicts."""
    return is_manager(user)


def founds_running_startup(user: User) -> bool:
    """A founder of a startup in a running cohort (the founders mentoring is for)."""
    if not (user.is_authenticated and user.role == Role.FOUNDER):
        return False
    return db.session.scalar(
        sa.select(TeamMember.id).join(Startup).join(Cohort)
        .where(TeamMember.user_id == user.id, Cohort.status == CohortStatus.RUNNING).limit(1)
    ) is not None


def can_browse_mentors(user: User) -> bool:
    """The mentor directory and mentors' profiles."""
    return is_manager(user) or is_mentor(user) or founds_running_startup(user)


def can_edit_mentor_profile(user: User, mentor: User) -> bool:
    """Managers, or the mentor themself (conflicts included)."""
    return is_manager(user) or (is_mentor(user) and user.id == mentor.id)


def can_view_needs(user: User, startup: Startup) -> bool:
    """Managers, the startup's founders, and mentors matched with it (published or accepted)."""
    if is_manager(user) or is_founder_of(user, startup):
        return True
    return is_mentor(user) and db.session.scalar(
        sa.select(Match.id).where(Match.startup_id == startup.id, Match.mentor_id == user.id,
                                  Match.status.in_((MatchStatus.PUBLISHED, MatchStatus.ACCEPTED))).limit(1)
    ) is not None


def can_edit_needs(user: User, startup: Startup) -> bool:
    return is_manager(user) or is_founder_of(user, startup)


def can_view_startup_mentors(user: User, startup: Startup) -> bool:
    """The page listing a startup's mentors: managers and its founders."""
    return is_manager(user) or is_founder_of(user, startup)


def can_view_match(user: User, match: Match) -> bool:
    """Managers always; the mentor and the startup's founders once the match is published."""
    if is_manager(user):
        return True
    if match.status == MatchStatus.PROPOSED:
        return False
    return (is_mentor(user) and match.mentor_id == user.id) or is_founder_of(user, match.startup)


def can_answer_match(user: User, match: Match) -> bool:
    """Accept or decline: only the matched mentor (whether it is still open is the service's rule)."""
    return is_mentor(user) and match.mentor_id == user.id and match.status != MatchStatus.PROPOSED


def can_list_matches(user: User) -> bool:
    return is_manager(user) or is_mentor(user) or (user.is_authenticated and user.role == Role.FOUNDER)
