"""The ledger's invariants: balance never negative, no tranche paid beyond its amount, paying early needs a
reason, reversals (once, never of a reversal), nothing deleted, receipts checked by content."""
from __future__ import annotations

import io
from datetime import timedelta

import pytest
import sqlalchemy as sa

from incubator.audit.models import AuditEntry
from incubator.core.errors import ConflictError, ServiceError
from incubator.extensions import db
from incubator.grants.models import EntryKind, Grant, LedgerEntry, Tranche, TrancheState
from incubator.grants.services.ledger import attach_receipt, record_disbursement, reverse_entry
from incubator.notifications.models import Notification, OutboxMessage
from tests.grants.conftest import TODAY


def pay(manager, grant, position: int, amount: str, **extra) -> LedgerEntry:
    data = {"tranche_id": grant.tranches[position - 1].id, "amount": amount, "paid_on": TODAY,
            "reference": "ABA-100"} | extra
    return record_disbursement(manager, grant, data, extra.pop("receipt", None))


def assert_ledger_consistent(grant_id: int) -> None:
    """The running totals equal the sum of the entries, and each entry's balance follows from the previous."""
    db.session.expire_all()
    grant = db.session.get(Grant, grant_id)
    entries = db.session.scalars(sa.select(LedgerEntry).where(LedgerEntry.grant_id == grant_id)
                                 .order_by(LedgerEntry.seq)).all()
    assert [e.seq for e in entries] == list(range(1, len(entries) + 1)) and grant.entry_count == len(entries)
    assert grant.disbursed_minor == sum(e.amount_minor for e in entries)
    balance = grant.total_minor
    for entry in entries:
        balance -= entry.amount_minor
        assert entry.balance_after_minor == balance >= 0
    for tranche in grant.tranches:
        paid = sum(e.amount_minor for e in entries if e.tranche_id == tranche.id)
        assert tranche.disbursed_minor == paid and 0 <= paid <= tranche.amount_minor


def test_disbursement_moves_the_totals_and_tells_the_founders(manager, founder, grant):
    entry = pay(manager, grant, 1, "3,000", note="First transfer")

    assert (entry.seq, entry.kind, entry.amount_minor, entry.balance_after_minor) == (1, EntryKind.DISBURSEMENT,
                                                                                      300_000, 700_000)
    assert (entry.reference, entry.note, entry.early_reason, entry.recorded_by_id) == ("ABA-100", "First transfer",
                                                                                      "", manager.id)
    assert grant.tranches[0].state(TODAY) == TrancheState.PAID and grant.tranches[0].payable_notified_at
    assert_ledger_consistent(grant.id)
    [notice] = db.session.scalars(sa.select(Notification).where(Notification.user_id == founder.id)).all()
    assert notice.category == "grants" and notice.title == "$3,000.00 of your grant was sent (Tranche 1: On signing)"
    assert "reference ABA-100" in notice.body and "$7,000.00 of Seed grant 2026 is still to come" in notice.body
    assert notice.link == f"/grants/{grant.id}"
    [mail] = db.session.scalars(sa.select(OutboxMessage).where(OutboxMessage.to_email == founder.email)).all()
    assert mail.category == "grants" and mail.subject == notice.title and f"/grants/{grant.id}" in mail.body_text
    audit = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "grant.disbursed"))
    assert audit.details == {"entry": 1, "tranche": 1, "amount": "$3,000.00", "reference": "ABA-100",
                             "paid_on": TODAY.isoformat()}


def test_a_tranche_can_be_paid_in_parts_but_never_beyond_its_amount(manager, grant):
    pay(manager, grant, 1, "1000")
    with pytest.raises(ConflictError) as caught:
        pay(manager, grant, 1, "2000.01")
    assert caught.value.fields["amount"][0].startswith(
        "Only $2,000.00 of Tranche 1: On signing ($3,000.00) is left to pay.")
    pay(manager, grant, 1, "2000")
    with pytest.raises(ConflictError, match="already paid in full"):
        pay(manager, grant, 1, "0.01")
    assert_ledger_consistent(grant.id)
    assert grant.disbursed_minor == 300_000


def test_paying_before_payable_needs_a_reason(manager, grant):
    with pytest.raises(ConflictError) as caught:
        pay(manager, grant, 2, "3000")
    assert caught.value.fields["early_reason"] == [
        "Tranche 2: Discovery is not payable yet: it unlocks when “30 customer interviews” is verified. To pay it "
        "early, give the reason."]
    entry = pay(manager, grant, 2, "1500", early_reason="Rent for the cold room is due before verification.")
    assert entry.early_reason == "Rent for the cold room is due before verification."
    audit = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "grant.disbursed"))
    assert audit.details["early_reason"] == entry.early_reason
    # A reason given for a payable tranche is not kept: nothing was paid early.
    assert pay(manager, grant, 1, "10", early_reason="not needed").early_reason == ""


