"""Password policy: 12 to 128 characters, not in the bundled list of common passwords.

The list is Django's ``common-passwords.txt.gz`` (BSD licence; 20,000 passwords compiled by
Royce Williams), shipped with the package so no download is needed.
"""
from __future__ import annotations

import gzip
from functools import cache
from pathlib import Path

from flask import current_app
from flask_babel import gettext as _
from werkzeug.security import check_password_hash, generate_password_hash

MIN_LENGTH = 12
MAX_LENGTH = 128
COMMON_PASSWORDS_FILE = Path(__file__).with_name("common-passwords.txt.gz")


@cache
def common_passwords() -> frozenset[str]:
    with gzip.open(COMMON_PASSWORDS_FILE, "rt", encoding="utf-8") as handle:
        return frozenset(line.strip().lower() for line in handle if line.strip())


def password_problems(password: str, email: str | None = None) -> list[str]:
    """Reasons the password is refused; an empty list means it is acceptable."""
    problems = []
    if len(password) < MIN_LENGTH:
        problems.append(_("Use at least %(n)d characters.", n=MIN_LENGTH))
    if len(password) > MAX_LENGTH:
        problems.append(_("Use at most %(n)d characters.", n=MAX_LENGTH))
    lowered = password.lower()
    if lowered in common_passwords():
        problems.append(_("This password is too common; choose another."))
    if email and lowered == email.lower():
        problems.append(_("The password must not be your email address."))
    return problems


def hash_password(password: str) -> str:
    return generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"])


def verify_password(password_hash: str | None, password: str) -> bool:
    if not password_hash:
        return False
    return check_password_hash(password_hash, password)


# Compared against when no account matches, so a missing account takes as long as a wrong password.
_DUMMY_HASH: dict[str, str] = {}


def burn_time(password: str) -> None:
    method = current_app.config["PASSWORD_HASH_METHOD"]
    if method not in _DUMMY_HASH:
        _DUMMY_HASH[method] = generate_password_hash("not-a-real-password", method=method)
    check_password_hash(_DUMMY_HASH[method], password)
