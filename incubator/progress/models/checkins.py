"""Weekly check-ins: one per startup per ISO week (Monday to Sunday in the incubator's time zone).

Asking for help raises a flag that stays open on the managers' dashboard until one of them resolves
it with a comment the founders can read.
"""
from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from incubator.auth.models import User
from incubator.cohorts.models import Startup
from incubator.db import TimestampMixin, UTCDateTime
from incubator.extensions import db

HELP_TAGS = {
    "legal": _l("Legal"),
    "finance": _l("Finance"),
    "product": _l("Product"),
    "hiring": _l("Hiring"),
    "fundraising": _l("Fundraising"),
    "sales": _l("Sales and marketing"),
    "technology": _l("Technology"),
    "other": _l("Other"),
}


class CheckIn(TimestampMixin, db.Model):
    __tablename__ = "check_ins"
    __table_args__ = (
        sa.UniqueConstraint("startup_id", "week_start"),
        sa.CheckConstraint("morale BETWEEN 1 AND 5", name="morale_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    startup_id: Mapped[int] = mapped_column(sa.ForeignKey("startups.id", ondelete="CASCADE"), index=True)
    week_start: Mapped[date] = mapped_column(index=True)  # the Monday of the ISO week
    progress: Mapped[str] = mapped_column(sa.Text, default="")
    blockers: Mapped[str] = mapped_column(sa.Text, default="")
    help_text: Mapped[str] = mapped_column(sa.Text, default="")
    help_tags: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    morale: Mapped[int]
    help_requested: Mapped[bool] = mapped_column(default=False, index=True)
    help_resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    help_resolved_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    help_resolution: Mapped[str] = mapped_column(sa.Text, default="")
    submitted_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))

    startup: Mapped[Startup] = relationship()
    submitted_by: Mapped[User | None] = relationship(foreign_keys=[submitted_by_id])
    help_resolved_by: Mapped[User | None] = relationship(foreign_keys=[help_resolved_by_id])

    @property
    def help_open(self) -> bool:
        return self.help_requested and self.help_resolved_at is None

    @property
    def iso_week(self) -> str:
        """The ISO week label, such as ``2026-W47``."""
        year, week, _day = self.week_start.isocalendar()
        return f"{year}-W{week:02d}"

    def help_tag_labels(self) -> list[str]:
        return [str(HELP_TAGS.get(tag, tag)) for tag in self.help_tags or []]