def test_a_date_tranche_is_not_payable_before_its_day(manager, grant, milestones):
    from incubator.grants.services.plans import update_grant
    from tests.grants.conftest import plan

    data = plan(milestones)
    data["tranches"][0]["due_on"] = TODAY + timedelta(days=1)
    update_grant(manager, grant, data)
    with pytest.raises(ConflictError) as caught:
        pay(manager, grant, 1, "100")
    assert f"it can be paid from {(TODAY + timedelta(days=1)).isoformat()}" in caught.value.fields["early_reason"][0]


@pytest.mark.parametrize(("change", "field"), [
    ({"tranche_id": 0}, "tranche_id"), ({"amount": "0"}, "amount"), ({"amount": "abc"}, "amount"),
    ({"amount": "1.005"}, "amount"), ({"paid_on": TODAY + timedelta(days=1)}, "paid_on"),
    ({"paid_on": None}, "paid_on"),
    ({"paid_on": TODAY.replace(year=1999)}, "paid_on"), ({"reference": "  "}, "reference"),
    ({"reference": "R" * 121}, "reference"), ({"note": "n" * 2001}, "note"), ({"early_reason": "e" * 2001},
                                                                              "early_reason"),
])
def test_bad_disbursement_input_is_refused_and_nothing_is_written(manager, grant, change, field):
    data = {"tranche_id": grant.tranches[0].id, "amount": "100", "paid_on": TODAY, "reference": "ABA-1"} | change
    with pytest.raises(ServiceError) as caught:
        record_disbursement(manager, grant, data)
    assert set(caught.value.fields) == {field}
    assert db.session.scalar(sa.select(sa.func.count(LedgerEntry.id))) == 0
    assert db.session.get(Grant, grant.id).disbursed_minor == 0


def test_a_tranche_of_another_grant_is_refused(manager, grant, other_startup):
    from incubator.grants.services.plans import create_grant

    other = create_grant(manager, other_startup, {"title": "Other", "currency": "USD", "total": "100", "tranches": [
        {"amount": "100", "unlock": "date", "due_on": TODAY}]})
    with pytest.raises(ServiceError) as caught:
        record_disbursement(manager, grant, {"tranche_id": other.tranches[0].id, "amount": "1", "paid_on": TODAY,
                                             "reference": "X"})
    assert set(caught.value.fields) == {"tranche_id"}


def test_reversal_is_a_counter_entry_that_restores_the_balance(manager, founder, grant):
    first = pay(manager, grant, 1, "3000", reference="ACLEDA-9")
    reversal = reverse_entry(manager, first, "  Sent to a closed account.  ")

    assert (reversal.seq, reversal.kind, reversal.amount_minor, reversal.reverses_id) == (2, EntryKind.REVERSAL,
                                                                                          -300_000, first.id)
    assert (reversal.balance_after_minor, reversal.note) == (1_000_000, "Sent to a closed account.")
    assert reversal.tranche_id == first.tranche_id
    assert reversal.reference == "ACLEDA-9" and reversal.paid_on == TODAY
    assert grant.disbursed_minor == 0 and grant.tranches[0].state(TODAY) == TrancheState.PAYABLE
    assert db.session.get(LedgerEntry, first.id).reversed_by.id == reversal.id
    assert_ledger_consistent(grant.id)
    titles = db.session.scalars(sa.select(Notification.title).where(Notification.user_id == founder.id)
                                .order_by(Notification.id)).all()
    assert titles[-1] == "Grant payment reversed: $3,000.00 (Tranche 1: On signing)"
    audit = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "grant.reversed"))
    assert audit.details == {"entry": 2, "reverses": 1, "amount": "$3,000.00", "reason": "Sent to a closed account."}
    # The tranche can be paid again after the reversal.
    assert pay(manager, grant, 1, "3000", reference="ACLEDA-10").seq == 3


def test_an_entry_is_reversed_once_and_a_reversal_never(manager, grant):
    first = pay(manager, grant, 1, "3000")
    reversal = reverse_entry(manager, first, "Wrong account")
    with pytest.raises(ConflictError, match="already reversed by entry no. 2"):
        reverse_entry(manager, first, "Again")
    with pytest.raises(ConflictError, match="A reversal cannot be reversed"):
        reverse_entry(manager, reversal, "Undo the undo")
    assert_ledger_consistent(grant.id)


