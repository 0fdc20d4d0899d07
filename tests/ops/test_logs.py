"""Structured logs: one line per request with its id, user, route, status and duration; the same format for jobs."""
from __future__ import annotations

import io
import json
import logging

import pytest

from incubator import create_app
from incubator.config import test_overrides
from incubator.ops.logs import JsonFormatter, LogfmtFormatter, configure_logging
from tests.factories import UserFactory


@pytest.fixture
def json_lines():
    """Every record logged while the test runs, formatted by the production formatter and parsed back."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    # The suite's migrations ran Alembic's logging set-up (root at WARNING); the app's own processes log at INFO.
    level = root.level
    root.setLevel(logging.INFO)
    root.addHandler(handler)

    def lines(logger: str | None = None) -> list[dict]:
        parsed = [json.loads(line) for line in stream.getvalue().splitlines() if line.startswith("{")]
        return [line for line in parsed if logger is None or line["logger"] == logger]

    yield lines
    root.removeHandler(handler)
    root.setLevel(level)


def test_one_line_per_request_with_the_fields(client, login, json_lines):
    user = UserFactory()
    login(user)
    response = client.get("/auth/profile", headers={"X-Request-ID": "req42abc"})
    assert response.status_code == 200
    line = json_lines("incubator.request")[-1]
    assert line["request_id"] == "req42abc" == response.headers["X-Request-ID"]
    assert (line["method"], line["route"], line["endpoint"], line["status"]) == ("GET", "/auth/profile",
                                                                                "auth.profile", 200)
    assert line["user_id"] == user.id
    assert isinstance(line["duration_ms"], float) and line["duration_ms"] >= 0
    assert line["level"] == "info" and line["ts"].endswith("Z") and line["ip"] == "127.0.0.1"


def test_api_requests_name_the_token_user(client, api_token, json_lines):
    user = UserFactory()
    client.get("/api/v1/startups", headers=api_token(user))
    line = json_lines("incubator.request")[-1]
    assert (line["route"], line["user_id"]) == ("/api/v1/startups", user.id)


def test_tokens_in_paths_are_not_logged(client, json_lines):
    client.get("/auth/reset/secret-reset-token-value")
    line = json_lines("incubator.request")[-1]
    assert line["route"] == "/auth/reset/<token>" and "path" not in line
    assert "secret-reset-token-value" not in json.dumps(json_lines())


def test_unmatched_paths_are_logged_as_paths(client, json_lines):
    client.get("/no/such/page")
    line = json_lines("incubator.request")[-1]
    assert (line["route"], line["path"], line["status"], line["user_id"]) == (None, "/no/such/page", 404, None)


def test_a_crash_is_logged_with_the_request_id_and_traceback(app, client, monkeypatch, json_lines):
    def boom():
        raise RuntimeError("kaboom")

    monkeypatch.setitem(app.view_functions, "apply.open_calls", boom)
    response = client.get("/apply/")
    assert response.status_code == 500
    request_id = response.headers["X-Request-ID"]
    crash = next(line for line in json_lines() if line["msg"].startswith("unhandled error"))
    assert crash["request_id"] == request_id and "RuntimeError: kaboom" in crash["exc"]
    access = json_lines("incubator.request")[-1]
    assert (access["request_id"], access["status"], access["level"]) == (request_id, 500, "error")


def test_job_runs_log_in_the_same_format(app, json_lines):
    result = app.test_cli_runner().invoke(args=["jobs", "run-once", "deliver_email"])
    assert result.exit_code == 0, result.output
    job_lines = json_lines("incubator.jobs.runner")
    assert job_lines and "deliver_email" in job_lines[-1]["msg"]
    assert {"ts", "level", "logger", "msg", "pid"} <= set(job_lines[-1])


def test_logfmt_quotes_what_needs_quoting():
    record = logging.LogRecord("incubator.test", logging.WARNING, __file__, 1, "a %s", ("b c",), None)
    record.user_id = None
    record.route = "/x"
    line = LogfmtFormatter().format(record)
    assert 'msg="a b c"' in line and "level=warning" in line and "user_id= " in line and "route=/x" in line


@pytest.mark.parametrize(("env", "expected"), [("development", LogfmtFormatter), ("production", JsonFormatter)])
def test_format_follows_the_environment_and_is_installed_once(app, monkeypatch, tmp_path, env, expected):
    monkeypatch.setenv("APP_ENV", env)
    monkeypatch.setenv("SECRET_KEY", "k" * 40)
    monkeypatch.delenv("LOG_FORMAT", raising=False)
    overrides = test_overrides(app.config["SQLALCHEMY_DATABASE_URI"], str(tmp_path))
    overrides.pop("APP_ENV")
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    try:
        other = create_app(overrides)
        configure_logging(other)  # a second call (another app in the same process) adds no second handler
        ours = [h for h in root.handlers if getattr(h, "incubator_handler", False)]
        assert len(ours) == 1 and isinstance(ours[0].formatter, expected)
        assert root.level == logging.INFO
        assert other.config["LOG_FORMAT"] == ("json" if env == "production" else "logfmt")
    finally:
        root.handlers[:] = handlers  # leave the suite's logging as it was
        root.setLevel(level)
