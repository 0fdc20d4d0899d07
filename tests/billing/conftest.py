"""Fixtures for the billing tests: a startup with a founder, Stripe answered by a local fake, signed webhooks."""
from __future__ import annotations

import json

import pytest

from incubator.auth.models import Role
from incubator.billing import hooks
from incubator.cohorts.models import CohortStatus
from tests.billing.fake_stripe import FakeStripe, make_event, sign
from tests.factories import CohortFactory, StartupFactory, UserFactory, founder_of

WEBHOOK_SECRET = "whsec_test_secret"
WEBHOOK_URL = "/billing/webhooks/stripe"
TEST_KIND = "test_rental"


@pytest.fixture
def manager():
    return UserFactory(role=Role.MANAGER, name="Maly Manager")


@pytest.fixture
def startup():
    cohort = CohortFactory(status=CohortStatus.RUNNING)
    return StartupFactory(cohort=cohort, name="Mekong Drone Works")


@pytest.fixture
def founder(startup):
    return founder_of(startup, name="Dara Founder")


@pytest.fixture
def other_founder(startup):
    other = StartupFactory(cohort=startup.cohort, name="Siem Reap Soap")
    return founder_of(other, name="Other Founder")


@pytest.fixture
def fake_stripe(app, httpserver):
    """Stripe switched on and answered by ``FakeStripe`` on a local port (no network)."""
    fake = FakeStripe(httpserver)
    saved = {key: app.config[key] for key in ("STRIPE_SECRET_KEY", "STRIPE_WEBHOOK_SECRET", "STRIPE_API_BASE")}
    app.config.update(STRIPE_SECRET_KEY="sk_test_fake", STRIPE_WEBHOOK_SECRET=WEBHOOK_SECRET,
                      STRIPE_API_BASE=fake.base_url)
    yield fake
    app.config.update(saved)
    httpserver.clear()


class Fulfilment:
    """A fake domain selling ``TEST_KIND``: records every callback it gets."""

    def __init__(self):
        self.paid: list[tuple[int, int]] = []
        self.released: list[tuple[int, int]] = []
        self.fail_paid = False

    def on_paid(self, subject_id, charge):
        if self.fail_paid:
            raise RuntimeError("fulfilment broke")
        self.paid.append((subject_id, charge.id))

    def on_released(self, subject_id, charge):
        self.released.append((subject_id, charge.id))


@pytest.fixture
def fulfilment():
    recorder = Fulfilment()
    hooks.register_fulfilment(TEST_KIND, on_paid=recorder.on_paid, on_released=recorder.on_released)
    yield recorder
    hooks.unregister_fulfilment(TEST_KIND)


@pytest.fixture
def post_event(client):
    """``post_event(type, obj)`` signs an event as Stripe does and posts it to the webhook."""

    def _post(event_type: str, obj: dict, *, event_id: str | None = None, secret: str = WEBHOOK_SECRET,
              timestamp: int | None = None):
        payload = json.dumps(make_event(event_type, obj, event_id))
        return client.post(WEBHOOK_URL, data=payload, content_type="application/json",
                           headers={"Stripe-Signature": sign(payload, secret, timestamp)})

    return _post
