"""Benchmark resource booking on a busy incubator.

Seeds R resources and B bookings spread over a year (startups of one running cohort, allowances on every
type), then measures through the app (a test client: no network) and prints one table:

* the resource page (week calendar, allowance left) and the founders' and managers' booking lists,
* the utilization report over 52 weeks and its CSV,
* making a booking (the check, the allowance arithmetic and the insert), one after another,
* T threads racing for one slot: how long until all have an answer, and how many won (must be 1).

    python bench/resources_booking.py                      # SQLite in a temporary file, 40 resources, 20,000 bookings
    python bench/resources_booking.py --resources 10 --bookings 2000
    python bench/resources_booking.py --database-url postgresql://postgres@127.0.0.1:5432/resources_bench --reset

Targets: the calendar and the booking lists under 150 ms, the year-long utilization report under 1 s, each
with at most 20 queries whatever the data size; a booking under 100 ms; exactly one winner per race.
Measured (SQLite, shared 2-core machine, defaults): calendar 19 ms, lists 30-45 ms, utilization 52 weeks
x 40 resources 360 ms (CSV 210 ms), a booking 12 ms, 8 threads racing settle in 190 ms with one winner.
A PostgreSQL database must be a throwaway one (``--reset`` drops its ``public`` schema).
"""
from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import threading
import time
from datetime import date, timedelta
from datetime import time as wall_time
from pathlib import Path

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flask_migrate import upgrade  # noqa: E402

from incubator import create_app  # noqa: E402
from incubator.auth.models import Role  # noqa: E402
from incubator.auth.services import create_api_token, create_user  # noqa: E402
from incubator.cohorts.models import Cohort, CohortStatus, Program, Startup, TeamMember  # noqa: E402
from incubator.config import test_overrides  # noqa: E402
from incubator.db import utcnow  # noqa: E402
from incubator.extensions import db  # noqa: E402
from incubator.resources.models import (  # noqa: E402
    Allowance,
    AllowancePeriod,
    Booking,
    BookingStatus,
    OpeningHours,
    Resource,
    ResourceType,
)

PASSWORD = "bench-password-2026"
RACE_SLOT = 200
TYPES = (ResourceType.MEETING_ROOM, ResourceType.HOT_DESK, ResourceType.EQUIPMENT, ResourceType.EVENT_SPACE)


def _prepare(database_url: str, reset: bool) -> None:
    if not database_url.startswith("postgres"):
        return
    if sa.inspect(db.engine).get_table_names() and not reset:
        sys.exit("This database already has tables; use a throwaway database or pass --reset to wipe it.")
    with db.engine.begin() as conn:
        conn.exec_driver_sql("DROP SCHEMA public CASCADE")
        conn.exec_driver_sql("CREATE SCHEMA public")


def _seed(resources: int, bookings: int, startups: int) -> dict:
    rng = random.Random(7)  # noqa: S311  (reproducible test data, not secrets)
    today = date.today()
    program = Program(name="Bench programme")
    db.session.add(program)
    db.session.flush()
    cohort = Cohort(program_id=program.id, name="Bench cohort", starts_on=today - timedelta(days=200),
                    ends_on=today + timedelta(days=200), capacity=startups, status=CohortStatus.RUNNING,
                    sectors=["digital"])
    db.session.add(cohort)
    db.session.flush()
    rooms = [Resource(name=f"Bench resource {n}", type=TYPES[n % len(TYPES)], max_minutes=480, advance_days=365)
             for n in range(resources)]
    teams = [Startup(cohort_id=cohort.id, name=f"Bench startup {n}", sector="digital", stage="mvp",
                     province="phnom_penh") for n in range(startups)]
    db.session.add_all(rooms + teams)
    db.session.flush()
    for room in rooms:
        db.session.add_all(OpeningHours(resource_id=room.id, weekday=d, opens=wall_time(7), closes=wall_time(21))
                           for d in range(7))
    for kind in TYPES:
        db.session.add(Allowance(key=Allowance.make_key(cohort.id, None, None, kind, "week"), cohort_id=cohort.id,
                                 resource_type=kind, period=AllowancePeriod.WEEK, amount=100_000))
    founder = create_user("bench.founder@example.com", "Bench Founder", Role.FOUNDER, password=PASSWORD)
    manager = create_user("bench.manager@example.com", "Bench Manager", Role.MANAGER, password=PASSWORD)
    db.session.add(TeamMember(startup_id=teams[0].id, user_id=founder.id, name="Bench Founder", is_founder=True))
    base = utcnow().replace(hour=0, minute=0, second=0, microsecond=0) - timedelta(days=180)
    statuses = (BookingStatus.CHECKED_IN, BookingStatus.CHECKED_IN, BookingStatus.NO_SHOW, BookingStatus.CONFIRMED,
                BookingStatus.CANCELLED)
    slots_per_day = 14  # one-hour slots, 07:00-21:00 Phnom Penh = 00:00-14:00 UTC
    rows, taken = [], set()
    while len(rows) < bookings:
        room = rng.randrange(resources)
        day, hour = rng.randrange(360), rng.randrange(slots_per_day)
        if (room, day, hour) in taken:
            continue
        taken.add((room, day, hour))
        start = base + timedelta(days=day, hours=hour)
        future = start > utcnow()
        rows.append({"resource_id": rooms[room].id, "startup_id": teams[rng.randrange(startups)].id,
                     "booked_by_id": founder.id, "starts_at": start, "ends_at": start + timedelta(hours=1),
                     "status": BookingStatus.CONFIRMED if future else rng.choice(statuses), "currency": "USD"})
    for chunk in range(0, len(rows), 5000):
        db.session.execute(sa.insert(Booking), rows[chunk:chunk + 5000])
    token = create_api_token(founder, "bench")[1]
    db.session.commit()
    return {"room_id": rooms[0].id, "startup_id": teams[0].id, "token": token, "base": base,
            "manager": manager.email, "founder": founder.email, "taken": taken, "rooms": [r.id for r in rooms]}


