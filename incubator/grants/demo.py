"""Grant data for the demo's running cohort: five seed grants in USD and KHR, payments, one reversal.

- Kasekor Cold Chain (the demo founder's startup): USD 10,000 in three tranches (on signing, after the
  30 interviews are verified, after the MVP is verified). Two tranches paid; the second was first sent
  to a wrong account, reversed, and sent again.
- AngkorPay: USD 10,000; the first tranche paid, the second payable now (its milestone is verified).
- Palm Sugar Collective: KHR 20,000,000, the first tranche paid.
- Solar Srok: USD 8,000, half paid, the rest from a date near the end of the cohort.
- Dey Eth Pottery: KHR 12,000,000, nothing paid; its first tranche became payable three days ago.

Everything goes through the grant services; the timestamps are moved back afterwards (services stamp "now").
"""
from __future__ import annotations

import io
from datetime import date, datetime, time, timedelta, timezone

import sqlalchemy as sa

from incubator.cohorts.models import Startup
from incubator.demo.pdf import pitch_deck_pdf
from incubator.extensions import db
from incubator.grants.models import Grant, LedgerEntry
from incubator.grants.services.ledger import record_disbursement, reverse_entry
from incubator.grants.services.plans import create_grant
from incubator.notifications.models import Notification
from incubator.progress.models import Milestone

CONDITIONS = ("Monthly KPI report by the 5th of each month and a weekly check-in.\n"
              "Receipts for every purchase above USD 200 (or 800,000 riel).\n"
              "Grant money may not pay the founders' own salaries.")


def _milestone(startup: Startup, title: str) -> int:
    return db.session.scalar(sa.select(Milestone.id).where(Milestone.startup_id == startup.id,
                                                           Milestone.title == title))


def _receipt(name: str, amount: str, reference: str) -> tuple[io.BytesIO, str]:
    pdf = pitch_deck_pdf("Transfer slip", [f"To: {name}", f"Amount: {amount}", f"Reference: {reference}"])
    return io.BytesIO(pdf), f"transfer-{reference.lower()}.pdf"


def _tranche(label: str, amount: str, *, milestone: int | None = None, due_on: date | None = None) -> dict:
    if milestone is not None:
        return {"label": label, "amount": amount, "unlock": "milestone", "milestone_id": milestone}
    return {"label": label, "amount": amount, "unlock": "date", "due_on": due_on}


def _at(day: date, zone, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour, 0), tzinfo=zone).astimezone(timezone.utc)


def load_demo(context) -> None:
    """Give five startups of the running cohort their grants (see the module docstring).

    :param context: the demo's ``DemoContext`` (accounts, cohorts, today and the incubator's zone).
    """
    manager, programs, today, zone = context.people["manager"], context.people["programs"], context.today, context.zone
    cohort = context.running
    startups = {s.name: s for s in db.session.scalars(sa.select(Startup).where(Startup.cohort_id == cohort.id))}
    signing = cohort.starts_on + timedelta(days=7)

    def grant(name: str, currency: str, total: str, tranches: list[dict]) -> Grant | None:
        startup = startups.get(name)
        if startup is None:
            return None
        return create_grant(manager, startup, {"title": f"Seed grant {cohort.starts_on:%Y}", "currency": currency,
                                               "total": total, "conditions": CONDITIONS, "tranches": tranches})

    def pay(g: Grant, position: int, amount: str, day: date, reference: str, actor=manager, receipt=True,
            **extra) -> LedgerEntry:
        tranche = g.tranches[position - 1]
        slip = _receipt(g.startup.name, f"{amount} {g.currency}", reference) if receipt else None
        data = {"tranche_id": tranche.id, "amount": amount, "paid_on": day, "reference": reference} | extra
        return record_disbursement(actor, g, data, slip, today=today)

    kasekor = startups.get("Kasekor Cold Chain")
    if kasekor is not None:
        g = grant("Kasekor Cold Chain", "USD", "10000", [
            _tranche("On signing", "3000", due_on=signing),
            _tranche("Customer discovery", "3000", milestone=_milestone(kasekor, "30 customer interviews")),
            _tranche("Product launch", "4000", milestone=_milestone(kasekor, "MVP live")),
        ])
        pay(g, 1, "3000", signing + timedelta(days=2), "ABA-240117")
        interviews = db.session.get(Milestone, g.tranches[1].milestone_id)
        sent = min((interviews.verified_at.astimezone(zone).date() if interviews.verified_at else signing)
                   + timedelta(days=3), today)
        wrong = pay(g, 2, "3000", sent, "ACLEDA-771205", receipt=False)
        reverse_entry(programs, wrong, "Sent to a closed account; ACLEDA returned the transfer.",
                      on=min(sent + timedelta(days=2), today), today=today)
        pay(g, 2, "3000", min(sent + timedelta(days=3), today), "ACLEDA-771342", actor=programs,
            note="Resent to the company account ending 4410.")

    angkor = startups.get("AngkorPay")
    if angkor is not None:
        g = grant("AngkorPay", "USD", "10000", [
            _tranche("On signing", "3000", due_on=signing),
            _tranche("Customer discovery", "3000", milestone=_milestone(angkor, "30 customer interviews")),
            _tranche("Product launch", "4000", milestone=_milestone(angkor, "MVP live")),
        ])
        pay(g, 1, "3000", signing + timedelta(days=1), "ABA-240118")

    palm = startups.get("Palm Sugar Collective")
    if palm is not None:
        g = grant("Palm Sugar Collective", "KHR", "20000000", [
            _tranche("On signing", "8000000", due_on=signing),
            _tranche("Product launch", "12000000", milestone=_milestone(palm, "MVP live")),
        ])
        pay(g, 1, "8000000", signing + timedelta(days=4), "WING-55120", actor=programs)

    solar = startups.get("Solar Srok")
    if solar is not None:
        g = grant("Solar Srok", "USD", "8000", [
            _tranche("Registration", "4000", milestone=_milestone(solar, "Company registered")),
            _tranche("Second half", "4000", due_on=cohort.ends_on - timedelta(days=30)),
        ])
        pay(g, 1, "4000", min(cohort.starts_on + timedelta(days=30), today), "ABA-240311")

    if "Dey Eth Pottery" in startups:
        grant("Dey Eth Pottery", "KHR", "12000000", [
            _tranche("Kiln repair", "6000000", due_on=today - timedelta(days=3)),
            _tranche("Customer discovery", "6000000",
                     milestone=_milestone(startups["Dey Eth Pottery"], "30 customer interviews")),
        ])
    db.session.flush()
    _backdate(cohort.id, zone)


def _backdate(cohort_id: int, zone) -> None:
    """Date grants on the cohort's first week and each entry (and the founders' notice of it) on its day."""
    grants = db.session.scalars(sa.select(Grant).join(Grant.startup).where(Startup.cohort_id == cohort_id)).all()
    for g in grants:
        g.created_at = g.updated_at = _at(g.startup.cohort.starts_on + timedelta(days=5), zone, 9)
    entries = db.session.scalars(sa.select(LedgerEntry).where(LedgerEntry.grant_id.in_([g.id for g in grants]))).all()
    for entry in entries:
        entry.recorded_at = _at(entry.paid_on, zone, 11)
        notices = db.session.scalars(sa.select(Notification).where(
            Notification.dedupe_key.like(f"grant-entry:{entry.id}:%"))).all()
        for notice in notices:
            notice.created_at = entry.recorded_at
    db.session.flush()
