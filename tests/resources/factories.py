"""factory_boy factories for the resources domain (flushed, never committed)."""
from __future__ import annotations

from datetime import time, timedelta

import factory

from incubator.db import utcnow
from incubator.resources.models import (
    Allowance,
    AllowancePeriod,
    Booking,
    BookingStatus,
    Certification,
    OpeningHours,
    Resource,
    ResourceType,
)
from tests.factories import Base, StartupFactory, UserFactory


class ResourceFactory(Base):
    """A free meeting room open every day 07:00-21:00 (Phnom Penh), booked on a 30-minute grid."""

    class Meta:
        model = Resource

    name = factory.Sequence(lambda n: f"Room {n}")
    type = ResourceType.MEETING_ROOM
    location = "NSTC building, 2nd floor"
    capacity = 6
    slot_minutes = 30
    min_minutes = 30
    max_minutes = 240
    advance_days = 30
    cancel_cutoff_hours = 2
    price_minor = 0
    currency = "USD"

    @factory.post_generation
    def open_hours(self, create, extracted, **kwargs):
        """``open_hours=[(weekday, opens, closes), ...]``; default every day 07:00-21:00 (none for credits)."""
        default = [] if self.type == ResourceType.CREDITS else [(day, time(7), time(21)) for day in range(7)]
        rows = extracted if extracted is not None else default
        for weekday, opens, closes in rows:
            self.hours.append(OpeningHours(weekday=weekday, opens=opens, closes=closes))
        if create:
            from incubator.extensions import db

            db.session.flush()


class CreditsFactory(ResourceFactory):
    name = factory.Sequence(lambda n: f"Cloud credits {n}")
    type = ResourceType.CREDITS
    unit_label = "USD of credit"
    max_units = 1000


class BookingFactory(Base):
    class Meta:
        model = Booking

    resource = factory.SubFactory(ResourceFactory)
    startup = factory.SubFactory(StartupFactory)
    booked_by = factory.SubFactory(UserFactory)
    starts_at = factory.LazyFunction(lambda: utcnow().replace(minute=0, second=0, microsecond=0) + timedelta(days=1))
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + timedelta(hours=1))
    status = BookingStatus.CONFIRMED
    currency = "USD"


class AllowanceFactory(Base):
    class Meta:
        model = Allowance

    cohort = None
    startup = None
    resource = None
    resource_type = None
    period = AllowancePeriod.WEEK
    amount = 120
    key = factory.LazyAttribute(lambda o: Allowance.make_key(
        o.cohort.id if o.cohort else None, o.startup.id if o.startup else None,
        o.resource.id if o.resource else None, o.resource_type, o.period))


class CertificationFactory(Base):
    class Meta:
        model = Certification

    resource = factory.SubFactory(ResourceFactory)
    user = factory.SubFactory(UserFactory)
