"""Factories for mentor profiles, the taxonomy, needs and matches (flushed, never committed)."""
from __future__ import annotations

import factory

from incubator.auth.models import Role, User
from incubator.cohorts.models import Startup
from incubator.extensions import db
from incubator.mentoring.models import (
    ExpertiseTag,
    Match,
    MatchStatus,
    MentorLanguage,
    MentorProfile,
    MentorSector,
    NeedPriority,
    StartupNeeds,
    StartupNeedTag,
)
from tests.factories import Base, UserFactory


class ExpertiseTagFactory(Base):
    class Meta:
        model = ExpertiseTag

    name = factory.Sequence(lambda n: f"Expertise {n}")
    category = "Business"


def mentor(languages=("en",), sectors=(), tags=(), capacity: int = 2, timezone: str = "Asia/Phnom_Penh",
           user: User | None = None, **kwargs) -> User:
    """A mentor account with a profile (a new account unless ``user`` is given)."""
    user = user or UserFactory(role=Role.MENTOR, timezone=timezone, **kwargs)
    profile = MentorProfile(user_id=user.id, capacity=capacity, headline=f"{user.name}, mentor")
    profile.expertise = list(tags)
    profile.language_rows = [MentorLanguage(mentor_id=user.id, code=c) for c in languages]
    profile.sector_rows = [MentorSector(mentor_id=user.id, code=c) for c in sectors]
    db.session.add(profile)
    db.session.flush()
    return user


def needs(startup: Startup, languages=("km", "en"), must=(), nice=(), notes: str = "") -> StartupNeeds:
    row = StartupNeeds(startup_id=startup.id, languages=list(languages), notes=notes)
    row.tags = [StartupNeedTag(startup_id=startup.id, tag_id=t.id, priority=NeedPriority.MUST) for t in must] + \
        [StartupNeedTag(startup_id=startup.id, tag_id=t.id, priority=NeedPriority.NICE) for t in nice]
    db.session.add(row)
    db.session.flush()
    return row


def match(startup: Startup, mentor_user: User, status: MatchStatus = MatchStatus.PROPOSED, **kwargs) -> Match:
    row = Match(cohort_id=startup.cohort_id, startup_id=startup.id, mentor_id=mentor_user.id, status=status,
                score=kwargs.pop("score", 0.5), explanation=kwargs.pop("explanation", {}), **kwargs)
    db.session.add(row)
    db.session.flush()
    return row
