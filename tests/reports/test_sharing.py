"""Sharing: signed links with an expiry, revocation, withdrawn consent, counted views, investor accounts."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
import sqlalchemy as sa
import time_machine

from incubator.auth.models import Role
from incubator.core.errors import ConflictError, ForbiddenError, ServiceError
from incubator.extensions import db
from incubator.reports import services
from incubator.reports.models import ReportKind, ReportShare, ReportSnapshot, ReportView, ShareKind
from incubator.reports.onepager import build_onepager
from incubator.reports.sections import SECTIONS
from tests.factories import UserFactory
from tests.helpers import tbi_today
from tests.reports.conftest import share_everything


@pytest.fixture
def snapshot(app, figures, manager, pdf_bytes):
    """A one-pager snapshot of ``figures`` with every section (its PDF is the test deck)."""
    share_everything(figures, contact_email="invest@kasekor.example.com")
    target = app.config["UPLOAD_FOLDER"] + "/reports/test/deck.pdf"
    import pathlib

    pathlib.Path(target).parent.mkdir(parents=True, exist_ok=True)
    pathlib.Path(target).write_bytes(pdf_bytes)
    row = ReportSnapshot(kind=ReportKind.ONE_PAGER, subject_key=f"startup:{figures.id}", startup_id=figures.id,
                         cohort_id=figures.cohort_id, title=figures.name, as_of=tbi_today(), version=1, locale="en",
                         data=build_onepager(figures, tbi_today(), list(SECTIONS)), sections=list(SECTIONS),
                         pdf_path="reports/test/deck.pdf", created_by_id=manager.id)
    db.session.add(row)
    db.session.commit()
    return row


def link_for(manager, snapshot, days: int = 7, label: str = "Mekong Angels") -> tuple[ReportShare, str]:
    share = services.create_share(manager, snapshot, ShareKind.LINK, tbi_today() + timedelta(days=days), label=label)
    db.session.commit()
    return share, services.share_token(share)


def test_a_link_opens_the_report_and_counts_each_view(client, manager, snapshot):
    share, token = link_for(manager, snapshot)
    page = client.get(f"/reports/s/{token}")
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    assert "Kasekor Cold Chain" in body and "invest@kasekor.example.com" in body
    assert page.headers["Cache-Control"] == "private, no-store, max-age=0"
    assert "noindex" in page.headers["X-Robots-Tag"]
    assert page.headers["Referrer-Policy"] == "same-origin"  # the token never reaches other sites
    pdf = client.get(f"/reports/s/{token}/pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf" and pdf.data.startswith(b"%PDF")
    csv = client.get(f"/reports/s/{token}/csv")
    assert csv.status_code == 200 and csv.mimetype == "text/csv"

    db.session.expire_all()
    share = db.session.get(ReportShare, share.id)
    assert share.view_count == 3 and share.last_viewed_at is not None
    views = db.session.scalars(sa.select(ReportView).where(ReportView.share_id == share.id)
                               .order_by(ReportView.id)).all()
    assert [(v.format, v.viewer_id) for v in views] == [("page", None), ("pdf", None), ("csv", None)]


def test_an_expired_link_shows_a_clear_page_and_never_the_report(client, manager, snapshot):
    share, token = link_for(manager, snapshot, days=3)
    # The link works until the end of the chosen day in Phnom Penh, then stops.
    last_minute = share.expires_at - timedelta(minutes=1)
    with time_machine.travel(last_minute, tick=False):
        assert client.get(f"/reports/s/{token}").status_code == 200
    with time_machine.travel(share.expires_at + timedelta(seconds=1), tick=False):
        for suffix in ("", "/pdf", "/csv", "/logo"):
            response = client.get(f"/reports/s/{token}{suffix}")
            assert response.status_code == 410, suffix
            body = response.get_data(as_text=True)
            assert "This link has expired" in body
            assert "invest@kasekor.example.com" not in body and not response.data.startswith(b"%PDF")
    db.session.expire_all()
    assert db.session.get(ReportShare, share.id).view_count == 1


def test_a_revoked_link_stops_at_once(client, manager, snapshot):
    share, token = link_for(manager, snapshot)
    assert client.get(f"/reports/s/{token}").status_code == 200
    services.revoke_share(manager, share)
    db.session.commit()
    response = client.get(f"/reports/s/{token}")
    assert response.status_code == 410
    assert "This link was withdrawn" in response.get_data(as_text=True)
    assert client.get(f"/reports/s/{token}/pdf").status_code == 410
    with pytest.raises(ConflictError):
        services.revoke_share(manager, share)


@pytest.mark.parametrize("tamper", ["garbage", "flip", "other_nonce"])
def test_a_tampered_or_unknown_link_opens_nothing(client, manager, snapshot, tamper):
    share, token = link_for(manager, snapshot)
    if tamper == "garbage":
        token = "not-a-token"
    elif tamper == "flip":
        token = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    else:
        from incubator.auth.tokens import sign

        token = sign({"s": share.id, "n": "0" * 32}, services.SHARE_SALT)
    response = client.get(f"/reports/s/{token}")
    assert response.status_code == 404
    assert "We could not find this report" in response.get_data(as_text=True)


def test_withdrawn_consent_withholds_earlier_snapshots(client, login, manager, founder, investor, snapshot):
    _share, token = link_for(manager, snapshot)
    services.create_share(manager, snapshot, ShareKind.ACCOUNT, tbi_today() + timedelta(days=5), recipient=investor)
    db.session.commit()
    services.set_consent(founder, snapshot.startup, [key for key in SECTIONS if key != "contact"])
    db.session.commit()

    response = client.get(f"/reports/s/{token}")
    assert response.status_code == 410
    assert "no longer shared" in response.get_data(as_text=True)
    login(investor)
    assert client.get(f"/reports/{snapshot.id}").status_code == 410
    assert client.get(f"/reports/{snapshot.id}/pdf").status_code == 410
    # New shares of it are refused; the founders see why on its page.
    with pytest.raises(ConflictError):
        services.create_share(manager, snapshot, ShareKind.LINK, tbi_today() + timedelta(days=5))


def test_investor_sees_account_shares_until_they_expire(client, login, manager, investor, snapshot):
    share = services.create_share(manager, snapshot, ShareKind.ACCOUNT, tbi_today() + timedelta(days=2),
                                  recipient=investor)
    db.session.commit()
    login(investor)
    home = client.get("/").get_data(as_text=True)
    assert "Kasekor Cold Chain" in home
    assert client.get(f"/reports/{snapshot.id}").status_code == 200
    assert client.get(f"/reports/{snapshot.id}/csv").status_code == 200
    db.session.expire_all()
    views = db.session.scalars(sa.select(ReportView).where(ReportView.share_id == share.id)).all()
    assert {(v.viewer_id, v.format) for v in views} == {(investor.id, "page"), (investor.id, "csv")}
    with time_machine.travel(share.expires_at + timedelta(minutes=1), tick=False):
        assert client.get(f"/reports/{snapshot.id}").status_code == 403
        assert "Kasekor Cold Chain" not in client.get("/reports/shared").get_data(as_text=True)


def test_sharing_with_an_account_tells_the_investor(manager, investor, snapshot):
    from incubator.notifications.models import Notification

    services.create_share(manager, snapshot, ShareKind.ACCOUNT, tbi_today() + timedelta(days=2), recipient=investor)
    note = db.session.scalar(sa.select(Notification).where(Notification.user_id == investor.id))
    assert note is not None and "Kasekor Cold Chain" in note.title and note.link == f"/reports/{snapshot.id}"


def test_share_rules(manager, investor, snapshot):
    today = tbi_today()
    with pytest.raises(ServiceError) as past:
        services.create_share(manager, snapshot, ShareKind.LINK, today - timedelta(days=1))
    assert "expires_on" in past.value.fields
    with pytest.raises(ServiceError) as far:
        services.create_share(manager, snapshot, ShareKind.LINK, today + timedelta(days=400))
    assert "at most a year" in far.value.message
    mentor = UserFactory(role=Role.MENTOR)
    with pytest.raises(ServiceError) as wrong:
        services.create_share(manager, snapshot, ShareKind.ACCOUNT, today + timedelta(days=5), recipient=mentor)
    assert "recipient_id" in wrong.value.fields
    services.create_share(manager, snapshot, ShareKind.ACCOUNT, today + timedelta(days=5), recipient=investor)
    with pytest.raises(ConflictError):
        services.create_share(manager, snapshot, ShareKind.ACCOUNT, today + timedelta(days=9), recipient=investor)
    # Today is allowed: the share lasts until midnight in Phnom Penh.
    share = services.create_share(manager, snapshot, ShareKind.LINK, today)
    assert share.expires_at.astimezone(timezone(timedelta(hours=7))).time() == datetime.min.time()


def test_founders_share_their_one_pager_by_link_only(client, login, founder, investor, snapshot):
    login(founder)
    page = client.get(f"/reports/{snapshot.id}")
    assert page.status_code == 200 and "Anyone with a link" in page.get_data(as_text=True)
    assert "An investor&#39;s account" not in page.get_data(as_text=True)
    until = (tbi_today() + timedelta(days=10)).isoformat()
    refused = client.post(f"/reports/{snapshot.id}/shares", data={"kind": "account", "recipient_id": investor.id,
                                                                   "expires_on": until})
    assert refused.status_code == 422
    with pytest.raises(ForbiddenError):
        services.create_share(founder, snapshot, ShareKind.ACCOUNT, tbi_today() + timedelta(days=3),
                              recipient=investor)
    made = client.post(f"/reports/{snapshot.id}/shares", data={"kind": "link", "label": "Angel", "expires_on": until})
    assert made.status_code == 302
    shares = db.session.scalars(sa.select(ReportShare).where(ReportShare.snapshot_id == snapshot.id)).all()
    assert [(s.kind, s.label, s.created_by_id) for s in shares] == [(ShareKind.LINK, "Angel", founder.id)]
    revoke = client.post(f"/reports/shares/{shares[0].id}/revoke")
    assert revoke.status_code == 302
    db.session.expire_all()
    assert db.session.get(ReportShare, shares[0].id).revoked_by_id == founder.id


def test_share_form_errors_are_shown(client, login, manager, snapshot):
    login(manager)
    response = client.post(f"/reports/{snapshot.id}/shares", data={"kind": "link", "expires_on": "2001-01-01"})
    assert response.status_code == 422
    assert "Choose an expiry date from today on." in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(ReportShare.id))) == 0


def test_links_are_rate_limited_per_address(app, client, manager, snapshot, monkeypatch):
    monkeypatch.setitem(app.config, "REPORT_LINK_RATE_LIMIT", "2 per minute")
    _share, token = link_for(manager, snapshot)
    assert [client.get(f"/reports/s/{token}").status_code for _ in range(3)] == [200, 200, 429]


def test_a_one_pager_of_founders_who_never_saved_a_profile_can_be_shared(app, manager, investor, figures):
    """No stored profile means the default sections, both when generating and when sharing (not "withheld")."""
    from incubator.reports import generation
    from incubator.reports.sections import DEFAULT_SECTIONS

    snapshot = generation.generate_onepager(manager, figures, "en")
    assert snapshot.sections == list(DEFAULT_SECTIONS)
    assert services.withheld_sections(snapshot, services.current_consent(snapshot)) == []
    share = services.create_share(manager, snapshot, ShareKind.ACCOUNT, tbi_today() + timedelta(days=7),
                                  recipient=investor)
    assert share.recipient_id == investor.id
