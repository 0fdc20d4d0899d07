"""The public application form: open cohorts only, PDF decks checked by content, confirmation email."""
from __future__ import annotations

import io
import re
from datetime import datetime, timedelta, timezone

import pytest
import sqlalchemy as sa

from incubator.applications.models import Application, ApplicationFounder
from incubator.cohorts.models import CohortStatus
from incubator.extensions import db
from incubator.notifications.models import OutboxMessage
from tests.factories import ApplicationFactory, CohortFactory, StartupFactory


def form(deck: bytes, name: str = "deck.pdf", **overrides) -> dict:
    data = {
        "startup_name": "Num Pang Labs", "sector": "food", "stage": "prototype", "province": "kampot",
        "problem": "Pepper farmers sell raw.", "solution": "Branded pepper snacks.", "traction": "3 shops",
        "team": "Two food engineers", "website": "",
        "founders-0-name": "Sokha Chan", "founders-0-email": "sokha@example.org", "founders-0-gender": "female",
        "founders-1-name": "Dara Pich", "founders-1-email": "dara@example.org", "founders-1-gender": "male",
        "founders-2-name": "", "founders-2-email": "", "founders-2-gender": "undisclosed",
        "pitch_deck": (io.BytesIO(deck), name),
    }
    data.update(overrides)
    return data


def _count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


@pytest.fixture
def cohort():
    return CohortFactory(status=CohortStatus.OPEN, capacity=3)


def test_apply_success_stores_application_and_emails_status_link(client, cohort, pdf_bytes):
    response = client.post(f"/apply/{cohort.id}", data=form(pdf_bytes), content_type="multipart/form-data")
    assert response.status_code == 302 and response.headers["Location"].endswith("/thanks")
    application = db.session.scalar(sa.select(Application))
    assert application.contact_email == "sokha@example.org" and len(application.founders) == 2
    assert application.pitch_deck_path.endswith(".pdf")
    message = db.session.scalar(sa.select(OutboxMessage))
    assert message.to_email == "sokha@example.org"
    link = re.search(r"(/apply/status/\S+)", message.body_text).group(1)
    status_page = client.get(link)
    assert status_page.status_code == 200 and "Under review" in status_page.get_data(as_text=True)


def test_status_link_tampered(client):
    assert client.get("/apply/status/not-a-token").status_code == 404


@pytest.mark.parametrize("deck,name,message", [
    (b"GIF89a not a pdf", "deck.pdf", "must be a PDF"),
    (b"%PDF-1.4 truncated garbage", "deck.pdf", "must be a PDF"),
    (b"", "deck.pdf", "The file is empty"),
])
def test_bad_decks_are_refused_and_nothing_saved(client, cohort, deck, name, message):
    response = client.post(f"/apply/{cohort.id}", data=form(deck, name), content_type="multipart/form-data")
    assert response.status_code in (200, 422)
    assert message in response.get_data(as_text=True)
    assert _count(Application) == 0 and _count(ApplicationFounder) == 0 and _count(OutboxMessage) == 0


def test_deck_with_wrong_extension(client, cohort, pdf_bytes):
    response = client.post(f"/apply/{cohort.id}", data=form(pdf_bytes, "deck.exe"), content_type="multipart/form-data")
    assert response.status_code == 422 and "PDF files only" in response.get_data(as_text=True)


def test_oversized_deck(client, cohort, pdf_bytes, app):
    big = pdf_bytes + b"%" * app.config["PITCH_DECK_MAX_BYTES"]
    response = client.post(f"/apply/{cohort.id}", data=form(big), content_type="multipart/form-data")
    assert "larger than 10 MB" in response.get_data(as_text=True)
    assert _count(Application) == 0


@pytest.mark.parametrize("overrides,message", [
    ({"startup_name": ""}, "This field is required"),
    ({"problem": "x" * 3001}, "Field cannot be longer"),
    ({"founders-0-name": "", "founders-0-email": "", "founders-1-name": "", "founders-1-email": ""},
     "Name at least one founder"),
    ({"founders-1-email": "not-an-email"}, "Invalid email"),
    ({"founders-1-email": ""}, "Founder 2: give both a name and an email"),
    ({"founders-1-email": "sokha@example.org"}, "Founder 2 uses the same email as founder 1"),
    ({"sector": "mining"}, "Not a valid choice"),
    ({"website": "javascript:alert(1)"}, "Invalid URL"),
])
def test_form_errors_in_place(client, cohort, pdf_bytes, overrides, message):
    response = client.post(f"/apply/{cohort.id}", data=form(pdf_bytes, **overrides), content_type="multipart/form-data")
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert _count(Application) == 0


@pytest.mark.parametrize("status", [CohortStatus.PLANNING, CohortStatus.RUNNING, CohortStatus.COMPLETED])
def test_closed_cohort_refuses(client, pdf_bytes, status):
    cohort = CohortFactory(status=status)
    assert client.get(f"/apply/{cohort.id}").status_code == 409
    response = client.post(f"/apply/{cohort.id}", data=form(pdf_bytes), content_type="multipart/form-data")
    assert response.status_code == 409 and "not accepting applications" in response.get_data(as_text=True)
    assert _count(Application) == 0


def test_deadline_passed_refuses(client, pdf_bytes):
    cohort = CohortFactory(applications_close_at=datetime.now(timezone.utc) - timedelta(minutes=1))
    response = client.post(f"/apply/{cohort.id}", data=form(pdf_bytes), content_type="multipart/form-data")
    assert response.status_code == 409


def test_full_cohort_refuses(client, cohort, pdf_bytes):
    for _ in range(cohort.capacity):
        StartupFactory(cohort=cohort, application_id=ApplicationFactory(cohort=cohort).id)
    response = client.post(f"/apply/{cohort.id}", data=form(pdf_bytes), content_type="multipart/form-data")
    assert response.status_code == 409 and "is full" in response.get_data(as_text=True)


def test_open_calls_lists_only_open(client):
    CohortFactory(name="Open Call A", status=CohortStatus.OPEN)
    CohortFactory(name="Running B", status=CohortStatus.RUNNING)
    body = client.get("/apply/").get_data(as_text=True)
    assert "Open Call A" in body and "Running B" not in body


def test_unknown_cohort_is_404(client):
    assert client.get("/apply/999999").status_code == 404


def test_second_application_from_same_contact_refused(client, cohort, pdf_bytes):
    ApplicationFactory(cohort=cohort, contact_email="sokha@example.org")
    response = client.post(f"/apply/{cohort.id}", data=form(pdf_bytes), content_type="multipart/form-data")
    assert response.status_code == 200 and "already exists" in response.get_data(as_text=True)
    assert _count(Application) == 1


def test_error_summary_asks_to_reattach_the_deck(client, cohort, pdf_bytes):
    response = client.post(f"/apply/{cohort.id}", data=form(pdf_bytes, startup_name=""),
                           content_type="multipart/form-data")
    assert "attach your pitch deck again" in response.get_data(as_text=True)
