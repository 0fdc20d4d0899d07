"""A real SMTP server (aiosmtpd) that tests can make refuse mail, and helpers to queue and age messages."""
from __future__ import annotations

from datetime import timedelta

import pytest

from incubator.db import utcnow
from incubator.extensions import db
from incubator.notifications.models import OutboxMessage
from tests.helpers import SmtpServer, free_port


@pytest.fixture
def smtp(app, monkeypatch):
    """Mail settings pointing at a free port; the server is not listening until ``smtp.start(smtp.port)``."""
    server = SmtpServer()
    server.port = free_port()
    monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")
    monkeypatch.setitem(app.config, "MAIL_PORT", server.port)
    monkeypatch.setitem(app.config, "MAIL_USE_TLS", False)
    yield server
    server.stop()


def make_due(*messages: OutboxMessage) -> None:
    """Pretend the wait before the next attempt has passed."""
    for message in messages:
        db.session.refresh(message)
        message.next_attempt_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
