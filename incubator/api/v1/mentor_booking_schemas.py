"""Pydantic models for the mentoring-session endpoints: open slots, bookings, cancelling and moving.

Instants travel as ISO 8601 with an offset and are answered in UTC (``...Z``); slot lists also give each
start on the caller's clock and on the mentor's. Types and lengths are checked here; the rules (notice,
window, allowance, cut-off, one booking per slot) answer from the services with the web's messages.
"""
from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal
from zoneinfo import ZoneInfo

from flask import url_for
from flask_babel import gettext as _
from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from incubator.api.v1.schemas import Id, Input, Output, Page, PageQuery, UtcDatetime
from incubator.core.i18n import timezone_choices
from incubator.mentoring.models.bookings import BookingStatus, MentorBooking
from incubator.mentoring.slots import Slot

MAX_SLOT_DAYS = 62


def _zone(value: str) -> str:
    if value not in timezone_choices():
        raise ValueError(_("Give an IANA time zone such as Asia/Phnom_Penh."))
    return value


Zone = Annotated[str, Field(max_length=64, examples=["Asia/Phnom_Penh"]), AfterValidator(_zone)]
Agenda = Annotated[str, Field(min_length=1, max_length=2000)]
Reason = Annotated[str, Field(min_length=1, max_length=1000)]


class SlotQuery(BaseModel):
    model_config = ConfigDict(extra="ignore")

    start: date | None = Field(None, description="First day (inclusive), in `tz`; default: today.")
    end: date | None = Field(None, description=f"Last day (inclusive), in `tz`; default: 13 days after `start`, "
                                               f"at most {MAX_SLOT_DAYS - 1} days after it.")
    tz: Zone | None = Field(None, description="The zone the days are in; default: the caller's time zone.")
    startup_id: Id | None = Field(None, description="Book for this startup (managers; founders default to their "
                                                    "own startup).")


class SlotOut(Output):
    starts_at: datetime
    ends_at: datetime
    minutes: int
    kind: Literal["weekly", "office_hours"]
    office_hours_id: int | None
    local_start: str = Field(description="The start on the caller's clock (ISO 8601 with offset).")
    mentor_local_start: str = Field(description="The start on the mentor's clock (ISO 8601 with offset).")

    @classmethod
    def of(cls, slot: Slot, zone: str, mentor_zone: str) -> SlotOut:
        return cls(starts_at=slot.starts_at, ends_at=slot.ends_at, minutes=slot.minutes,
                   kind="office_hours" if slot.office_hours_id else "weekly", office_hours_id=slot.office_hours_id,
                   local_start=slot.starts_at.astimezone(ZoneInfo(zone)).isoformat(),
                   mentor_local_start=slot.starts_at.astimezone(ZoneInfo(mentor_zone)).isoformat())


class SlotList(Output):
    mentor_id: int
    mentor_timezone: str
    startup_id: int | None = Field(description="The startup the slots are for (none: every bookable slot).")
    timezone: str = Field(description="The zone of `local_start` and of the requested days.")
    items: list[SlotOut]


class BookingListQuery(PageQuery):
    scope: Literal["upcoming", "past", "all"] = Field("upcoming", description="Upcoming: not ended yet, soonest "
                                                                              "first; past: latest first.")
    status: BookingStatus | None = None
    mentor_id: Id | None = None
    startup_id: Id | None = None


class BookingIn(Input):
    mentor_id: Id
    startup_id: Id
    starts_at: UtcDatetime = Field(description="The start of one of the open slots.")
    agenda: Agenda
    office_hours_id: Id | None = Field(None, description="Book inside these office hours instead of the mentor's "
                                                         "weekly hours.")


class CancelIn(Input):
    reason: Reason


class RescheduleIn(Input):
    starts_at: UtcDatetime = Field(description="The start of one of the mentor's open slots.")
    reason: Reason
    office_hours_id: Id | None = None


class BookingOut(Output):
    id: int
    uid: str
    mentor_id: int
    mentor_name: str
    mentor_timezone: str
    startup_id: int
    startup_name: str
    cohort_id: int
    office_hours_id: int | None
    starts_at: datetime
    ends_at: datetime
    minutes: int
    status: BookingStatus
    status_label: str
    held: bool = Field(description="Confirmed and over (counts as mentor hours).")
    agenda: str
    location: str
    sequence: int = Field(description="The iCalendar SEQUENCE: raised on every change.")
    reschedule_reason: str
    cancel_reason: str
    cancelled_at: datetime | None
    ics_url: str

    @classmethod
    def of(cls, booking: MentorBooking) -> BookingOut:
        """Serialize a session (its mentor and startup must be loaded or loadable)."""
        return cls(
            id=booking.id, uid=booking.uid, mentor_id=booking.mentor_id, mentor_name=booking.mentor.name,
            mentor_timezone=booking.mentor.timezone, startup_id=booking.startup_id,
            startup_name=booking.startup.name, cohort_id=booking.cohort_id, office_hours_id=booking.office_hours_id,
            starts_at=booking.starts_at, ends_at=booking.ends_at, minutes=booking.minutes, status=booking.status,
            status_label=booking.status_label, held=booking.was_held(), agenda=booking.agenda,
            location=booking.location, sequence=booking.sequence, reschedule_reason=booking.reschedule_reason,
            cancel_reason=booking.cancel_reason, cancelled_at=booking.cancelled_at,
            ics_url=url_for("mentor_booking.booking_ics", booking_id=booking.id, _external=True),
        )


class BookingPage(Page[BookingOut]):
    pass
