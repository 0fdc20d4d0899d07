"""Milestones: the cohort plan, custom milestones, status and evidence, verification, overdue and history."""
from __future__ import annotations

import io
from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from incubator.cohorts.models import StartupStatus
from incubator.core.errors import ConflictError, ForbiddenError, ServiceError
from incubator.extensions import db
from incubator.progress.models import Milestone, MilestoneChange, MilestoneStatus, MilestoneTemplate, Verification
from incubator.progress.models.milestones import overdue_clause
from incubator.progress.services.milestones import (
    apply_plan,
    attach_evidence,
    create_milestone,
    create_template,
    delete_template,
    update_milestone,
    verify_milestone,
)
from tests.factories import StartupFactory

TODAY = date.today()
DETAILS = {"title": "MVP live", "due_on": TODAY.isoformat()}


def _plan(manager, cohort, title="30 customer interviews", days=30, **extra):
    return create_template(manager, cohort, {"title": title, "due_on": TODAY + timedelta(days=days)} | extra)


def _milestones(startup) -> list[Milestone]:
    db.session.expire_all()
    return list(db.session.scalars(sa.select(Milestone).where(Milestone.startup_id == startup.id)
                                   .order_by(Milestone.id)))


def _history(milestone) -> list[tuple]:
    return [(c.field, c.old_value, c.new_value) for c in db.session.scalars(
        sa.select(MilestoneChange).where(MilestoneChange.milestone_id == milestone.id).order_by(MilestoneChange.id))]


# The plan -------------------------------------------------------------------------------------------


def test_a_plan_milestone_goes_to_every_active_startup(manager, cohort, startup, other_founder):
    withdrawn = StartupFactory(cohort=cohort, status=StartupStatus.WITHDRAWN)
    _plan(manager, cohort, target_value=30, target_unit="interviews")
    for member in (startup, db.session.scalars(sa.select(type(startup)).where(
            type(startup).name == "Mekong Pay")).one()):
        [milestone] = _milestones(member)
        assert (milestone.title, milestone.target_value, milestone.target_unit) == (
            "30 customer interviews", 30, "interviews")
        assert milestone.from_plan and milestone.status == MilestoneStatus.PLANNED
    assert _milestones(withdrawn) == []


def test_applying_the_plan_again_only_adds_what_is_missing(manager, cohort, startup):
    _plan(manager, cohort)
    late = StartupFactory(cohort=cohort, name="Joined Late")
    assert apply_plan(manager, cohort) == 1
    assert apply_plan(manager, cohort) == 0
    assert len(_milestones(late)) == 1 and len(_milestones(startup)) == 1


def test_the_database_refuses_a_plan_line_twice_for_one_startup(manager, cohort, startup):
    template = _plan(manager, cohort)
    db.session.add(Milestone(startup_id=startup.id, template_id=template.id, title="dup", due_on=TODAY))
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_plan_titles_are_unique_per_cohort(manager, cohort):
    _plan(manager, cohort, title="MVP live")
    with pytest.raises(ConflictError) as caught:
        _plan(manager, cohort, title="MVP live")
    assert "title" in caught.value.fields


@pytest.mark.parametrize(("data", "field"), [
    ({"title": "", "due_on": TODAY}, "title"),
    ({"title": "x", "due_on": None}, "due_on"),
    ({"title": "x", "due_on": date(1990, 1, 1)}, "due_on"),
    ({"title": "x", "due_on": TODAY, "target_value": -5}, "target_value"),
    ({"title": "x" * 161, "due_on": TODAY}, "title"),
])
def test_bad_plan_lines_are_refused(manager, cohort, data, field):
    with pytest.raises(ServiceError) as caught:
        create_template(manager, cohort, data)
    assert field in caught.value.fields


def test_removing_a_plan_line_keeps_copies_already_under_way(manager, founder, cohort, startup, other_founder):
    template = _plan(manager, cohort)
    [started] = _milestones(startup)
    update_milestone(founder, started, {"status": "in_progress"})
    delete_template(manager, template)
    assert db.session.get(MilestoneTemplate, template.id) is None
    [kept] = _milestones(startup)
    assert kept.template_id is None and kept.status == MilestoneStatus.IN_PROGRESS
    assert ("plan", "30 customer interviews", "") in _history(kept)
    other = db.session.scalars(sa.select(type(startup)).where(type(startup).name == "Mekong Pay")).one()
    assert _milestones(other) == []  # untouched copies go with the plan line


