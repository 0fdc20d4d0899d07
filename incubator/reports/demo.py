"""Reports in the demo: investor profiles (one in Khmer), funding rounds, a few snapshots and their shares.

Only four PDFs are rendered (two one-pagers, the cohort report in English and Khmer), so ``flask demo``
stays quick; the monthly job makes the rest.
"""
from __future__ import annotations

from datetime import date, timedelta

import sqlalchemy as sa

from incubator.cohorts.models import Startup
from incubator.extensions import db
from incubator.reports import services
from incubator.reports.generation import gather_cohort_report, gather_onepager, render_snapshot_files, store_snapshot
from incubator.reports.models import ReportSource, ShareKind
from incubator.reports.sections import SECTIONS

ENGLISH = {
    "startup": "Kasekor Cold Chain",
    "profile": {
        "tagline": "Solar cold rooms that let Battambang farmers sell their harvest a week later, at a better price.",
        "problem": "Smallholder farmers lose up to a third of their vegetables within two days of harvest: there "
                   "is no cold storage outside the provincial towns, so they sell at once to the first trader.",
        "solution": "Solar-powered cold rooms in the villages, rented by the crate and by the day through a "
                    "mobile app, with a collection service to Phnom Penh buyers.",
        "ask_minor": 15_000_000, "ask_currency": "USD", "ask_instrument": "safe",
        "use_of_funds": "Ten more cold rooms in Battambang and Pursat, and two field technicians.",
        "contact_name": "Sokha Chan", "contact_email": "founder@example.com", "contact_phone": "+855 12 345 678",
    },
    "sections": [key for key in SECTIONS if key != "endorsements"],
    "rounds": [("grant", 300, 2_000_000, "USD", "Techo Startup Center grant"),
               ("angel", 120, 5_000_000, "USD", "Two Phnom Penh angels")],
}
KHMER = {
    "startup": "Rean Khmer",
    "profile": {
        "tagline": "កម្មវិធីរៀនអានភាសាខ្មែរ សម្រាប់កុមារនៅតាមសាលារៀនរដ្ឋ",
        "problem": "កុមារជាច្រើននៅជនបទ មិនទាន់អានបានល្អ នៅចុងថ្នាក់ទីបី ហើយគ្រូមិនមានពេលគ្រប់គ្រាន់ ដើម្បីជួយម្នាក់ៗ។",
        "solution": "កម្មវិធីទូរស័ព្ទដែលប្រើបានដោយគ្មានអ៊ីនធឺណិត មានមេរៀនសំឡេង និងល្បែងអាន ដែលគ្រូអាចតាមដានវឌ្ឍនភាព។",
        "ask_minor": 200_000_000, "ask_currency": "KHR", "ask_instrument": "grant",
        "use_of_funds": "ពង្រីកទៅសាលារៀន ៣០ បន្ថែមទៀត នៅខេត្តសៀមរាប។",
        "contact_name": "Sreymom Keo", "contact_email": "sreymom.keo@example.com", "contact_phone": "",
    },
    "sections": ["company", "team", "problem_solution", "traction", "milestones", "funding", "contact"],
    "rounds": [("prize", 200, 40_000_000, "KHR", "ការប្រកួតគំនិតអាជីវកម្ម")],
}


def _startup(name: str, cohort_id: int) -> Startup | None:
    return db.session.scalar(sa.select(Startup).where(Startup.name == name, Startup.cohort_id == cohort_id))


def _profile(manager, startup: Startup, spec: dict, today: date) -> None:
    services.save_profile(manager, startup, spec["profile"])
    services.set_consent(manager, startup, spec["sections"])
    for kind, days_ago, amount, currency, investors in spec["rounds"]:
        services.add_round(manager, startup, {"kind": kind, "closed_on": today - timedelta(days=days_ago),
                                              "amount_minor": amount, "currency": currency, "investors": investors})


def _snapshot(manager, draft):
    return store_snapshot(manager, render_snapshot_files(draft), ReportSource.DEMO)


def load_demo(context) -> None:
    """Investor profiles for two running startups, their one-pagers, the cohort report and some shares.

    :param context: the core demo's ``DemoContext``.
    """
    manager, investor, today = context.people["manager"], context.people["investor"], context.today
    english = _startup(ENGLISH["startup"], context.running.id)
    khmer = _startup(KHMER["startup"], context.running.id)
    if english is None or khmer is None:
        return
    _profile(manager, english, ENGLISH, today)
    _profile(manager, khmer, KHMER, today)
    db.session.flush()

    onepager = _snapshot(manager, gather_onepager(english, "en", today))
    _snapshot(manager, gather_onepager(khmer, "km", today))
    cohort_en = _snapshot(manager, gather_cohort_report(context.running, "en", today))
    _snapshot(manager, gather_cohort_report(context.running, "km", today))

    services.create_share(manager, onepager, ShareKind.ACCOUNT, today + timedelta(days=30), recipient=investor)
    services.create_share(manager, cohort_en, ShareKind.ACCOUNT, today + timedelta(days=90), recipient=investor)
    services.create_share(manager, onepager, ShareKind.LINK, today + timedelta(days=14),
                          label="Mekong Angels, Demo Day follow-up")
    old_link = services.create_share(manager, onepager, ShareKind.LINK, today + timedelta(days=7),
                                     label="Bank SME desk")
    services.revoke_share(manager, old_link)
