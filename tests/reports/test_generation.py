"""Generating snapshots: versions, immutability, the founders' daily limit, failures leave nothing behind."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from incubator.core.errors import ConflictError, ServiceError
from incubator.core.uploads import upload_path
from incubator.extensions import db
from incubator.progress.models import KpiReport, KpiVersion
from incubator.progress.periods import local_today
from incubator.reports import generation
from incubator.reports.exports import snapshot_csv
from incubator.reports.models import ReportSnapshot
from tests.reports.conftest import share_everything


def test_versions_count_up_per_report_and_day(manager, cohort, figures):
    share_everything(figures)
    first = generation.generate_onepager(manager, figures, "en")
    second = generation.generate_onepager(manager, figures, "km")
    cohort_report = generation.generate_cohort_report(manager, cohort, "en")
    assert (first.version, second.version, cohort_report.version) == (1, 2, 1)
    assert first.subject_key == f"startup:{figures.id}" and cohort_report.subject_key == f"cohort:{cohort.id}"
    assert first.as_of == second.as_of == cohort_report.as_of == local_today()


def test_a_snapshot_never_changes_when_the_data_does(manager, figures):
    share_everything(figures)
    snapshot = generation.generate_onepager(manager, figures, "en")
    pdf_before = upload_path(snapshot.pdf_path).read_bytes()
    csv_before = snapshot_csv(snapshot)
    # A correction of last month's revenue after the snapshot was made.
    version = db.session.scalar(sa.select(KpiVersion).join(KpiReport).order_by(KpiReport.month.desc()).limit(1))
    version.revenue = 999_999
    figures.name = "Renamed"
    db.session.commit()
    db.session.expire_all()
    stored = db.session.get(ReportSnapshot, snapshot.id)
    assert stored.data["traction"]["months"][-1]["revenue"] == 421_337
    assert stored.title == "Kasekor Cold Chain"
    assert upload_path(stored.pdf_path).read_bytes() == pdf_before
    assert snapshot_csv(stored) == csv_before and "4213.37" in csv_before


def test_the_csv_is_the_kpi_table(manager, figures):
    share_everything(figures)
    snapshot = generation.generate_onepager(manager, figures, "en")
    lines = snapshot_csv(snapshot).lstrip("\ufeff").splitlines()
    assert lines[0].startswith("Month,Currency,Revenue,Paying customers,Active users,Employees,Women employed")
    assert lines[-1].endswith(",USD,4213.37,31,402,8,4,10000.00")
    assert len(lines) == 4


def test_founders_may_generate_a_few_a_day(manager, founder, figures, monkeypatch):
    share_everything(figures)
    monkeypatch.setattr(generation, "FOUNDER_DAILY_LIMIT", 1)
    generation.generate_onepager(founder, figures, "en")
    with pytest.raises(ConflictError):
        generation.generate_onepager(founder, figures, "en")
    assert generation.generate_onepager(manager, figures, "en").version == 2  # managers are not limited


def test_only_english_or_khmer(manager, figures):
    with pytest.raises(ServiceError) as refused:
        generation.generate_onepager(manager, figures, "fr")
    assert "locale" in refused.value.fields


def test_a_failed_insert_deletes_the_rendered_files(manager, figures, monkeypatch):
    share_everything(figures)
    written = []
    real_render = generation.render_snapshot_files

    def render_and_remember(draft):
        real_render(draft)
        written.append(draft.pdf_path)
        return draft

    def clash(*args, **kwargs):
        raise ConflictError("taken")

    monkeypatch.setattr(generation, "render_snapshot_files", render_and_remember)
    monkeypatch.setattr(generation, "store_snapshot", clash)
    with pytest.raises(ConflictError):
        generation.generate_onepager(manager, figures, "en")
    assert written and not upload_path(written[0]).exists()


def test_generate_from_the_web(client, login, manager, founder, cohort, figures):
    share_everything(figures)
    db.session.commit()
    login(founder)
    response = client.post(f"/reports/startups/{figures.id}/one-pagers", data={"locale": "km"})
    assert response.status_code == 302
    snapshot = db.session.scalar(sa.select(ReportSnapshot))
    assert response.headers["Location"].endswith(f"/reports/{snapshot.id}")
    assert (snapshot.locale, snapshot.created_by_id) == ("km", founder.id)
    page = client.get(f"/reports/{snapshot.id}")
    assert page.status_code == 200 and "Kasekor Cold Chain" in page.get_data(as_text=True)
    assert page.headers["Cache-Control"].startswith("private, no-store")
    # Founders never see cohort reports, nor generate them.
    assert client.post(f"/reports/cohorts/{cohort.id}/impact", data={"locale": "en"}).status_code == 403
    client.post("/auth/logout")
    login(manager)
    made = client.post(f"/reports/cohorts/{cohort.id}/impact", data={"locale": "en"})
    assert made.status_code == 302
    listing = client.get("/reports/").get_data(as_text=True)
    assert "Cohort Mekong" in listing and "Kasekor Cold Chain" in listing
