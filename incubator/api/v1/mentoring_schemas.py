"""Pydantic models for the mentoring endpoints: mentors, the expertise taxonomy, needs, matches and runs.

Scores travel as 0–100. A match's ``explanation`` says why the pair was proposed: must-haves and
nice-to-haves covered (tag names), must-haves missing, shared languages, sector fit and the working
hours both sides share.
"""
from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import Field

from incubator.api.v1.schemas import Id, Input, Output, Page, PageQuery
from incubator.cohorts.choices import SECTORS
from incubator.mentoring.models import (
    LANGUAGES,
    SHORTFALL_LABELS,
    ExpertiseTag,
    Match,
    MatchRun,
    MatchStatus,
    MentorProfile,
    StartupNeeds,
)
from incubator.mentoring.services.profiles import MAX_NEED_TAGS

Language = Literal[tuple(LANGUAGES)]
Sector = Literal[tuple(SECTORS)]


class TagOut(Output):
    id: int
    name: str
    category: str
    description: str
    archived: bool

    @classmethod
    def of(cls, tag: ExpertiseTag) -> TagOut:
        return cls(id=tag.id, name=tag.name, category=tag.category, description=tag.description,
                   archived=tag.archived)


class TagList(Output):
    items: list[TagOut]


class MentorListQuery(PageQuery):
    q: Annotated[str, Field(max_length=80)] = Field("", description="Words in the name, headline, biography "
                                                                   "or expertise.")
    tag_id: Id | None = None
    language: Language | None = None
    sector: Sector | None = None
    available: bool = Field(False, description="Only mentors with free capacity.")


class MentorOut(Output):
    id: int = Field(description="The mentor's user id.")
    name: str
    timezone: str
    headline: str
    bio: str
    languages: list[str]
    other_languages: str
    sectors: list[str]
    expertise: list[TagOut]
    capacity: int = Field(description="Startups at once; 0 = not taking new startups.")
    active_matches: int = Field(description="Proposed, published and accepted matches using that capacity.")

    @classmethod
    def of(cls, profile: MentorProfile, active: int) -> MentorOut:
        user = profile.user
        return cls(id=user.id, name=user.name, timezone=user.timezone, headline=profile.headline, bio=profile.bio,
                   languages=profile.languages, other_languages=profile.other_languages, sectors=profile.sectors,
                   expertise=[TagOut.of(t) for t in profile.expertise], capacity=profile.capacity,
                   active_matches=active)


class MentorPage(Page[MentorOut]):
    pass


class NeedTagIn(Input):
    tag_id: Id
    priority: Literal["must", "nice"]


class NeedsIn(Input):
    languages: list[Language] = Field(min_length=1, description="Languages the team can be mentored in.")
    tags: list[NeedTagIn] = Field(default_factory=list, max_length=MAX_NEED_TAGS)
    notes: Annotated[str, Field(max_length=2000)] = ""


class NeedTagOut(Output):
    tag_id: int
    name: str
    priority: Literal["must", "nice"]


class NeedsOut(Output):
    startup_id: int
    declared: bool = Field(description="False until the founders or a manager first save the needs.")
    languages: list[str]
    tags: list[NeedTagOut]
    notes: str
    updated_at: datetime | None

    @classmethod
    def of(cls, startup_id: int, needs: StartupNeeds | None, default_languages) -> NeedsOut:
        if needs is None:
            return cls(startup_id=startup_id, declared=False, languages=list(default_languages), tags=[], notes="",
                       updated_at=None)
        return cls(startup_id=startup_id, declared=True, languages=list(needs.languages), notes=needs.notes,
                   updated_at=needs.updated_at,
                   tags=[NeedTagOut(tag_id=t.tag_id, name=t.tag.name, priority=t.priority.value) for t in needs.tags])


class MatchListQuery(PageQuery):
    cohort_id: Id | None = None
    startup_id: Id | None = None
    mentor_id: Id | None = None
    status: MatchStatus | None = None


class MatchOut(Output):
    id: int
    cohort_id: int
    startup_id: int
    startup_name: str
    mentor_id: int
    mentor_name: str
    status: MatchStatus
    status_label: str
    locked: bool = Field(description="A locked proposal is kept when matching runs again.")
    score: int = Field(description="0–100.")
    explanation: dict = Field(description="must_covered, must_missing, nice_covered (tag names), languages, "
                                          "sector_match, overlap_hours, needs_fit, sector_fit, timezone_fit.")
    published_at: datetime | None
    answered_at: datetime | None
    decline_reason: str | None = Field(description="Managers and the mentor only; null for others.")

    @classmethod
    def of(cls, match: Match, show_reason: bool) -> MatchOut:
        return cls(id=match.id, cohort_id=match.cohort_id, startup_id=match.startup_id, startup_name=match.startup.name,
                   mentor_id=match.mentor_id, mentor_name=match.mentor.name, status=match.status,
                   status_label=match.status_label, locked=match.locked, score=round(match.score * 100),
                   explanation=dict(match.explanation or {}), published_at=match.published_at,
                   answered_at=match.answered_at, decline_reason=match.decline_reason if show_reason else None)


class MatchPage(Page[MatchOut]):
    pass


class ShortfallOut(Output):
    startup_id: int
    missing: int = Field(description="Mentors it still lacks.")
    reason: str
    reason_label: str
    compatible: int = Field(description="Mentors passing every hard constraint with it (some may be full).")


class RunOut(Output):
    id: int
    cohort_id: int
    created_at: datetime
    proposed: int
    kept: int
    elapsed_ms: int
    shortfalls: list[ShortfallOut]

    @classmethod
    def of(cls, run: MatchRun) -> RunOut:
        return cls(id=run.id, cohort_id=run.cohort_id, created_at=run.created_at, proposed=run.proposed,
                   kept=run.kept, elapsed_ms=run.elapsed_ms, shortfalls=[
                       ShortfallOut(**s, reason_label=str(SHORTFALL_LABELS.get(s["reason"], s["reason"])))
                       for s in run.shortfalls])


class PublishOut(Output):
    published: int
    match_ids: list[int]


class DeclineIn(Input):
    reason: Annotated[str, Field(min_length=1, max_length=1000)]
