"""The one way the app sends email.

``queue_email`` renders the message in the recipient's language and time zone and stores it in the
outbox in the caller's transaction. Only after that transaction commits does ``deliver_committed``
hand it to SMTP (when ``MAIL_SERVER`` is set); without a mail server the message stays readable in
the outbox page, so invitations and resets work in a demo with no mail server.

Failed messages are retried by the ``deliver_email`` job with growing delays (``retry_delay``) and
given up after ``MAX_ATTEMPTS``. Whoever sends a message holds a lease on it (``next_attempt_at`` in
the future, committed before sending), so the web request that queued it and the job never both send it.
"""
from __future__ import annotations

import logging
import smtplib
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage

import sqlalchemy as sa
from flask import current_app, render_template
from flask_babel import force_locale
from sqlalchemy import event
from sqlalchemy.orm import Session

from incubator.core.i18n import force_timezone, incubator_name
from incubator.db import utcnow
from incubator.extensions import db
from incubator.notifications.models import OutboxMessage, OutboxStatus

log = logging.getLogger(__name__)

_NEW = "outbox_new"
_COMMITTED = "outbox_committed"

MAX_ATTEMPTS = 6
RETRY_BASE = timedelta(minutes=1)
RETRY_FACTOR = 4  # waits of 1, 4, 16, 64 and 256 minutes between the 6 attempts
LEASE = timedelta(minutes=5)  # longer than any send takes (SMTP timeout 10 s per message)
BATCH = 100


def retry_delay(attempts: int) -> timedelta:
    """How long to wait after the ``attempts``-th failed attempt."""
    return RETRY_BASE * RETRY_FACTOR ** max(attempts - 1, 0)


def queue_email(
    to_email: str,
    subject,
    template: str,
    locale: str = "en",
    dedupe_key: str | None = None,
    category: str = "account",
    timezone: str | None = None,
    unsubscribe_url: str | None = None,
    **context,
) -> OutboxMessage | None:
    """Render ``templates/emails/<template>.{txt,html}`` and store the message in the outbox.

    :param subject: a (lazy) translatable string, rendered in ``locale``.
    :param dedupe_key: a key unique to this message; a second call with the same key does nothing.
    :param timezone: the recipient's time zone for any date in the message (default ``DEFAULT_TIMEZONE``).
    :param unsubscribe_url: for non-essential email: a one-click unsubscribe link, added to the footer
        and as a ``List-Unsubscribe`` header.
    :return: the stored message, or ``None`` when ``dedupe_key`` was already used.
    """
    if dedupe_key and db.session.scalar(sa.select(OutboxMessage.id).where(OutboxMessage.dedupe_key == dedupe_key)):
        return None
    with force_locale(locale), force_timezone(timezone or current_app.config["DEFAULT_TIMEZONE"]):
        subject_text = str(subject)
        context.setdefault("incubator_name", incubator_name())
        context["unsubscribe_url"] = unsubscribe_url
        body_text = render_template(f"emails/{template}.txt", subject=subject_text, **context)
        if unsubscribe_url:
            footer = render_template("emails/_unsubscribe.txt", **context)
            body_text = f"{body_text.rstrip()}\n\n-- \n{footer.strip()}\n"
        body_html = render_template(f"emails/{template}.html", subject=subject_text, **context)
    has_server = bool(current_app.config.get("MAIL_SERVER"))
    message = OutboxMessage(
        to_email=to_email,
        subject=subject_text[:255],
        body_text=body_text,
        body_html=body_html,
        category=category,
        dedupe_key=dedupe_key,
        list_unsubscribe=unsubscribe_url or "",
        status=OutboxStatus.PENDING if has_server else OutboxStatus.STORED,
        # The request that queued it sends it right after commit; the retry job waits out this lease.
        next_attempt_at=utcnow() + LEASE if has_server else None,
    )
    db.session.add(message)
    db.session.flush()
    db.session.info.setdefault(_NEW, []).append(message.id)
    if not has_server:
        log.info("email stored in outbox (no MAIL_SERVER): to=%s subject=%r", to_email, subject_text)
    return message


@event.listens_for(Session, "after_commit")
def _remember_committed(session):
    new_ids = session.info.pop(_NEW, None)
    if new_ids:
        session.info.setdefault(_COMMITTED, []).extend(new_ids)


@event.listens_for(Session, "after_rollback")
def _forget_rolled_back(session):
    session.info.pop(_NEW, None)


def due_clause(now: datetime):
    """Messages waiting for a first or a new attempt whose time has come."""
    due = sa.or_(OutboxMessage.next_attempt_at.is_(None), OutboxMessage.next_attempt_at <= now)
    return sa.or_(
        sa.and_(OutboxMessage.status == OutboxStatus.PENDING, due),
        sa.and_(OutboxMessage.status == OutboxStatus.FAILED, OutboxMessage.next_attempt_at <= now),
    )


