"""The audit log reads as sentences, not codes."""
from __future__ import annotations

from incubator.audit.labels import action_label, detail_pair, detail_texts
from incubator.auth import services
from incubator.auth.models import Role
from tests.factories import UserFactory


def test_labels_and_change_pairs(app):
    with app.test_request_context():
        assert action_label("invitation.sent") == "Invitation sent"
        assert action_label("something.new") == "something.new"
        assert detail_pair("role", ["mentor", "investor"]) == "role: mentor → investor"
        assert detail_pair("admin", [False, True]) == "admin: no → yes"
        assert detail_pair("criteria", ["Team", "Market"]) == "criteria: Team, Market"


def test_amounts_in_minor_units_read_as_money(app):
    with app.test_request_context():
        assert detail_texts({"amount": 40_000_000, "currency": "KHR", "reference": "ABA 1"}) == [
            "amount: 400,000\xa0KHR", "reference: ABA 1"]
        assert detail_texts({"amount": 8500, "currency": "USD"}) == ["amount: $85.00"]
        assert detail_texts({"amount": "$3.00", "currency": "USD"}) == ["amount: $3.00", "currency: USD"]
        assert detail_texts({"amount": 3}) == ["amount: 3"]


def test_role_change_is_readable_in_the_log(client, login):
    admin = UserFactory(role=Role.MANAGER, is_admin=True)
    mentor = UserFactory(role=Role.MENTOR, name="Kim Ji-woo")
    services.change_role(admin, mentor, Role.INVESTOR, is_admin=False, is_active=True)
    login(admin)
    page = client.get("/audit/").get_data(as_text=True)
    assert "Access changed" in page and "role: mentor → investor" in page and "active:" not in page
