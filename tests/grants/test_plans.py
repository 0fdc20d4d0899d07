"""Creating a grant and changing its tranche plan: every rule and every refusal."""
from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from incubator.audit.models import AuditEntry
from incubator.cohorts.models import StartupStatus
from incubator.core.errors import ConflictError, ServiceError
from incubator.extensions import db
from incubator.grants.models import Grant, Tranche, TrancheState, Unlock
from incubator.grants.services import amount_to_minor
from incubator.grants.services.ledger import record_disbursement
from incubator.grants.services.plans import create_grant, update_grant
from incubator.progress.models import Milestone
from tests.grants.conftest import TODAY, milestone, plan


def test_create_grant_keeps_minor_units_and_the_tranche_order(manager, startup, milestones):
    grant = create_grant(manager, startup, plan(milestones))

    assert (grant.currency, grant.total_minor, grant.disbursed_minor, grant.entry_count) == ("USD", 1_000_000, 0, 0)
    assert [(t.position, t.label, t.amount_minor, t.unlock) for t in grant.tranches] == [
        (1, "On signing", 300_000, Unlock.DATE), (2, "Discovery", 300_000, Unlock.MILESTONE),
        (3, "Launch", 400_000, Unlock.MILESTONE)]
    assert grant.tranches[1].milestone_id == milestones["pending"].id and grant.tranches[1].due_on is None
    assert [t.state(TODAY) for t in grant.tranches] == [TrancheState.PAYABLE, TrancheState.WAITING,
                                                        TrancheState.WAITING]
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "grant.created"))
    assert entry.target_id == grant.id and entry.target_label == "Kasekor Cold Chain"
    assert entry.details["plan"] == (f"USD 10000.00: 3000.00 from {(TODAY - timedelta(days=10)).isoformat()} + "
                                     "3000.00 on “30 customer interviews” + 4000.00 on “MVP live”")
    assert entry.actor_id == manager.id


def test_riel_grant_has_no_decimals(manager, startup, milestones):
    data = plan(milestones, currency="KHR", total="20,000,000", tranches=[
        {"amount": "8000000", "unlock": "date", "due_on": TODAY},
        {"amount": "12 000 000", "unlock": "milestone", "milestone_id": milestones["planned"].id}])
    grant = create_grant(manager, startup, data)
    assert grant.total_minor == 2_000_000_000  # riel has two minor digits in core.money, like ISO 4217
    assert [t.amount_minor for t in grant.tranches] == [800_000_000, 1_200_000_000]
    assert grant.tranches[0].name == "Tranche 1"


@pytest.mark.parametrize(("value", "currency", "message"), [
    (None, "USD", "Enter an amount"), ("", "USD", "Enter an amount"), ("ten", "USD", "Enter an amount"),
    ("0", "USD", "above zero"), ("-5", "USD", "above zero"), ("10.001", "USD", "two decimals"),
    ("100.5", "KHR", "no decimals"), ("NaN", "USD", "Enter an amount"), ("1e20", "USD", "too large"),
    ("0.5", "KHR", "no decimals"),
])
def test_amounts_are_exact_or_refused(value, currency, message):
    with pytest.raises(ServiceError) as caught:
        amount_to_minor(value, currency, "amount")
    assert message in caught.value.fields["amount"][0]


def test_amounts_accept_grouping_and_both_currencies():
    assert amount_to_minor("1,500.50", "USD", "x") == 150050
    assert amount_to_minor("4 100 000", "KHR", "x") == 410_000_000
    with pytest.raises(ServiceError):
        amount_to_minor("1", "EUR", "x")


def test_every_problem_of_a_plan_is_reported_at_once(manager, startup, other_startup, milestones):
    foreign = milestone(other_startup, "Someone else's milestone")
    data = plan(milestones, title=" ", total="abc", conditions="x" * 5001, tranches=[
        {"label": "L" * 121, "amount": "-1", "unlock": "date"},
        {"amount": "10", "unlock": "milestone", "milestone_id": foreign.id},
        {"amount": "10", "unlock": "milestone", "milestone_id": milestones["dropped"].id},
        {"amount": "10", "unlock": "sometime"},
        {"amount": "10", "unlock": "date", "due_on": TODAY.replace(year=1999)},
    ])
    with pytest.raises(ServiceError) as caught:
        create_grant(manager, startup, data)
    fields = caught.value.fields
    assert set(fields) == {"title", "total", "conditions", "tranches.0.label", "tranches.0.amount",
                           "tranches.0.due_on", "tranches.1.milestone_id", "tranches.2.milestone_id",
                           "tranches.3.unlock", "tranches.4.due_on"}
    assert "dropped" in fields["tranches.2.milestone_id"][0]
    assert db.session.scalar(sa.select(sa.func.count(Grant.id))) == 0


