"""notify(): in-app always, email by preference, in the recipient's language and time zone, once per event."""
from __future__ import annotations

import re
from datetime import datetime, timezone

import pytest
import sqlalchemy as sa
from flask_babel import LazyString, format_datetime
from flask_babel import lazy_gettext as _l

from incubator.applications.services import assign_reviewer
from incubator.auth.models import Role
from incubator.auth.services import accept_invitation, invitation_link, invite_user
from incubator.extensions import db
from incubator.notifications.models import Notification, NotificationPreference, OutboxMessage
from incubator.notifications.services import email_enabled, notify, set_email_preference
from tests.factories import ApplicationFactory, StartupFactory, UserFactory
from tests.test_i18n import km_catalog  # noqa: F401  (compiles the Khmer catalog when needed)

KHMER = re.compile("[\u1780-\u17ff]")


def _emails() -> list[OutboxMessage]:
    return db.session.scalars(sa.select(OutboxMessage).order_by(OutboxMessage.id)).all()


def _notifications(user) -> list[Notification]:
    return db.session.scalars(sa.select(Notification).where(Notification.user_id == user.id)).all()


def test_notification_and_email_in_the_recipients_language(app, km_catalog):  # noqa: F811
    user = UserFactory(locale="km", email="dara@example.org")
    notification = notify(user, "reviews", _l("Reset your password"), _l("Reset your password"), link="/")
    assert KHMER.search(notification.title) and notification.title == notification.body
    assert notification.read_at is None and notification.category == "reviews"
    [email] = _emails()
    assert email.subject == notification.title and email.to_email == "dara@example.org"
    assert '<html lang="km">' in email.body_html and "ជម្រាបសួរ" in email.body_text
    assert email.category == "reviews" and email.list_unsubscribe


def test_times_are_in_the_recipients_time_zone(app):
    moment = datetime(2026, 11, 23, 2, 0, tzinfo=timezone.utc)  # 09:00 in Phnom Penh
    body = LazyString(lambda: f"Session at {format_datetime(moment, 'HH:mm')}")
    seoul = notify(UserFactory(timezone="Asia/Seoul"), "reviews", _l("Reset your password"), body)
    berlin = notify(UserFactory(timezone="Europe/Berlin"), "reviews", _l("Reset your password"), body)
    assert (seoul.body, berlin.body) == ("Session at 11:00", "Session at 03:00")
    assert [("Session at 11:00" in e.body_text) for e in _emails()] == [True, False]
    assert "Session at 03:00" in _emails()[1].body_html


def test_email_preference_off_keeps_the_in_app_notification_only(app):
    user = UserFactory(role=Role.MENTOR)
    set_email_preference(user, "reviews", False)
    assert notify(user, "reviews", _l("Reset your password")) is not None
    assert len(_notifications(user)) == 1 and _emails() == []
    assert email_enabled(user, "team")  # other categories are untouched


def test_essential_category_is_always_emailed_without_unsubscribe_link(app):
    user = UserFactory()
    db.session.add(NotificationPreference(user_id=user.id, category="account", email=False))  # even if stored
    notify(user, "account", _l("Reset your password"))
    [email] = _emails()
    assert email.list_unsubscribe == "" and "Unsubscribe" not in email.body_text + email.body_html
    with pytest.raises(Exception, match="cannot be turned off"):
        set_email_preference(user, "account", False)


def test_non_essential_email_has_unsubscribe_and_preferences_links(app):
    notify(UserFactory(role=Role.MENTOR), "reviews", _l("Reset your password"), link="/review/mine")
    [email] = _emails()
    for body in (email.body_text, email.body_html):
        assert email.list_unsubscribe in body and "/notifications/preferences" in body
    assert "http://127.0.0.1:5000/review/mine" in email.body_text
    assert "Application reviews" in email.body_text  # which emails the link stops


def test_same_dedupe_key_notifies_once(app):
    user = UserFactory()
    for _ in range(2):
        notify(user, "reviews", _l("Reset your password"), dedupe_key="review-assigned:1")
    assert len(_notifications(user)) == 1 and len(_emails()) == 1
    assert _emails()[0].dedupe_key == "notify:review-assigned:1"


def test_inactive_accounts_are_not_notified_and_links_stay_inside_the_app(app):
    assert notify(UserFactory(is_active=False), "reviews", _l("Reset your password")) is None
    with pytest.raises(ValueError):
        notify(UserFactory(), "reviews", _l("Reset your password"), link="https://evil.example/")
    assert db.session.scalar(sa.select(sa.func.count(Notification.id))) == 0


def test_review_assignment_notifies_the_reviewer(app):
    manager = UserFactory(role=Role.MANAGER, name="Maly Manager")
    mentor = UserFactory(role=Role.MENTOR)
    application = ApplicationFactory(startup_name="Mekong Solar")
    assignment = assign_reviewer(manager, application, mentor)
    [notification] = _notifications(mentor)
    assert notification.title == "New application to review: Mekong Solar"
    assert "Maly Manager asked you to review Mekong Solar" in notification.body
    assert notification.link == f"/review/assignments/{assignment.id}"
    assert notification.dedupe_key == f"review-assigned:{assignment.id}"
    # A manager assigning themselves is not told about it.
    assign_reviewer(manager, application, manager)
    assert _notifications(manager) == []


def test_accepted_invitation_notifies_the_inviting_manager(app):
    manager = UserFactory(role=Role.MANAGER)
    startup = StartupFactory(name="Kampot Cold Chain")
    with app.test_request_context():
        invitation = invite_user(manager, "new.founder@example.org", Role.FOUNDER, startup=startup)
        token = invitation_link(invitation).rsplit("/", 1)[1]
        user = accept_invitation(token, "Srey Neang", "a long enough password 42")
    [notification] = _notifications(manager)
    assert notification.category == "team" and notification.title == "Srey Neang accepted your invitation"
    assert "new.founder@example.org" in notification.body and "Founder" in notification.body
    assert notification.link == f"/cohorts/startups/{startup.id}"
    assert _notifications(user) == []


def test_demo_mentors_review_notices_are_unread_only_for_reviews_still_to_do(app):
    from incubator.applications.models import ReviewAssignment, ReviewStatus
    from incubator.auth.services import find_user
    from incubator.notifications.services import unread_count

    assert app.test_cli_runner().invoke(args=["demo"]).exit_code == 0
    db.session.expire_all()
    mentor = find_user("mentor@example.com")
    pending = db.session.scalar(sa.select(sa.func.count(ReviewAssignment.id)).where(
        ReviewAssignment.reviewer_id == mentor.id, ReviewAssignment.status == ReviewStatus.PENDING))
    unread_reviews = [n for n in _notifications(mentor) if n.category == "reviews" and n.read_at is None]
    assert len(unread_reviews) == pending > 0
    assert unread_count(mentor.id) >= pending  # plus the demo's matching notices
    assert len([n for n in _notifications(mentor) if n.category == "reviews"]) > pending
