"""The grant pages: what managers and founders see, the forms and every refusal they show."""
from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
import sqlalchemy as sa

from incubator.cohorts.models import StartupStatus
from incubator.extensions import db
from incubator.grants.models import Grant, LedgerEntry
from incubator.grants.services.ledger import record_disbursement, reverse_entry
from incubator.progress.services.kpis import set_exchange_rate
from tests.grants.conftest import TODAY


def _grant_form(milestones, **overrides) -> dict:
    data = {"title": "Seed grant", "currency": "USD", "total": "5,000", "conditions": "Monthly reports.",
            "tranches-0-label": "On signing", "tranches-0-amount": "2000", "tranches-0-condition": "date",
            "tranches-0-due_on": TODAY.isoformat(),
            "tranches-1-label": "", "tranches-1-amount": "3000",
            "tranches-1-condition": f"milestone:{milestones['planned'].id}", "tranches-1-due_on": "",
            "tranches-2-label": "", "tranches-2-amount": "", "tranches-2-condition": "", "tranches-2-due_on": ""}
    data.update(overrides)
    return data


def _pay(manager, grant, position=1, amount="1000", **extra):
    return record_disbursement(manager, grant, {"tranche_id": grant.tranches[position - 1].id, "amount": amount,
                                                "paid_on": TODAY, "reference": "ABA-7"} | extra)


def text(response) -> str:
    return response.get_data(as_text=True)


# Reading ---------------------------------------------------------------------------------------------


def test_founder_sees_own_grant_read_only_with_what_is_next(client, login, manager, founder, grant):
    _pay(manager, grant, 1, "3000")
    db.session.commit()
    login(founder)
    page = text(client.get(f"/grants/{grant.id}"))
    assert "Seed grant 2026" in page and "Monthly KPI reports." in page
    assert "Next to unlock: Tranche 2: Discovery, $3,000.00." in page
    assert "30 customer interviews" in page and "Waiting for verification" in page
    assert "Record a disbursement" not in page and "Reverse" not in page and "Edit plan" not in page
    assert "ABA-7" in page and "$7,000.00" in page
    home = text(client.get("/"))
    assert f"/grants/startups/{grant.startup_id}" in home
    assert client.get(f"/grants/startups/{grant.startup_id}").headers["Location"].endswith(f"/grants/{grant.id}")


def test_founder_without_grant_gets_no_link_and_a_plain_page(client, login, founder, startup):
    db.session.commit()
    login(founder)
    assert "/grants/startups/" not in text(client.get("/"))
    assert "/grants/startups/" not in text(client.get(f"/cohorts/startups/{startup.id}"))
    page = client.get(f"/grants/startups/{startup.id}")
    assert page.status_code == 200 and "has no seed grant" in text(page) and "Create a grant" not in text(page)


@pytest.mark.parametrize("who", ["other_founder", "mentor", "investor"])
def test_others_cannot_see_a_grant(client, login, manager, grant, other_founder, who):
    from incubator.auth.models import Role
    from tests.factories import UserFactory

    entry = _pay(manager, grant, 1, "100")
    users = {"other_founder": other_founder, "mentor": UserFactory(role=Role.MENTOR),
             "investor": UserFactory(role=Role.INVESTOR)}
    db.session.commit()
    login(users[who])
    for url in (f"/grants/{grant.id}", f"/grants/{grant.id}/ledger.csv", f"/grants/startups/{grant.startup_id}",
                f"/grants/entries/{entry.id}/receipt", "/grants/", f"/grants/{grant.id}/disburse"):
        assert client.get(url).status_code == 403, url


def test_missing_objects_are_404(client, login, manager):
    db.session.commit()
    login(manager)
    for url in ("/grants/999999", "/grants/999999/ledger.csv", "/grants/entries/999999/receipt",
                "/grants/startups/999999", "/grants/cohorts/999999", "/grants/999999/edit"):
        assert client.get(url).status_code == 404, url


