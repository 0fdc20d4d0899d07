"""Seed a large incubator for load runs: 2,000 startups in 40 cohorts, 24 months of KPI reports each, 50,000
milestones, weekly check-ins, a founder account per startup, managers, mentors and investors.

    python bench/seed_large.py --database-url sqlite:////tmp/bench.db
    python bench/seed_large.py --database-url postgresql://postgres@127.0.0.1:5432/incubator_bench --reset

Rows go in with multi-row INSERTs (``incubator.demo.bulk``), so the whole incubator takes well under a minute.
Every account's password is ``bench-pass-2026`` (hashed once). The database is migrated first; one that already
has data is refused unless ``--reset`` (which empties it: drop the tables, migrate again).

Mentoring and resources come from ``bench/seed_domains.py``: 500 mentors with profiles and accepted matches
(two per startup in running cohorts, one elsewhere), 20 resources with 60,000 bookings and 40,000 mentor
sessions, none overlapping on its resource or mentor. Later domains add their data by appending a function to
``SEEDERS`` (``seed(ctx) -> {table: rows}``, run in order, with ``ctx`` holding the ids made so far).
"""
from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flask_migrate import upgrade  # noqa: E402

from bench.seed_domains import DOMAIN_SEEDERS  # noqa: E402
from incubator import create_app  # noqa: E402
from incubator.auth.models import Role, User  # noqa: E402
from incubator.auth.passwords import hash_password  # noqa: E402
from incubator.cohorts.models import Cohort, CohortStatus, Program, TeamMember  # noqa: E402
from incubator.config import normalize_database_url  # noqa: E402
from incubator.demo.bulk import _insert, seed_cohort_progress  # noqa: E402
from incubator.extensions import db  # noqa: E402
from incubator.progress.models import Milestone, MilestoneStatus, Verification  # noqa: E402

PASSWORD = "bench-pass-2026"
MANAGER_EMAIL = "manager{n}@bench.example.org"
FOUNDER_EMAIL = "founder{n}@bench.example.org"


@dataclass
class Context:
    """What the seeders made so far (ids by kind) and the sizes asked for."""

    startups: int
    months: int
    milestones: int
    per_cohort: int
    password_hash: str = ""
    mentors: int = 500
    resource_bookings: int = 60_000
    mentor_sessions: int = 40_000
    ids: dict[str, list[int]] = field(default_factory=dict)


def seed_people(ctx: Context) -> dict[str, int]:
    rows = [{"email": MANAGER_EMAIL.format(n=n), "name": f"Manager {n}", "role": Role.MANAGER, "is_admin": n == 0}
            for n in range(10)]
    rows += [{"email": f"investor{n}@bench.example.org", "name": f"Investor {n}", "role": Role.INVESTOR}
             for n in range(5)]
    for row in rows:
        row.update(password_hash=ctx.password_hash, locale="en", timezone="Asia/Phnom_Penh", session_nonce="bench")
    ctx.ids["staff"] = _insert(User, rows)
    return {"users": len(rows)}


