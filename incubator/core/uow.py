"""The unit of work at the request boundary: run one service call, commit once, or roll back.

Services only flush. A view calls ``attempt`` (forms) or ``commit`` (plain actions); constraint
races that the database catches become ``ConflictError`` so users see a clear message, not a 500.
"""
from __future__ import annotations

from collections.abc import Callable
from contextlib import contextmanager
from typing import Any

from flask import flash
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError, OperationalError

from incubator.core.errors import ConflictError, ServiceError
from incubator.db import is_unique_violation
from incubator.extensions import db


def _conflict_from(exc: Exception) -> ServiceError | None:
    if isinstance(exc, IntegrityError) and is_unique_violation(exc):
        return ConflictError(_("Someone else just made the same change. Reload the page and check."))
    if isinstance(exc, OperationalError) and "locked" in str(exc.orig).lower():
        return ConflictError(_("The system is busy right now. Please try again in a moment."))
    return None


@contextmanager
def _clashes_as_conflicts():
    try:
        yield
    except (IntegrityError, OperationalError) as exc:
        db.session.rollback()
        conflict = _conflict_from(exc)
        if conflict is None:
            raise
        raise conflict from exc


def commit() -> None:
    """Commit the request's transaction; a database-detected clash raises ``ConflictError``."""
    with _clashes_as_conflicts():
        db.session.commit()


def perform(fn: Callable[..., Any], *args, **kwargs) -> Any:
    """Call a service and commit; on any refusal roll back and re-raise as ``ServiceError``."""
    try:
        with _clashes_as_conflicts():
            result = fn(*args, **kwargs)
    except ServiceError:
        db.session.rollback()
        raise
    commit()
    return result


class Failed:
    """Marker returned by ``attempt`` when the service refused."""

    def __bool__(self) -> bool:
        return False


FAILED = Failed()


def attempt(form, fn: Callable[..., Any], *args, **kwargs) -> Any:
    """Like ``perform`` but for a form page: errors go onto the form fields (or a flash) and
    ``FAILED`` is returned, so the view re-renders the form with what the user typed."""
    try:
        return perform(fn, *args, **kwargs)
    except ServiceError as exc:
        placed = False
        for field_name, messages in exc.fields.items():
            field = getattr(form, field_name, None) if form is not None else None
            if field is not None:
                field.errors = list(field.errors) + list(messages)
                placed = True
        if not placed:  # a message shown beside its field is not repeated at the top
            flash(exc.message, "danger")
        return FAILED
