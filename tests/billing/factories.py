"""Factories for billing: charges in any state and monthly fees."""
from __future__ import annotations

from datetime import date, timedelta

import factory

from incubator.billing.models import Charge, ChargeStatus, MonthlyFee
from incubator.db import utcnow
from tests.factories import Base, StartupFactory


class ChargeFactory(Base):
    class Meta:
        model = Charge

    startup = factory.SubFactory(StartupFactory)
    payer = None
    kind = "test_rental"
    subject_id = factory.Sequence(lambda n: n + 1)
    description = factory.Sequence(lambda n: f"Laser cutter, booking {n}")
    amount_minor = 2500
    currency = "USD"
    status = ChargeStatus.TO_INVOICE
    refunded_minor = 0


class AwaitingChargeFactory(ChargeFactory):
    status = ChargeStatus.AWAITING_PAYMENT
    expires_at = factory.LazyFunction(lambda: utcnow() + timedelta(minutes=30))


class MonthlyFeeFactory(Base):
    class Meta:
        model = MonthlyFee

    startup = factory.SubFactory(StartupFactory)
    description = "Dedicated desk"
    amount_minor = 12000
    currency = "USD"
    starts_on = factory.LazyFunction(lambda: date.today().replace(day=1))
    ends_on = None
    day_of_month = 1
    days_until_due = 14
    active = True
