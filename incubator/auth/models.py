"""Users, invitations and personal API tokens."""
from __future__ import annotations

import enum
import secrets
from datetime import datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship

from incubator.db import TimestampMixin, UTCDateTime, str_enum, utcnow
from incubator.extensions import db

if TYPE_CHECKING:
    from incubator.cohorts.models import Startup


class Role(enum.StrEnum):
    MANAGER = "manager"
    FOUNDER = "founder"
    MENTOR = "mentor"
    INVESTOR = "investor"


ROLE_LABELS = {
    Role.MANAGER: _l("Manager"),
    Role.FOUNDER: _l("Founder"),
    Role.MENTOR: _l("Mentor"),
    Role.INVESTOR: _l("Investor"),
}


def new_session_nonce() -> str:
    return secrets.token_hex(8)


class User(UserMixin, TimestampMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    password_hash: Mapped[str | None] = mapped_column(sa.String(256))
    role: Mapped[Role] = mapped_column(str_enum(Role), index=True)
    is_admin: Mapped[bool] = mapped_column(default=False)
    is_active: Mapped[bool] = mapped_column(default=True)
    locale: Mapped[str] = mapped_column(sa.String(8), default="en")
    timezone: Mapped[str] = mapped_column(sa.String(64), default="Asia/Phnom_Penh")
    # Part of the login cookie's id: rotating it signs out every other session.
    session_nonce: Mapped[str] = mapped_column(sa.String(32), default=new_session_nonce)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    def get_id(self) -> str:
        return f"{self.id}:{self.session_nonce}"

    def has_role(self, *roles: str) -> bool:
        return self.role.value in roles

    @property
    def is_manager(self) -> bool:
        return self.role == Role.MANAGER

    @property
    def role_label(self) -> str:
        return str(ROLE_LABELS[self.role])

    def __repr__(self) -> str:
        return f"<User {self.email} {self.role.value}>"


class Invitation(db.Model):
    __tablename__ = "invitations"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254), index=True)
    name: Mapped[str] = mapped_column(sa.String(120), default="")
    role: Mapped[Role] = mapped_column(str_enum(Role))
    locale: Mapped[str] = mapped_column(sa.String(8), default="en", server_default="en")
    startup_id: Mapped[int | None] = mapped_column(sa.ForeignKey("startups.id", ondelete="CASCADE"))
    invited_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    # Part of the signed token: a new link for the same invitation makes older links useless.
    token_nonce: Mapped[str] = mapped_column(sa.String(32), default=lambda: secrets.token_hex(8))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    accepted_user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    invited_by: Mapped[User | None] = relationship(foreign_keys=[invited_by_id])
    startup: Mapped[Startup | None] = relationship()

    @property
    def status(self) -> str:
        if self.accepted_at:
            return "accepted"
        if self.revoked_at:
            return "revoked"
        if self.expires_at <= utcnow():
            return "expired"
        return "pending"


class ApiToken(db.Model):
    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(sa.String(80))
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    prefix: Mapped[str] = mapped_column(sa.String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    user: Mapped[User] = relationship()
