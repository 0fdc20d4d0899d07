"""Progress data for the demo's running cohort: a milestone plan, seven months of KPIs, weekly check-ins.

Each startup follows a profile (strong, steady, slipping, struggling) so the health dashboard shows every
status for a reason a manager would recognise. Everything goes through the progress services; only the
timestamps are moved into the past afterwards (services stamp "now").
"""
from __future__ import annotations

import io
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from incubator.auth.models import User
from incubator.cohorts.models import Cohort, Startup, StartupStatus
from incubator.cohorts.services import update_startup
from incubator.demo.pdf import pitch_deck_pdf
from incubator.extensions import db
from incubator.progress.models import Milestone, MilestoneChange
from incubator.progress.periods import add_months, week_start
from incubator.progress.services.checkins import resolve_help, submit_checkin
from incubator.progress.services.kpis import add_metric, correct_kpis, set_exchange_rate, submit_kpis
from incubator.progress.services.milestones import (
    attach_evidence,
    create_milestone,
    create_template,
    update_milestone,
    verify_milestone,
)

PROFILES = {
    "Kasekor Cold Chain": "strong", "AngkorPay": "strong", "Kampot Pepper Co.": "strong",
    "Mekong Recycling": "strong", "Solar Srok": "steady", "MediQueue": "steady", "Rean Khmer": "steady",
    "Srov Smart": "steady", "Palm Sugar Collective": "steady", "CodeSala": "steady",
    "Dey Eth Pottery": "slipping", "Mekong BioLab": "slipping", "TukTuk Track": "slipping",
    "BioGas Kampuchea": "struggling", "Mondul Herbal": "struggling",
}
RIEL_STARTUPS = ("Palm Sugar Collective", "Dey Eth Pottery")
FIRST_CUSTOMER = ("Kasekor Cold Chain", "AngkorPay", "Kampot Pepper Co.")
GROWTH = {"strong": 0.12, "steady": 0.05, "slipping": 0.02, "struggling": 0.03}
BASE_USD = {"strong": 2500, "steady": 1200, "slipping": 900, "struggling": 600}
MORALE = {"strong": (5, 4, 5, 4, 5, 4), "steady": (4, 3, 4, 4, 3, 4), "slipping": (3, 3, 4, 3, 4, 4),
          "struggling": (2, 3, 3, 4, 3, 4)}
PROGRESS = (
    "Closed two new customers and ran a pricing test with five more.",
    "Shipped the new booking flow; field visits in two provinces.",
    "Interviewed eight customers; the main complaint is delivery time.",
    "Hired a part-time accountant and cleaned up the books.",
    "Pitched at the bank's SME day; two follow-up meetings booked.",
    "Fixed the payment bug and trained the sales team.",
)
BLOCKERS = ("", "Waiting for the commune's permit.", "", "Supplier delayed the parts by two weeks.", "", "")


def _at(day: date, zone: ZoneInfo, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour, 0), tzinfo=zone).astimezone(timezone.utc)


def load_progress(manager: User, programs: User, founder: User, cohort: Cohort, today: date, zone: ZoneInfo) -> None:
    """Give the running cohort its plan, KPIs, check-ins and help requests (see the module docstring)."""
    startups = db.session.scalars(sa.select(Startup).where(Startup.cohort_id == cohort.id,
                                                           Startup.status == StartupStatus.ACTIVE)
                                  .order_by(Startup.name)).all()
    set_exchange_rate(manager, cohort, 4100)
    farmers = add_metric(manager, cohort, "Farmers reached", "farmers", "count")
    start = cohort.starts_on
    plan = [("Company registered", start + timedelta(days=21), None, "Registered with the Ministry of Commerce."),
            ("30 customer interviews", start + timedelta(days=45), 30, "Notes from 30 interviews with buyers."),
            ("MVP live", start + timedelta(days=75), None, "The product works for paying customers."),
            ("First paying customer", start + timedelta(days=100), None, "An invoice paid by a real customer."),
            ("Seed round closed", cohort.ends_on - timedelta(days=14), 50_000, "Money in the bank.")]
    for title, due, target, description in plan:
        create_template(manager, cohort, {"title": title, "due_on": due, "target_value": target,
                                          "target_unit": "interviews" if target == 30 else ("USD" if target else ""),
                                          "description": description})
    for name in RIEL_STARTUPS:
        riel = next((s for s in startups if s.name == name), None)
        if riel is not None:
            update_startup(manager, riel, {"currency": "KHR"})
    for index, startup in enumerate(startups):
        profile = PROFILES.get(startup.name, "steady")
        actor = founder if startup.name == "Kasekor Cold Chain" else programs
        _milestones(manager, actor, startup, profile, zone)
        _kpis(actor, startup, profile, index, today, zone, farmers.id if startup.sector == "agritech" else None)
        _checkins(manager, programs, actor, startup, profile, index, today, zone)
    db.session.flush()
    _backdate_history(cohort)


