"""Benchmark the cohort health dashboard (and a startup's progress page) on a large cohort.

Seeds one running cohort with N startups x 24 months of KPI reports (plus milestones and check-ins),
then requests the pages through the app (a test client: no network) and prints the median response
time and the number of SQL queries per request.

    python bench/progress_dashboard.py                       # SQLite in a temporary file, 2,000 startups
    python bench/progress_dashboard.py --startups 200        # smaller
    python bench/progress_dashboard.py --database-url postgresql://postgres@127.0.0.1:5432/progress_bench --reset

A PostgreSQL database must be a throwaway one: the script refuses a database that already has tables
unless ``--reset`` is given, which drops and recreates its ``public`` schema.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flask_migrate import upgrade  # noqa: E402

from incubator import create_app  # noqa: E402
from incubator.auth.models import Role  # noqa: E402
from incubator.auth.services import create_user  # noqa: E402
from incubator.cohorts.models import Cohort, CohortStatus, Program  # noqa: E402
from incubator.config import test_overrides  # noqa: E402
from incubator.demo.bulk import seed_cohort_progress  # noqa: E402
from incubator.extensions import db  # noqa: E402

PASSWORD = "bench-password-2026"


def _prepare(database_url: str, reset: bool) -> None:
    if not database_url.startswith("postgres"):
        return
    inspector = sa.inspect(db.engine)
    if inspector.get_table_names() and not reset:
        sys.exit("This database already has tables; use a throwaway database or pass --reset to wipe it.")
    with db.engine.begin() as conn:
        conn.exec_driver_sql("DROP SCHEMA public CASCADE")
        conn.exec_driver_sql("CREATE SCHEMA public")


def _seed(startups: int, months: int) -> tuple[int, int]:
    today = date.today()
    program = Program(name="Bench programme")
    db.session.add(program)
    db.session.flush()
    cohort = Cohort(program_id=program.id, name="Bench cohort", starts_on=today - timedelta(days=30 * months),
                    ends_on=today + timedelta(days=60), capacity=max(startups, 1), status=CohortStatus.RUNNING,
                    sectors=["agritech"])
    db.session.add(cohort)
    db.session.flush()
    ids = seed_cohort_progress(cohort, startups, months=months, today=today)
    create_user("bench.manager@example.com", "Bench Manager", Role.MANAGER, password=PASSWORD)
    db.session.commit()
    return cohort.id, ids[len(ids) // 2]


def _measure(client, url: str, runs: int) -> dict:
    statements = []

    def count(*_args):
        statements.append(1)

    client.get(url)  # warm-up: templates compiled, caches filled
    times, counts, size = [], [], 0
    sa.event.listen(db.engine, "before_cursor_execute", count)
    try:
        for _ in range(runs):
            statements.clear()
            start = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - start) * 1000)
            counts.append(len(statements))
            size = len(response.data)
            if response.status_code != 200:
                sys.exit(f"{url} answered {response.status_code}")
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", count)
    return {"median": statistics.median(times), "min": min(times), "max": max(times),
            "queries": counts[-1], "stable": len(set(counts)) == 1, "kb": size / 1024}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", help="SQLAlchemy URL (default: a temporary SQLite file)")
    parser.add_argument("--startups", type=int, default=2000)
    parser.add_argument("--months", type=int, default=24)
    parser.add_argument("--runs", type=int, default=7, help="timed requests per page")
    parser.add_argument("--reset", action="store_true", help="wipe a PostgreSQL database that has tables")
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="progress-bench-"))
    url = args.database_url or f"sqlite:///{workdir / 'bench.db'}"
    app = create_app(test_overrides(url, str(workdir)) | {"TESTING": False})
    with app.app_context():
        _prepare(url, args.reset)
        upgrade(revision="heads")
        started = time.perf_counter()
        cohort_id, startup_id = _seed(args.startups, args.months)
        seeded = time.perf_counter() - started
        dialect = db.engine.dialect.name
    client = app.test_client()
    response = client.post("/auth/login", data={"email": "bench.manager@example.com", "password": PASSWORD})
    if response.status_code != 302:
        sys.exit("could not sign in")
    with app.app_context():
        pages = [
            ("dashboard", f"/progress/cohorts/{cohort_id}"),
            ("dashboard, sorted by revenue, in KHR", f"/progress/cohorts/{cohort_id}?sort=revenue&currency=KHR"),
            ("startup page", f"/progress/startups/{startup_id}"),
        ]
        results = [(name, _measure(client, page, args.runs)) for name, page in pages]

    print(f"\n{dialect}: {args.startups:,} startups x {args.months} months "
          f"({args.startups * args.months:,} KPI reports), seeded in {seeded:.1f} s; {args.runs} timed runs each\n")
    header = f"| {'page':<38} | {'median ms':>9} | {'min ms':>7} | {'max ms':>7} | {'queries':>7} | {'KB':>6} |"
    print(header)
    print("|" + "|".join("-" * (len(cell)) for cell in header.split("|")[1:-1]) + "|")
    for name, r in results:
        queries = f"{r['queries']}" + ("" if r["stable"] else "*")
        print(f"| {name:<38} | {r['median']:>9.0f} | {r['min']:>7.0f} | {r['max']:>7.0f} | {queries:>7} | "
              f"{r['kb']:>6.0f} |")


if __name__ == "__main__":
    main()
