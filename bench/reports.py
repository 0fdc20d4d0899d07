"""Benchmark report generation: one investor one-pager PDF, and the monthly batch for a cohort of N startups.

Seeds one running cohort with N startups x 12 months of KPI reports (plus milestones and check-ins), gives
every startup an investor profile that shares every section, then times

- building one one-pager (gather the figures, render the PDF, store it), several times: the median;
- the cohort impact report, the same way;
- the whole ``monthly_reports`` batch (N one-pagers + the cohort report in English and Khmer), once, with
  its report-per-transaction commits.

    python bench/reports.py                          # SQLite in a temporary file, 200 startups
    python bench/reports.py --startups 50 --runs 3
    python bench/reports.py --database-url postgresql://postgres@127.0.0.1:5432/reports_bench --reset

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
from incubator.auth.models import Role, User  # noqa: E402
from incubator.auth.services import create_user  # noqa: E402
from incubator.cohorts.models import Cohort, CohortStatus, Program, Startup  # noqa: E402
from incubator.config import test_overrides  # noqa: E402
from incubator.demo.bulk import seed_cohort_progress  # noqa: E402
from incubator.extensions import db  # noqa: E402
from incubator.reports.generation import generate_cohort_report, generate_onepager  # noqa: E402
from incubator.reports.models import InvestorProfile  # noqa: E402
from incubator.reports.sections import SECTIONS  # noqa: E402
from incubator.reports.tasks import run_batch  # noqa: E402


def _prepare(database_url: str, reset: bool) -> None:
    if not database_url.startswith("postgres"):
        return
    if sa.inspect(db.engine).get_table_names() and not reset:
        sys.exit("This database already has tables; use a throwaway database or pass --reset to wipe it.")
    with db.engine.begin() as conn:
        conn.exec_driver_sql("DROP SCHEMA public CASCADE")
        conn.exec_driver_sql("CREATE SCHEMA public")


def _seed(startups: int, months: int) -> int:
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
    db.session.execute(sa.insert(InvestorProfile), [
        {"startup_id": startup_id, "tagline": "Cold rooms for farmers", "problem": "Harvest lost. " * 20,
         "solution": "Solar cold rooms. " * 20, "ask_minor": 10_000_000, "ask_currency": "USD",
         "ask_instrument": "safe", "use_of_funds": "Ten rooms.", "contact_name": "Founder",
         "contact_email": "founder@example.com", "contact_phone": "", "shared_sections": list(SECTIONS)}
        for startup_id in ids])
    create_user("bench.manager@example.com", "Bench Manager", Role.MANAGER, password="bench-password-2026")
    db.session.commit()
    return cohort.id


def _time(fn, runs: int) -> tuple[list[float], list[float]]:
    """Wall-clock and CPU seconds of each run (CPU time shows the cost on a shared, busy machine)."""
    times, cpu = [], []
    for _ in range(runs):
        start, start_cpu = time.perf_counter(), time.process_time()
        fn()
        db.session.commit()
        times.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    return times, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", help="SQLAlchemy URL (default: a temporary SQLite file)")
    parser.add_argument("--startups", type=int, default=200)
    parser.add_argument("--months", type=int, default=12)
    parser.add_argument("--runs", type=int, default=5, help="timed runs of the single reports")
    parser.add_argument("--reset", action="store_true", help="wipe a PostgreSQL database that has tables")
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="reports-bench-"))
    url = args.database_url or f"sqlite:///{workdir / 'bench.db'}"
    app = create_app(test_overrides(url, str(workdir)) | {"TESTING": False})
    with app.app_context(), app.test_request_context():
        _prepare(url, args.reset)
        upgrade(revision="heads")
        started = time.perf_counter()
        cohort_id = _seed(args.startups, args.months)
        seeded = time.perf_counter() - started
        manager = db.session.scalar(sa.select(User).where(User.role == Role.MANAGER))
        cohort = db.session.get(Cohort, cohort_id)
        startup = db.session.scalar(sa.select(Startup).where(Startup.cohort_id == cohort_id).limit(1))
        generate_onepager(manager, startup, "en")  # warm-up: fonts loaded, templates compiled
        db.session.commit()
        onepager = _time(lambda: generate_onepager(manager, startup, "en"), args.runs)
        khmer = _time(lambda: generate_onepager(manager, startup, "km"), args.runs)
        impact = _time(lambda: generate_cohort_report(manager, cohort, "en"), args.runs)
        start, start_cpu = time.perf_counter(), time.process_time()
        batch = run_batch("bench", "bench", date.today())
        batch_seconds, batch_cpu = time.perf_counter() - start, time.process_time() - start_cpu
        dialect = db.engine.dialect.name

    print(f"\n{dialect}: {args.startups:,} startups x {args.months} months of KPIs, seeded in {seeded:.1f} s; "
          f"{args.runs} timed runs of each single report\n")
    header = f"| {'what':<46} | {'median s':>8} | {'min s':>6} | {'max s':>6} | {'CPU s':>6} |"
    print(header)
    print("|" + "|".join("-" * len(cell) for cell in header.split("|")[1:-1]) + "|")
    for name, (times, cpu) in (("one one-pager PDF (English)", onepager), ("one one-pager PDF (Khmer)", khmer),
                               (f"cohort impact report PDF ({args.startups} startups)", impact)):
        print(f"| {name:<46} | {statistics.median(times):>8.2f} | {min(times):>6.2f} | {max(times):>6.2f} | "
              f"{statistics.median(cpu):>6.2f} |")
    name = f"monthly batch: {batch.built} reports, {len(batch.failures)} failed"
    print(f"| {name:<46} | {batch_seconds:>8.1f} | {'':>6} | {'':>6} | {batch_cpu:>6.1f} |")
    print(f"\nBatch: {batch_seconds / max(batch.built, 1):.2f} s per report on average (CPU "
          f"{batch_cpu / max(batch.built, 1):.2f} s), one transaction per report.")


if __name__ == "__main__":
    main()