def _backdate_history(cohort: Cohort) -> None:
    """Date each history line like the change it records (the services wrote them all "now")."""
    changes = db.session.scalars(
        sa.select(MilestoneChange).join(Milestone).join(Startup).where(Startup.cohort_id == cohort.id)
    ).all()
    for change in changes:
        milestone = change.milestone
        if change.field == "created":
            change.created_at = milestone.created_at
        elif change.field == "verification" and change.new_value in ("verified", "sent_back"):
            change.created_at = milestone.verified_at or change.created_at
        elif milestone.done_at or milestone.verified_at:
            change.created_at = milestone.done_at or milestone.verified_at - timedelta(days=2)
        else:
            change.created_at = milestone.created_at + timedelta(days=10)
    db.session.flush()


def _milestones(manager: User, actor: User, startup: Startup, profile: str, zone: ZoneInfo) -> None:
    mine = {m.title: m for m in db.session.scalars(sa.select(Milestone).where(Milestone.startup_id == startup.id))}
    for milestone in mine.values():
        milestone.created_at = _at(startup.cohort.starts_on, zone, 9)  # the plan was given out on day one
    slug = "".join(ch for ch in startup.name.lower() if ch.isalnum())
    link = f"https://{slug}.example.com/evidence"

    def done(title: str, verified: bool | None, offset_days: int = -3, comment: str = "") -> None:
        milestone = mine[title]
        update_milestone(actor, milestone, {"status": "done", "evidence_url": f"{link}/{len(title)}"})
        if verified is not None:
            verify_milestone(manager, milestone, approve=verified, comment=comment)
        # Move the stamps back to when it happened, so the burn-up reads like a real programme.
        milestone.done_at = milestone.done_at and _at(milestone.due_on + timedelta(days=offset_days), zone)
        if milestone.verified_at:
            milestone.verified_at = _at(milestone.due_on + timedelta(days=offset_days + 2), zone, 15)

    if startup.name == "Kasekor Cold Chain":
        pdf = pitch_deck_pdf("Kasekor: 30 interviews", ["Summary of 30 buyer interviews", "Battambang, 2026"])
        attach_evidence(actor, mine["30 customer interviews"], io.BytesIO(pdf), "interview-summary.pdf")
    if profile != "struggling":
        done("Company registered", True, comment="Certificate checked.")
    if profile == "strong":
        done("30 customer interviews", True, comment="Great notes.")
    elif profile == "steady" and startup.name != "MediQueue":
        done("30 customer interviews", None)
    elif startup.name == "MediQueue":
        done("30 customer interviews", False, comment="Only 18 interviews are in the notes; add the other 12.")
    elif profile == "slipping":
        update_milestone(actor, mine["30 customer interviews"], {"status": "in_progress"})
    if profile in ("strong", "steady"):
        update_milestone(actor, mine["MVP live"], {"status": "in_progress"})
    if startup.name in FIRST_CUSTOMER:
        done("First paying customer", True, offset_days=-60, comment="Invoice seen.")
    if startup.name == "Kasekor Cold Chain":
        room = create_milestone(actor, startup, {"title": "Fourth cold room open in Pursat",
                                                 "due_on": mine["MVP live"].due_on + timedelta(days=20),
                                                 "description": "Lease signed, panels installed, 30 farmers renting."})
        update_milestone(actor, room, {"status": "in_progress"})
        room.created_at = _at(startup.cohort.starts_on + timedelta(days=30), zone)


