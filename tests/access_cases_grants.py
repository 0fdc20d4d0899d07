"""Access-matrix cases for grants (issue 5): every grant route, web and API, for every role.

Managers see and change every grant. The founders of the world's startup read its grant, ledger, CSV and
receipts (read-only); every other role is refused (403; anonymous web visitors go to the login page).
"""
from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from incubator.cohorts.models import Startup, TeamMember
from incubator.db import utcnow
from incubator.extensions import db
from incubator.grants.models import EntryKind, Grant, LedgerEntry, Tranche, Unlock
from tests.access_cases import MANAGERS, Route, page, submit
from tests.factories import StartupFactory

GRANT_VIEWERS = MANAGERS | {"founder"}  # managers, and the founders of the startup the grant belongs to
REDIRECT = frozenset({302})

ROUTES: dict[tuple[str, str], Route] = {
    # Web pages ---------------------------------------------------------------------------------
    ("grants.overview", "GET"): page(MANAGERS),
    ("grants.cohort_grants", "GET"): page(MANAGERS, args={"cohort_id": "running_cohort_id"}),
    # A startup with a grant: its people are sent to the grant page.
    ("grants.startup_grant", "GET"): Route(frozenset(GRANT_VIEWERS), ok=REDIRECT),
    ("grants.view_grant", "GET"): page(GRANT_VIEWERS),
    ("grants.ledger_csv", "GET"): page(GRANT_VIEWERS),
    ("grants.entry_receipt", "GET"): page(GRANT_VIEWERS),
    ("grants.create_grant", "GET"): page(MANAGERS, args={"startup_id": "grantless_startup_id"}),
    ("grants.create_grant", "POST"): submit(MANAGERS, args={"startup_id": "grantless_startup_id"}),
    ("grants.edit_grant", "GET"): page(MANAGERS, args={"grant_id": "open_grant_id"}),
    ("grants.edit_grant", "POST"): submit(MANAGERS, args={"grant_id": "open_grant_id"}),
    ("grants.disburse", "GET"): page(MANAGERS),
    ("grants.disburse", "POST"): submit(MANAGERS),
    ("grants.reverse_entry", "GET"): page(MANAGERS),
    ("grants.reverse_entry", "POST"): submit(MANAGERS),
    ("grants.attach_receipt", "POST"): submit(MANAGERS),
    # JSON API ----------------------------------------------------------------------------------
    ("api_v1.list_grants", "GET"): page(MANAGERS),
    ("api_v1.get_cohort_grant_totals", "GET"): page(MANAGERS, args={"cohort_id": "running_cohort_id"}),
    ("api_v1.get_startup_grant", "GET"): page(GRANT_VIEWERS),
    ("api_v1.create_grant", "POST"): submit(MANAGERS, args={"startup_id": "grantless_startup_id"}),
    ("api_v1.get_grant", "GET"): page(GRANT_VIEWERS),
    ("api_v1.update_grant", "PATCH"): submit(MANAGERS, args={"grant_id": "open_grant_id"}),
    ("api_v1.list_grant_entries", "GET"): page(GRANT_VIEWERS),
    ("api_v1.record_disbursement", "POST"): submit(MANAGERS),
    ("api_v1.get_grant_entry", "GET"): page(GRANT_VIEWERS),
    ("api_v1.reverse_grant_entry", "POST"): submit(MANAGERS),
    ("api_v1.upload_grant_receipt", "POST"): submit(MANAGERS, multipart=True),
}


def build(world: dict) -> dict:
    """A grant for the world's startup (a date tranche paid once, with a receipt, and a milestone tranche), an
    unpaid grant for the other founder's startup, and a startup of the running cohort without a grant."""
    startup = world["startup"]
    other_startup = db.session.scalar(
        sa.select(Startup).join(TeamMember).where(TeamMember.user_id == world["users"]["other_founder"].id))
    grantless = StartupFactory(cohort=startup.cohort, name="Takeo Rice Mill")
    admin = world["users"]["admin"]
    today = utcnow().date()

    grant = Grant(startup_id=startup.id, title="Seed grant", currency="USD", total_minor=500_000,
                  disbursed_minor=100_000, entry_count=1, created_by_id=admin.id, tranches=[
                      Tranche(position=1, label="On signing", amount_minor=200_000, unlock=Unlock.DATE,
                              due_on=today - timedelta(days=3), disbursed_minor=100_000),
                      Tranche(position=2, amount_minor=300_000, unlock=Unlock.MILESTONE,
                              milestone_id=world["milestone_id"], disbursed_minor=0)])
    open_grant = Grant(startup_id=other_startup.id, title="Seed grant", currency="KHR", total_minor=400_000_000,
                       disbursed_minor=0, entry_count=0, created_by_id=admin.id, tranches=[
                           Tranche(position=1, amount_minor=400_000_000, unlock=Unlock.DATE, due_on=today,
                                   disbursed_minor=0)])
    db.session.add_all([grant, open_grant])
    db.session.flush()
    entry = LedgerEntry(grant_id=grant.id, tranche_id=grant.tranches[0].id, seq=1, kind=EntryKind.DISBURSEMENT,
                        amount_minor=100_000, balance_after_minor=400_000, paid_on=today, reference="ABA-1",
                        receipt_path="matrix/deck.pdf", receipt_name="slip.pdf", recorded_by_id=admin.id)
    db.session.add(entry)
    db.session.flush()
    return {"grant_id": grant.id, "open_grant_id": open_grant.id, "entry_id": entry.id,
            "grantless_startup_id": grantless.id}
