"""What the PDFs say, read back with pypdf: figures match the database, hidden sections are absent, Khmer is text."""
from __future__ import annotations

from datetime import date

import pytest
from pypdf import PdfReader

from incubator.core.uploads import upload_path
from incubator.extensions import db
from incubator.progress.periods import add_months, month_start
from incubator.reports.generation import generate_cohort_report, generate_onepager
from incubator.reports.models import InvestorProfile
from incubator.reports.services import set_consent
from tests.factories import StartupFactory, TeamMemberFactory
from tests.reports.conftest import KHMER_TAGLINE, has_khmer_word, kpi, pdf_text, share_everything, verified_milestone


def test_one_pager_pdf_shows_the_databases_figures(manager, figures):
    share_everything(figures, contact_email="invest@kasekor.example.com", tagline="Cold rooms for farmers",
                     problem="Farmers lose a third of the harvest.", solution="Solar cold rooms by the day.",
                     ask_minor=15_000_000, ask_currency="USD", ask_instrument="safe")
    snapshot = generate_onepager(manager, figures, "en")

    reader = PdfReader(upload_path(snapshot.pdf_path))
    text = "\n".join(page.extract_text() for page in reader.pages)
    last_month = add_months(month_start(date.today()), -1)
    assert "Kasekor Cold Chain" in text
    assert "$4,213.37" in text  # last month's revenue, 421,337 cents
    assert "$3,100.50" in text and "$2,500.00" in text  # the earlier months, in the KPI table
    assert "Employees (4 women)" in text  # 6 + 2 employees of whom 3 + 1 women
    assert f"{last_month:%B %Y}" in text
    assert "First paying customer" in text and "Company registered" in text
    assert "Raising now: $150,000.00" in text and "$50,000.00" in text
    assert "invest@kasekor.example.com" in text
    assert "Sreyleak Touch" in text
    # A designed document: A4 pages, numbered, dated, with the incubator's name.
    assert [round(float(v)) for v in reader.pages[0].mediabox[2:]] == [595, 842]
    assert f"Page 1 / {len(reader.pages)}" in text
    assert "Technology Business Incubator" in text
    assert "Generated " in text and "figures as of" in text
    assert snapshot.pdf_bytes == upload_path(snapshot.pdf_path).stat().st_size


def test_hidden_sections_are_not_in_the_pdf(manager, figures):
    db.session.add(InvestorProfile(startup_id=figures.id, shared_sections=[], contact_email="secret@kasekor.example",
                                   problem="Farmers lose a third of the harvest."))
    db.session.flush()
    set_consent(manager, figures, ["company", "milestones"])
    snapshot = generate_onepager(manager, figures, "en")

    text = pdf_text(snapshot.pdf_path)
    assert "First paying customer" in text and "Battambang" in text
    for absent in ("secret@kasekor.example", "$4,213.37", "Two Phnom Penh angels", "$50,000.00", "Sreyleak Touch",
                   "Farmers lose a third", "Traction", "Contact", "Mentor endorsements"):
        assert absent not in text, absent
    # Nor in the stored data that the page and the CSV are made from.
    assert set(snapshot.data) >= {"company", "milestones"}
    assert not {"traction", "contact", "funding", "team", "problem_solution"} & set(snapshot.data)


def test_khmer_text_is_shaped_and_extractable(manager, figures):
    share_everything(figures, tagline=KHMER_TAGLINE, problem="កសិករបាត់បង់ផលដំណាំ", solution="បន្ទប់ត្រជាក់")
    snapshot = generate_onepager(manager, figures, "km")

    text = pdf_text(snapshot.pdf_path)
    # Words without marks drawn before their consonant come out exactly.
    for word in ("កសិករ", "បាត់ដំបង"):
        assert word in text, word
    # Every word keeps all its letters, none lost or added (marks in the order they are drawn).
    for word in [*KHMER_TAGLINE.split(), "កសិករបាត់បង់ផលដំណាំ", "បន្ទប់ត្រជាក់"]:
        assert has_khmer_word(text, word), word
    assert not has_khmer_word(text, "ព្រះរាជាណាចក្រ")
    # The report's own figures and dates are in Khmer.
    assert "$" in text and any("\u1780" <= ch <= "\u17ff" for ch in text)
    fonts = {str(font) for page in PdfReader(upload_path(snapshot.pdf_path)).pages
             for font in page["/Resources"]["/Font"].values() for font in [font.get_object()["/BaseFont"]]}
    assert any("Incubator-Report-Sans" in name for name in fonts)  # the bundled Noto Sans Khmer, not a system font


def test_cohort_report_pdf_figures_match_the_database(manager, cohort, figures):
    other = StartupFactory(cohort=cohort, name="Solar Srok", sector="clean_energy", province="kampong_cham")
    TeamMemberFactory(startup=other, name="Piseth Nhem", gender="male", is_founder=True)
    TeamMemberFactory(startup=figures, name="Sokha Chan", gender="female", is_founder=True)
    this_month = month_start(date.today())
    kpi(other, add_months(this_month, -2), currency="KHR", revenue=410_000_000, employees_full_time=2,
        employees_full_time_women=0, employees_part_time=0, employees_part_time_women=0)
    verified_milestone(other, "Pilot installed")

    snapshot = generate_cohort_report(manager, cohort, "en")
    text = pdf_text(snapshot.pdf_path)
    data = snapshot.data
    # Jobs now: Kasekor's latest (6 + 2) + Solar Srok's only report (2); at start: 5 + 2.
    assert (data["kpis"]["employees_now"], data["kpis"]["employees_start"]) == (10, 7)
    assert "Jobs now (7 at start)" in text
    # Revenue now: $4,213.37 + 4,100,000 riel (minor units: hundredths) at 4,100 = $1,000.00.
    assert data["kpis"]["revenue_now"] == 521_337
    assert "$5,213.37" in text
    assert "Milestones achieved (of 3)" in text and data["milestones"]["verified"] == 3
    assert "Founders by gender" in text and "Female" in text and "Male" in text
    assert "Agritech" in text and "Clean energy" in text
    assert "4,100 riel to the dollar" in text
    # Funding raised from the KPI reports in the period (10,000 dollars last month).
    assert "$10,000.00" in text


@pytest.mark.parametrize("locale", ["en", "km"])
def test_cohort_report_in_each_language(manager, cohort, figures, locale):
    snapshot = generate_cohort_report(manager, cohort, locale)
    text = pdf_text(snapshot.pdf_path)
    assert "Cohort Mekong" in text
    if locale == "km":
        assert any("\u1780" <= ch <= "\u17ff" for ch in text)  # dates and labels in Khmer
