"""The grant pages and API lists cost the same number of queries for a few grants or entries as for many."""
from __future__ import annotations

from datetime import timedelta

from incubator.extensions import db
from incubator.grants.services.ledger import record_disbursement, reverse_entry
from incubator.grants.services.plans import create_grant
from incubator.progress.models import Milestone, MilestoneStatus, Verification
from tests.factories import CohortFactory, StartupFactory, founder_of
from tests.grants.conftest import TODAY


def _seed_cohort(manager, name: str, startups: int):
    """A running cohort whose startups each have a grant in USD or KHR, paid in part, one tranche per milestone."""
    cohort = CohortFactory(name=name, status="running", starts_on=TODAY - timedelta(days=60),
                           ends_on=TODAY + timedelta(days=60))
    for i in range(startups):
        startup = StartupFactory(cohort=cohort, name=f"{name} startup {i}")
        founder_of(startup)
        milestone = Milestone(startup_id=startup.id, title="MVP live", due_on=TODAY, status=MilestoneStatus.DONE,
                              verification=Verification.VERIFIED if i % 2 else Verification.PENDING)
        db.session.add(milestone)
        db.session.flush()
        currency, unit = ("KHR", 4_100_000) if i % 3 == 0 else ("USD", 1000)
        grant = create_grant(manager, startup, {"title": "Seed", "currency": currency, "total": str(unit * 10),
                                                "tranches": [
                                                    {"amount": str(unit * 4), "unlock": "date", "due_on": TODAY},
                                                    {"amount": str(unit * 6), "unlock": "milestone",
                                                     "milestone_id": milestone.id}]})
        record_disbursement(manager, grant, {"tranche_id": grant.tranches[0].id, "amount": str(unit), "paid_on": TODAY,
                                             "reference": f"R{i}"})
    return cohort


def _ledger(manager, grant, entries: int) -> None:
    """``entries`` ledger lines on the first tranche: payments of 1, every third one reversed."""
    for i in range(entries):
        entry = record_disbursement(manager, grant, {"tranche_id": grant.tranches[0].id, "amount": "1",
                                                     "paid_on": TODAY, "reference": f"R{i}"})
        if i % 3 == 2:
            reverse_entry(manager, entry, "Duplicate")


def _count(client, count_queries, url: str, headers: dict | None = None) -> int:
    with count_queries() as counter:
        response = client.get(url, headers=headers or {})
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return counter.count


def test_overview_and_cohort_pages_do_not_grow_with_grants(client, login, manager, count_queries):
    small, big = _seed_cohort(manager, "Small", 3), _seed_cohort(manager, "Big", 40)
    db.session.commit()
    login(manager)
    overview = _count(client, count_queries, "/grants/")
    _seed_cohort(manager, "Later", 10)
    db.session.commit()
    assert _count(client, count_queries, "/grants/") == overview <= 12
    pages = [_count(client, count_queries, f"/grants/cohorts/{c.id}") for c in (small, big)]
    assert pages[0] == pages[1] <= 12, pages


def test_grant_page_and_ledger_api_do_not_grow_with_entries(client, login, api_token, manager, grant, count_queries):
    from incubator.grants.services.plans import create_grant as create
    from tests.factories import StartupFactory as Startups

    other = create(manager, Startups(cohort=grant.startup.cohort, name="Other"), {
        "title": "Other", "currency": "USD", "total": "5000",
        "tranches": [{"amount": "5000", "unlock": "date", "due_on": TODAY}]})
    _ledger(manager, grant, 3)
    _ledger(manager, other, 70)  # more than one page of 50
    db.session.commit()
    headers = api_token(manager)
    client.get("/api/v1/grants", headers=headers)  # the token's first use is stamped once; keep it out of the counts
    login(manager)
    pages = [_count(client, count_queries, f"/grants/{g.id}") for g in (grant, other)]
    assert pages[0] == pages[1] <= 12, pages
    assert _count(client, count_queries, f"/grants/{other.id}?page=2") == pages[0]
    api = [_count(client, count_queries, f"/api/v1/grants/{g.id}/entries?per_page=100", headers)
           for g in (grant, other)]
    assert api[0] == api[1] <= 10, api
    detail = [_count(client, count_queries, f"/api/v1/grants/{g.id}", headers) for g in (grant, other)]
    assert detail[0] == detail[1], detail