def test_plan_page_adds_a_line_and_shows_errors(client, login, manager, cohort, startup):
    login(manager)
    bad = client.post(f"/progress/cohorts/{cohort.id}/plan", data={"title": "", "due_on": ""})
    assert bad.status_code == 422
    response = client.post(f"/progress/cohorts/{cohort.id}/plan",
                           data={"title": "Company registered", "due_on": (TODAY + timedelta(days=9)).isoformat()})
    assert response.status_code == 302
    assert [m.title for m in _milestones(startup)] == ["Company registered"]


# A startup's own milestones and what founders may change -------------------------------------------


def test_founders_add_and_fully_edit_their_own_milestones(founder, startup):
    milestone = create_milestone(founder, startup, {"title": "First 10 orders", "due_on": TODAY})
    update_milestone(founder, milestone, {"title": "First 20 orders", "due_on": TODAY + timedelta(days=7)})
    assert milestone.title == "First 20 orders" and not milestone.from_plan


def test_founders_cannot_change_plan_details_or_drop_plan_milestones(manager, founder, cohort, startup):
    _plan(manager, cohort)
    [milestone] = _milestones(startup)
    with pytest.raises(ForbiddenError):
        update_milestone(founder, milestone, {"due_on": TODAY + timedelta(days=365)})
    with pytest.raises(ForbiddenError):
        update_milestone(founder, milestone, {"status": "dropped"})
    update_milestone(manager, milestone, {"status": "dropped", "due_on": TODAY + timedelta(days=1)})
    assert milestone.status == MilestoneStatus.DROPPED


def test_founder_edit_page_hides_plan_details(client, login, manager, founder, cohort, startup):
    _plan(manager, cohort)
    [milestone] = _milestones(startup)
    login(founder)
    page = client.get(f"/progress/milestones/{milestone.id}/edit").get_data(as_text=True)
    assert 'name="title"' not in page and 'name="due_on"' not in page
    assert 'value="dropped"' not in page and 'value="done"' in page


def test_another_startups_founder_gets_403_everywhere(client, login, founder, other_founder, startup):
    milestone = create_milestone(founder, startup, {"title": "Ours", "due_on": TODAY})
    db.session.commit()
    login(other_founder)
    for url in (f"/progress/startups/{startup.id}", f"/progress/milestones/{milestone.id}",
                f"/progress/milestones/{milestone.id}/edit", f"/progress/startups/{startup.id}/checkin"):
        assert client.get(url).status_code == 403, url
    response = client.post(f"/progress/milestones/{milestone.id}/edit", data={"status": "done"})
    assert response.status_code == 403
    assert _milestones(startup)[0].status == MilestoneStatus.PLANNED


def test_mentors_see_no_progress_until_matching_exists(client, login, mentor, startup):
    login(mentor)
    assert client.get(f"/progress/startups/{startup.id}").status_code == 403
    assert "Progress" not in client.get(f"/cohorts/startups/{startup.id}").get_data(as_text=True)


# Status, evidence, verification -------------------------------------------------------------------


def test_done_needs_evidence(founder, startup):
    milestone = create_milestone(founder, startup, {"title": "MVP live", "due_on": TODAY})
    with pytest.raises(ServiceError) as caught:
        update_milestone(founder, milestone, {"status": "done"})
    assert "status" in caught.value.fields
    update_milestone(founder, milestone, {"status": "done", "evidence_url": "https://app.kasekor.example.com"})
    assert milestone.status == MilestoneStatus.DONE and milestone.verification == Verification.PENDING
    assert milestone.done_at is not None


@pytest.mark.parametrize("url", ["ftp://x.example.com", "javascript:alert(1)", "not a link", "https://localhost"])
def test_evidence_links_must_be_web_addresses(founder, startup, url):
    milestone = create_milestone(founder, startup, {"title": "MVP live", "due_on": TODAY})
    with pytest.raises(ServiceError) as caught:
        update_milestone(founder, milestone, {"evidence_url": url})
    assert "evidence_url" in caught.value.fields