def test_manager_overview_and_cohort_page_explain_the_conversion(client, login, manager, grant, startup, cohort,
                                                                 other_startup):
    from incubator.grants.services.plans import create_grant

    create_grant(manager, other_startup, {"title": "Riel grant", "currency": "KHR", "total": "4100000",
                                          "tranches": [{"amount": "4100000", "unlock": "date", "due_on": TODAY}]})
    db.session.commit()
    login(manager)
    nav = text(client.get("/"))
    assert 'href="/grants/"' in nav
    overview = text(client.get("/grants/"))
    assert "Cohort Mekong" in overview and "$10,000.00" in overview and "4,100,000" in overview
    assert "$11,000.00" in overview and "default" in overview  # 10,000 USD + 4,100,000 KHR at 4,100
    in_riel = text(client.get("/grants/?in=KHR"))
    assert "45,100,000" in in_riel
    page = text(client.get(f"/grants/cohorts/{cohort.id}"))
    assert "Kasekor Cold Chain" in page and "Mekong Pay" in page and "Riel grant" in page
    assert "the default rate: no rate is set" in page
    set_exchange_rate(manager, cohort, 4000)
    db.session.commit()
    page = text(client.get(f"/grants/cohorts/{cohort.id}"))
    assert "4,000 riel per US dollar, the rate set for this cohort" in page and "$11,025.00" in page


def test_ledger_csv_has_every_entry_and_neutralises_formulas(client, login, manager, founder, grant):
    first = _pay(manager, grant, 1, "3000", reference="=HYPERLINK(1)")
    reverse_entry(manager, first, "Wrong account")
    db.session.commit()
    login(founder)
    response = client.get(f"/grants/{grant.id}/ledger.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "kasekor-cold-chain-ledger" in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(text(response).lstrip("\ufeff"))))
    assert rows[0][:8] == ["No.", "Date", "Kind", "Tranche", "Reference", "Paid out", "Reversed", "Currency"]
    assert rows[1][:9] == ["1", TODAY.isoformat(), "Disbursement", "Tranche 1: On signing", "'=HYPERLINK(1)",
                           "3000.00", "", "USD", "7000.00"]
    assert rows[2][2] == "Reversal" and rows[2][6] == "3000.00" and rows[2][9] == "1" and rows[2][10] == "Wrong account"


def test_receipts_are_served_to_their_startup_only(client, login, manager, founder, grant, pdf_bytes, png_bytes):
    with_pdf = record_disbursement(manager, grant, {"tranche_id": grant.tranches[0].id, "amount": "10",
                                                    "paid_on": TODAY, "reference": "R1"}, (io.BytesIO(pdf_bytes),
                                                                                         "slip.pdf"))
    with_png = record_disbursement(manager, grant, {"tranche_id": grant.tranches[0].id, "amount": "10",
                                                    "paid_on": TODAY, "reference": "R2"}, (io.BytesIO(png_bytes),
                                                                                         "photo.png"))
    without = _pay(manager, grant, 1, "10")
    db.session.commit()
    login(founder)
    pdf = client.get(f"/grants/entries/{with_pdf.id}/receipt")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf" and "attachment" in pdf.headers[
        "Content-Disposition"]
    png = client.get(f"/grants/entries/{with_png.id}/receipt")
    assert png.mimetype == "image/png" and "inline" in png.headers["Content-Disposition"]
    assert client.get(f"/grants/entries/{without.id}/receipt").status_code == 404


# Creating and editing the plan ------------------------------------------------------------------------


def test_manager_creates_a_grant_with_tranche_rows(client, login, manager, startup, founder, milestones):
    db.session.commit()
    login(manager)
    form = client.get(f"/grants/startups/{startup.id}/new")
    assert form.status_code == 200
    assert "Milestone verified: MVP live" in text(form) and "Export licence" not in text(form)  # dropped: not offered
    response = client.post(f"/grants/startups/{startup.id}/new", data=_grant_form(milestones))
    assert response.status_code == 302
    grant = db.session.scalar(sa.select(Grant).where(Grant.startup_id == startup.id))
    assert response.headers["Location"].endswith(f"/grants/{grant.id}")
    assert [(t.amount_minor, t.unlock.value) for t in grant.tranches] == [(200_000, "date"), (300_000, "milestone")]
    again = client.get(f"/grants/startups/{startup.id}/new")
    assert again.status_code == 302 and again.headers["Location"].endswith(f"/grants/{grant.id}")


