"""Founders' investor profile: details, consent per section, funding rounds, and the preview of what is shared."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from incubator.audit.models import AuditEntry
from incubator.core.errors import ServiceError
from incubator.extensions import db
from incubator.reports import services
from incubator.reports.models import FundingRound, InvestorProfile
from incubator.reports.onepager import profile_for
from incubator.reports.sections import DEFAULT_SECTIONS
from tests.factories import ApplicationFactory, StartupFactory, founder_of


def _profile(startup) -> InvestorProfile:
    db.session.expire_all()
    return db.session.scalar(sa.select(InvestorProfile).where(InvestorProfile.startup_id == startup.id))


def test_a_new_profile_starts_from_the_application_and_shares_little(cohort):
    application = ApplicationFactory(cohort=cohort, problem="Harvest lost.", solution="Cold rooms.")
    startup = StartupFactory(cohort=cohort, application_id=application.id)
    profile = profile_for(startup)
    assert profile.id is None  # nothing saved until the founders save
    assert (profile.problem, profile.solution) == ("Harvest lost.", "Cold rooms.")
    assert profile.shared_sections == list(DEFAULT_SECTIONS)


def test_founder_saves_the_profile_on_the_web(client, login, founder, startup):
    login(founder)
    page = client.get(f"/reports/startups/{startup.id}/profile")
    assert page.status_code == 200 and "What investors may see" in page.get_data(as_text=True)
    response = client.post(f"/reports/startups/{startup.id}/profile", data={
        "tagline": "Cold rooms", "problem": "Harvest lost.", "solution": "Solar cold rooms.", "ask_amount": "1500.5",
        "ask_currency": "USD", "ask_instrument": "safe", "use_of_funds": "Ten rooms", "contact_name": "Sokha",
        "contact_email": "sokha@example.org", "contact_phone": "+855 12 000 000"})
    assert response.status_code == 302
    profile = _profile(startup)
    assert (profile.tagline, profile.ask_minor, profile.ask_currency, profile.ask_instrument) == \
        ("Cold rooms", 150_050, "USD", "safe")
    assert profile.contact_email == "sokha@example.org"
    assert db.session.scalar(sa.select(AuditEntry.action).where(AuditEntry.target_id == startup.id)
                             .order_by(AuditEntry.id.desc()).limit(1)) == "investor_profile.updated"


def test_profile_form_errors_keep_what_was_typed(client, login, founder, startup):
    login(founder)
    response = client.post(f"/reports/startups/{startup.id}/profile", data={
        "tagline": "Kept", "ask_amount": "-5", "ask_currency": "USD", "ask_instrument": "", "contact_email": "nope"})
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert 'value="Kept"' in body and "Invalid email address." in body
    assert _profile(startup) is None


def test_consent_is_per_section_and_recorded(client, login, founder, startup):
    login(founder)
    response = client.post(f"/reports/startups/{startup.id}/consent", data={"sections": ["team", "traction",
                                                                                        "contact"]})
    assert response.status_code == 302
    profile = _profile(startup)
    assert profile.shared_sections == ["team", "traction", "contact"]
    assert profile.consent_updated_by_id == founder.id and profile.consent_updated_at is not None
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "investor_profile.consent_changed"))
    assert entry.details == {"before": list(DEFAULT_SECTIONS), "after": ["team", "traction", "contact"]}
    # Nothing ticked is a valid choice: investors then see the header only.
    assert client.post(f"/reports/startups/{startup.id}/consent", data={}).status_code == 302
    assert _profile(startup).shared_sections == []
    # An unknown section is refused by the form.
    assert client.post(f"/reports/startups/{startup.id}/consent",
                       data={"sections": ["team", "bank_statements"]}).status_code == 422


def test_preview_shows_exactly_what_investors_see(client, login, founder, manager, figures):
    db.session.add(InvestorProfile(startup_id=figures.id, shared_sections=["company", "milestones"],
                                   contact_email="secret@kasekor.example"))
    db.session.commit()
    login(founder)
    body = client.get(f"/reports/startups/{figures.id}/preview").get_data(as_text=True)
    assert "First paying customer" in body and "Battambang" in body
    assert "secret@kasekor.example" not in body and "$4,213.37" not in body
    assert "Not shared with investors" in body  # the hidden sections, as placeholders
    # A founder cannot ask for every section; a manager can.
    assert "$4,213.37" not in client.get(f"/reports/startups/{figures.id}/preview?all=1").get_data(as_text=True)
    client.post("/auth/logout")
    login(manager)
    everything = client.get(f"/reports/startups/{figures.id}/preview?all=1").get_data(as_text=True)
    assert "secret@kasekor.example" in everything and "$4,213.37" in everything
    khmer = client.get(f"/reports/startups/{figures.id}/preview?lang=km").get_data(as_text=True)
    assert 'lang="km"' in khmer


def test_funding_rounds(client, login, founder, startup):
    login(founder)
    response = client.post(f"/reports/startups/{startup.id}/rounds", data={
        "kind": "seed", "closed_on": (date.today() - timedelta(days=10)).isoformat(), "amount": "25000",
        "currency": "USD", "investors": "Mekong Angels"})
    assert response.status_code == 302
    funding_round = db.session.scalar(sa.select(FundingRound).where(FundingRound.startup_id == startup.id))
    assert (funding_round.kind, funding_round.amount_minor, funding_round.investors) == \
        ("seed", 2_500_000, "Mekong Angels")
    future = client.post(f"/reports/startups/{startup.id}/rounds", data={
        "kind": "seed", "closed_on": (date.today() + timedelta(days=10)).isoformat(), "amount": "5",
        "currency": "USD"})
    assert future.status_code == 422 and "cannot be in the future" in future.get_data(as_text=True)
    assert client.post(f"/reports/rounds/{funding_round.id}/delete").status_code == 302
    assert db.session.scalar(sa.select(sa.func.count(FundingRound.id))) == 0


@pytest.mark.parametrize(("data", "field"), [
    ({"kind": "lottery"}, "kind"), ({"currency": "EUR"}, "currency"), ({"amount_minor": 0}, "amount"),
    ({"closed_on": None}, "closed_on"),
])
def test_round_rules(manager, startup, data, field):
    valid = {"kind": "grant", "closed_on": date.today(), "amount_minor": 100, "currency": "USD"}
    with pytest.raises(ServiceError) as refused:
        services.add_round(manager, startup, valid | data)
    assert field in refused.value.fields


def test_other_founders_cannot_touch_the_profile(client, login, cohort, startup):
    stranger = founder_of(StartupFactory(cohort=cohort))
    login(stranger)
    assert client.get(f"/reports/startups/{startup.id}/profile").status_code == 403
    assert client.post(f"/reports/startups/{startup.id}/consent", data={"sections": ["contact"]}).status_code == 403
    assert _profile(startup) is None


def test_founder_nav_goes_to_their_profile(client, login, founder, startup):
    login(founder)
    response = client.get("/reports/mine")
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/startups/{startup.id}/profile")