def seed_cohorts_and_progress(ctx: Context) -> dict[str, int]:
    """40 cohorts of 50 startups; the newest four are running, the others completed."""
    today = date.today()
    program = Program(name="Bench Technology Incubation Programme")
    db.session.add(program)
    db.session.flush()
    cohorts = -(-ctx.startups // ctx.per_cohort)
    startup_ids, running = [], []
    for index in range(cohorts):
        age_months = (cohorts - index) * 2
        status = CohortStatus.RUNNING if index >= cohorts - 4 else CohortStatus.COMPLETED
        start = today - timedelta(days=30 * age_months)
        cohort = Cohort(program_id=program.id, name=f"Bench cohort {index + 1:02d}", starts_on=start,
                        ends_on=start + timedelta(days=365) if status == CohortStatus.COMPLETED
                        else today + timedelta(days=120), capacity=ctx.per_cohort, status=status,
                        sectors=["agritech", "digital", "health", "education", "clean_energy", "food"])
        db.session.add(cohort)
        db.session.flush()
        size = min(ctx.per_cohort, ctx.startups - len(startup_ids))
        startup_ids += seed_cohort_progress(cohort, size, months=ctx.months, today=today, prefix="Bench")
        if status == CohortStatus.RUNNING:
            running.append(cohort.id)
    ctx.ids["startups"], ctx.ids["running_cohorts"] = startup_ids, running
    return {"cohorts": cohorts, "startups": len(startup_ids), "kpi_reports": len(startup_ids) * ctx.months}


def seed_founders(ctx: Context) -> dict[str, int]:
    """One founder account per startup (founderN@ for the Nth startup), plus two team members without accounts."""
    users = [{"email": FOUNDER_EMAIL.format(n=n), "name": f"Founder {n}", "role": Role.FOUNDER,
              "password_hash": ctx.password_hash, "locale": "km" if n % 4 == 0 else "en",
              "timezone": "Asia/Phnom_Penh", "session_nonce": "bench"} for n in range(len(ctx.ids["startups"]))]
    user_ids = _insert(User, users)
    members = []
    for n, (startup_id, user_id) in enumerate(zip(ctx.ids["startups"], user_ids, strict=True)):
        members.append({"startup_id": startup_id, "user_id": user_id, "name": f"Founder {n}", "is_founder": True,
                        "gender": "female" if n % 2 else "male", "role_title": "CEO"})
        members += [{"startup_id": startup_id, "user_id": None, "name": f"Member {n}-{k}", "is_founder": False,
                     "gender": "undisclosed", "role_title": "Engineer"} for k in range(2)]
    _insert(TeamMember, members)
    ctx.ids["founders"] = user_ids
    return {"founder accounts": len(user_ids), "team_members": len(members)}


def seed_more_milestones(ctx: Context) -> dict[str, int]:
    """Top up to ``ctx.milestones`` milestones (the progress seed gives each startup five)."""
    startups = ctx.ids["startups"]
    extra_each = max(0, ctx.milestones // len(startups) - 5)
    today = date.today()
    statuses = [MilestoneStatus.DONE, MilestoneStatus.IN_PROGRESS, MilestoneStatus.PLANNED, MilestoneStatus.MISSED]
    rows = [{"startup_id": sid, "title": f"Milestone {k + 6}", "description": "", "target_unit": "",
             "due_on": today + timedelta(days=15 * (k - extra_each // 2)), "status": statuses[k % 4],
             "verification": Verification.VERIFIED if k % 4 == 0 else Verification.NONE, "evidence_url": "",
             "evidence_name": "", "verification_comment": ""} for sid in startups for k in range(extra_each)]
    _insert(Milestone, rows)
    return {"milestones": len(rows) + 5 * len(startups)}


SEEDERS: list[Callable[[Context], dict[str, int]]] = [
    seed_people, seed_cohorts_and_progress, seed_founders, seed_more_milestones, *DOMAIN_SEEDERS,
]


def reset(engine) -> None:
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.exec_driver_sql("DROP SCHEMA public CASCADE")
            conn.exec_driver_sql("CREATE SCHEMA public")
        else:
            for name in sa.inspect(conn).get_table_names():
                conn.exec_driver_sql(f'DROP TABLE IF EXISTS "{name}"')


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--startups", type=int, default=2000)
    parser.add_argument("--months", type=int, default=24)
    parser.add_argument("--milestones", type=int, default=50_000)
    parser.add_argument("--per-cohort", type=int, default=50)
    parser.add_argument("--mentors", type=int, default=500)
    parser.add_argument("--resource-bookings", type=int, default=60_000)
    parser.add_argument("--mentor-sessions", type=int, default=40_000)
    parser.add_argument("--reset", action="store_true", help="empty the database first (it must be a throwaway one)")
    args = parser.parse_args()

    app = create_app({"SQLALCHEMY_DATABASE_URI": normalize_database_url(args.database_url)})
    with app.app_context():
        if args.reset:
            reset(db.engine)
        upgrade(revision="heads")
        if db.session.scalar(sa.select(sa.func.count()).select_from(User)):
            sys.exit("This database already has data; pass --reset to empty it (a throwaway database only).")
        ctx = Context(args.startups, args.months, args.milestones, args.per_cohort, hash_password(PASSWORD),
                      args.mentors, args.resource_bookings, args.mentor_sessions)
        print(f"{'step':<28} {'seconds':>8}  rows")
        started = time.perf_counter()
        for seeder in SEEDERS:
            step = time.perf_counter()
            counts = seeder(ctx)
            db.session.flush()
            made = ", ".join(f"{count:,} {name}" for name, count in counts.items())
            print(f"{seeder.__name__:<28} {time.perf_counter() - step:>8.1f}  {made}")
        step = time.perf_counter()
        db.session.commit()
        print(f"{'commit':<28} {time.perf_counter() - step:>8.1f}")
        print(f"{'total':<28} {time.perf_counter() - started:>8.1f}  ({db.engine.url.get_backend_name()})")
        print(f"Sign in as {MANAGER_EMAIL.format(n=0)} or {FOUNDER_EMAIL.format(n=0)}, password {PASSWORD}")


if __name__ == "__main__":
    main()
