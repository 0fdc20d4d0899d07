"""Mentor profiles, the expertise taxonomy, startups' needs and each cohort's matching settings.

A mentor's time zone is ``User.timezone``; their profile holds what matching needs besides: expertise
tags (from the taxonomy managers maintain), sectors, languages, capacity and declared conflicts.
"""
from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from incubator.auth.models import User
from incubator.cohorts.models import Cohort, Startup
from incubator.db import TimestampMixin, UTCDateTime, str_enum, utcnow
from incubator.extensions import db
from incubator.mentoring.matching import Weights

LANGUAGES = {
    "km": _l("Khmer"),
    "en": _l("English"),
    "zh": _l("Chinese"),
    "ko": _l("Korean"),
    "fr": _l("French"),
    "other": _l("Other"),
}
MAX_CAPACITY = 20
MAX_MENTORS_PER_STARTUP = 5


class NeedPriority(enum.StrEnum):
    MUST = "must"
    NICE = "nice"


NEED_PRIORITY_LABELS = {NeedPriority.MUST: _l("Must have"), NeedPriority.NICE: _l("Nice to have")}


class ExpertiseTag(TimestampMixin, db.Model):
    """One entry of the expertise taxonomy; archived tags stay on profiles but are no longer offered."""

    __tablename__ = "expertise_tags"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(80), unique=True)
    category: Mapped[str] = mapped_column(sa.String(80), default="")
    description: Mapped[str] = mapped_column(sa.String(255), default="")
    archived: Mapped[bool] = mapped_column(default=False, index=True)


