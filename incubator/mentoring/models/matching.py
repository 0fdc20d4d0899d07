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
from incubator.db import TimestampMixin, UTCDateTime, str_enum, utcnow
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


ACTIVE_STATUSES = (MatchStatus.PROPOSED, MatchStatus.PUBLISHED, MatchStatus.ACCEPTED)
# Pairs a re-run keeps as they are (besides locked proposals) and that use a mentor's capacity.
KEPT_STATUSES = (MatchStatus.PUBLISHED, MatchStatus.ACCEPTED)
_ACTIVE_SQL = sa.text("status IN ('proposed', 'published', 'accepted')")


class MatchRun(db.Model):
    """One run of the matcher on a cohort: what it proposed, who was left short and why."""

    __tablename__ = "mentor_match_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(sa.ForeignKey("cohorts.id", ondelete="CASCADE"), index=True)
    run_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    proposed: Mapped[int] = mapped_column(default=0)  # new pairs
    kept: Mapped[int] = mapped_column(default=0)  # pairs kept from before (locked, published, accepted)
    # [{"startup_id", "missing", "reason", "compatible"}] for every startup left short
    shortfalls: Mapped[list] = mapped_column(sa.JSON, default=list)
    settings: Mapped[dict] = mapped_column(sa.JSON, default=dict)  # the weights used
    elapsed_ms: Mapped[int] = mapped_column(default=0)

    run_by: Mapped[User | None] = relationship()


class Match(TimestampMixin, db.Model):
    __tablename__ = "mentor_matches"
    __table_args__ = (
        sa.Index("ix_mentor_matches_mentor_startup", "mentor_id", "startup_id"),
        # The last word against duplicates from two runs or publishes at once: one active pair per mentor and startup.
        sa.Index("uq_mentor_matches_active_pair", "mentor_id", "startup_id", unique=True,
                 sqlite_where=_ACTIVE_SQL, postgresql_where=_ACTIVE_SQL),
    )

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
    run_id: Mapped[int | None] = mapped_column(sa.ForeignKey("mentor_match_runs.id", ondelete="SET NULL"), index=True)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # removed by a manager
    ended_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))

    cohort: Mapped[Cohort] = relationship()
    startup: Mapped[Startup] = relationship()
    mentor: Mapped[User] = relationship(foreign_keys=[mentor_id])

    @property
    def status_label(self) -> str:
        return str(MATCH_STATUS_LABELS[self.status])

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES


# Why a startup was left short by a run (``incubator.mentoring.matching.Reason`` values).
SHORTFALL_LABELS = {
    "no_mentors": _l("No mentor has a profile yet."),
    "no_shared_language": _l("No mentor speaks one of its languages."),
    "conflict_of_interest": _l("Every mentor who speaks its languages declared a conflict of interest."),
    "excluded": _l("The remaining mentors declined it, were removed from it, or already mentor it."),
    "below_min_score": _l("The remaining mentors score below the cohort's minimum score."),
    "mentors_full": _l("Every compatible mentor is at capacity."),
    "taken_by_others": _l("Compatible mentors had room, but the best overall assignment gave it to other startups."),
}
