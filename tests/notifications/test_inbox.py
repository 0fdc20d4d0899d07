"""The notifications list, the navbar's unread count, email preferences and the no-login unsubscribe page."""
from __future__ import annotations

import re
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from incubator.auth.models import Role
from incubator.auth.tokens import sign
from incubator.extensions import db
from incubator.notifications.models import Notification, NotificationPreference
from incubator.notifications.services import UNSUBSCRIBE_SALT, email_enabled, notify, unsubscribe_url
from tests.factories import UserFactory

BADGE = re.compile(r'<span class="badge[^"]*" data-unread>([^<]+)</span>')


def _notify(user, n: int = 1, link: str = "/"):
    for _ in range(n):
        notify(user, "reviews", _l("Reset your password"), link=link)
    db.session.commit()


def _badge(page: str) -> str | None:
    match = BADGE.search(page)
    return match.group(1) if match else None


def _read(user) -> list[bool]:
    db.session.expire_all()
    rows = db.session.scalars(sa.select(Notification).where(Notification.user_id == user.id).order_by(Notification.id))
    return [row.read_at is not None for row in rows]


def test_badge_counts_unread_with_one_query(client, login, count_queries):
    mentor = UserFactory(role=Role.MENTOR)
    login(mentor)
    assert _badge(client.get("/").get_data(as_text=True)) is None  # nothing unread: no badge
    _notify(mentor, 3)
    with count_queries() as few:
        page = client.get("/").get_data(as_text=True)
    assert _badge(page) == "3" and 'aria-label="Notifications, 3 unread"' in page
    _notify(mentor, 120)
    with count_queries() as many:
        page = client.get("/").get_data(as_text=True)
    assert _badge(page) == "99+"
    assert many.count == few.count
    assert sum("FROM notifications" in s for s in many.statements) == 1


def test_anonymous_pages_do_not_count(client, count_queries):
    with count_queries() as counter:
        assert client.get("/apply/").status_code == 200
    assert not any("notifications" in s for s in counter.statements)


def test_list_mark_read_and_mark_all_read(client, login):
    mentor = UserFactory(role=Role.MENTOR)
    _notify(mentor, 3)
    login(mentor)
    page = client.get("/notifications/").get_data(as_text=True)
    assert page.count("Reset your password") >= 3 and "Mark all as read" in page
    first = db.session.scalar(sa.select(Notification.id).where(Notification.user_id == mentor.id))
    assert client.post(f"/notifications/{first}/read").status_code == 302
    assert _read(mentor) == [True, False, False]
    assert _badge(client.get("/").get_data(as_text=True)) == "2"
    client.post("/notifications/read-all")
    assert _read(mentor) == [True, True, True]
    assert "Mark all as read" not in client.get("/notifications/").get_data(as_text=True)


def test_open_marks_read_and_follows_only_inside_links(client, login):
    mentor = UserFactory(role=Role.MENTOR)
    _notify(mentor, 1, link="/review/mine")
    bad = Notification(user_id=mentor.id, category="reviews", title="x", link="//evil.example/")
    db.session.add(bad)
    db.session.commit()
    login(mentor)
    good_id = db.session.scalar(sa.select(Notification.id).where(Notification.link == "/review/mine"))
    assert client.post(f"/notifications/{good_id}/open").headers["Location"] == "/review/mine"
    assert client.post(f"/notifications/{bad.id}/open").headers["Location"] == "/notifications/"
    assert _read(mentor) == [True, True]


def test_someone_elses_notification_is_not_found(client, login):
    owner, other = UserFactory(), UserFactory()
    _notify(owner)
    login(other)
    notification_id = db.session.scalar(sa.select(Notification.id))
    assert client.post(f"/notifications/{notification_id}/read").status_code == 404
    assert client.post(f"/notifications/{notification_id}/open").status_code == 404
    assert _read(owner) == [False]


