"""The WSGI app for load runs (``bench/load.py``): the real app plus a bare route and a query counter.

``/bench/bare`` returns a short text without touching the database, templates or the session: the same
server's floor, to compare every page with. Each response carries ``X-Bench-Queries``, the number of SQL
statements the request ran, so the load table shows queries per route next to the latency.
"""
from __future__ import annotations

import sys
from pathlib import Path

import sqlalchemy as sa
from flask import g, has_request_context

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from incubator import create_app  # noqa: E402
from incubator.extensions import db  # noqa: E402

app = create_app()


@app.get("/bench/bare")
def bench_bare():
    return "ok", 200, {"Content-Type": "text/plain"}


def _count(conn, cursor, statement, parameters, context, executemany):
    if has_request_context():
        g.bench_queries = g.get("bench_queries", 0) + 1


with app.app_context():
    sa.event.listen(db.engine, "before_cursor_execute", _count)


@app.after_request
def _report_queries(response):
    response.headers["X-Bench-Queries"] = str(g.get("bench_queries", 0))
    return response
