"""The one way the app sends email.

``queue_email`` renders the message in the recipient's language and stores it in the outbox in
the caller's transaction. Only after that transaction commits does ``deliver_committed`` hand it
to SMTP (when ``MAIL_SERVER`` is set); without a mail server the message stays readable in the
outbox page, so invitations and resets work in a demo with no mail server.
"""
from __future__ import annotations

import logging
import smtplib
from email.message import EmailMessage

import sqlalchemy as sa
from flask import current_app, render_template
from flask_babel import force_locale
from sqlalchemy import event
from sqlalchemy.orm import Session

from incubator.core.i18n import incubator_name
from incubator.db import utcnow
from incubator.extensions import db
from incubator.notifications.models import OutboxMessage, OutboxStatus

log = logging.getLogger(__name__)

_NEW = "outbox_new"
_COMMITTED = "outbox_committed"


def queue_email(
    to_email: str,
    subject,
    template: str,
    locale: str = "en",
    dedupe_key: str | None = None,
    category: str = "account",
    **context,
) -> OutboxMessage | None:
    """Render ``templates/emails/<template>.{txt,html}`` and store the message in the outbox.

    :param subject: a (lazy) translatable string, rendered in ``locale``.
    :param dedupe_key: a key unique to this message; a second call with the same key does nothing.
    :return: the stored message, or ``None`` when ``dedupe_key`` was already used.
    """
    if dedupe_key and db.session.scalar(sa.select(OutboxMessage.id).where(OutboxMessage.dedupe_key == dedupe_key)):
        return None
    with force_locale(locale):
        subject_text = str(subject)
        context.setdefault("incubator_name", incubator_name())
        body_text = render_template(f"emails/{template}.txt", subject=subject_text, **context)
        body_html = render_template(f"emails/{template}.html", subject=subject_text, **context)
    has_server = bool(current_app.config.get("MAIL_SERVER"))
    message = OutboxMessage(
        to_email=to_email,
        subject=subject_text[:255],
        body_text=body_text,
        body_html=body_html,
        category=category,
        dedupe_key=dedupe_key,
        status=OutboxStatus.PENDING if has_server else OutboxStatus.STORED,
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


def deliver_committed() -> int:
    """Send the messages committed in this unit of work; returns how many were sent."""
    ids = db.session.info.pop(_COMMITTED, None)
    if not ids or not current_app.config.get("MAIL_SERVER"):
        return 0
    messages = db.session.scalars(
        sa.select(OutboxMessage).where(OutboxMessage.id.in_(ids), OutboxMessage.status == OutboxStatus.PENDING)
    ).all()
    sent = sum(1 for message in messages if _send(message))
    db.session.commit()
    return sent


def _send(message: OutboxMessage) -> bool:
    config = current_app.config
    email = EmailMessage()
    email["Subject"] = message.subject
    email["From"] = config["MAIL_DEFAULT_SENDER"]
    email["To"] = message.to_email
    email.set_content(message.body_text)
    email.add_alternative(message.body_html, subtype="html")
    message.attempts += 1
    try:
        smtp_class = smtplib.SMTP_SSL if config["MAIL_USE_SSL"] else smtplib.SMTP
        with smtp_class(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=10) as smtp:
            if config["MAIL_USE_TLS"] and not config["MAIL_USE_SSL"]:
                smtp.starttls()
            if config["MAIL_USERNAME"]:
                smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
            smtp.send_message(email)
    except (OSError, smtplib.SMTPException) as exc:
        message.status = OutboxStatus.FAILED
        message.last_error = str(exc)[:2000]
        log.warning("email to %s failed: %s", message.to_email, exc)
        return False
    message.status = OutboxStatus.SENT
    message.sent_at = utcnow()
    return True
