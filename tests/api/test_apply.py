"""The public application endpoint: multipart/form-data with a PDF pitch deck, no token."""
from __future__ import annotations

import io
import json
from datetime import timedelta

import pytest
import sqlalchemy as sa

from incubator.applications.models import Application, ApplicationStatus
from incubator.cohorts.models import CohortStatus
from incubator.db import utcnow
from incubator.extensions import db, limiter
from tests.factories import ApplicationFactory, CohortFactory, StartupFactory

FOUNDERS = [
    {"name": "Sokha Chan", "email": "Sokha@Example.org", "gender": "female"},
    {"name": "Dara Kim", "email": "dara@example.org", "gender": "male"},
]


def _form(pdf: bytes | None, **overrides) -> dict:
    form = {
        "startup_name": "Cold Chain Co",
        "sector": "agritech",
        "stage": "prototype",
        "province": "battambang",
        "problem": "Farmers lose a third of their harvest.",
        "solution": "Solar cold rooms rented by the day.",
        "website": "https://coldchain.example.com",
        "founders": json.dumps(FOUNDERS),
    }
    if pdf is not None:
        form["pitch_deck"] = (io.BytesIO(pdf), "deck.pdf")
    form.update(overrides)
    return {k: v for k, v in form.items() if v is not None}


def _apply(client, cohort, data):
    return client.post(f"/api/v1/cohorts/{cohort.id}/applications", data=data, content_type="multipart/form-data")


def test_apply_with_founders_as_json(client, pdf_bytes):
    cohort = CohortFactory()
    response = _apply(client, cohort, _form(pdf_bytes))
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert (body["status"], body["startup_name"]) == ("submitted", "Cold Chain Co")
    application = db.session.get(Application, body["id"])
    assert application.contact_email == "sokha@example.org"
    assert [f.name for f in application.founders] == ["Sokha Chan", "Dara Kim"]
    assert application.pitch_deck_path.endswith(".pdf")


def test_apply_with_repeated_founder_fields(client, pdf_bytes):
    cohort = CohortFactory()
    data = _form(pdf_bytes, founders=[json.dumps(f) for f in FOUNDERS])
    response = _apply(client, cohort, data)
    assert response.status_code == 201, response.get_json()
    assert len(db.session.get(Application, response.get_json()["id"]).founders) == 2


def test_apply_with_web_form_style_fields(client, pdf_bytes):
    cohort = CohortFactory()
    data = _form(pdf_bytes, founders=None)
    data.update({"founders-0-name": "Sokha Chan", "founders-0-email": "sokha@example.org",
                 "founders-0-gender": "female", "founders-1-name": "", "founders-1-email": "",
                 "founders-1-gender": "undisclosed", "csrf_token": "ignored"})
    response = _apply(client, cohort, data)
    assert response.status_code == 201, response.get_json()
    assert [f.email for f in db.session.get(Application, response.get_json()["id"]).founders] == ["sokha@example.org"]


@pytest.mark.parametrize(
    "overrides, field",
    [
        ({"startup_name": ""}, "startup_name"),
        ({"sector": "space"}, "sector"),
        ({"founders": "[]"}, "founders"),
        ({"founders": "not json"}, "founders"),
        ({"founders": json.dumps([{"name": "A", "email": "nope"}])}, "founders.0.email"),
        ({"founders": json.dumps([FOUNDERS[0]] * 2)}, "founders"),
        ({"founders": json.dumps(FOUNDERS * 3)}, "founders"),
        ({"problem": "x" * 3001}, "problem"),
    ],
)
def test_invalid_fields_are_422(client, pdf_bytes, overrides, field):
    cohort = CohortFactory()
    response = _apply(client, cohort, _form(pdf_bytes, **overrides))
    assert response.status_code == 422, response.get_json()
    assert field in response.get_json()["error"]["fields"]
    assert db.session.scalar(sa.select(sa.func.count(Application.id))) == 0


def test_missing_pitch_deck_is_422(client):
    response = _apply(client, CohortFactory(), _form(None))
    assert response.status_code == 422
    assert "pitch_deck" in response.get_json()["error"]["fields"]


def test_pitch_deck_must_be_a_pdf(client, png_bytes):
    response = _apply(client, CohortFactory(), _form(png_bytes))
    assert response.status_code == 422
    assert "pitch_deck" in response.get_json()["error"]["fields"]


def test_closed_cohort_is_409(client, pdf_bytes):
    for cohort in (CohortFactory(status=CohortStatus.PLANNING),
                   CohortFactory(applications_close_at=utcnow() - timedelta(hours=1))):
        response = _apply(client, cohort, _form(pdf_bytes))
        assert response.status_code == 409
        assert response.get_json()["error"]["code"] == "conflict"


def test_full_cohort_is_409(client, pdf_bytes):
    cohort = CohortFactory(capacity=1)
    taken = ApplicationFactory(cohort=cohort, status=ApplicationStatus.ACCEPTED)
    StartupFactory(cohort=cohort, application_id=taken.id)
    response = _apply(client, cohort, _form(pdf_bytes))
    assert response.status_code == 409
    assert "full" in response.get_json()["error"]["message"]


def test_missing_cohort_is_404(client, pdf_bytes):
    response = client.post("/api/v1/cohorts/424242/applications", data=_form(pdf_bytes),
                           content_type="multipart/form-data")
    assert response.status_code == 404


def test_invalid_founder_email_message(client, pdf_bytes):
    data = _form(pdf_bytes, founders=json.dumps([{"name": "A", "email": "a@", "gender": "female"}]))
    response = _apply(client, CohortFactory(), data)
    assert response.get_json()["error"]["fields"] == {"founders.0.email": ["Enter a valid email address."]}


def test_upload_over_the_limit_is_json_413(app, client, pdf_bytes, monkeypatch):
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 1024)
    response = _apply(client, CohortFactory(), _form(pdf_bytes + b"\0" * 4096))
    assert response.status_code == 413
    assert response.get_json()["error"]["code"] == "too_large"


def test_duplicate_application_is_409(client, pdf_bytes):
    cohort = CohortFactory()
    assert _apply(client, cohort, _form(pdf_bytes)).status_code == 201
    again = _apply(client, cohort, _form(pdf_bytes, startup_name="Another name"))
    assert again.status_code == 409 and "already exists" in again.get_json()["error"]["message"]


def test_too_many_applications_from_one_address_is_json_429(app, client, pdf_bytes, monkeypatch):
    monkeypatch.setitem(app.config, "APPLICATION_RATE_LIMIT", "2 per minute")
    cohort = CohortFactory()
    try:
        founders = [[{"name": "Sokha Chan", "email": f"sokha{i}@example.org", "gender": "female"}] for i in range(3)]
        statuses = [_apply(client, cohort, _form(pdf_bytes, startup_name=f"Startup {i}",
                                                 founders=json.dumps(founders[i]))).status_code
                    for i in range(3)]
        assert statuses == [201, 201, 429]
        response = _apply(client, cohort, _form(pdf_bytes))
        assert response.get_json()["error"]["code"] == "too_many_requests"
    finally:
        limiter.reset()