def test_plan_errors_show_beside_the_right_row(client, login, manager, startup, milestones):
    db.session.commit()
    login(manager)
    data = _grant_form(milestones, **{"tranches-1-condition": "", "tranches-2-amount": "100.5",
                                      "tranches-2-condition": "date", "tranches-2-due_on": ""})
    response = client.post(f"/grants/startups/{startup.id}/new", data=data)
    page = text(response)
    assert response.status_code == 422
    assert 'id="tranches-1-condition-error"' in page and "Choose what unlocks this tranche" in page
    assert 'id="tranches-2-due_on-error"' in page
    assert db.session.scalar(sa.select(sa.func.count(Grant.id))) == 0
    mismatch = client.post(f"/grants/startups/{startup.id}/new", data=_grant_form(milestones, total="6000"))
    assert 'id="total-error"' in text(mismatch) and "add up to $5,000.00, but the total is $6,000.00" in text(mismatch)


def test_a_tampered_milestone_choice_is_refused(client, login, manager, startup, other_startup, milestones):
    from tests.grants.conftest import milestone

    foreign = milestone(other_startup, "Not theirs")
    db.session.commit()
    login(manager)
    response = client.post(f"/grants/startups/{startup.id}/new",
                           data=_grant_form(milestones, **{"tranches-1-condition": f"milestone:{foreign.id}"}))
    assert response.status_code == 422 and "Choose one of this startup&#39;s milestones." in text(response)


def test_withdrawn_startup_is_refused_with_a_message(client, login, manager, startup, milestones):
    startup.status = StartupStatus.WITHDRAWN
    db.session.commit()
    login(manager)
    response = client.post(f"/grants/startups/{startup.id}/new", data=_grant_form(milestones))
    assert response.status_code == 422 and "has withdrawn from the programme" in text(response)


def test_plan_is_edited_until_the_first_payment(client, login, manager, grant, milestones):
    db.session.commit()
    login(manager)
    form = client.get(f"/grants/{grant.id}/edit")
    assert form.status_code == 200 and 'value="Discovery"' in text(form)
    assert 'id="tranches-3-amount"' in text(form)  # one empty row to add a tranche
    response = client.post(f"/grants/{grant.id}/edit", data=_grant_form(milestones, title="Revised"))
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Grant, grant.id).title == "Revised" and len(db.session.get(Grant, grant.id).tranches) == 2
    _pay(manager, db.session.get(Grant, grant.id), 1, "100")
    db.session.commit()
    locked = client.get(f"/grants/{grant.id}/edit", follow_redirects=True)
    assert "its plan can no longer change" in text(locked) and "Edit plan" not in text(locked)
    assert client.post(f"/grants/{grant.id}/edit", data=_grant_form(milestones)).status_code == 302
    assert db.session.get(Grant, grant.id).title == "Revised"


# The ledger -----------------------------------------------------------------------------------------


def test_manager_records_a_disbursement_with_its_receipt(client, login, manager, founder, grant, pdf_bytes):
    db.session.commit()
    login(manager)
    form = client.get(f"/grants/{grant.id}/disburse")
    assert 'value="3000.00"' in text(form)  # prefilled with what the payable tranche still waits for
    response = client.post(f"/grants/{grant.id}/disburse", data={
        "tranche_id": str(grant.tranches[0].id), "amount": "3,000", "paid_on": TODAY.isoformat(),
        "reference": "ABA-55", "receipt": (io.BytesIO(pdf_bytes), "slip.pdf"), "note": "", "early_reason": ""},
        content_type="multipart/form-data")
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/grants/{grant.id}#ledger")
    entry = db.session.scalar(sa.select(LedgerEntry))
    assert (entry.amount_minor, entry.receipt_name, entry.reference) == (300_000, "slip.pdf", "ABA-55")
    page = text(client.get(f"/grants/{grant.id}"))
    assert "Disbursement no. 1 recorded: $3,000.00. The founders have been told." in page


