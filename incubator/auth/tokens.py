"""Signed, expiring links: invitations and password resets."""
from __future__ import annotations

import hashlib

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

INVITATION_SALT = "invitation"
RESET_SALT = "password-reset"
APPLICATION_STATUS_SALT = "application-status"


class TokenInvalid(Exception):
    """The link was tampered with, is for something else, or has expired."""

    def __init__(self, expired: bool = False):
        super().__init__("expired" if expired else "invalid")
        self.expired = expired


def _serializer(salt: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=salt)


def sign(payload: dict, salt: str) -> str:
    return _serializer(salt).dumps(payload)


def unsign(token: str, salt: str, max_age: int | None) -> dict:
    try:
        data = _serializer(salt).loads(token, max_age=max_age)
    except SignatureExpired as exc:
        raise TokenInvalid(expired=True) from exc
    except BadSignature as exc:
        raise TokenInvalid() from exc
    if not isinstance(data, dict):
        raise TokenInvalid()
    return data


def fingerprint(value: str | None) -> str:
    """A short digest of a secret, so a token dies when the secret changes (single use)."""
    return hashlib.sha256((value or "").encode()).hexdigest()[:16]
