"""Email retries with backoff against a real SMTP server (aiosmtpd): refusals, a dead port, recovery, giving up."""
from __future__ import annotations

from datetime import timedelta
from email import message_from_bytes
from email.policy import default

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from incubator.db import utcnow
from incubator.extensions import db
from incubator.jobs.runner import SUCCEEDED, run_job
from incubator.notifications.email import MAX_ATTEMPTS, deliver_committed, queue_email, retry_delay
from incubator.notifications.models import OutboxMessage, OutboxStatus
from incubator.notifications.services import notify
from tests.factories import UserFactory
from tests.notifications.conftest import make_due

REFUSED = "550 5.1.1 Mailbox unavailable"


def _queue(email: str = "sophea@example.org") -> OutboxMessage:
    user = UserFactory(email=email)
    return queue_email(user.email, _l("Reset your password"), "password_reset", user=user, link="http://x/r", hours=2)


def _retry_job(app):
    """One run of the email job (forced: these tests run it several times within a minute)."""
    outcome = run_job(app, "deliver_email", force=True)
    assert outcome.status == SUCCEEDED, outcome
    db.session.expire_all()
    return outcome


def _state(message):
    db.session.refresh(message)
    return message.status, message.attempts


def _waits(message) -> timedelta:
    return message.next_attempt_at - utcnow()


def test_retry_delays_grow_exponentially():
    assert [retry_delay(n) for n in range(1, 6)] == [timedelta(minutes=m) for m in (1, 4, 16, 64, 256)]


def test_refused_message_is_retried_with_backoff_and_sent_when_the_server_accepts(app, smtp):
    smtp.start(smtp.port)
    smtp.refuse = REFUSED
    message = _queue()
    db.session.commit()
    assert deliver_committed() == 0
    assert _state(message) == (OutboxStatus.FAILED, 1)
    assert "550" in message.last_error and "Mailbox unavailable" in message.last_error
    assert timedelta(seconds=50) < _waits(message) <= timedelta(minutes=1)

    assert _retry_job(app).summary == "nothing due"  # the minute has not passed
    assert _state(message) == (OutboxStatus.FAILED, 1)

    make_due(message)
    assert _retry_job(app).summary == "1 due"
    assert _state(message) == (OutboxStatus.FAILED, 2)
    assert timedelta(minutes=3) < _waits(message) <= timedelta(minutes=4)

    smtp.refuse = None
    make_due(message)
    _retry_job(app)
    assert _state(message) == (OutboxStatus.SENT, 3)
    assert message.next_attempt_at is None and message.sent_at is not None
    assert [m.rcpt_tos for m in smtp.messages] == [["sophea@example.org"]]

    assert _retry_job(app).summary == "nothing due"  # sent messages are never due again
    assert len(smtp.messages) == 1


def test_closed_port_then_the_server_comes_back(app, smtp):
    message = _queue()
    db.session.commit()
    deliver_committed()  # nothing listens on the port yet
    assert _state(message) == (OutboxStatus.FAILED, 1)
    assert "Connection refused" in message.last_error or "ConnectionRefused" in message.last_error

    smtp.start(smtp.port)
    make_due(message)
    _retry_job(app)
    assert _state(message) == (OutboxStatus.SENT, 2)
    assert len(smtp.messages) == 1


def test_gives_up_after_the_last_attempt(app, smtp):
    smtp.start(smtp.port)
    smtp.refuse = REFUSED
    message = _queue()
    db.session.commit()
    deliver_committed()
    for _attempt in range(MAX_ATTEMPTS - 1):
        make_due(message)
        _retry_job(app)
    assert _state(message) == (OutboxStatus.FAILED, MAX_ATTEMPTS)
    assert message.next_attempt_at is None  # given up: never due again
    smtp.refuse = None
    assert _retry_job(app).summary == "nothing due"
    assert smtp.attempts == MAX_ATTEMPTS and smtp.messages == []


def test_a_dead_server_postpones_the_rest_of_the_batch_without_using_their_attempts(app, smtp):
    messages = [_queue(f"founder{i}@example.org") for i in range(3)]
    db.session.commit()
    db.session.info.pop("outbox_committed", None)  # the web worker died before sending
    make_due(*messages)
    _retry_job(app)
    states = [_state(m) for m in messages]
    assert states == [(OutboxStatus.FAILED, 1), (OutboxStatus.PENDING, 0), (OutboxStatus.PENDING, 0)]
    assert messages[1].next_attempt_at == messages[2].next_attempt_at == messages[0].next_attempt_at

    smtp.start(smtp.port)
    make_due(*messages)
    _retry_job(app)
    assert [_state(m) for m in messages] == [(OutboxStatus.SENT, 2), (OutboxStatus.SENT, 1), (OutboxStatus.SENT, 1)]
    assert sorted(m.rcpt_tos[0] for m in smtp.messages) == [f"founder{i}@example.org" for i in range(3)]


def test_the_request_that_queued_a_message_and_the_job_never_both_send_it(app, smtp):
    smtp.start(smtp.port)
    message = _queue()
    db.session.commit()
    # The job runs while the request is still sending: the message is leased to the request.
    assert _retry_job(app).summary == "nothing due"
    assert deliver_committed() == 1
    _retry_job(app)
    assert _state(message) == (OutboxStatus.SENT, 1) and len(smtp.messages) == 1


def test_a_message_whose_sender_crashed_is_sent_by_the_job_after_the_lease(app, smtp):
    smtp.start(smtp.port)
    message = _queue()
    db.session.commit()
    db.session.info.pop("outbox_committed", None)  # crashed before sending
    assert _retry_job(app).summary == "nothing due"
    make_due(message)
    _retry_job(app)
    assert _state(message) == (OutboxStatus.SENT, 1) and len(smtp.messages) == 1


def test_stored_messages_without_a_mail_server_are_never_sent(app, smtp, monkeypatch):
    monkeypatch.setitem(app.config, "MAIL_SERVER", "")
    message = _queue()
    db.session.commit()
    assert message.status == OutboxStatus.STORED and message.next_attempt_at is None
    monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")
    smtp.start(smtp.port)
    _retry_job(app)
    assert _state(message) == (OutboxStatus.STORED, 0) and smtp.messages == []


def test_notification_email_carries_list_unsubscribe_and_a_stable_message_id(app, smtp):
    smtp.start(smtp.port)
    user = UserFactory(email="mentor@example.org")
    notify(user, "reviews", _l("Reset your password"), link="/notifications/")
    db.session.commit()
    assert deliver_committed() == 1
    sent = message_from_bytes(smtp.messages[0].content, policy=default)
    unsubscribe = str(sent["List-Unsubscribe"])
    assert unsubscribe.startswith("<http") and "/notifications/unsubscribe/" in unsubscribe
    message = db.session.scalar(sa.select(OutboxMessage))
    assert unsubscribe == f"<{message.list_unsubscribe}>"
    assert sent["Message-ID"].startswith(f"<outbox-{message.id}-")
    assert sent.get_body(("plain",)).get_content().count(message.list_unsubscribe) == 1


def test_essential_email_has_no_unsubscribe(app, smtp):
    smtp.start(smtp.port)
    notify(UserFactory(), "account", _l("Reset your password"))
    db.session.commit()
    deliver_committed()
    assert "List-Unsubscribe" not in smtp.messages[0].content.decode()
