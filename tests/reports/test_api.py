"""The reports API: each caller lists and reads only what the web lets them see."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from incubator.auth.models import Role
from incubator.extensions import db
from incubator.reports import services
from incubator.reports.models import ReportKind, ReportSnapshot, ReportView, ShareKind
from incubator.reports.onepager import build_onepager
from incubator.reports.sections import SECTIONS
from tests.factories import StartupFactory, UserFactory, founder_of
from tests.reports.conftest import share_everything


def _snapshot(startup, kind=ReportKind.ONE_PAGER) -> ReportSnapshot:
    one_pager = kind == ReportKind.ONE_PAGER
    subject = f"startup:{startup.id}" if one_pager else f"cohort:{startup.cohort_id}"
    snapshot = ReportSnapshot(kind=kind, subject_key=subject,
                              startup_id=startup.id if one_pager else None, cohort_id=startup.cohort_id,
                              title=startup.name, as_of=date.today(), version=1, locale="en",
                              data=build_onepager(startup, date.today(), list(SECTIONS)) if one_pager else {"x": 1},
                              sections=list(SECTIONS) if one_pager else [], pdf_path="x.pdf", pdf_sha256="ab")
    db.session.add(snapshot)
    db.session.flush()
    return snapshot


@pytest.fixture
def reports(manager, cohort, figures):
    share_everything(figures)
    other = StartupFactory(cohort=cohort, name="Solar Srok")
    return {"mine": _snapshot(figures), "other": _snapshot(other),
            "cohort": _snapshot(figures, ReportKind.COHORT_IMPACT)}


def _ids(client, headers, query: str = "") -> list[int]:
    response = client.get(f"/api/v1/reports{query}", headers=headers)
    assert response.status_code == 200, response.get_data(as_text=True)
    return sorted(item["id"] for item in response.get_json()["items"])


def test_each_role_lists_what_it_may_read(client, api_token, manager, founder, investor, reports):
    services.create_share(manager, reports["cohort"], ShareKind.ACCOUNT, date.today() + timedelta(days=3),
                          recipient=investor)
    db.session.commit()
    all_ids = sorted(r.id for r in reports.values())
    assert _ids(client, api_token(manager)) == all_ids
    assert _ids(client, api_token(manager), "?kind=cohort_impact") == [reports["cohort"].id]
    assert _ids(client, api_token(founder)) == [reports["mine"].id]
    assert _ids(client, api_token(investor)) == [reports["cohort"].id]
    mentor = UserFactory(role=Role.MENTOR)
    assert client.get("/api/v1/reports", headers=api_token(mentor)).status_code == 403


def test_reading_a_report_returns_its_stored_figures(client, api_token, founder, reports):
    response = client.get(f"/api/v1/reports/{reports['mine'].id}", headers=api_token(founder))
    assert response.status_code == 200
    body = response.get_json()
    assert body["kind"] == "one_pager" and body["title"] == "Kasekor Cold Chain"
    assert body["data"]["traction"]["months"][-1]["revenue"] == 421_337
    assert client.get(f"/api/v1/reports/{reports['other'].id}", headers=api_token(founder)).status_code == 403
    assert client.get("/api/v1/reports/999999", headers=api_token(founder)).status_code == 404


def test_an_investor_read_is_counted_and_withdrawn_consent_refuses_it(client, api_token, manager, investor,
                                                                        founder, reports):
    snapshot = reports["mine"]
    services.create_share(manager, snapshot, ShareKind.ACCOUNT, date.today() + timedelta(days=3), recipient=investor)
    db.session.commit()
    headers = api_token(investor)
    assert client.get(f"/api/v1/reports/{snapshot.id}", headers=headers).status_code == 200
    assert db.session.scalar(sa.select(ReportView.format).where(ReportView.viewer_id == investor.id)) == "api"
    services.set_consent(founder, snapshot.startup, ["company"])
    db.session.commit()
    refused = client.get(f"/api/v1/reports/{snapshot.id}", headers=headers)
    assert refused.status_code == 403 and "changed what it shares" in refused.get_json()["error"]["message"]


def test_another_founder_lists_nothing(client, api_token, cohort, reports):
    stranger = founder_of(StartupFactory(cohort=cohort, name="Elsewhere"))
    assert _ids(client, api_token(stranger)) == []
