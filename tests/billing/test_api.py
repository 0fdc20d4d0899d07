"""The payments API: a startup's charges, one charge, and a payment link, with the web's permissions."""
from __future__ import annotations

from datetime import timedelta

from incubator.auth.models import Role
from incubator.billing.models import ChargeStatus
from incubator.db import utcnow
from tests.billing.factories import AwaitingChargeFactory, ChargeFactory
from tests.factories import UserFactory


def test_list_and_get_charges(client, api_token, founder, startup):
    paid = ChargeFactory(startup=startup, amount_minor=4_100_000, currency="KHR", status=ChargeStatus.PAID)
    overdue = ChargeFactory(startup=startup, kind="monthly_fee", period="2026-10", due_at=utcnow() - timedelta(days=1))
    headers = api_token(founder)
    body = client.get(f"/api/v1/startups/{startup.id}/charges", headers=headers).get_json()
    assert body["total"] == 2
    item = next(i for i in body["items"] if i["id"] == paid.id)
    assert (item["amount"], item["amount_minor"], item["currency"], item["status"]) == ("41000.00", 4_100_000,
                                                                                       "KHR", "paid")
    only = client.get(f"/api/v1/startups/{startup.id}/charges?status=overdue", headers=headers).get_json()
    assert [i["id"] for i in only["items"]] == [overdue.id] and only["items"][0]["overdue"] is True
    assert client.get(f"/api/v1/startups/{startup.id}/charges?status=nope", headers=headers).status_code == 422
    one = client.get(f"/api/v1/charges/{paid.id}", headers=headers).get_json()
    assert one["status_label"] == "Paid" and one["pay_online"] is False


def test_others_get_403_and_missing_404(client, api_token, startup, other_founder):
    charge = ChargeFactory(startup=startup)
    for user in (other_founder, UserFactory(role=Role.MENTOR), UserFactory(role=Role.INVESTOR)):
        headers = api_token(user)
        assert client.get(f"/api/v1/startups/{startup.id}/charges", headers=headers).status_code == 403
        assert client.get(f"/api/v1/charges/{charge.id}", headers=headers).status_code == 403
        assert client.post(f"/api/v1/charges/{charge.id}/checkout", headers=headers).status_code == 403
    assert client.get("/api/v1/charges/99999", headers=api_token(other_founder)).status_code == 404
    assert client.get(f"/api/v1/charges/{charge.id}").status_code == 401


def test_checkout_link_for_founders(client, api_token, fake_stripe, founder, manager, startup):
    charge = AwaitingChargeFactory(startup=startup)
    response = client.post(f"/api/v1/charges/{charge.id}/checkout", headers=api_token(founder))
    assert response.status_code == 200
    assert response.get_json()["url"].startswith(fake_stripe.base_url + "/pay/")
    assert client.post(f"/api/v1/charges/{charge.id}/checkout", headers=api_token(manager)).status_code == 403


def test_checkout_link_errors(client, api_token, fake_stripe, founder, startup):
    headers = api_token(founder)
    to_invoice = ChargeFactory(startup=startup)
    conflict = client.post(f"/api/v1/charges/{to_invoice.id}/checkout", headers=headers)
    assert conflict.status_code == 409 and conflict.get_json()["error"]["code"] == "conflict"
    awaiting = AwaitingChargeFactory(startup=startup)
    fake_stripe.fail_next("POST", "/v1/checkout/sessions")
    down = client.post(f"/api/v1/charges/{awaiting.id}/checkout", headers=headers)
    assert down.status_code == 503
    assert down.get_json()["error"]["code"] == "payment_provider_unavailable"
