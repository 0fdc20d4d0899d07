"""``GET /healthz``: database, migrations and scheduler heartbeat; 200 when all pass, 503 naming what failed."""
from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from incubator.db import utcnow
from incubator.extensions import db
from incubator.jobs.models import SchedulerHeartbeat
from incubator.ops import health


def beat(ago: timedelta, hostname: str = "web-1") -> None:
    moment = utcnow() - ago
    db.session.add(SchedulerHeartbeat(hostname=hostname, pid=42, started_at=moment, beat_at=moment))
    db.session.commit()


def test_all_checks_pass(client):
    beat(timedelta(seconds=30))
    response = client.get("/healthz")
    body = response.get_json()
    assert response.status_code == 200, body
    assert body["status"] == "ok" and body["failed"] == []
    assert body["checks"]["database"]["ok"] is True
    migrations = body["checks"]["migrations"]
    assert migrations["ok"] is True and migrations["database"] == migrations["code"] and migrations["code"]
    assert body["checks"]["scheduler"] == {"ok": True, "last_beat_seconds_ago": 30}
    assert response.headers["Cache-Control"] == "no-store"


def test_no_scheduler_ever_is_a_503(client):
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.get_json()
    assert body["status"] == "failing" and body["failed"] == ["scheduler"]
    assert body["checks"]["scheduler"]["ok"] is False and "flask jobs run" in body["checks"]["scheduler"]["hint"]


def test_stale_heartbeat_is_a_503_even_with_an_old_second_host(client):
    beat(timedelta(minutes=10), "web-1")
    beat(timedelta(hours=5), "web-2")
    body = client.get("/healthz").get_json()
    assert body["failed"] == ["scheduler"]
    assert body["checks"]["scheduler"]["last_beat_seconds_ago"] == 600


def test_freshest_heartbeat_counts(client):
    beat(timedelta(hours=5), "old-host")
    beat(timedelta(seconds=5), "new-host")
    assert client.get("/healthz").status_code == 200


def test_migrations_behind_the_code_is_a_503(client):
    beat(timedelta(seconds=1))
    db.session.execute(sa.text("DELETE FROM alembic_version"))
    db.session.execute(sa.text("INSERT INTO alembic_version (version_num) VALUES ('an_older_revision')"))
    db.session.commit()
    response = client.get("/healthz")
    body = response.get_json()
    assert response.status_code == 503 and body["failed"] == ["migrations"]
    assert "an_older_revision" in body["checks"]["migrations"]["database"]
    assert body["checks"]["migrations"]["hint"] == "run: flask db upgrade"


def test_unreachable_database_is_a_503_with_the_others_skipped(client, monkeypatch):
    def broken(conn):
        raise sa.exc.OperationalError("SELECT 1", {}, Exception("connection refused"))

    monkeypatch.setitem(health.CHECKS, "database", broken)
    monkeypatch.setitem(health.CHECKS, "migrations", broken)
    monkeypatch.setitem(health.CHECKS, "scheduler", broken)
    response = client.get("/healthz")
    body = response.get_json()
    assert response.status_code == 503
    assert body["failed"] == ["database", "migrations", "scheduler"]
    assert body["checks"]["database"] == {"ok": False, "error": "OperationalError"}


@pytest.mark.parametrize("accept", ["text/html", "application/json"])
def test_no_sign_in_and_always_json(client, accept):
    beat(timedelta(seconds=1))
    response = client.get("/healthz", headers={"Accept": accept})
    assert response.status_code == 200 and response.is_json


def test_cheap(client, count_queries):
    beat(timedelta(seconds=1))
    with count_queries() as counter:
        assert client.get("/healthz").status_code == 200
    assert counter.count <= 3, counter.statements  # SELECT 1, the Alembic version, the newest heartbeat
