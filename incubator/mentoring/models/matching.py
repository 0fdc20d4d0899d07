"""A match pairs a mentor with a startup of a cohort; matching proposes, managers publish, mentors answer.

Contract shared across the mentoring package: booking a mentor's time (``bookings``) requires an
``ACCEPTED`` match between that mentor and the startup (office hours excepted).
"""
from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from incubator.auth.models import User
from incubator.cohorts.models import Cohort, Startup
from incubator.db import TimestampMixin, UTCDateTime, str_enum
from incubator.extensions import db


class MatchStatus(enum.StrEnum):
    PROPOSED = "proposed"  # produced by a matching run, visible to managers only
    PUBLISHED = "published"  # published by a manager, waiting for the mentor's answer
    ACCEPTED = "accepted"  # the mentor accepted: founders may book this mentor
    DECLINED = "declined"  # the mentor declined: the slot is free for a re-run
    ENDED = "ended"  # removed or ended by a manager after publication


MATCH_STATUS_LABELS = {
    MatchStatus.PROPOSED: _l("Proposed"),
    MatchStatus.PUBLISHED: _l("Waiting for the mentor"),
    MatchStatus.ACCEPTED: _l("Accepted"),
    MatchStatus.DECLINED: _l("Declined"),
    MatchStatus.ENDED: _l("Ended"),
}


class Match(TimestampMixin, db.Model):
    __tablename__ = "mentor_matches"
    __table_args__ = (sa.Index("ix_mentor_matches_mentor_startup", "mentor_id", "startup_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(sa.ForeignKey("cohorts.id", ondelete="CASCADE"), index=True)
    startup_id: Mapped[int] = mapped_column(sa.ForeignKey("startups.id", ondelete="CASCADE"), index=True)
    mentor_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    status: Mapped[MatchStatus] = mapped_column(str_enum(MatchStatus), default=MatchStatus.PROPOSED, index=True)
    locked: Mapped[bool] = mapped_column(default=False)  # kept as-is when matching re-runs
    score: Mapped[float] = mapped_column(default=0.0)
    explanation: Mapped[dict] = mapped_column(sa.JSON, default=dict)  # shared tags, languages, score parts
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decline_reason: Mapped[str] = mapped_column(sa.Text, default="")

    cohort: Mapped[Cohort] = relationship()
    startup: Mapped[Startup] = relationship()
    mentor: Mapped[User] = relationship()
