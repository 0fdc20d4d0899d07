"""Structured logs: every record as one line of JSON (production) or logfmt (development), and one line per request.

The web workers, the scheduler (``flask jobs run``) and other commands all build the app, so they all log through
the same handler and format; gunicorn's own messages are routed to it by ``gunicorn.conf.py``. A record made while
a request is handled carries that request's id (the ``X-Request-ID`` header and the "Reference" on error pages), so
one id finds the access line, any warning and the traceback of the same request.

The request line names the route rule (``/auth/reset/<token>``), not the path: paths can carry signed tokens
(password resets, invitations) that must not end up in log files.
"""
from __future__ import annotations

import json
import logging
import sys
import time
from datetime import datetime, timezone

from flask import Flask, Response, g, has_request_context, request

REQUEST_LOG = logging.getLogger("incubator.request")

# Attributes every LogRecord has; anything else on a record came from ``extra=`` and is logged as a field.
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime", "taskName"}


def _fields(record: logging.LogRecord) -> dict:
    moment = datetime.fromtimestamp(record.created, timezone.utc)
    fields = {
        "ts": moment.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        "level": record.levelname.lower(),
        "logger": record.name,
        "msg": record.getMessage(),
    }
    if has_request_context() and "request_id" not in record.__dict__:
        fields["request_id"] = g.get("request_id", "")
    for key, value in record.__dict__.items():
        if key not in _STANDARD and not key.startswith("_"):
            fields[key] = value
    fields["pid"] = record.process
    return fields


class JsonFormatter(logging.Formatter):
    """One JSON object per line: ``ts``, ``level``, ``logger``, ``msg``, the request id, extra fields, ``exc``."""

    def format(self, record: logging.LogRecord) -> str:
        fields = _fields(record)
        if record.exc_info:
            fields["exc"] = self.formatException(record.exc_info)
        elif record.exc_text:
            fields["exc"] = record.exc_text
        return json.dumps(fields, default=str, ensure_ascii=False)


def _logfmt_value(value) -> str:
    if value is None:
        return ""
    text = str(value)
    if text and not any(c in text for c in ' "=\\\n\t'):
        return text
    return json.dumps(text, ensure_ascii=False)


class LogfmtFormatter(logging.Formatter):
    """``key=value`` pairs on one line, the same fields as ``JsonFormatter``; a traceback follows on its own lines."""

    def format(self, record: logging.LogRecord) -> str:
        line = " ".join(f"{key}={_logfmt_value(value)}" for key, value in _fields(record).items())
        if record.exc_info:
            line += "\n" + self.formatException(record.exc_info)
        return line


FORMATTERS = {"json": JsonFormatter, "logfmt": LogfmtFormatter}


def configure_logging(app: Flask) -> None:
    """Send the root logger's records to standard error in ``LOG_FORMAT`` at ``LOG_LEVEL`` (once per process)."""
    formatter = FORMATTERS[app.config["LOG_FORMAT"]]()
    root = logging.getLogger()
    handler = next((h for h in root.handlers if getattr(h, "incubator_handler", False)), None)
    if handler is None:
        handler = logging.StreamHandler(sys.stderr)
        handler.incubator_handler = True
        root.addHandler(handler)
    handler.setFormatter(formatter)
    root.setLevel(app.config["LOG_LEVEL"])


def init_request_logging(app: Flask) -> None:
    """Log one line per request when its response is ready. Register before other ``after_request`` hooks, so
    that this one runs last (Flask runs them in reverse) and logs the final status."""

    @app.before_request
    def start_clock() -> None:
        g.request_started = time.perf_counter()

    @app.after_request
    def log_request(response: Response) -> Response:
        started = g.get("request_started")
        duration_ms = round((time.perf_counter() - started) * 1000, 1) if started is not None else None
        # Flask-Login keeps the loaded user here; reading current_user instead could load it just to log it.
        user = g.get("_login_user")
        rule = request.url_rule
        fields = {
            "request_id": g.get("request_id", ""),
            "method": request.method,
            "route": rule.rule if rule is not None else None,
            "endpoint": request.endpoint,
            "status": response.status_code,
            "duration_ms": duration_ms,
            "user_id": getattr(user, "id", None),
            "ip": request.remote_addr,
        }
        if rule is None:
            fields["path"] = request.path  # unmatched (404/405): no rule to name, and no token either
        level = logging.ERROR if response.status_code >= 500 else logging.INFO
        REQUEST_LOG.log(level, "%s %s %s %sms", request.method, fields["route"] or request.path,
                        response.status_code, duration_ms, extra=fields)
        return response