def claim_due(now: datetime | None = None, limit: int = BATCH) -> list[int]:
    """Lease the messages that are due, in the current transaction; they are sent after it commits.

    :return: the ids claimed (rows another transaction is claiming are skipped).
    """
    now = now or utcnow()
    messages = db.session.scalars(
        sa.select(OutboxMessage)
        .where(due_clause(now))
        .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    ).all()
    for message in messages:
        message.next_attempt_at = now + LEASE
    db.session.flush()
    ids = [message.id for message in messages]
    db.session.info.setdefault(_NEW, []).extend(ids)
    return ids


def deliver_committed() -> int:
    """Send the messages committed in this unit of work; returns how many were sent."""
    ids = db.session.info.pop(_COMMITTED, None)
    if not ids or not current_app.config.get("MAIL_SERVER"):
        return 0
    return _deliver(ids)


@dataclass(frozen=True)
class _Envelope:
    id: int
    email: EmailMessage


class _ServerDown(Exception):
    pass


def _envelope(message: OutboxMessage) -> _Envelope:
    config = current_app.config
    email = EmailMessage()
    email["Subject"] = message.subject
    email["From"] = config["MAIL_DEFAULT_SENDER"]
    email["To"] = message.to_email
    domain = config["MAIL_DEFAULT_SENDER"].rpartition("@")[2].strip("> ") or "localhost"
    # Stable per message: if a crash makes us send it twice, mail clients show it once.
    email["Message-ID"] = f"<outbox-{message.id}-{message.created_at:%Y%m%d%H%M%S}@{domain}>"
    if message.list_unsubscribe:
        email["List-Unsubscribe"] = f"<{message.list_unsubscribe}>"
    email.set_content(message.body_text)
    email.add_alternative(message.body_html, subtype="html")
    return _Envelope(message.id, email)


def _deliver(ids: list[int]) -> int:
    messages = db.session.scalars(
        sa.select(OutboxMessage)
        .where(OutboxMessage.id.in_(ids), OutboxMessage.status.in_([OutboxStatus.PENDING, OutboxStatus.FAILED]))
        .order_by(OutboxMessage.id)
    ).all()
    envelopes = [_envelope(message) for message in messages]
    # Talk to SMTP outside any transaction: it can be slow, and on SQLite a transaction holds the write lock.
    db.session.commit()
    sent, server_down = 0, None
    for envelope in envelopes:
        if server_down is not None:
            _postpone(envelope.id, server_down)
            continue
        error = _smtp_send(envelope.email)
        retry_at = _record(envelope.id, error)
        if error is None:
            sent += 1
        elif isinstance(error, _ServerDown) and retry_at is not None:
            server_down = retry_at  # the rest of the batch waits too, without using up attempts
    return sent


def _smtp_send(email: EmailMessage) -> Exception | None:
    config = current_app.config
    try:
        smtp_class = smtplib.SMTP_SSL if config["MAIL_USE_SSL"] else smtplib.SMTP
        with smtp_class(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=10) as smtp:
            if config["MAIL_USE_TLS"] and not config["MAIL_USE_SSL"]:
                smtp.starttls()
            if config["MAIL_USERNAME"]:
                smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
            smtp.send_message(email)
    except (smtplib.SMTPRecipientsRefused, smtplib.SMTPDataError, smtplib.SMTPSenderRefused) as exc:
        return exc  # this message was refused; the server itself works
    except OSError as exc:  # smtplib.SMTPException is an OSError too: connection, TLS or login trouble
        return _ServerDown(f"{type(exc).__name__}: {exc}")
    return None


def _record(message_id: int, error: Exception | None) -> datetime | None:
    """Store the outcome of one attempt; return when it is tried again (``None``: sent or given up)."""
    message = db.session.get(OutboxMessage, message_id)
    message.attempts += 1
    now = utcnow()
    if error is None:
        message.status, message.sent_at, message.next_attempt_at = OutboxStatus.SENT, now, None
    else:
        message.status = OutboxStatus.FAILED
        message.last_error = str(error)[:2000]
        gave_up = message.attempts >= MAX_ATTEMPTS
        message.next_attempt_at = None if gave_up else now + retry_delay(message.attempts)
        log.warning("email %s to %s failed (attempt %d%s): %s", message.id, message.to_email, message.attempts,
                    ", giving up" if gave_up else "", error)
    retry_at = message.next_attempt_at
    db.session.commit()
    return retry_at


def _postpone(message_id: int, until: datetime) -> None:
    message = db.session.get(OutboxMessage, message_id)
    message.next_attempt_at = until
    db.session.commit()
