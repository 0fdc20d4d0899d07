"""Pydantic models for the resources endpoints: the catalog, availability, bookings and allowances.

Times travel as ISO 8601 with an offset and come back in UTC. Amounts of time are minutes; money is integer
minor units with its currency (``amount_minor`` 1250 in USD is 12.50). Counted resources (credits) are
booked in ``units`` and have no interval.
"""
from __future__ import annotations

from datetime import date, datetime, time
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from incubator.api.v1.schemas import Id, Input, Output, Page, PageQuery, UtcDatetime
from incubator.resources.models import Booking, BookingStatus, Resource, ResourceType
from incubator.resources.quota import QuotaLine
from incubator.resources.services.rules import MAX_WEEKS

Reason = Annotated[str, Field(max_length=500)]


# The catalog -------------------------------------------------------------------------------------


class ResourceListQuery(PageQuery):
    type: ResourceType | None = None


class OpeningHoursOut(Output):
    weekday: int = Field(description="0 = Monday.")
    opens: time = Field(description="Wall-clock time in the incubator's zone (Asia/Phnom_Penh).")
    closes: time


class ResourceOut(Output):
    id: int
    name: str
    type: ResourceType
    type_label: str
    location: str
    description: str
    capacity: int
    has_photo: bool
    counted: bool = Field(description="Booked in units (credits), not in time.")
    unit_label: str
    max_units: int | None
    slot_minutes: int
    min_minutes: int
    max_minutes: int
    advance_days: int
    cancel_cutoff_hours: int
    requires_approval: bool
    requires_training: bool
    price_minor: int = Field(description="Per hour (timed) or per unit (counted), beyond the allowance; 0: free.")
    currency: str
    is_active: bool

    @classmethod
    def of(cls, resource: Resource) -> ResourceOut:
        """Serialize a resource (without its opening hours)."""
        return cls(
            id=resource.id, name=resource.name, type=resource.type, type_label=resource.type_label,
            location=resource.location, description=resource.description, capacity=resource.capacity,
            has_photo=bool(resource.photo_path), counted=resource.is_counted, unit_label=resource.unit_label,
            max_units=resource.max_units, slot_minutes=resource.slot_minutes, min_minutes=resource.min_minutes,
            max_minutes=resource.max_minutes, advance_days=resource.advance_days,
            cancel_cutoff_hours=resource.cancel_cutoff_hours, requires_approval=resource.requires_approval,
            requires_training=resource.requires_training, price_minor=resource.price_minor,
            currency=resource.currency, is_active=resource.is_active,
        )


class ResourceDetail(ResourceOut):
    opening_hours: list[OpeningHoursOut]
    certified: bool = Field(description="Whether the caller may book it as far as training goes.")

    @classmethod
    def with_hours(cls, resource: Resource, certified: bool) -> ResourceDetail:
        hours = [OpeningHoursOut(weekday=h.weekday, opens=h.opens, closes=h.closes) for h in resource.hours]
        return cls(**ResourceOut.of(resource).model_dump(), opening_hours=hours, certified=certified)


class ResourcePage(Page[ResourceOut]):
    pass


class AvailabilityQuery(BaseModel):
    model_config = ConfigDict(extra="ignore")

    start: UtcDatetime | None = Field(None, description="Default: now.")
    days: int = Field(7, ge=1, le=31, description="How many days from ``start`` (at most 31).")
    startup_id: Id | None = Field(None, description="Mark this startup's bookings as yours (founders).")


class Interval(Output):
    starts_at: datetime
    ends_at: datetime


class TakenInterval(Interval):
    kind: Literal["busy", "mine", "pending", "blackout"]
    label: str = Field(description="The startup's name for your own bookings (managers: every booking), or the "
                                   "blackout's reason.")
    booking_id: int | None


class Availability(Output):
    resource_id: int
    start: datetime
    end: datetime
    free: list[Interval] = Field(description="Open, not taken, not past and within the booking horizon.")
    taken: list[TakenInterval]


# Bookings -----------------------------------------------------------------------------------------


class BookingListQuery(PageQuery):
    resource_id: Id | None = None
    startup_id: Id | None = Field(None, description="Managers: one startup's bookings.")
    status: BookingStatus | None = None
    upcoming: bool = Field(True, description="Only bookings that have not ended (soonest first); false: newest "
                                             "first.")