def _measure(engine, client, url: str, runs: int) -> tuple[float, int]:
    statements = []

    def count(*_args):
        statements.append(1)

    client.get(url)  # warm-up
    times, counts = [], []
    sa.event.listen(engine, "before_cursor_execute", count)
    try:
        for _ in range(runs):
            statements.clear()
            start = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - start) * 1000)
            counts.append(len(statements))
            if response.status_code != 200:
                sys.exit(f"{url} answered {response.status_code}")
    finally:
        sa.event.remove(engine, "before_cursor_execute", count)
    return statistics.median(times), max(counts)


def _login(app, email: str):
    client = app.test_client()
    client.post("/auth/login", data={"email": email, "password": PASSWORD})
    return client


def _free_slots(world: dict, count: int) -> list[tuple]:
    slots, day = [], 200
    while len(slots) < count:
        for hour in range(14):
            if (0, day, hour) not in world["taken"] and len(slots) < count:
                slots.append(world["base"] + timedelta(days=day, hours=hour))
        day += 1
    return slots


def run(args) -> None:
    url = args.database_url or f"sqlite:///{tempfile.mkdtemp()}/bench.db"
    app = create_app(test_overrides(url, tempfile.mkdtemp()))
    with app.app_context():
        _prepare(url, args.reset)
        upgrade(revision="heads")
        started = time.perf_counter()
        world = _seed(args.resources, args.bookings, args.startups)
        engine, dialect = db.engine, db.engine.dialect.name
    # Requests run outside that context, each in its own (as on a server), so users are not mixed up.
    print(f"seeded {args.resources} resources, {args.bookings} bookings in {time.perf_counter() - started:.1f} s "
          f"({dialect})\n")
    founder, manager = _login(app, world["founder"]), _login(app, world["manager"])
    year_ago = date.today() - timedelta(weeks=51)
    results = [
        ("resource page, week calendar (founder)", *_measure(engine, founder, f"/resources/{world['room_id']}",
                                                             args.runs)),
        ("my bookings (founder)", *_measure(engine, founder, "/resources/bookings", args.runs)),
        ("all bookings (manager)", *_measure(engine, manager, "/resources/all-bookings?show=all", args.runs)),
        ("utilization, 52 weeks (manager)", *_measure(
            engine, manager, f"/resources/utilization?granularity=week&start={year_ago}", args.runs)),
        ("utilization CSV, 12 months (manager)", *_measure(
            engine, manager, f"/resources/utilization.csv?granularity=month&start={year_ago}", args.runs)),
    ]
    headers = {"Authorization": f"Bearer {world['token']}"}
    client = app.test_client()
    times = []
    for start in _free_slots(world, args.runs):
        body = {"resource_id": world["room_id"], "startup_id": world["startup_id"],
                "starts_at": start.isoformat(), "ends_at": (start + timedelta(hours=1)).isoformat()}
        began = time.perf_counter()
        response = client.post("/api/v1/bookings", json=body, headers=headers)
        times.append((time.perf_counter() - began) * 1000)
        if response.status_code != 201:
            sys.exit(f"booking answered {response.status_code}: {response.get_data(as_text=True)[:300]}")
    results.append(("make a booking (API)", statistics.median(times), 0))
    race_ms, winners = _race(app, world, args.threads)
    print(f"{'measure':<42} {'median ms':>10} {'queries':>8}")
    for name, median, queries in results:
        print(f"{name:<42} {median:>10.1f} {queries or '':>8}")
    print(f"{f'race: {args.threads} threads, one slot':<42} {race_ms:>10.1f} {'':>8}   winners: {winners}")


def _race(app, world: dict, threads: int) -> tuple[float, int]:
    start = _free_slots(world, RACE_SLOT)[-1]  # far after the slots the sequential bookings took
    body = {"resource_id": world["room_id"], "startup_id": world["startup_id"], "starts_at": start.isoformat(),
            "ends_at": (start + timedelta(hours=1)).isoformat()}
    client = app.test_client()
    barrier = threading.Barrier(threads)
    codes: list[int] = []

    def go():
        barrier.wait()
        codes.append(client.post("/api/v1/bookings", json=body,
                                 headers={"Authorization": f"Bearer {world['token']}"}).status_code)

    workers = [threading.Thread(target=go) for _ in range(threads)]
    began = time.perf_counter()
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(120)
    if not set(codes) <= {201, 409}:
        sys.exit(f"the race answered {sorted(codes)}: only 201 and 409 are acceptable")
    return (time.perf_counter() - began) * 1000, codes.count(201)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--resources", type=int, default=40)
    parser.add_argument("--bookings", type=int, default=20_000)
    parser.add_argument("--startups", type=int, default=30)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--database-url", default="")
    parser.add_argument("--reset", action="store_true")
    run(parser.parse_args())