def test_tranches_must_add_up_to_the_total(manager, startup, milestones):
    with pytest.raises(ServiceError) as caught:
        create_grant(manager, startup, plan(milestones, total="9000"))
    assert caught.value.fields["total"] == ["The tranches add up to $10,000.00, but the total is $9,000.00."]


@pytest.mark.parametrize(("tranches", "message"), [([], "at least one"), ([{"amount": "1", "unlock": "date",
                                                                            "due_on": TODAY}] * 13, "at most 12")])
def test_a_plan_has_one_to_twelve_tranches(manager, startup, milestones, tranches, message):
    with pytest.raises(ServiceError) as caught:
        create_grant(manager, startup, plan(milestones, total="13", tranches=tranches))
    assert message in caught.value.fields["tranches"][0]


def test_unknown_currency_is_refused(manager, startup, milestones):
    with pytest.raises(ServiceError) as caught:
        create_grant(manager, startup, plan(milestones, currency="EUR"))
    assert set(caught.value.fields) == {"currency"}


def test_one_grant_per_startup(manager, startup, milestones):
    create_grant(manager, startup, plan(milestones))
    with pytest.raises(ConflictError, match="already has a grant"):
        create_grant(manager, startup, plan(milestones))


def test_one_grant_per_startup_is_a_database_rule(manager, startup, milestones, grant):
    with pytest.raises(sa.exc.IntegrityError):
        with db.session.begin_nested():
            db.session.add(Grant(startup_id=startup.id, title="Twice", currency="USD", total_minor=1,
                                 disbursed_minor=0, entry_count=0))


def test_withdrawn_startup_gets_no_new_grant(manager, startup, milestones):
    startup.status = StartupStatus.WITHDRAWN
    with pytest.raises(ConflictError, match="withdrawn"):
        create_grant(manager, startup, plan(milestones))


def test_plan_can_change_until_the_first_payment(manager, grant, milestones):
    data = plan(milestones, total="12000", currency="USD", title="Seed grant (revised)", tranches=[
        {"label": "On signing", "amount": "3000", "unlock": "date", "due_on": TODAY - timedelta(days=10)},
        {"label": "Discovery", "amount": "9000", "unlock": "milestone", "milestone_id": milestones["verified"].id},
    ])
    first_id = grant.tranches[0].id
    update_grant(manager, grant, data)
    db.session.expire_all()
    grant = db.session.get(Grant, grant.id)
    assert (grant.title, grant.total_minor) == ("Seed grant (revised)", 1_200_000)
    assert [(t.position, t.amount_minor, t.milestone_id) for t in grant.tranches] == [
        (1, 300_000, None), (2, 900_000, milestones["verified"].id)]
    assert grant.tranches[0].id == first_id  # kept by position
    assert db.session.scalar(sa.select(sa.func.count(Tranche.id))) == 2
    change = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "grant.updated"))
    assert change.details["plan"][0].startswith("USD 10000.00: ")
    assert change.details["plan"][1].endswith("+ 9000.00 on “Company registered”")


def test_plan_can_grow_by_a_tranche(manager, grant, milestones):
    data = plan(milestones, total="11000")
    data["tranches"].append({"label": "Bonus", "amount": "1000", "unlock": "date", "due_on": TODAY})
    update_grant(manager, grant, data)
    assert [t.position for t in grant.tranches] == [1, 2, 3, 4]


def test_a_new_condition_is_announced_again(manager, grant, milestones):
    from incubator.db import utcnow

    for tranche in grant.tranches:
        tranche.payable_notified_at = utcnow()
    data = plan(milestones)
    data["tranches"][2]["milestone_id"] = milestones["verified"].id
    update_grant(manager, grant, data)
    assert [t.payable_notified_at is None for t in grant.tranches] == [False, False, True]


def test_plan_is_fixed_once_money_moved(manager, grant, milestones):
    record_disbursement(manager, grant, {"tranche_id": grant.tranches[0].id, "amount": "100", "paid_on": TODAY,
                                         "reference": "ABA-1"})
    with pytest.raises(ConflictError, match="can no longer change"):
        update_grant(manager, grant, plan(milestones, title="Changed"))
    assert db.session.get(Grant, grant.id).title == "Seed grant 2026"


def test_a_removed_milestone_leaves_its_tranche_waiting_for_a_decision(manager, grant, milestones):
    tranche = grant.tranches[2]
    db.session.delete(db.session.get(Milestone, milestones["planned"].id))
    db.session.flush()
    db.session.expire_all()
    tranche = db.session.get(Tranche, tranche.id)
    assert (tranche.unlock, tranche.milestone_id) == (Unlock.MILESTONE, None)
    assert tranche.state(TODAY) == TrancheState.NO_CONDITION and not tranche.is_unlocked(TODAY)
