"""Gunicorn settings for production (`make prod`, deploy/systemd/incubator-web.service), read from the working
directory.

Every setting can be changed through the environment without editing this file:
GUNICORN_BIND (127.0.0.1:8000), WEB_CONCURRENCY (workers: 2 x CPUs + 1, at most 8), GUNICORN_TIMEOUT (60 s),
GUNICORN_GRACEFUL_TIMEOUT (30 s). Sync workers suit this app behind nginx, which buffers slow clients (uploads
on slow connections reach a worker whole). The access log is off: the app logs one structured line per request
with its request id and user (incubator/ops/logs.py), and gunicorn's own messages use the same JSON format.
"""
import os

from incubator.ops.production import assert_ready_for_production, web_workers

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = web_workers(os.environ)
worker_class = "sync"
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
# On SIGTERM (systemctl stop/restart, a deploy) workers finish the requests they have before exiting.
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "30"))
keepalive = 5
# Recycle workers now and then so that a slow leak in a library cannot grow without bound.
max_requests = 2000
max_requests_jitter = 200
# nginx sets X-Forwarded-*; the app applies ProxyFix (TRUSTED_PROXIES), so gunicorn itself trusts nothing extra.
forwarded_allow_ips = "127.0.0.1"
accesslog = None
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info").lower()
proc_name = "incubator-web"
# No runtime control socket (~/.gunicorn/gunicorn.ctl): systemd manages the process, and two servers on one
# machine (production and a benchmark) would otherwise fight over the same path.
control_socket_disable = True
logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "incubator.ops.logs.JsonFormatter"}},
    "handlers": {"stderr": {"class": "logging.StreamHandler", "formatter": "json", "stream": "ext://sys.stderr"}},
    "loggers": {"gunicorn.error": {"handlers": ["stderr"], "level": loglevel.upper(), "propagate": False}},
    # The app installs its own handler on the root logger in each worker (incubator/ops/logs.py).
    "root": {"level": loglevel.upper(), "handlers": []},
}


def on_starting(server):
    """Refuse to start a production server on SQLite, without DATABASE_URL or with per-worker rate limits."""
    assert_ready_for_production(os.environ, workers)
