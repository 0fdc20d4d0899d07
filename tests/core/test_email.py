"""Email: stored in the outbox in the transaction, delivered by SMTP only after commit."""
from __future__ import annotations

import pytest
import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from incubator.extensions import db
from incubator.notifications.email import deliver_committed, queue_email
from incubator.notifications.models import OutboxMessage, OutboxStatus
from tests.factories import UserFactory
from tests.helpers import SmtpServer, free_port


@pytest.fixture
def smtp_server(app, monkeypatch):
    server = SmtpServer()
    server.start(free_port())
    monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")
    monkeypatch.setitem(app.config, "MAIL_PORT", server.controller.port)
    monkeypatch.setitem(app.config, "MAIL_USE_TLS", False)
    yield server
    server.stop()


def _user_email(user):
    queue_email(user.email, _l("Reset your password"), "password_reset", user=user, link="http://x/reset", hours=2)


def test_without_mail_server_messages_are_kept_in_outbox(app):
    with app.test_request_context():
        _user_email(UserFactory(email="kept@example.org"))
    message = db.session.scalar(sa.select(OutboxMessage))
    assert message.status == OutboxStatus.STORED and "http://x/reset" in message.body_text
    assert "<a href=\"http://x/reset\">" in message.body_html


def test_sent_after_commit_only(app, smtp_server):
    with app.test_request_context():
        user = UserFactory(email="smtp@example.org")
        _user_email(user)
        assert smtp_server.messages == []
        db.session.commit()
        assert deliver_committed() == 1
    assert smtp_server.messages[0].rcpt_tos == ["smtp@example.org"]
    assert db.session.scalar(sa.select(OutboxMessage.status)) == OutboxStatus.SENT


def test_rolled_back_email_is_never_sent(app, smtp_server):
    with app.test_request_context():
        user = UserFactory(email="rb@example.org")
        db.session.commit()
        _user_email(user)
        db.session.rollback()
        assert deliver_committed() == 0
    assert smtp_server.messages == []


def test_refusing_server_marks_failed(app, monkeypatch):
    monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")
    monkeypatch.setitem(app.config, "MAIL_PORT", free_port())  # nothing listens there
    with app.test_request_context():
        _user_email(UserFactory())
        db.session.commit()
        assert deliver_committed() == 0
    message = db.session.scalar(sa.select(OutboxMessage))
    assert message.status == OutboxStatus.FAILED and message.attempts == 1 and message.last_error


def test_dedupe_key_stores_once(app):
    with app.test_request_context():
        user = UserFactory()
        for _ in range(2):
            queue_email(user.email, _l("Reset your password"), "password_reset", dedupe_key="reset:1", user=user,
                        link="x", hours=2)
    assert db.session.scalar(sa.select(sa.func.count(OutboxMessage.id))) == 1


def test_email_rendered_in_recipient_language(app):
    with app.test_request_context():
        user = UserFactory(locale="km")
        queue_email(user.email, _l("Reset your password"), "password_reset", locale="km", user=user, link="x", hours=2)
    message = db.session.scalar(sa.select(OutboxMessage))
    assert '<html lang="km">' in message.body_html
