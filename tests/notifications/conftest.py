"""A real SMTP server (aiosmtpd) that tests can make refuse mail, and helpers to queue and age messages."""
from __future__ import annotations

import socket
from datetime import timedelta

import pytest
from aiosmtpd.controller import Controller

from incubator.db import utcnow
from incubator.extensions import db
from incubator.notifications.models import OutboxMessage


class SmtpServer:
    """Accepts mail into ``messages``; set ``refuse`` to an SMTP reply (e.g. "550 ...") to refuse recipients."""

    def __init__(self):
        self.messages = []
        self.attempts = 0
        self.refuse: str | None = None
        self.controller: Controller | None = None

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        self.attempts += 1
        if self.refuse:
            return self.refuse
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(envelope)
        return "250 Message accepted for delivery"

    def start(self, port: int) -> None:
        self.controller = Controller(self, hostname="127.0.0.1", port=port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


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
