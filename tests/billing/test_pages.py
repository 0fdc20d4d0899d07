"""The payments pages: managers' list, filters, totals, CSV and actions; founders' Payments page and paying online."""
from __future__ import annotations

import csv
import io
from datetime import date, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest

from incubator.auth.models import Role
from incubator.billing import services
from incubator.billing.models import KIND_MONTHLY_FEE, Charge, ChargeStatus, MonthlyFee
from incubator.db import utcnow
from incubator.extensions import db
from tests.billing.conftest import TEST_KIND
from tests.billing.factories import AwaitingChargeFactory, ChargeFactory, MonthlyFeeFactory
from tests.factories import StartupFactory, UserFactory


def _reload(charge) -> Charge:
    db.session.expire_all()
    return db.session.get(Charge, charge.id)


# Managers: the list ----------------------------------------------------------------------------------------


def test_payments_page_lists_charges_with_totals(client, login, manager, startup):
    ChargeFactory(startup=startup, description="Laser cutter", amount_minor=2500)
    ChargeFactory(startup=startup, description="Desk", amount_minor=1000, status=ChargeStatus.PAID,
                  paid_at=utcnow(), offline_reference="ABA 77")
    ChargeFactory(startup=startup, description="Riel thing", amount_minor=4_000_000, currency="KHR")
    login(manager)
    html = client.get("/billing/payments").get_data(as_text=True)
    assert "Laser cutter" in html and "Desk" in html and "ABA 77" in html
    assert "Received: <strong>$10.00</strong>" in html
    assert "Outstanding: <strong>$25.00</strong>" in html
    assert "40,000" in html  # riel without decimals


@pytest.mark.parametrize(("query", "expected"), [
    ("status=paid", {"paid one"}),
    ("status=to_invoice", {"unpaid one", "overdue one", "flagged one", "other startup"}),
    ("status=overdue", {"overdue one"}),
    ("status=attention", {"flagged one"}),
    ("q=FLAGGED", {"flagged one"}),
    ("q=ABA-9", {"paid one"}),
    ("status=bogus", {"paid one", "unpaid one", "overdue one", "flagged one", "other startup"}),
])
def test_payments_filters(client, login, manager, startup, query, expected):
    ChargeFactory(startup=startup, description="paid one", status=ChargeStatus.PAID, offline_reference="ABA-9")
    ChargeFactory(startup=startup, description="unpaid one")
    ChargeFactory(startup=startup, description="overdue one", due_at=utcnow() - timedelta(days=1))
    ChargeFactory(startup=startup, description="flagged one", needs_attention=True)
    ChargeFactory(startup=StartupFactory(cohort=startup.cohort), description="other startup")
    login(manager)
    html = client.get(f"/billing/payments?{query}").get_data(as_text=True)
    shown = {name for name in ("paid one", "unpaid one", "overdue one", "flagged one", "other startup")
             if f">{name}<" in html}
    assert shown == expected


def test_payments_filter_by_startup_kind_and_dates(client, login, manager, startup):
    other = StartupFactory(cohort=startup.cohort)
    ChargeFactory(startup=startup, description="mine", kind=KIND_MONTHLY_FEE)
    ChargeFactory(startup=other, description="old theirs", created_at=utcnow() - timedelta(days=40))
    login(manager)
    assert ">mine<" in client.get(f"/billing/payments?startup_id={startup.id}").get_data(as_text=True)
    assert ">old theirs<" not in client.get(f"/billing/payments?startup_id={startup.id}").get_data(as_text=True)
    html = client.get(f"/billing/payments?kind={KIND_MONTHLY_FEE}").get_data(as_text=True)
    assert ">mine<" in html and ">old theirs<" not in html
    since = (date.today() - timedelta(days=5)).isoformat()
    html = client.get(f"/billing/payments?from={since}&to=not-a-date").get_data(as_text=True)
    assert ">mine<" in html and ">old theirs<" not in html


def test_payments_page_is_paginated_with_bounded_queries(client, login, manager, startup, count_queries):
    login(manager)
    ChargeFactory.create_batch(3, startup=startup)
    with count_queries() as small:
        assert client.get("/billing/payments").status_code == 200
    others = [StartupFactory(cohort=startup.cohort) for _ in range(5)]
    for index in range(120):
        ChargeFactory(startup=others[index % 5])
    with count_queries() as large:
        html = client.get("/billing/payments").get_data(as_text=True)
    assert large.count == small.count, large.statements
    assert "Page 1 of 3" in html
    assert client.get("/billing/payments?page=3").status_code == 200
    assert client.get("/billing/payments?page=99").status_code == 200


