"""Outgoing email (kept as rows so nothing is sent for a transaction that rolled back), in-app
notifications and each user's email preferences per category."""
from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from incubator.db import UTCDateTime, str_enum, utcnow
from incubator.extensions import db


class OutboxStatus(enum.StrEnum):
    PENDING = "pending"  # waiting for SMTP delivery
    SENT = "sent"
    FAILED = "failed"
    STORED = "stored"  # no mail server configured: readable in the app only


class OutboxMessage(db.Model):
    __tablename__ = "outbox_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    to_email: Mapped[str] = mapped_column(sa.String(254), index=True)
    subject: Mapped[str] = mapped_column(sa.String(255))
    body_text: Mapped[str] = mapped_column(sa.Text)
    body_html: Mapped[str] = mapped_column(sa.Text)
    category: Mapped[str] = mapped_column(sa.String(40), default="account")
    # A rerun of the same work produces the same key, so it is stored (and sent) once.
    dedupe_key: Mapped[str | None] = mapped_column(sa.String(200), unique=True)
    status: Mapped[OutboxStatus] = mapped_column(str_enum(OutboxStatus), default=OutboxStatus.PENDING)
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str] = mapped_column(sa.Text, default="")
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Pending or failed: when the next attempt may start (None on a failed message: given up).
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    list_unsubscribe: Mapped[str] = mapped_column(sa.String(500), default="", server_default="")


class Notification(db.Model):
    """A message in a user's in-app list, written in their language when it was created."""

    __tablename__ = "notifications"
    __table_args__ = (sa.Index("ix_notifications_user_id_read_at", "user_id", "read_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    category: Mapped[str] = mapped_column(sa.String(20))
    title: Mapped[str] = mapped_column(sa.String(255))
    body: Mapped[str] = mapped_column(sa.Text, default="")
    link: Mapped[str] = mapped_column(sa.String(500), default="")  # a path inside the app, or empty
    # A rerun of the same work produces the same key, so the user is told once.
    dedupe_key: Mapped[str | None] = mapped_column(sa.String(200), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class NotificationPreference(db.Model):
    """A user's choice for one category; without a row, email is on."""

    __tablename__ = "notification_preferences"
    __table_args__ = (sa.UniqueConstraint("user_id", "category"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    category: Mapped[str] = mapped_column(sa.String(20))
    email: Mapped[bool] = mapped_column(default=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