class BookingIn(Input):
    resource_id: Id
    startup_id: Id | None = Field(None, description="The startup booking; managers may leave it out for the "
                                                    "incubator's own use.")
    starts_at: UtcDatetime | None = Field(None, description="Timed resources.")
    ends_at: UtcDatetime | None = None
    units: int | None = Field(None, ge=1, le=10**9, description="Counted resources (credits).")
    weeks: int = Field(1, ge=1, le=MAX_WEEKS, description="Repeat weekly, all or nothing (1: once).")
    purpose: Annotated[str, Field(max_length=200)] = ""

    @model_validator(mode="after")
    def _interval_or_units(self):
        if self.units is None and (self.starts_at is None or self.ends_at is None):
            raise ValueError("give starts_at and ends_at (timed resources) or units (credits)")
        return self


class CancelIn(Input):
    reason: Reason = Field("", description="Required for managers cancelling someone else's booking.")
    series: bool = Field(False, description="Cancel every remaining week of a recurring booking.")


class DecisionIn(Input):
    decision: Literal["approved", "rejected"]
    note: Reason = Field("", description="Required when rejecting.")


class BookingOut(Output):
    id: int
    resource_id: int
    resource_name: str
    startup_id: int | None
    startup_name: str | None
    booked_by_id: int | None
    series_id: int | None
    starts_at: datetime
    ends_at: datetime
    units: int | None
    status: BookingStatus
    status_label: str
    purpose: str
    paid_quantity: int = Field(description="Minutes (or units) beyond the allowance.")
    amount_minor: int
    currency: str
    hold_expires_at: datetime | None = Field(description="A request or unpaid hold lets the slot go then.")
    checked_in_at: datetime | None
    cancelled_at: datetime | None
    cancel_reason: str
    decision_note: str
    created_at: datetime

    @classmethod
    def of(cls, booking: Booking) -> BookingOut:
        """Serialize a booking (its resource and startup must be loaded or loadable)."""
        return cls(
            id=booking.id, resource_id=booking.resource_id, resource_name=booking.resource.name,
            startup_id=booking.startup_id, startup_name=booking.startup.name if booking.startup else None,
            booked_by_id=booking.booked_by_id, series_id=booking.series_id, starts_at=booking.starts_at,
            ends_at=booking.ends_at, units=booking.units, status=booking.status, status_label=booking.status_label,
            purpose=booking.purpose, paid_quantity=booking.paid_quantity, amount_minor=booking.amount_minor,
            currency=booking.currency, hold_expires_at=booking.hold_expires_at, checked_in_at=booking.checked_in_at,
            cancelled_at=booking.cancelled_at, cancel_reason=booking.cancel_reason,
            decision_note=booking.decision_note, created_at=booking.created_at,
        )


class BookingPage(Page[BookingOut]):
    pass


class BookingCreated(Output):
    bookings: list[BookingOut] = Field(description="One per week; all share the first one's status.")
    series_id: int | None
    payment_required: bool = Field(description="Pay through POST /bookings/{id}/checkout to keep the slots.")
    amount_minor: int
    currency: str


class CheckoutOut(Output):
    url: str = Field(description="Stripe Checkout; the slots are held until the hold expires.")


# Allowances --------------------------------------------------------------------------------------


class AllowanceQuery(BaseModel):
    model_config = ConfigDict(extra="ignore")

    resource_id: Id | None = Field(None, description="Only the allowances that govern this resource.")


class AllowanceLineOut(Output):
    allowance_id: int
    target: str = Field(description="The resource's name or the type's label.")
    resource_id: int | None
    resource_type: ResourceType | None
    period: Literal["week", "month", "cohort"]
    period_start: date = Field(description="First day of the current period (Asia/Phnom_Penh).")
    period_end: date = Field(description="Last day of the current period.")
    counted: bool = Field(description="Amounts are units (credits) rather than minutes.")
    amount: int
    used: int
    remaining: int
    scope: Literal["cohort", "startup"]

    @classmethod
    def of(cls, line: QuotaLine) -> AllowanceLineOut:
        allowance = line.allowance
        return cls(
            allowance_id=allowance.id, target=allowance.target_label, resource_id=allowance.resource_id,
            resource_type=allowance.resource_type, period=allowance.period.value,
            period_start=line.window.first_day, period_end=line.window.last_day, counted=allowance.counted,
            amount=line.amount, used=line.used, remaining=line.remaining,
            scope="startup" if allowance.startup_id is not None else "cohort",
        )


class AllowanceList(Output):
    startup_id: int
    items: list[AllowanceLineOut]