@pytest.mark.parametrize(("data", "status", "message"), [
    ({"amount": "3000.01"}, 422, "Only $3,000.00 of Tranche 1: On signing ($3,000.00) is left to pay."),
    ({"position": 2}, 422, "is not payable yet: it unlocks when “30 customer interviews” is verified"),
    ({"paid_on": (TODAY + timedelta(days=2)).isoformat()}, 422, "The date cannot be in the future."),
    ({"amount": "abc"}, 422, "Not a valid decimal value."),
    ({"reference": ""}, 422, "This field is required."),
    ({"receipt": (io.BytesIO(b"GIF89a nope"), "x.gif")}, 422, "PDF, PNG, JPEG or WebP files only."),
    ({"receipt": (io.BytesIO(b"not a pdf"), "x.pdf")}, 422, "The file must be a PDF or a PNG, JPEG or WebP image."),
])
def test_disbursement_refusals_are_shown_on_the_form(client, login, manager, grant, data, status, message):
    db.session.commit()
    login(manager)
    position = data.pop("position", 1)
    form = {"tranche_id": str(grant.tranches[position - 1].id), "amount": "3000", "paid_on": TODAY.isoformat(),
            "reference": "ABA-1", "note": "", "early_reason": ""} | data
    response = client.post(f"/grants/{grant.id}/disburse", data=form, content_type="multipart/form-data")
    assert response.status_code == status
    assert message in text(response).replace("&#34;", '"').replace("&#39;", "'")
    assert db.session.scalar(sa.select(sa.func.count(LedgerEntry.id))) == 0


def test_fully_paid_grant_offers_no_tranche(client, login, manager, grant):
    for position, amount in ((1, "3000"), (2, "3000"), (3, "4000")):
        _pay(manager, grant, position, amount, early_reason="Board decision" if position > 1 else "")
    db.session.commit()
    login(manager)
    assert "Every tranche of this grant is paid in full." in text(client.get(f"/grants/{grant.id}/disburse"))
    assert "The whole grant has been paid." in text(client.get(f"/grants/{grant.id}"))


def test_manager_reverses_an_entry_with_a_reason(client, login, manager, founder, grant):
    entry = _pay(manager, grant, 1, "3000")
    db.session.commit()
    login(manager)
    assert "Why is this payment reversed?" in text(client.get(f"/grants/entries/{entry.id}/reverse"))
    missing = client.post(f"/grants/entries/{entry.id}/reverse", data={"reason": "", "reversed_on": TODAY})
    assert missing.status_code == 422 and db.session.scalar(sa.select(sa.func.count(LedgerEntry.id))) == 1
    done = client.post(f"/grants/entries/{entry.id}/reverse", data={"reason": "Wrong account",
                                                                    "reversed_on": TODAY.isoformat()})
    assert done.status_code == 302
    assert "Entry no. 1 reversed by entry no. 2." in text(client.get(f"/grants/{grant.id}"))
    assert "already reversed by entry no. 2" in text(client.get(f"/grants/entries/{entry.id}/reverse"))
    twice = client.post(f"/grants/entries/{entry.id}/reverse", data={"reason": "Again",
                                                                     "reversed_on": TODAY.isoformat()})
    assert twice.status_code == 422 and "already reversed" in text(twice)
    reversal = db.session.scalar(sa.select(LedgerEntry).where(LedgerEntry.seq == 2))
    assert "cannot be reversed" in text(client.get(f"/grants/entries/{reversal.id}/reverse"))
    assert db.session.scalar(sa.select(sa.func.count(LedgerEntry.id))) == 2


def test_manager_attaches_a_late_receipt(client, login, manager, grant, png_bytes):
    entry = _pay(manager, grant, 1, "100")
    db.session.commit()
    login(manager)
    assert f'action="/grants/entries/{entry.id}/receipt"' in text(client.get(f"/grants/{grant.id}"))
    empty = client.post(f"/grants/entries/{entry.id}/receipt", data={}, follow_redirects=True)
    assert "Choose the receipt file." in text(empty)
    done = client.post(f"/grants/entries/{entry.id}/receipt", data={"receipt": (io.BytesIO(png_bytes), "p.png")},
                       content_type="multipart/form-data", follow_redirects=True)
    assert "Receipt attached to entry no. 1." in text(done)
    again = client.post(f"/grants/entries/{entry.id}/receipt", data={"receipt": (io.BytesIO(png_bytes), "q.png")},
                        content_type="multipart/form-data", follow_redirects=True)
    assert "already has a receipt" in text(again)
    assert db.session.get(LedgerEntry, entry.id).receipt_name == "p.png"