def _kpis(actor: User, startup: Startup, profile: str, index: int, today: date, zone: ZoneInfo,
          farmers_metric: int | None) -> None:
    months = range(-7, -1) if profile == "struggling" else range(-7, 0)
    scale = 4100 if startup.currency == "KHR" else 1
    for step, offset in enumerate(months):
        month = add_months(today.replace(day=1), offset)
        growth = (1 + GROWTH[profile]) ** step
        dropped = profile == "struggling" and offset == months[-1]
        revenue = (BASE_USD[profile] + 150 * index) * growth * (0.6 if dropped else 1)
        full_time = 2 + index % 4 + step // 3
        part_time = 1 + index % 3
        values = {
            "revenue": int(revenue) * 100 * scale,
            "paying_customers": int((8 + 2 * index) * growth),
            "active_users": int((60 + 25 * index) * growth * (1.1 if profile == "strong" else 1)),
            "employees_full_time": full_time, "employees_full_time_women": min(full_time, 1 + index % 3),
            "employees_part_time": part_time, "employees_part_time_women": min(part_time, index % 2 + 1),
            "funding_raised": 2_500_000 * scale if profile == "strong" and step == 4 else 0,
            "cash_in_bank": (4000 + 900 * step + 300 * index) * 100 * scale,
        }
        custom = {farmers_metric: 90 + 15 * step + 5 * index} if farmers_metric else {}
        report = submit_kpis(actor, startup, month, values, custom)
        sent = _at(add_months(month, 1) + timedelta(days=4 + index % 5), zone)
        report.created_at = sent
        report.versions[0].submitted_at = sent
        if startup.name == "Kasekor Cold Chain" and offset == -2:
            version = correct_kpis(actor, report, values | {"revenue": values["revenue"] + 42_000}, custom,
                                   "Two invoices from the Pursat room were booked late.")
            version.submitted_at = sent + timedelta(days=9)
    db.session.flush()


def _checkins(manager: User, programs: User, actor: User, startup: Startup, profile: str, index: int, today: date,
              zone: ZoneInfo) -> None:
    weeks = {"strong": range(0, 6), "steady": range(0, 6), "slipping": range(1, 6), "struggling": range(3, 7)}[profile]
    if startup.name in ("Kasekor Cold Chain", "Dey Eth Pottery"):
        # Kasekor's check-in for this week is left for the demo founder to fill in.
        weeks = range(1, 7) if startup.name == "Kasekor Cold Chain" else range(0, 6)
    now = datetime.now(timezone.utc)
    monday = week_start(today)
    for w in weeks:
        moment = min(_at(monday - timedelta(weeks=w) + timedelta(days=2), zone), now - timedelta(minutes=5))
        moment = max(moment, _at(monday - timedelta(weeks=w), zone, 0) + timedelta(minutes=1))
        data = {"progress": PROGRESS[(index + w) % len(PROGRESS)], "blockers": BLOCKERS[(index + w) % len(BLOCKERS)],
                "morale": MORALE[profile][(w - weeks[0]) % 6], "help_text": "", "help_tags": []}
        help_resolution = None
        if startup.name == "Kasekor Cold Chain" and w == 2:
            data |= {"help_text": "We need a lawyer to check the land lease for the Pursat cold room.",
                     "help_tags": ["legal"]}
            help_resolution = ("Chanthou introduced you to the legal aid clinic at the Chamber of Commerce; they "
                               "will review the lease on Thursday.")
        elif startup.name in ("Dey Eth Pottery", "TukTuk Track") and w == weeks[0]:
            data |= {"help_text": "Cash is tight until the next big order; can we talk about the grant options?",
                     "help_tags": ["finance", "fundraising"]}
        elif startup.name == "Rean Khmer" and w == 0:
            data |= {"help_text": "Looking for a part-time Android developer in Siem Reap.", "help_tags": ["hiring"]}
        checkin = submit_checkin(actor, startup, data, now=moment)
        checkin.created_at = checkin.updated_at = moment
        if help_resolution:
            resolve_help(programs, checkin, help_resolution)
            checkin.help_resolved_at = moment + timedelta(days=1)
    db.session.flush()