@pytest.mark.parametrize(("reason", "on", "field"), [
    ("", None, "reason"), ("r" * 2001, None, "reason"), ("Late", TODAY + timedelta(days=1), "reversed_on"),
    ("Early", TODAY - timedelta(days=5), "reversed_on"),
])
def test_bad_reversal_input_is_refused(manager, grant, reason, on, field):
    first = pay(manager, grant, 1, "3000", paid_on=TODAY - timedelta(days=2))
    with pytest.raises(ServiceError) as caught:
        reverse_entry(manager, first, reason, on)
    assert set(caught.value.fields) == {field}


def test_the_database_refuses_an_overdraw_even_if_the_rules_were_skipped(manager, grant):
    tranche_id = grant.tranches[0].id
    for statement in (
        sa.update(Grant).where(Grant.id == grant.id).values(disbursed_minor=grant.total_minor + 1),
        sa.update(Grant).where(Grant.id == grant.id).values(disbursed_minor=-1),
        sa.update(Tranche).where(Tranche.id == tranche_id).values(disbursed_minor=300_001),
    ):
        with pytest.raises(sa.exc.IntegrityError):
            with db.session.begin_nested():
                db.session.execute(statement)
    row = {"grant_id": grant.id, "tranche_id": tranche_id, "seq": 1, "paid_on": TODAY, "reference": "", "note": "",
           "early_reason": "", "receipt_name": "", "recorded_at": grant.created_at}
    for bad in ({"kind": "disbursement", "amount_minor": 5, "balance_after_minor": -5},
                {"kind": "disbursement", "amount_minor": -5, "balance_after_minor": 5},
                {"kind": "reversal", "amount_minor": -5, "balance_after_minor": 5}):
        with pytest.raises(sa.exc.IntegrityError):
            with db.session.begin_nested():
                db.session.execute(sa.insert(LedgerEntry).values(**row, **bad))


def test_the_database_allows_one_reversal_per_entry(manager, grant):
    first = pay(manager, grant, 1, "3000")
    reverse_entry(manager, first, "Wrong account")
    duplicate = {"grant_id": grant.id, "tranche_id": first.tranche_id, "seq": 99, "kind": "reversal",
                 "amount_minor": -300_000, "balance_after_minor": 1_000_000, "paid_on": TODAY, "reference": "",
                 "note": "twice", "early_reason": "", "receipt_name": "", "reverses_id": first.id,
                 "recorded_at": first.recorded_at}
    with pytest.raises(sa.exc.IntegrityError):
        with db.session.begin_nested():
            db.session.execute(sa.insert(LedgerEntry).values(**duplicate))


def test_receipts_are_checked_by_content_and_attached_once(manager, grant, pdf_bytes, png_bytes):
    with pytest.raises(ServiceError) as caught:
        pay(manager, grant, 1, "100", receipt=(io.BytesIO(b"MZ not a pdf"), "slip.pdf"))
    assert set(caught.value.fields) == {"receipt"}
    entry = pay(manager, grant, 1, "100", receipt=(io.BytesIO(pdf_bytes), "C:\\scans\\slip.pdf"))
    assert entry.receipt_path.startswith("grant-receipts/") and entry.receipt_path.endswith(".pdf")
    assert entry.receipt_name == "slip.pdf"
    later = pay(manager, grant, 1, "100")
    with pytest.raises(ServiceError):
        attach_receipt(manager, later, io.BytesIO(b""), "empty.png")
    attach_receipt(manager, later, io.BytesIO(png_bytes), "photo.png")
    assert later.receipt_path.endswith(".png") and later.receipt_name == "photo.png"
    with pytest.raises(ConflictError, match="already has a receipt"):
        attach_receipt(manager, later, io.BytesIO(png_bytes), "other.png")
    assert db.session.scalar(sa.select(AuditEntry.details).where(AuditEntry.action == "grant.receipt_added")) == {
        "entry": 2, "file": "photo.png"}


def test_nothing_is_deleted_and_no_route_deletes(app, manager, grant):
    first = pay(manager, grant, 1, "3000")
    reverse_entry(manager, first, "Wrong account")
    pay(manager, grant, 1, "3000")
    ids = set(db.session.scalars(sa.select(LedgerEntry.id)))
    assert len(ids) == 3 and db.session.get(LedgerEntry, first.id) is not None
    for rule in app.url_map.iter_rules():
        if "grant" in rule.rule:
            assert not rule.methods & {"DELETE", "PUT"}, rule.rule
    # The entries point at their grant and tranche with RESTRICT: the database refuses to drop them.
    with pytest.raises(sa.exc.IntegrityError):
        with db.session.begin_nested():
            db.session.execute(sa.delete(Tranche).where(Tranche.id == first.tranche_id))
