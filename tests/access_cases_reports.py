"""Access matrix cases for reports (issue 7): investor profiles, snapshots, shares and share links.

Managers do everything. The startup's founder keeps its investor profile, previews and generates its
one-pager, sees its snapshots and shares them by link. The investor sees the snapshot shared with their
account and the list of reports shared with them. Mentors and other founders see nothing. Share links
need no sign-in: the token is the authorization, so every role (anonymous included) gets the report.
"""
from __future__ import annotations

from datetime import date, timedelta

from incubator.auth.tokens import sign
from incubator.db import utcnow
from incubator.extensions import db
from incubator.reports.models import FundingRound, ReportKind, ReportShare, ReportSnapshot, ReportSource, ShareKind
from incubator.reports.onepager import build_onepager
from incubator.reports.sections import SECTIONS
from incubator.reports.services import SHARE_SALT
from tests.access_cases import EVERYONE, MANAGERS, PAGE, Route, page, submit

PROFILE_EDITORS = MANAGERS | {"founder"}  # the startup's founders and managers
SNAPSHOT_VIEWERS = PROFILE_EDITORS | {"investor"}  # plus the investor it is shared with
REDIRECT_OR_PAGE = PAGE | {302}

ROUTES: dict[tuple[str, str], Route] = {
    ("reports.list_reports", "GET"): page(MANAGERS),
    ("reports.list_profiles", "GET"): page(MANAGERS),
    ("reports.generate_cohort_report", "POST"): submit(MANAGERS, args={"cohort_id": "running_cohort_id"}),
    # Every founder: a founder of one startup is sent straight to its profile.
    ("reports.my_profiles", "GET"): Route(frozenset({"founder", "other_founder"}), ok=REDIRECT_OR_PAGE),
    ("reports.investor_profile", "GET"): page(PROFILE_EDITORS),
    ("reports.investor_profile", "POST"): submit(PROFILE_EDITORS),
    ("reports.set_consent", "POST"): submit(PROFILE_EDITORS),
    ("reports.add_round", "POST"): submit(PROFILE_EDITORS),
    ("reports.delete_round", "POST"): submit(PROFILE_EDITORS),
    ("reports.preview", "GET"): page(PROFILE_EDITORS),
    ("reports.generate_onepager", "POST"): submit(PROFILE_EDITORS),
    ("reports.view_snapshot", "GET"): page(SNAPSHOT_VIEWERS),
    ("reports.snapshot_pdf", "GET"): page(SNAPSHOT_VIEWERS),
    ("reports.snapshot_csv", "GET"): page(SNAPSHOT_VIEWERS),
    ("reports.snapshot_logo", "GET"): page(SNAPSHOT_VIEWERS),
    ("reports.create_share", "POST"): submit(PROFILE_EDITORS),
    ("reports.revoke_share", "POST"): submit(PROFILE_EDITORS),
    ("reports.shared_with_me", "GET"): page({"investor"}),
    # The signed link is the authorization: no sign-in needed.
    ("reports.shared_link", "GET"): page(EVERYONE, args={"token": "report_link_token"}),
    ("reports.shared_link_pdf", "GET"): page(EVERYONE, args={"token": "report_link_token"}),
    ("reports.shared_link_csv", "GET"): page(EVERYONE, args={"token": "report_link_token"}),
    ("reports.shared_link_logo", "GET"): page(EVERYONE, args={"token": "report_link_token"}),
    # JSON API: the same rules (mentors see no reports at all; the list filters by what each may read).
    ("api_v1.list_reports", "GET"): page(PROFILE_EDITORS | {"other_founder", "investor"}),
    ("api_v1.get_report", "GET"): page(SNAPSHOT_VIEWERS),
}


def build(world: dict) -> dict:
    """A one-pager snapshot of the founder's startup (its files are the matrix deck and logo), shared with the
    investor's account and by a link, and a funding round."""
    startup, investor, manager = world["startup"], world["users"]["investor"], world["users"]["manager"]
    today = date.today()
    data = build_onepager(startup, today, list(SECTIONS))
    snapshot = ReportSnapshot(kind=ReportKind.ONE_PAGER, subject_key=f"startup:{startup.id}", startup_id=startup.id,
                              cohort_id=startup.cohort_id, title=startup.name, as_of=today, version=1, locale="en",
                              source=ReportSource.MANUAL, data=data, sections=list(SECTIONS),
                              pdf_path="matrix/deck.pdf", logo_path="matrix/logo.png", created_by_id=manager.id)
    funding_round = FundingRound(startup_id=startup.id, kind="angel", closed_on=today - timedelta(days=30),
                                 amount_minor=500_000, currency="USD", investors="Angels")
    db.session.add_all([snapshot, funding_round])
    db.session.flush()
    account = ReportShare(snapshot_id=snapshot.id, kind=ShareKind.ACCOUNT, recipient_id=investor.id,
                          expires_at=utcnow() + timedelta(days=30), created_by_id=manager.id)
    link = ReportShare(snapshot_id=snapshot.id, kind=ShareKind.LINK, label="Angels",
                       expires_at=utcnow() + timedelta(days=30), created_by_id=manager.id)
    db.session.add_all([account, link])
    db.session.flush()
    # Every section stays shared, so the snapshot is not withheld from the investor or the link.
    from incubator.reports.models import InvestorProfile

    db.session.add(InvestorProfile(startup_id=startup.id, shared_sections=list(SECTIONS)))
    db.session.flush()
    return {"snapshot_id": snapshot.id, "share_id": account.id, "round_id": funding_round.id,
            "report_link_token": sign({"s": link.id, "n": link.token_nonce}, SHARE_SALT)}
