"""Helpers shared by several test modules: a real SMTP server, free ports, signed-in clients."""
from __future__ import annotations

import socket

from aiosmtpd.controller import Controller

from incubator.extensions import db
from tests.factories import DEFAULT_PASSWORD


def free_port() -> int:
    """A TCP port on loopback that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def signed_in_client(app, email: str, password: str = DEFAULT_PASSWORD):
    """A new test client signed in as ``email`` (for tests that race several users)."""
    # End the test's own read transaction first: on SQLite every transaction holds the write lock.
    db.session.rollback()
    client = app.test_client()
    assert client.post("/auth/login", data={"email": email, "password": password}).status_code == 302
    return client


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


def tbi_today():
    """Today in the incubator's zone (Asia/Phnom_Penh, the test settings' DEFAULT_TIMEZONE): from 17:00 UTC it is
    already tomorrow there, so tests of date rules must not use the machine's ``date.today()``."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    return datetime.now(ZoneInfo("Asia/Phnom_Penh")).date()