mentor_expertise = sa.Table(
    "mentor_expertise",
    db.metadata,
    sa.Column("mentor_id", sa.ForeignKey("mentor_profiles.user_id", ondelete="CASCADE"), primary_key=True),
    sa.Column("tag_id", sa.ForeignKey("expertise_tags.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class MentorProfile(TimestampMixin, db.Model):
    """What a mentor offers; one per mentor account (keyed by the user)."""

    __tablename__ = "mentor_profiles"
    __table_args__ = (sa.CheckConstraint(f"capacity >= 0 AND capacity <= {MAX_CAPACITY}", name="capacity_range"),)

    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    headline: Mapped[str] = mapped_column(sa.String(160), default="")
    bio: Mapped[str] = mapped_column(sa.Text, default="")
    other_languages: Mapped[str] = mapped_column(sa.String(120), default="")  # named when "other" is chosen
    capacity: Mapped[int] = mapped_column(default=2)  # startups at once; 0 = not taking new startups

    user: Mapped[User] = relationship()
    expertise: Mapped[list[ExpertiseTag]] = relationship(secondary=mentor_expertise, order_by=ExpertiseTag.name)
    language_rows: Mapped[list[MentorLanguage]] = relationship(
        cascade="all, delete-orphan", order_by="MentorLanguage.code")
    sector_rows: Mapped[list[MentorSector]] = relationship(cascade="all, delete-orphan", order_by="MentorSector.code")

    @property
    def languages(self) -> list[str]:
        return [row.code for row in self.language_rows]

    @property
    def sectors(self) -> list[str]:
        return [row.code for row in self.sector_rows]


class MentorLanguage(db.Model):
    __tablename__ = "mentor_languages"

    mentor_id: Mapped[int] = mapped_column(sa.ForeignKey("mentor_profiles.user_id", ondelete="CASCADE"),
                                           primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(8), primary_key=True, index=True)


class MentorSector(db.Model):
    __tablename__ = "mentor_sectors"

    mentor_id: Mapped[int] = mapped_column(sa.ForeignKey("mentor_profiles.user_id", ondelete="CASCADE"),
                                           primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(32), primary_key=True, index=True)


class MentorConflict(db.Model):
    """A startup the mentor may not mentor (a declared conflict of interest); matching never pairs them."""

    __tablename__ = "mentor_conflicts"
    __table_args__ = (sa.UniqueConstraint("mentor_id", "startup_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    mentor_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    startup_id: Mapped[int] = mapped_column(sa.ForeignKey("startups.id", ondelete="CASCADE"), index=True)
    reason: Mapped[str] = mapped_column(sa.String(255), default="")
    declared_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    mentor: Mapped[User] = relationship(foreign_keys=[mentor_id])
    startup: Mapped[Startup] = relationship()


class StartupNeeds(TimestampMixin, db.Model):
    """What help a startup wants from mentors: tags (see ``StartupNeedTag``), languages and a note."""

    __tablename__ = "startup_needs"

    startup_id: Mapped[int] = mapped_column(sa.ForeignKey("startups.id", ondelete="CASCADE"), primary_key=True)
    languages: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    notes: Mapped[str] = mapped_column(sa.Text, default="")
    updated_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))

    startup: Mapped[Startup] = relationship()
    updated_by: Mapped[User | None] = relationship()
    tags: Mapped[list[StartupNeedTag]] = relationship(cascade="all, delete-orphan", order_by="StartupNeedTag.tag_id")


class StartupNeedTag(db.Model):
    __tablename__ = "startup_need_tags"

    startup_id: Mapped[int] = mapped_column(sa.ForeignKey("startup_needs.startup_id", ondelete="CASCADE"),
                                            primary_key=True)
    tag_id: Mapped[int] = mapped_column(sa.ForeignKey("expertise_tags.id", ondelete="CASCADE"), primary_key=True,
                                        index=True)
    priority: Mapped[NeedPriority] = mapped_column(str_enum(NeedPriority, length=8), default=NeedPriority.NICE)

    tag: Mapped[ExpertiseTag] = relationship(lazy="joined")


class MatchingSettings(TimestampMixin, db.Model):
    """A cohort's matching weights, mentors per startup and minimum score (defaults until a manager saves)."""

    __tablename__ = "mentor_matching_settings"
    __table_args__ = (
        sa.CheckConstraint(f"mentors_per_startup >= 1 AND mentors_per_startup <= {MAX_MENTORS_PER_STARTUP}",
                           name="mentors_per_startup_range"),
        sa.CheckConstraint("min_score >= 0 AND min_score <= 100", name="min_score_range"),
        sa.CheckConstraint("work_start_hour >= 0 AND work_start_hour < work_end_hour AND work_end_hour <= 24",
                           name="working_day"),
    )

    cohort_id: Mapped[int] = mapped_column(sa.ForeignKey("cohorts.id", ondelete="CASCADE"), primary_key=True)
    mentors_per_startup: Mapped[int] = mapped_column(default=1)
    weight_needs: Mapped[int] = mapped_column(default=6)
    weight_sector: Mapped[int] = mapped_column(default=2)
    weight_timezone: Mapped[int] = mapped_column(default=2)
    must_weight: Mapped[int] = mapped_column(default=3)
    nice_weight: Mapped[int] = mapped_column(default=1)
    min_score: Mapped[int] = mapped_column(default=0)  # percent
    work_start_hour: Mapped[int] = mapped_column(default=9)
    work_end_hour: Mapped[int] = mapped_column(default=18)
    updated_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))

    cohort: Mapped[Cohort] = relationship()

    @classmethod
    def defaults(cls, cohort_id: int) -> MatchingSettings:
        """Unsaved settings with every default filled in (what a cohort uses until a manager saves)."""
        return cls(cohort_id=cohort_id, **{c.key: c.default.arg for c in cls.__table__.columns
                                           if c.default is not None and not callable(c.default.arg)})

    def weights(self) -> Weights:
        """The matcher's view of these settings."""
        return Weights(
            needs=self.weight_needs, sector=self.weight_sector, timezone=self.weight_timezone,
            must=self.must_weight, nice=self.nice_weight, k=self.mentors_per_startup, min_score=self.min_score / 100,
            work_start=self.work_start_hour * 60, work_end=self.work_end_hour * 60,
        )
