"""The totals other domains read (the investor reports): per startup, per cohort and currency, converted."""
from __future__ import annotations

from datetime import timedelta

from incubator.grants.reporting import Rate, Totals, converted, grant_totals_by_cohort, grant_totals_by_startup
from incubator.grants.services.ledger import record_disbursement
from incubator.grants.services.plans import create_grant
from tests.factories import CohortFactory, StartupFactory
from tests.grants.conftest import TODAY


def test_totals_by_startup_and_by_cohort(manager, grant, startup, other_startup, milestones):
    record_disbursement(manager, grant, {"tranche_id": grant.tranches[0].id, "amount": "1000", "paid_on": TODAY,
                                         "reference": "R"})
    riel = create_grant(manager, other_startup, {"title": "Riel", "currency": "KHR", "total": "8200000", "tranches": [
        {"amount": "4100000", "unlock": "date", "due_on": TODAY + timedelta(days=1)},
        {"amount": "4100000", "unlock": "date", "due_on": TODAY - timedelta(days=1)}]})
    StartupFactory(cohort=startup.cohort, name="No grant")
    elsewhere = StartupFactory(cohort=CohortFactory(), name="Other cohort")
    create_grant(manager, elsewhere, {"title": "X", "currency": "USD", "total": "1", "tranches": [
        {"amount": "1", "unlock": "date", "due_on": TODAY}]})

    assert grant_totals_by_startup(startup.cohort_id) == {
        startup.id: {"currency": "USD", "committed_minor": 1_000_000, "disbursed_minor": 100_000},
        other_startup.id: {"currency": "KHR", "committed_minor": riel.total_minor, "disbursed_minor": 0},
    }
    assert grant_totals_by_cohort(startup.cohort_id, today=TODAY) == {
        "USD": {"grants": 1, "committed_minor": 1_000_000, "disbursed_minor": 100_000, "remaining_minor": 900_000,
                "payable_minor": 200_000},
        "KHR": {"grants": 1, "committed_minor": 820_000_000, "disbursed_minor": 0, "remaining_minor": 820_000_000,
                "payable_minor": 410_000_000},
    }
    assert grant_totals_by_cohort(elsewhere.cohort_id + 1000) == {}


def test_conversion_adds_each_currency_once_at_the_cohort_rate():
    totals = {"USD": Totals("USD", 2, 1_000_000, 250_000, 0), "KHR": Totals("KHR", 1, 4_100_000_00, 0, 2_050_000_00)}
    in_usd = converted(totals, "USD", Rate(4100, True))
    assert (in_usd.grants, in_usd.committed_minor, in_usd.disbursed_minor, in_usd.payable_minor) == (
        3, 1_100_000, 250_000, 50_000)
    in_khr = converted(totals, "KHR", Rate(4000, False))
    assert in_khr.committed_minor == 4_000_000_000 + 410_000_000 and in_khr.remaining_minor == 3_410_000_000