def test_payments_csv_follows_the_filters(client, login, manager, startup):
    ChargeFactory(startup=startup, description="=HYPERLINK(evil)", amount_minor=1234, status=ChargeStatus.PAID,
                  paid_at=utcnow())
    ChargeFactory(startup=startup, description="unpaid")
    login(manager)
    response = client.get("/billing/payments.csv?status=paid")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows[0][:3] == ["Charge", "Created", "Startup"]
    assert len(rows) == 2
    assert rows[1][6] == "'=HYPERLINK(evil)" and rows[1][8] == "12.34" and rows[1][9] == "Paid"


# Managers: one charge ---------------------------------------------------------------------------------------


def test_mark_paid_offline_on_the_web(client, login, manager, startup, fulfilment):
    charge = ChargeFactory(startup=startup, kind=TEST_KIND, subject_id=3)
    login(manager)
    url = f"/billing/charges/{charge.id}"
    assert "Paid outside Stripe?" in client.get(url).get_data(as_text=True)
    missing = client.post(f"{url}/mark-paid", data={"reference": "  "})
    assert missing.status_code == 422
    assert _reload(charge).status == ChargeStatus.TO_INVOICE
    done = client.post(f"{url}/mark-paid", data={"reference": "KHQR 5531"})
    assert done.status_code == 302 and done.headers["Location"].endswith(url)
    charge = _reload(charge)
    assert (charge.status, charge.offline_reference, charge.marked_paid_by_id) == (ChargeStatus.PAID, "KHQR 5531",
                                                                                   manager.id)
    assert fulfilment.paid == [(3, charge.id)]
    again = client.post(f"{url}/mark-paid", data={"reference": "again"}, follow_redirects=True)
    assert "only unpaid charges can be marked paid" in again.get_data(as_text=True)


def test_cancel_on_the_web_releases_the_subject(client, login, manager, startup, fulfilment):
    charge = ChargeFactory(startup=startup, kind=TEST_KIND, subject_id=4)
    login(manager)
    assert client.post(f"/billing/charges/{charge.id}/cancel", data={"reason": ""}).status_code == 422
    response = client.post(f"/billing/charges/{charge.id}/cancel", data={"reason": "entered twice"})
    assert response.status_code == 302
    assert _reload(charge).status == ChargeStatus.CANCELLED
    assert fulfilment.released == [(4, charge.id)]


def test_refund_and_reconcile_on_the_web(client, login, manager, fake_stripe, startup, founder, fulfilment):
    charge = services.create_charge(startup=startup, payer=founder, kind=TEST_KIND, subject_id=6,
                                    description="Drone cage", amount_minor=5000, currency="USD")
    services.checkout_url(charge, success_url="https://x/ok", cancel_url="https://x/no")
    fake_stripe.complete_session(charge.stripe_checkout_session_id)
    db.session.commit()
    login(manager)
    page = client.post(f"/billing/charges/{charge.id}/reconcile", follow_redirects=True).get_data(as_text=True)
    assert "the charge is now paid" in page
    assert _reload(charge).status == ChargeStatus.PAID
    page = client.post(f"/billing/charges/{charge.id}/refund", follow_redirects=True).get_data(as_text=True)
    assert "Refunded through Stripe." in page
    assert _reload(charge).status == ChargeStatus.REFUNDED
    page = client.post(f"/billing/charges/{charge.id}/refund", follow_redirects=True).get_data(as_text=True)
    assert "nothing left to refund" in page


def test_reconcile_without_stripe_says_so(client, login, manager, startup):
    charge = ChargeFactory(startup=startup)
    login(manager)
    page = client.post(f"/billing/charges/{charge.id}/reconcile", follow_redirects=True).get_data(as_text=True)
    assert "Online payment is not set up" in page


def test_reconcile_all_on_the_web(client, login, manager, fake_stripe, startup, founder, fulfilment):
    charge = services.create_charge(startup=startup, payer=founder, kind=TEST_KIND, subject_id=6,
                                    description="Drone cage", amount_minor=5000, currency="USD")
    services.checkout_url(charge, success_url="https://x/ok", cancel_url="https://x/no")
    charge.created_at = utcnow() - timedelta(hours=2)
    fake_stripe.complete_session(charge.stripe_checkout_session_id)
    db.session.commit()
    login(manager)
    response = client.post("/billing/reconcile", follow_redirects=True)
    assert "Checked 1 charge with Stripe: 1 updated, 0 not reachable." in response.get_data(as_text=True)


def test_clear_attention_on_the_web(client, login, manager, startup):
    charge = ChargeFactory(startup=startup, needs_attention=True, attention_note="Refund by hand")
    login(manager)
    assert "Refund by hand" in client.get(f"/billing/charges/{charge.id}").get_data(as_text=True)
    client.post(f"/billing/charges/{charge.id}/clear-attention", data={"note": "done by bank"})
    assert not _reload(charge).needs_attention


