"""Routes for machines rather than people: ``/healthz`` for monitoring and ``/favicon.ico`` for browsers."""
from __future__ import annotations

from flask import Blueprint, current_app, jsonify, send_from_directory

from incubator.ops.health import run_checks

bp = Blueprint("ops", __name__)


@bp.get("/healthz")
def healthz():
    """200 when the database, the migrations and the scheduler are all fine, else 503 naming what failed.

    For load balancers, systemd and monitoring: no sign-in, JSON only, never cached.
    """
    results = run_checks()
    failed = [name for name, result in results.items() if not result["ok"]]
    response = jsonify({"status": "failing" if failed else "ok", "failed": failed, "checks": results})
    response.status_code = 503 if failed else 200
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/favicon.ico")
def favicon():
    # Browsers ask for /favicon.ico on every site whatever the page says; answering saves a 404 per visit.
    return send_from_directory(current_app.static_folder, "favicon.ico", max_age=7 * 24 * 3600,
                               mimetype="image/vnd.microsoft.icon")