def test_verify_flow_and_only_verified_counts(manager, founder, startup):
    milestone = create_milestone(founder, startup, {"title": "MVP live", "due_on": TODAY})
    with pytest.raises(ConflictError, match="Only a milestone marked done"):
        verify_milestone(manager, milestone, approve=True)
    update_milestone(founder, milestone, {"status": "done", "evidence_url": "https://kasekor.example.com"})
    assert not milestone.is_verified  # done is not achieved yet
    verify_milestone(manager, milestone, approve=True, comment="Saw it live.")
    assert milestone.is_verified and milestone.verified_by_id == manager.id
    with pytest.raises(ConflictError, match="already verified"):
        verify_milestone(manager, milestone, approve=True)
    with pytest.raises(ConflictError, match="verified"):
        update_milestone(founder, milestone, {"status": "in_progress"})


def test_send_back_needs_a_comment_and_returns_it_to_in_progress(manager, founder, startup):
    milestone = create_milestone(founder, startup, {"title": "MVP live", "due_on": TODAY})
    update_milestone(founder, milestone, {"status": "done", "evidence_url": "https://kasekor.example.com"})
    with pytest.raises(ServiceError) as caught:
        verify_milestone(manager, milestone, approve=False, comment="")
    assert "comment" in caught.value.fields
    verify_milestone(manager, milestone, approve=False, comment="The link asks for a password.")
    assert milestone.status == MilestoneStatus.IN_PROGRESS and milestone.verification == Verification.SENT_BACK
    assert milestone.done_at is None
    update_milestone(founder, milestone, {"status": "done"})
    assert milestone.verification == Verification.PENDING


def test_manager_reopening_a_verified_milestone_clears_its_verification(manager, founder, startup):
    milestone = create_milestone(founder, startup, {"title": "MVP live", "due_on": TODAY})
    update_milestone(founder, milestone, {"status": "done", "evidence_url": "https://kasekor.example.com"})
    verify_milestone(manager, milestone, approve=True)
    update_milestone(manager, milestone, {"status": "in_progress"})
    assert milestone.verification == Verification.NONE and milestone.verified_at is None


def test_verification_through_the_web(client, login, manager, founder, startup):
    milestone = create_milestone(founder, startup, {"title": "MVP live", "due_on": TODAY})
    update_milestone(founder, milestone, {"status": "done", "evidence_url": "https://kasekor.example.com"})
    db.session.commit()
    login(manager)
    page = client.get(f"/progress/milestones/{milestone.id}").get_data(as_text=True)
    assert "Waiting for verification" in page and 'name="verify"' in page
    client.post(f"/progress/milestones/{milestone.id}/verify", data={"send_back": "Send back", "comment": ""})
    assert _milestones(startup)[0].verification == Verification.PENDING  # refused: no comment
    client.post(f"/progress/milestones/{milestone.id}/verify", data={"verify": "Verify", "comment": "Good"})
    assert _milestones(startup)[0].verification == Verification.VERIFIED


def test_founders_cannot_verify(client, login, founder, startup):
    milestone = create_milestone(founder, startup, {"title": "MVP live", "due_on": TODAY})
    update_milestone(founder, milestone, {"status": "done", "evidence_url": "https://kasekor.example.com"})
    db.session.commit()
    login(founder)
    assert client.post(f"/progress/milestones/{milestone.id}/verify", data={"verify": "y"}).status_code == 403
    assert _milestones(startup)[0].verification == Verification.PENDING


# Evidence files ------------------------------------------------------------------------------------


def test_evidence_file_upload_and_download(client, login, founder, startup, png_bytes, pdf_bytes):
    milestone = create_milestone(founder, startup, {"title": "MVP live", "due_on": TODAY})
    db.session.commit()
    login(founder)
    response = client.post(f"/progress/milestones/{milestone.id}/edit", data=DETAILS | {
        "status": "done", "evidence_url": "", "evidence_file": (io.BytesIO(png_bytes), "screen shot.png")},
        content_type="multipart/form-data")
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    [saved] = _milestones(startup)
    assert saved.status == MilestoneStatus.DONE and saved.evidence_name == "screen shot.png"
    assert saved.evidence_path.endswith(".png")
    download = client.get(f"/progress/milestones/{milestone.id}/evidence")
    assert download.status_code == 200 and download.data == png_bytes and download.mimetype == "image/png"
    attach_evidence(founder, saved, io.BytesIO(pdf_bytes), "C:\\Users\\me\\report.pdf")
    assert saved.evidence_name == "report.pdf" and saved.evidence_path.endswith(".pdf")
    assert ("evidence_file", "screen shot.png", "report.pdf") in _history(saved)