def test_missing_charge_is_404(client, login, manager):
    login(manager)
    assert client.get("/billing/charges/999999").status_code == 404


# Founders --------------------------------------------------------------------------------------------------


def test_founder_sees_own_payments_and_fees(client, login, founder, startup):
    ChargeFactory(startup=startup, description="Soldering station")
    AwaitingChargeFactory(startup=startup, description="Laser cutter")
    MonthlyFeeFactory(startup=startup, description="Lab membership")
    login(founder)
    html = client.get(f"/billing/startups/{startup.id}/payments").get_data(as_text=True)
    assert "To pay now" in html and "Pay $25.00 online" in html
    assert "Soldering station" in html and "Lab membership" in html
    assert "will be on your next invoice" in html
    assert "Needs attention" not in html


@pytest.mark.parametrize("who", ["other_founder", "mentor", "investor"])
def test_others_cannot_see_a_startups_payments(client, login, startup, other_founder, who):
    user = other_founder if who == "other_founder" else UserFactory(role=Role(who))
    charge = AwaitingChargeFactory(startup=startup)
    login(user)
    assert client.get(f"/billing/startups/{startup.id}/payments").status_code == 403
    assert client.post(f"/billing/charges/{charge.id}/pay").status_code == 403
    assert client.get(f"/billing/charges/{charge.id}/paid").status_code == 403
    assert client.get(f"/billing/charges/{charge.id}").status_code == 403


def test_founder_pays_through_checkout_and_comes_back(client, login, fake_stripe, founder, startup, fulfilment,
                                                      post_event):
    charge = services.create_charge(startup=startup, payer=founder, kind=TEST_KIND, subject_id=8,
                                    description="Wet lab", amount_minor=4000, currency="USD")
    db.session.commit()
    login(founder)
    response = client.post(f"/billing/charges/{charge.id}/pay")
    # Not straight to Stripe: the site's CSP (form-action 'self') would block a form's cross-site redirect.
    assert response.status_code == 303
    assert response.headers["Location"] == f"/billing/charges/{charge.id}/checkout"
    charge = _reload(charge)
    stripe_url = fake_stripe.sessions[charge.stripe_checkout_session_id]["url"]
    onward = client.get(response.headers["Location"]).get_data(as_text=True)
    assert f'<meta http-equiv="refresh" content="0;url={stripe_url}">' in onward
    assert f'href="{stripe_url}"' in onward
    params = fake_stripe.calls_to("POST", "/v1/checkout/sessions")[0]["params"]
    success = urlsplit(params["success_url"])
    assert success.path == f"/billing/charges/{charge.id}/paid"
    assert parse_qs(success.query) == {"session_id": ["{CHECKOUT_SESSION_ID}"]}
    assert urlsplit(params["cancel_url"]).path == f"/billing/charges/{charge.id}/cancelled"
    # Back without paying.
    html = client.get(f"/billing/charges/{charge.id}/cancelled").get_data(as_text=True)
    assert "You have not paid yet" in html and "Pay $40.00 online" in html
    # Paid on Stripe; the founder is back before the webhook: the page asks Stripe.
    fake_stripe.complete_session(charge.stripe_checkout_session_id)
    html = client.get(f"/billing/charges/{charge.id}/paid?session_id={charge.stripe_checkout_session_id}")
    assert "Paid. Thank you!" in html.get_data(as_text=True)
    assert fulfilment.paid == [(8, charge.id)]


def test_return_page_with_another_session_id_does_not_call_stripe(client, login, fake_stripe, founder, startup):
    charge = AwaitingChargeFactory(startup=startup, stripe_checkout_session_id="cs_mine")
    db.session.commit()
    login(founder)
    html = client.get(f"/billing/charges/{charge.id}/paid?session_id=cs_other").get_data(as_text=True)
    assert "waiting for Stripe to confirm" in html
    assert fake_stripe.calls == []


def test_paying_a_charge_that_cannot_be_paid_online(client, login, founder, startup):
    charge = ChargeFactory(startup=startup)  # to be invoiced (Stripe off)
    login(founder)
    response = client.post(f"/billing/charges/{charge.id}/pay", follow_redirects=True)
    assert "cannot be paid online" in response.get_data(as_text=True)


def test_stripe_down_when_paying(client, login, fake_stripe, founder, startup):
    charge = AwaitingChargeFactory(startup=startup)
    db.session.commit()
    fake_stripe.fail_next("POST", "/v1/checkout/sessions")
    login(founder)
    response = client.post(f"/billing/charges/{charge.id}/pay", follow_redirects=True)
    assert response.status_code == 200
    assert "The payment service did not answer" in response.get_data(as_text=True)