def test_preferences_page_per_role(client, login):
    mentor = UserFactory(role=Role.MENTOR)
    login(mentor)
    profile = client.get("/auth/profile").get_data(as_text=True)
    assert 'href="/notifications/preferences"' in profile
    page = client.get("/notifications/preferences").get_data(as_text=True)
    assert "Application reviews" in page and "Your account" in page
    assert "People you invited" not in page  # managers only
    assert "Weekly digest" not in page  # planned, not in use yet
    assert re.search(r'<input[^>]*disabled[^>]*id="email_account"|<input[^>]*id="email_account"[^>]*disabled', page)

    response = client.post("/notifications/preferences", data={"email_account": ""})  # reviews unticked
    assert response.status_code == 302
    assert not email_enabled(mentor, "reviews") and email_enabled(mentor, "account")
    client.post("/notifications/preferences", data={"email_reviews": "y"})
    assert email_enabled(mentor, "reviews")
    stored = db.session.scalars(sa.select(NotificationPreference.category)).all()
    assert "reviews" in stored and "account" not in stored  # essential mail is never switched off


def test_unsubscribe_without_signing_in(app, client):
    mentor = UserFactory(role=Role.MENTOR, email="sokha@example.org")
    db.session.commit()
    with app.test_request_context():
        url = unsubscribe_url(mentor, "reviews")
    path = urlsplit(url).path
    page = client.get(path)
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "s•••@example.org" in text and "Application reviews" in text
    assert email_enabled(mentor, "reviews")  # a GET (a mail scanner following links) changes nothing
    done = client.post(path)
    assert done.status_code == 200 and "You are unsubscribed" in done.get_data(as_text=True)
    assert not email_enabled(mentor, "reviews")
    assert client.post(path).status_code == 200  # twice is harmless
    # Unsubscribed emails stop; the in-app notification stays.
    notify(mentor, "reviews", _l("Reset your password"))
    assert db.session.scalar(sa.select(sa.func.count(Notification.id))) == 1


def test_unsubscribe_page_speaks_the_recipients_language(app, client):
    mentor = UserFactory(role=Role.MENTOR, locale="km")
    db.session.commit()
    token = sign({"u": mentor.id, "c": "reviews"}, UNSUBSCRIBE_SALT)
    assert '<html lang="km">' in client.get(f"/notifications/unsubscribe/{token}").get_data(as_text=True)


def test_bad_unsubscribe_links_get_a_clear_page_never_a_500(app, client):
    mentor = UserFactory(role=Role.MENTOR)
    gone = UserFactory()
    db.session.commit()
    good = sign({"u": mentor.id, "c": "reviews"}, UNSUBSCRIBE_SALT)
    tampered = good[:-3] + ("aaa" if not good.endswith("aaa") else "bbb")
    cases = {
        "garbage": "not-a-token",
        "tampered": tampered,
        "other salt": sign({"u": mentor.id, "c": "reviews"}, "password-reset"),
        "not a dict": sign(["u", mentor.id], UNSUBSCRIBE_SALT),
        "unknown category": sign({"u": mentor.id, "c": "spam"}, UNSUBSCRIBE_SALT),
        "no such user": sign({"u": gone.id + 1000, "c": "reviews"}, UNSUBSCRIBE_SALT),
        "user id not a number": sign({"u": "1", "c": "reviews"}, UNSUBSCRIBE_SALT),
    }
    for name, token in cases.items():
        for method in ("get", "post"):
            response = getattr(client, method)(f"/notifications/unsubscribe/{token}")
            text = response.get_data(as_text=True)
            assert response.status_code == 400, (name, method)
            assert "This unsubscribe link is not valid" in text, (name, method)
    essential = sign({"u": mentor.id, "c": "account"}, UNSUBSCRIBE_SALT)
    response = client.post(f"/notifications/unsubscribe/{essential}")
    assert response.status_code == 400 and "cannot be turned off" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(NotificationPreference.id))) == 0
