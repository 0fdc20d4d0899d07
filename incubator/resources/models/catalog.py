"""The catalog: bookable resources, their weekly opening hours, blackouts and training certifications.

Opening hours are wall-clock times in the incubator's time zone (``DEFAULT_TIMEZONE``): the rooms are in
Phnom Penh whoever looks at them. A resource is never deleted once booked; it is archived (``is_active``).
Prices are integer minor units per hour (timed resources) or per unit (counted resources such as credits).
"""
from __future__ import annotations

import enum
from datetime import datetime, time

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from incubator.auth.models import User
from incubator.db import TimestampMixin, UTCDateTime, str_enum, utcnow
from incubator.extensions import db


class ResourceType(enum.StrEnum):
    MEETING_ROOM = "meeting_room"
    EVENT_SPACE = "event_space"
    HOT_DESK = "hot_desk"
    EQUIPMENT = "equipment"  # lab equipment: 3D printer, PCR machine
    SERVICE = "service"  # service hours: legal or accounting clinic
    CREDITS = "credits"  # cloud or software credits: counted, not timed


RESOURCE_TYPE_LABELS = {
    ResourceType.MEETING_ROOM: _l("Meeting room"),
    ResourceType.EVENT_SPACE: _l("Event space"),
    ResourceType.HOT_DESK: _l("Hot desk"),
    ResourceType.EQUIPMENT: _l("Lab equipment"),
    ResourceType.SERVICE: _l("Service hours"),
    ResourceType.CREDITS: _l("Cloud or software credits"),
}

WEEKDAY_LABELS = (_l("Monday"), _l("Tuesday"), _l("Wednesday"), _l("Thursday"), _l("Friday"), _l("Saturday"),
                  _l("Sunday"))

SLOT_CHOICES = (15, 30, 60)


class Resource(TimestampMixin, db.Model):
    __tablename__ = "resources"
    __table_args__ = (
        sa.CheckConstraint("capacity >= 1", name="capacity_positive"),
        sa.CheckConstraint("slot_minutes IN (15, 30, 60)", name="slot_known"),
        sa.CheckConstraint("min_minutes >= 1 AND max_minutes >= min_minutes", name="length_range"),
        sa.CheckConstraint("advance_days BETWEEN 1 AND 365", name="advance_range"),
        sa.CheckConstraint("cancel_cutoff_hours BETWEEN 0 AND 720", name="cutoff_range"),
        sa.CheckConstraint("price_minor >= 0", name="price_not_negative"),
        sa.CheckConstraint("currency IN ('USD', 'KHR')", name="currency_known"),
        sa.CheckConstraint("max_units IS NULL OR max_units >= 1", name="max_units_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(120), unique=True)
    type: Mapped[ResourceType] = mapped_column(str_enum(ResourceType), index=True)
    description: Mapped[str] = mapped_column(sa.Text, default="")
    location: Mapped[str] = mapped_column(sa.String(160), default="")
    capacity: Mapped[int] = mapped_column(default=1)  # people it holds
    photo_path: Mapped[str | None] = mapped_column(sa.String(255))
    slot_minutes: Mapped[int] = mapped_column(default=30)  # bookings start and end on this grid
    min_minutes: Mapped[int] = mapped_column(default=30)
    max_minutes: Mapped[int] = mapped_column(default=240)
    advance_days: Mapped[int] = mapped_column(default=30)  # how far ahead a booking may start
    cancel_cutoff_hours: Mapped[int] = mapped_column(default=2)  # founders cancel up to this long before
    requires_approval: Mapped[bool] = mapped_column(default=False)
    requires_training: Mapped[bool] = mapped_column(default=False)
    price_minor: Mapped[int] = mapped_column(sa.BigInteger, default=0)  # per hour, or per unit when counted
    currency: Mapped[str] = mapped_column(sa.String(3), default="USD")
    unit_label: Mapped[str] = mapped_column(sa.String(40), default="")  # counted resources: "credit", "USD"
    max_units: Mapped[int | None]  # counted resources: the most one request may ask for
    is_active: Mapped[bool] = mapped_column(default=True, index=True)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))

    hours: Mapped[list[OpeningHours]] = relationship(
        back_populates="resource", order_by="(OpeningHours.weekday, OpeningHours.opens)",
        cascade="all, delete-orphan", passive_deletes=True,
    )

    @property
    def is_counted(self) -> bool:
        """Booked in units (credits), not in time."""
        return self.type == ResourceType.CREDITS

    @property
    def is_priced(self) -> bool:
        """Use beyond the allowance is paid (otherwise it is refused)."""
        return self.price_minor > 0

    @property
    def type_label(self) -> str:
        return str(RESOURCE_TYPE_LABELS[self.type])

    @property
    def unit_name(self) -> str:
        return self.unit_label or str(_l("unit"))

    def __repr__(self) -> str:
        return f"<Resource {self.id} {self.name}>"


class OpeningHours(db.Model):
    """One bookable interval of one weekday (0 = Monday), in the incubator's time zone."""

    __tablename__ = "resource_hours"
    __table_args__ = (
        sa.UniqueConstraint("resource_id", "weekday", "opens"),
        sa.CheckConstraint("weekday BETWEEN 0 AND 6", name="weekday_range"),
        sa.CheckConstraint("closes > opens", name="closes_after_opens"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    resource_id: Mapped[int] = mapped_column(sa.ForeignKey("resources.id", ondelete="CASCADE"), index=True)
    weekday: Mapped[int]
    opens: Mapped[time]
    closes: Mapped[time]

    resource: Mapped[Resource] = relationship(back_populates="hours")


class BlackoutKind(enum.StrEnum):
    HOLIDAY = "holiday"
    MAINTENANCE = "maintenance"
    EVENT = "event"


BLACKOUT_KIND_LABELS = {
    BlackoutKind.HOLIDAY: _l("Holiday"),
    BlackoutKind.MAINTENANCE: _l("Maintenance"),
    BlackoutKind.EVENT: _l("Closed for an event"),
}


class Blackout(TimestampMixin, db.Model):
    """A time nobody may book: a public holiday (every resource when ``resource_id`` is NULL) or maintenance."""

    __tablename__ = "resource_blackouts"
    __table_args__ = (
        sa.CheckConstraint("ends_at > starts_at", name="ends_after_starts"),
        sa.Index("ix_resource_blackouts_resource_id_starts_at", "resource_id", "starts_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    resource_id: Mapped[int | None] = mapped_column(sa.ForeignKey("resources.id", ondelete="CASCADE"))
    kind: Mapped[BlackoutKind] = mapped_column(str_enum(BlackoutKind), default=BlackoutKind.HOLIDAY)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    reason: Mapped[str] = mapped_column(sa.String(200), default="")
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))

    resource: Mapped[Resource | None] = relationship()

    @property
    def kind_label(self) -> str:
        return str(BLACKOUT_KIND_LABELS[self.kind])


class Certification(db.Model):
    """A manager certified that ``user`` is trained to use ``resource`` (needed when it requires training)."""

    __tablename__ = "resource_certifications"
    __table_args__ = (sa.UniqueConstraint("resource_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    resource_id: Mapped[int] = mapped_column(sa.ForeignKey("resources.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    certified_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    note: Mapped[str] = mapped_column(sa.String(255), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    resource: Mapped[Resource] = relationship()
    user: Mapped[User] = relationship(foreign_keys=[user_id])
    certified_by: Mapped[User | None] = relationship(foreign_keys=[certified_by_id])
