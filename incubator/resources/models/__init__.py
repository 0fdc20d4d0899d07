"""The resources domain's models: the catalog (resources, hours, blackouts, certifications), bookings and
allowances."""
from incubator.resources.models.allowances import ALLOWANCE_PERIOD_LABELS, Allowance, AllowancePeriod
from incubator.resources.models.bookings import (
    BOOKING_STATUS_LABELS,
    COUNTED_STATUSES,
    FINAL_STATUSES,
    HOLDING_STATUSES,
    Booking,
    BookingSeries,
    BookingStatus,
)
from incubator.resources.models.catalog import (
    RESOURCE_TYPE_LABELS,
    WEEKDAY_LABELS,
    Blackout,
    Certification,
    OpeningHours,
    Resource,
    ResourceType,
)

__all__ = [
    "ALLOWANCE_PERIOD_LABELS", "BOOKING_STATUS_LABELS", "COUNTED_STATUSES", "FINAL_STATUSES", "HOLDING_STATUSES",
    "RESOURCE_TYPE_LABELS", "WEEKDAY_LABELS", "Allowance", "AllowancePeriod", "Blackout", "Booking",
    "BookingSeries", "BookingStatus", "Certification", "OpeningHours", "Resource", "ResourceType",
]
