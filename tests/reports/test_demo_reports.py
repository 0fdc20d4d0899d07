"""The reports demo: profiles (one in Khmer), four snapshots with their PDFs, and shares with the investor."""
from __future__ import annotations

from datetime import date
from types import SimpleNamespace

import sqlalchemy as sa

from incubator.core.uploads import upload_path
from incubator.extensions import db
from incubator.reports.demo import load_demo
from incubator.reports.models import FundingRound, InvestorProfile, ReportShare, ReportSnapshot, ShareKind
from tests.factories import StartupFactory


def test_demo_builds_profiles_snapshots_and_shares(manager, investor, cohort):
    StartupFactory(cohort=cohort, name="Kasekor Cold Chain")
    StartupFactory(cohort=cohort, name="Rean Khmer", sector="education")
    load_demo(SimpleNamespace(people={"manager": manager, "investor": investor}, running=cohort, today=date.today()))

    profiles = db.session.scalars(sa.select(InvestorProfile)).all()
    assert len(profiles) == 2 and any("ខ្មែរ" in p.tagline for p in profiles)
    assert db.session.scalar(sa.select(sa.func.count(FundingRound.id))) == 3
    snapshots = db.session.scalars(sa.select(ReportSnapshot).order_by(ReportSnapshot.id)).all()
    assert [(s.kind.value, s.locale) for s in snapshots] == [
        ("one_pager", "en"), ("one_pager", "km"), ("cohort_impact", "en"), ("cohort_impact", "km")]
    assert all(upload_path(s.pdf_path).read_bytes().startswith(b"%PDF") for s in snapshots)
    shares = db.session.scalars(sa.select(ReportShare)).all()
    assert sorted((s.kind.value, s.state()) for s in shares) == [
        ("account", "active"), ("account", "active"), ("link", "active"), ("link", "revoked")]
    assert {s.recipient_id for s in shares if s.kind == ShareKind.ACCOUNT} == {investor.id}


def test_demo_skips_quietly_without_its_startups(manager, investor, cohort):
    load_demo(SimpleNamespace(people={"manager": manager, "investor": investor}, running=cohort, today=date.today()))
    assert db.session.scalar(sa.select(sa.func.count(ReportSnapshot.id))) == 0