# Monthly fees ------------------------------------------------------------------------------------------------


def _fee_form(startup, **overrides) -> dict:
    data = {"startup_id": startup.id, "description": "Dedicated desk", "amount": "120.00", "currency": "USD",
            "starts_on": "2026-11", "ends_on": "", "day_of_month": "1", "days_until_due": "14", "active": "y"}
    data.update(overrides)
    return data


def test_manager_sets_and_edits_a_fee(client, login, manager, startup):
    login(manager)
    assert client.get(f"/billing/fees/new?startup_id={startup.id}").status_code == 200
    bad = client.post("/billing/fees/new", data=_fee_form(startup, amount="0", day_of_month="31"))
    assert bad.status_code == 422
    unchosen = client.post("/billing/fees/new", data=_fee_form(startup, startup_id="0"))
    assert unchosen.status_code == 422 and "Choose a startup." in unchosen.get_data(as_text=True)
    assert client.post("/billing/fees/new", data=_fee_form(startup)).status_code == 302
    fee = db.session.query(MonthlyFee).one()
    assert (fee.amount_minor, fee.starts_on, fee.day_of_month) == (12000, date(2026, 11, 1), 1)
    assert "120.00" in client.get(f"/billing/fees/{fee.id}/edit").get_data(as_text=True)
    other = StartupFactory(cohort=startup.cohort)
    response = client.post(f"/billing/fees/{fee.id}/edit", data=_fee_form(other, amount="1,500.50", active=""))
    assert response.status_code == 302
    db.session.expire_all()
    fee = db.session.get(MonthlyFee, fee.id)
    assert (fee.startup_id, fee.amount_minor, fee.active) == (startup.id, 150050, False)


def test_bill_now_and_the_fees_list(client, login, manager, startup):
    fee = MonthlyFeeFactory(startup=startup)
    login(manager)
    button = 'type="submit">Bill this month now'
    assert button in client.get("/billing/fees").get_data(as_text=True)
    response = client.post(f"/billing/fees/{fee.id}/bill")
    assert response.status_code == 302 and "/billing/charges/" in response.headers["Location"]
    html = client.get("/billing/fees").get_data(as_text=True)
    assert button not in html and "To be invoiced" in html
    again = client.post(f"/billing/fees/{fee.id}/bill", follow_redirects=True).get_data(as_text=True)
    assert "is already billed" in again


def test_fees_list_has_bounded_queries(client, login, manager, startup, count_queries):
    login(manager)
    MonthlyFeeFactory(startup=startup)
    with count_queries() as small:
        client.get("/billing/fees")
    for _ in range(30):
        fee = MonthlyFeeFactory(startup=StartupFactory(cohort=startup.cohort))
        ChargeFactory(startup=fee.startup, kind=KIND_MONTHLY_FEE, subject_id=fee.id, period="2026-10")
    with count_queries() as large:
        client.get("/billing/fees")
    assert large.count == small.count


# Home pages ---------------------------------------------------------------------------------------------------


def test_manager_home_flags_overdue_bills_and_attention(client, login, manager, startup):
    login(manager)
    assert "overdue bill" not in client.get("/").get_data(as_text=True)
    ChargeFactory(startup=startup, kind=KIND_MONTHLY_FEE, period="2026-10", due_at=utcnow() - timedelta(days=2))
    ChargeFactory(startup=startup, needs_attention=True)
    html = client.get("/").get_data(as_text=True)
    assert "1 overdue bill" in html and "1 payment needs your attention" in html
    assert "/billing/payments?status=overdue" in html


def test_founder_home_links_to_payments_with_the_count_to_pay(client, login, founder, startup):
    AwaitingChargeFactory(startup=startup)
    login(founder)
    html = client.get("/").get_data(as_text=True)
    assert f"/billing/startups/{startup.id}/payments" in html
    assert '<span class="badge text-bg-light">1</span>' in html


def test_the_onward_page_only_for_payable_charges(client, login, founder, other_founder, startup):
    paid = ChargeFactory(startup=startup, status=ChargeStatus.PAID, checkout_url="https://pay.example/x")
    login(founder)
    response = client.get(f"/billing/charges/{paid.id}/checkout")
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/charges/{paid.id}/cancelled")
    invoice = AwaitingChargeFactory(startup=startup, expires_at=None, stripe_invoice_id="in_1",
                                    invoice_url="https://invoice.example/in_1")
    assert 'content="0;url=https://invoice.example/in_1"' in client.get(
        f"/billing/charges/{invoice.id}/checkout").get_data(as_text=True)
    client.post("/auth/logout")
    login(other_founder)
    assert client.get(f"/billing/charges/{invoice.id}/checkout").status_code == 403