@pytest.mark.parametrize(("content", "name"), [
    (b"MZ\x90\x00 this is an exe", "evidence.pdf"),
    (b"%PDF-1.4 not really a pdf", "evidence.pdf"),
    (b"GIF89a\x01\x00\x01\x00", "evidence.png"),
    (b"", "empty.pdf"),
])
def test_bad_evidence_files_are_refused(client, login, founder, startup, content, name):
    milestone = create_milestone(founder, startup, {"title": "MVP live", "due_on": TODAY})
    db.session.commit()
    login(founder)
    response = client.post(f"/progress/milestones/{milestone.id}/edit", data=DETAILS | {
        "status": "planned", "evidence_file": (io.BytesIO(content), name)}, content_type="multipart/form-data")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "The file must be a PDF or a PNG, JPEG or WebP image." in page or "The file is empty." in page
    assert _milestones(startup)[0].evidence_path is None


def test_oversize_evidence_is_refused(app, founder, startup, monkeypatch, pdf_bytes):
    monkeypatch.setitem(app.config, "EVIDENCE_MAX_BYTES", 1024 * 1024)
    milestone = create_milestone(founder, startup, {"title": "MVP live", "due_on": TODAY})
    with pytest.raises(ServiceError, match="larger than 1 MB") as caught:
        attach_evidence(founder, milestone, io.BytesIO(pdf_bytes + b"\0" * (1024 * 1024)), "big.pdf")
    assert "evidence_file" in caught.value.fields


def test_evidence_of_another_startup_is_forbidden(client, login, founder, other_founder, startup, png_bytes):
    milestone = create_milestone(founder, startup, {"title": "MVP live", "due_on": TODAY})
    attach_evidence(founder, milestone, io.BytesIO(png_bytes), "x.png")
    db.session.commit()
    login(other_founder)
    assert client.get(f"/progress/milestones/{milestone.id}/evidence").status_code == 403


# Overdue (derived, never stored) and history ---------------------------------------------------------


@pytest.mark.parametrize(("due", "status", "overdue"), [
    (-1, "planned", True), (-1, "in_progress", True), (0, "planned", False), (-1, "done", False),
    (-1, "missed", False), (-1, "dropped", False), (5, "in_progress", False),
])
def test_overdue_is_derived_in_python_and_sql_alike(manager, startup, due, status, overdue):
    milestone = create_milestone(manager, startup, {"title": "x", "due_on": TODAY + timedelta(days=due)})
    milestone.evidence_url = "https://e.example.com"
    update_milestone(manager, milestone, {"status": status})
    assert milestone.is_overdue(TODAY) is overdue
    in_sql = db.session.scalar(sa.select(sa.func.count()).where(Milestone.id == milestone.id, overdue_clause(TODAY)))
    assert bool(in_sql) is overdue
    assert "overdue" not in Milestone.__table__.columns


def test_every_change_is_kept_with_who_and_when(manager, founder, startup):
    milestone = create_milestone(founder, startup, {"title": "MVP", "due_on": date(2026, 12, 1)})
    update_milestone(founder, milestone, {"title": "MVP live", "evidence_url": "https://k.example.com"})
    update_milestone(founder, milestone, {"status": "done"})
    verify_milestone(manager, milestone, approve=False, comment="Show paying users.")
    changes = db.session.scalars(sa.select(MilestoneChange).where(MilestoneChange.milestone_id == milestone.id)
                                 .order_by(MilestoneChange.id)).all()
    assert [(c.field, c.old_value, c.new_value) for c in changes] == [
        ("created", "", "MVP"),
        ("title", "MVP", "MVP live"),
        ("evidence_url", "", "https://k.example.com"),
        ("status", "planned", "done"),
        ("verification", "none", "pending"),
        ("verification", "pending", "sent_back"),
        ("status", "done", "in_progress"),
    ]
    assert [c.actor_id for c in changes] == [founder.id] * 5 + [manager.id] * 2
    assert changes[5].comment == "Show paying users." and all(c.created_at for c in changes)


def test_history_is_shown_on_the_milestone_page(client, login, manager, founder, startup):
    milestone = create_milestone(founder, startup, {"title": "MVP", "due_on": date(2026, 12, 1)})
    update_milestone(founder, milestone, {"title": "MVP live"})
    db.session.commit()
    login(manager)
    page = client.get(f"/progress/milestones/{milestone.id}").get_data(as_text=True)
    assert "History" in page and founder.name in page and "MVP live" in page
