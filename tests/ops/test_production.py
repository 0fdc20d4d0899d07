"""Production mode: what it refuses, HSTS and secure cookies, and the client address behind a trusted proxy."""
from __future__ import annotations

import os
import runpy
import subprocess
import sys
from pathlib import Path

import pytest
from werkzeug.middleware.proxy_fix import ProxyFix

from incubator import create_app
from incubator.config import ConfigError, test_overrides
from incubator.extensions import db
from incubator.ops.logs import REQUEST_LOG
from incubator.ops.production import production_problems
from tests.factories import DEFAULT_PASSWORD, UserFactory

ROOT = Path(__file__).resolve().parents[2]
GOOD = {"APP_ENV": "production", "DATABASE_URL": "postgresql://incubator@127.0.0.1/incubator",
        "SECRET_KEY": "k" * 64, "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379/0"}


def test_a_complete_production_environment_passes():
    assert production_problems(GOOD, workers=5) == []


@pytest.mark.parametrize(("change", "expected"), [
    ({"DATABASE_URL": ""}, "DATABASE_URL is not set"),
    ({"DATABASE_URL": "sqlite:////srv/incubator.db"}, "DATABASE_URL is a sqlite database"),
    ({"SECRET_KEY": ""}, "SECRET_KEY is not set"),
    ({"RATELIMIT_STORAGE_URI": "memory://"}, "each of the 5 workers would count sign-in attempts on its own"),
])
def test_each_problem_is_named(change, expected):
    problems = production_problems(GOOD | change, workers=5)
    assert len(problems) == 1 and expected in problems[0]


def test_every_problem_is_named_at_once():
    assert len(production_problems({"APP_ENV": "production"}, workers=3)) == 3


def test_one_worker_may_count_in_memory_and_development_is_not_checked():
    assert production_problems(GOOD | {"RATELIMIT_STORAGE_URI": "memory://"}, workers=1) == []
    assert production_problems({"APP_ENV": "development", "DATABASE_URL": "sqlite:///x.db"}, workers=5) == []


def test_gunicorn_config_refuses_sqlite_in_production(monkeypatch):
    settings = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    assert settings["accesslog"] is None and settings["graceful_timeout"] > 0 and settings["workers"] >= 1
    monkeypatch.setattr(os, "environ", {**GOOD, "DATABASE_URL": "sqlite:///prod.db"})
    with pytest.raises(ConfigError, match="PostgreSQL"):
        settings["on_starting"](None)


def test_gunicorn_exits_with_the_reason(tmp_path):
    env = {**os.environ, **GOOD, "DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}", "GUNICORN_BIND": "127.0.0.1:0"}
    result = subprocess.run([str(Path(sys.executable).with_name("gunicorn")), "--config", "gunicorn.conf.py",  # noqa: S603
                             "wsgi:app"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode != 0
    assert "not starting in production" in result.stderr and "SQLite is for development" in result.stderr


def test_launcher_refuses_without_database_url(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "SECRET_KEY")}
    env["BIN"] = str(Path(sys.executable).parent)
    result = subprocess.run(["bash", "deploy/run-production.sh"], cwd=ROOT, env=env, capture_output=True,  # noqa: S603,S607
                            text=True, timeout=60, check=False)
    assert result.returncode == 1
    assert "DATABASE_URL is not set" in result.stderr and "SECRET_KEY is not set" in result.stderr
    assert "Migrating" not in result.stdout


@pytest.fixture
def production_app(app, monkeypatch, tmp_path):
    for name in ("TRUSTED_PROXIES", "HSTS_MAX_AGE", "LOG_FORMAT", "DEBUG", "FLASK_DEBUG"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("APP_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "p" * 64)
    overrides = test_overrides(app.config["SQLALCHEMY_DATABASE_URI"], str(tmp_path))
    for key in ("APP_ENV", "SECRET_KEY"):
        overrides.pop(key)
    production = create_app(overrides)
    production.test_client_class = app.test_client_class
    yield production
    with production.app_context():
        db.engine.dispose()


def test_production_sends_hsts_and_applies_proxy_fix(production_app):
    assert isinstance(production_app.wsgi_app, ProxyFix)
    response = production_app.test_client().get("/auth/login", base_url="https://tbi.example.org")
    assert response.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"


def test_session_and_remember_cookies_are_secure_in_production(production_app):
    user = UserFactory()
    db.session.commit()
    client = production_app.test_client()
    response = client.post("/auth/login", base_url="https://tbi.example.org",
                           data={"email": user.email, "password": DEFAULT_PASSWORD, "remember": "y"})
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    cookies = {header.split("=", 1)[0]: header for header in response.headers.getlist("Set-Cookie")}
    assert {"session", "remember_token"} <= cookies.keys()
    for name in ("session", "remember_token"):
        flags = [part.strip().lower() for part in cookies[name].split(";")]
        assert "secure" in flags and "httponly" in flags and "samesite=lax" in flags, cookies[name]


def test_the_client_address_comes_from_the_trusted_proxy(production_app, caplog):
    with caplog.at_level("INFO", logger=REQUEST_LOG.name):
        production_app.test_client().get("/auth/login", headers={"X-Forwarded-For": "203.0.113.9",
                                                                "X-Forwarded-Proto": "https"})
    assert caplog.records[-1].ip == "203.0.113.9"


def test_development_ignores_forwarded_headers(client, caplog):
    with caplog.at_level("INFO", logger=REQUEST_LOG.name):
        client.get("/auth/login", headers={"X-Forwarded-For": "203.0.113.9"})
    assert caplog.records[-1].ip == "127.0.0.1"
