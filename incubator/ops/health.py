"""The health checks behind ``GET /healthz`` (``ops/views.py``): is this installation able to serve?

Three checks, each a single cheap query: the database answers, its schema is at the code's migration heads
(``flask db upgrade`` was run after the last deploy), and a scheduler (``flask jobs run``) stamped its heartbeat
within the last few minutes (reminders and email go out). 200 when all pass, 503 naming the failed ones.
No sign-in: it reveals no data, only whether each part works.
"""
from __future__ import annotations

import functools
import logging
import time

import sqlalchemy as sa
from alembic.script import ScriptDirectory
from flask import current_app

from incubator.db import utcnow
from incubator.extensions import db
from incubator.jobs.models import SchedulerHeartbeat
from incubator.jobs.queries import ALIVE_WITHIN

log = logging.getLogger(__name__)


@functools.cache
def code_heads(directory: str) -> tuple[str, ...]:
    """The migration heads the code ships (read from the scripts once per process: they change only on deploy)."""
    return tuple(sorted(ScriptDirectory(directory).get_heads()))


def check_database(conn) -> dict:
    started = time.perf_counter()
    conn.execute(sa.text("SELECT 1"))
    return {"ok": True, "ms": round((time.perf_counter() - started) * 1000, 1)}


def check_migrations(conn) -> dict:
    expected = code_heads(current_app.extensions["migrate"].directory)
    applied = tuple(sorted(conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalars()))
    result = {"ok": applied == expected, "database": list(applied), "code": list(expected)}
    if not result["ok"]:
        result["hint"] = "run: flask db upgrade"
    return result


def check_scheduler(conn) -> dict:
    last = conn.execute(sa.select(sa.func.max(SchedulerHeartbeat.beat_at))).scalar()
    if last is None:
        return {"ok": False, "last_beat_seconds_ago": None, "hint": "no scheduler has run: start flask jobs run"}
    age = (utcnow() - last).total_seconds()
    result = {"ok": age <= ALIVE_WITHIN.total_seconds(), "last_beat_seconds_ago": int(age)}
    if not result["ok"]:
        result["hint"] = "the scheduler stopped: check the flask jobs run service"
    return result


CHECKS = {"database": check_database, "migrations": check_migrations, "scheduler": check_scheduler}


def run_checks() -> dict[str, dict]:
    """Run every check on the request's connection; if the database is unreachable the others are skipped."""
    results: dict[str, dict] = {}
    try:
        conn = db.session.connection()
        for name, check in CHECKS.items():
            try:
                results[name] = check(conn)
            except sa.exc.SQLAlchemyError as exc:
                db.session.rollback()
                conn = db.session.connection()
                log.warning("health check %s failed: %s", name, exc.__class__.__name__)
                results[name] = {"ok": False, "error": exc.__class__.__name__}
    except sa.exc.SQLAlchemyError as exc:
        log.warning("health check: database unreachable: %s", exc.__class__.__name__)
        results["database"] = {"ok": False, "error": exc.__class__.__name__}
    finally:
        db.session.rollback()
    for name in CHECKS:
        results.setdefault(name, {"ok": False, "skipped": "database unreachable"})
    return results
