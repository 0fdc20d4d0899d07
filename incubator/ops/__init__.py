"""Running Incubator in production: health check, structured logs, security headers, proxy set-up and backups.

``init_app`` is called first thing in ``register_request_hooks``, so that the request log is the last
``after_request`` hook to run and records the final status.
"""
from __future__ import annotations

from flask import Flask

from incubator.ops.headers import init_proxy_fix, init_security_headers
from incubator.ops.logs import configure_logging, init_request_logging
from incubator.ops.views import bp as ops_bp


def init_app(app: Flask) -> None:
    """Logging, the request log, security headers, ProxyFix, ``/healthz`` and ``/favicon.ico`` for ``app``."""
    configure_logging(app)
    init_request_logging(app)
    init_security_headers(app)
    init_proxy_fix(app)
    app.register_blueprint(ops_bp)
