"""The progress rules: milestones, KPI reports and check-ins. Services flush; the caller commits."""
from __future__ import annotations

from contextlib import contextmanager

from sqlalchemy.exc import IntegrityError

from incubator.core.errors import ConflictError
from incubator.db import is_unique_violation
from incubator.extensions import db


@contextmanager
def unique_or_conflict(conflict: ConflictError):
    """Flush the block's inserts in a savepoint; a unique-key clash becomes ``conflict`` (a 409).

    The database, not a check in Python, decides "one per period": two requests that both passed the
    check collide here, and the loser gets a clear message instead of a 500.
    """
    try:
        with db.session.begin_nested():
            yield
    except IntegrityError as exc:
        if is_unique_violation(exc):
            raise conflict from exc
        raise


def lock(model, row_id: int) -> None:
    """Take the row lock on PostgreSQL (SQLite already holds the write lock) and reload the row."""
    db.session.execute(db.select(model.id).where(model.id == row_id).with_for_update())
