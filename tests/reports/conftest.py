"""Fixtures for the reports tests: a running cohort with figures, its people, and PDF text extraction."""
from __future__ import annotations

import io
import unicodedata
from datetime import date, datetime, timedelta, timezone

import pytest
from pypdf import PdfReader

from incubator.auth.models import Role
from incubator.cohorts.models import CohortStatus, TeamMember
from incubator.core.uploads import upload_path
from incubator.extensions import db
from incubator.progress.models import KpiReport, KpiVersion, Milestone, MilestoneStatus, Verification
from incubator.progress.periods import add_months, month_start
from incubator.reports.models import FundingRound, InvestorProfile
from incubator.reports.sections import SECTIONS
from tests.factories import CohortFactory, StartupFactory, UserFactory, founder_of

KHMER_TAGLINE = "កសិករ ត្រជាក់ សម្រាប់ខេត្តបាត់ដំបង"


def kpi(startup, month: date, currency: str = "USD", **values) -> KpiVersion:
    """A KPI report (version 1) for ``startup`` and ``month`` with the given figures (money in minor units)."""
    figures = {"revenue": 100_000, "paying_customers": 10, "active_users": 100, "employees_full_time": 3,
               "employees_full_time_women": 1, "employees_part_time": 1, "employees_part_time_women": 1,
               "funding_raised": 0, "cash_in_bank": 500_000}
    figures.update(values)
    report = KpiReport(startup_id=startup.id, month=month)
    db.session.add(report)
    db.session.flush()
    version = KpiVersion(report_id=report.id, version=1, currency=currency, **figures)
    db.session.add(version)
    db.session.flush()
    return version


def verified_milestone(startup, title: str, verified_at: datetime | None = None) -> Milestone:
    milestone = Milestone(startup_id=startup.id, title=title, due_on=date.today(), status=MilestoneStatus.DONE,
                          verification=Verification.VERIFIED,
                          verified_at=verified_at or datetime.now(timezone.utc) - timedelta(days=3))
    db.session.add(milestone)
    db.session.flush()
    return milestone


def share_everything(startup, **fields) -> InvestorProfile:
    profile = InvestorProfile(startup_id=startup.id, shared_sections=list(SECTIONS), **fields)
    db.session.add(profile)
    db.session.flush()
    return profile


def pdf_text(relative_path: str) -> str:
    """The text of every page of a stored PDF, as pypdf extracts it."""
    reader = PdfReader(io.BytesIO(upload_path(relative_path).read_bytes()))
    return "\n".join(page.extract_text() for page in reader.pages)


def has_khmer_word(text: str, word: str) -> bool:
    """Whether ``text`` holds ``word`` with all its letters and no other, in any order within the word.

    The PDF's text layer keeps Khmer marks in the order they are drawn (a vowel or subscript drawn before its
    consonant comes first; see ``incubator/reports/pdf.py``), and extraction may add spaces inside a word.
    """
    letters = "".join(ch for ch in text if not unicodedata.category(ch).startswith("Z") and ch not in "\n\t")
    wanted = sorted(word.replace(" ", ""))
    size = len(wanted)
    return any(sorted(letters[i:i + size]) == wanted for i in range(len(letters) - size + 1))


@pytest.fixture
def manager():
    return UserFactory(role=Role.MANAGER, name="Maly Manager")


@pytest.fixture
def investor():
    return UserFactory(role=Role.INVESTOR, name="Ivy Investor")


@pytest.fixture
def cohort():
    today = date.today()
    return CohortFactory(status=CohortStatus.RUNNING, starts_on=add_months(month_start(today), -4),
                         ends_on=today + timedelta(days=120), name="Cohort Mekong")


@pytest.fixture
def startup(cohort):
    startup = StartupFactory(cohort=cohort, name="Kasekor Cold Chain", sector="agritech", stage="early_revenue",
                             province="battambang", website="https://kasekor.example.com",
                             founded_on=date(2024, 7, 1))
    db.session.add(TeamMember(startup_id=startup.id, name="Sreyleak Touch", role_title="Operations lead",
                              gender="female"))
    db.session.flush()
    return startup


@pytest.fixture
def founder(startup):
    return founder_of(startup, name="Sokha Chan")


@pytest.fixture
def figures(startup):
    """Three months of KPIs, two verified milestones and a funding round for ``startup``."""
    this_month = month_start(date.today())
    kpi(startup, add_months(this_month, -3), revenue=250_000, paying_customers=20, active_users=300,
        employees_full_time=4, employees_full_time_women=2, employees_part_time=1)
    kpi(startup, add_months(this_month, -2), revenue=310_050, paying_customers=24, active_users=350,
        employees_full_time=5, employees_full_time_women=2, employees_part_time=1)
    kpi(startup, add_months(this_month, -1), revenue=421_337, paying_customers=31, active_users=402,
        employees_full_time=6, employees_full_time_women=3, employees_part_time=2, employees_part_time_women=1,
        funding_raised=1_000_000)
    verified_milestone(startup, "First paying customer")
    verified_milestone(startup, "Company registered")
    db.session.add(FundingRound(startup_id=startup.id, kind="angel", closed_on=date.today() - timedelta(days=60),
                                amount_minor=5_000_000, currency="USD", investors="Two Phnom Penh angels"))
    db.session.flush()
    return startup
