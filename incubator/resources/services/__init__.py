"""The resources rules: the catalog, bookings, approvals and allowances. Services flush; the caller commits."""
from __future__ import annotations

from contextlib import contextmanager

from sqlalchemy.exc import IntegrityError

from incubator.core.errors import ConflictError
from incubator.db import is_unique_violation
from incubator.extensions import db


@contextmanager
def unique_or_conflict(conflict: ConflictError):
    """Flush the block's inserts in a savepoint; a unique or exclusion clash becomes ``conflict`` (a 409).

    The database decides: two requests that both passed the check in Python collide here (PostgreSQL
    SQLSTATE 23505/23P01), and the loser gets a clear message instead of a 500.
    """
    try:
        with db.session.begin_nested():
            yield
            db.session.flush()
    except IntegrityError as exc:
        if is_unique_violation(exc):
            raise conflict from exc
        raise


def lock(model, row_id: int) -> None:
    """Take the row lock on PostgreSQL (SQLite already holds the write lock); call ``refresh`` after."""
    db.session.execute(db.select(model.id).where(model.id == row_id).with_for_update())
