"""Access-matrix entries for operations routes (issue 8): ``/healthz`` and ``/favicon.ico`` answer everyone.

``build`` stamps a fresh scheduler heartbeat so that the health check passes (200) in the matrix world: the
matrix treats any 5xx as a failure, and a healthy installation is the case it describes.
"""
from __future__ import annotations

from incubator.db import utcnow
from incubator.extensions import db
from incubator.jobs.models import SchedulerHeartbeat
from tests.access_cases import EVERYONE, page

ROUTES = {
    ("ops.healthz", "GET"): page(EVERYONE, note="no sign-in: reports only whether each part works"),
    ("ops.favicon", "GET"): page(EVERYONE),
}


def build(world: dict) -> dict:
    now = utcnow()
    db.session.add(SchedulerHeartbeat(hostname="matrix-scheduler", pid=1, started_at=now, beat_at=now))
    db.session.flush()
    return {}
