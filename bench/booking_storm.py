"""Booking storm: 200 concurrent API requests for 20 free slots through gunicorn; exactly 20 bookings, the rest 409,
no 5xx.

    python bench/booking_storm.py                 # a throwaway PostgreSQL database on 127.0.0.1, dropped at the end
    python bench/booking_storm.py --sqlite        # the same against a SQLite file, for comparison
    python bench/booking_storm.py --requests-per-slot 10 --slots 20 --workers 5

Steps: create the database (``createdb incubator_storm_<pid>``), ``flask db upgrade heads`` and ``flask demo``
against it, add one meeting room open every day 07:00-21:00 (Asia/Phnom_Penh) with a generous allowance per
startup (so that only the slot, never the allowance, decides), and give the founders of 20 active startups an
API token each. Then gunicorn (``gunicorn.conf.py``, ``bench/bench_app.py``, as ``bench/load.py`` starts it) on a
free loopback port, and 200 threads released together by a barrier, each ``POST /api/v1/bookings`` for one of 20
one-hour slots: 10 requests per slot, each from a different startup's founder. The table shows the answers, the
bookings in the database for those slots and the wall time; the exit status is 1 when the invariant breaks
(201s != slots, any other answer than 201/409, or a slot with other than one booking in the database).
"""
from __future__ import annotations

import argparse
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from datetime import date, datetime, timedelta, timezone
from datetime import time as wall_time
from pathlib import Path

import requests
import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.load import start_server  # noqa: E402
from incubator.config import normalize_database_url  # noqa: E402

PG_HOST, PG_USER = "127.0.0.1", "postgres"
SECRET_KEY = "storm-" + "k" * 40


def flask_env(database_url: str) -> dict[str, str]:
    return {**os.environ, "DATABASE_URL": database_url, "FLASK_APP": "wsgi", "SECRET_KEY": SECRET_KEY,
            "APP_ENV": "development"}


def create_database(use_sqlite: bool) -> tuple[str, str]:
    """A fresh database: (its URL, its name or file) — migrated and loaded with the demo data."""
    if use_sqlite:
        path = Path(tempfile.mkdtemp(prefix="bench-storm-")) / "storm.db"
        url, name = f"sqlite:///{path}", str(path)
    else:
        name = f"incubator_storm_{os.getpid()}"
        subprocess.run(["createdb", "-h", PG_HOST, "-U", PG_USER, name], check=True)  # noqa: S603, S607
        url = f"postgresql://{PG_USER}@{PG_HOST}:5432/{name}"
    flask = str(Path(sys.executable).with_name("flask"))
    for command in (["db", "upgrade", "heads"], ["demo"]):
        done = subprocess.run([flask, *command], cwd=ROOT, env=flask_env(url), capture_output=True,  # noqa: S603
                              text=True)
        if done.returncode:
            drop_database(use_sqlite, name)
            sys.exit(f"flask {' '.join(command)} failed:\n{done.stdout}{done.stderr}")
    return url, name


def drop_database(use_sqlite: bool, name: str) -> None:
    if use_sqlite:
        shutil.rmtree(Path(name).parent, ignore_errors=True)
    else:
        subprocess.run(["dropdb", "-h", PG_HOST, "-U", PG_USER, "--if-exists", "--force", name], check=False)  # noqa: S603, S607


def stage(database_url: str, slots: int) -> dict:
    """The storm room, its slots (UTC starts), a token per founder and the startups they book for."""
    from incubator import create_app
    from incubator.auth.models import Role, User
    from incubator.auth.services import create_api_token, create_user
    from incubator.cohorts.models import Cohort, CohortStatus, Startup, StartupStatus, TeamMember
    from incubator.extensions import db
    from incubator.resources.availability import incubator_zone, local_midnight
    from incubator.resources.models import Allowance, AllowancePeriod, OpeningHours, Resource, ResourceType

    app = create_app({"SQLALCHEMY_DATABASE_URI": normalize_database_url(database_url)})
    with app.app_context():
        room = Resource(name=f"Storm room {os.getpid()}", type=ResourceType.MEETING_ROOM, slot_minutes=60,
                        min_minutes=60, max_minutes=240, advance_days=30)
        db.session.add(room)
        db.session.flush()
        db.session.add_all(OpeningHours(resource_id=room.id, weekday=d, opens=wall_time(7), closes=wall_time(21))
                           for d in range(7))
        cohort = db.session.scalar(sa.select(Cohort).where(Cohort.status == CohortStatus.RUNNING).order_by(Cohort.id))
        startups = list(db.session.scalars(sa.select(Startup).where(
            Startup.cohort_id == cohort.id, Startup.status == StartupStatus.ACTIVE).order_by(Startup.id).limit(slots)))
        while len(startups) < slots:  # the demo may have fewer active startups than slots
            startup = Startup(cohort_id=cohort.id, name=f"Storm startup {len(startups)}", sector="digital",
                              stage="mvp", province="phnom_penh")
            db.session.add(startup)
            db.session.flush()
            startups.append(startup)
        bookers = []
        for n, startup in enumerate(startups):
            founder_id = db.session.scalar(sa.select(TeamMember.user_id).where(
                TeamMember.startup_id == startup.id, TeamMember.is_founder, TeamMember.user_id.is_not(None))
                .order_by(TeamMember.id))
            if founder_id is None:
                user = create_user(f"storm.founder.{n}@example.com", f"Storm Founder {n}", Role.FOUNDER,
                                   password="storm-password-2026")
                db.session.add(TeamMember(startup_id=startup.id, user_id=user.id, name=user.name, is_founder=True))
                db.session.flush()
                founder_id = user.id
            founder = db.session.get(User, founder_id)
            token = create_api_token(founder, "booking storm")[1]
            # Only the slot should decide: a startup allowance on this room for every period kind wins over
            # whatever the demo set on meeting rooms.
            for period in AllowancePeriod:
                db.session.add(Allowance(key=Allowance.make_key(None, startup.id, room.id, None, period),
                                         startup_id=startup.id, resource_id=room.id, period=period, amount=10**6))
            bookers.append((startup.id, token))
        db.session.commit()
        zone, first_day = incubator_zone(), date.today() + timedelta(days=2)
        starts = [local_midnight(first_day + timedelta(days=n // 10), zone) + timedelta(hours=8 + n % 10)
                  for n in range(slots)]
        room_id = room.id
        db.session.remove()
        db.engine.dispose()
    return {"room_id": room_id, "starts": starts, "bookers": bookers}


def storm(url: str, world: dict, per_slot: int) -> tuple[list[tuple[int, int]], float]:
    """Fire every request at once; ``[(slot index, status)]`` (0: no answer) and the wall time in seconds."""
    bookers, starts = world["bookers"], world["starts"]
    jobs = [(slot, bookers[(slot + n) % len(bookers)]) for slot in range(len(starts)) for n in range(per_slot)]
    barrier = threading.Barrier(len(jobs) + 1)
    results: list[tuple[int, int]] = []
    lock = threading.Lock()

    def fire(slot: int, booker: tuple[int, str]) -> None:
        startup_id, token = booker
        body = {"resource_id": world["room_id"], "startup_id": startup_id, "purpose": "booking storm",
                "starts_at": starts[slot].isoformat(), "ends_at": (starts[slot] + timedelta(hours=1)).isoformat()}
        barrier.wait()
        try:
            status = requests.post(f"{url}/api/v1/bookings", json=body, timeout=120,
                                   headers={"Authorization": f"Bearer {token}"}).status_code
        except requests.RequestException:
            status = 0
        with lock:
            results.append((slot, status))

    threads = [threading.Thread(target=fire, args=job) for job in jobs]
    for thread in threads:
        thread.start()
    barrier.wait()
    began = time.perf_counter()
    for thread in threads:
        thread.join()
    return results, time.perf_counter() - began


def bookings_per_slot(database_url: str, world: dict) -> Counter:
    """Bookings holding each slot of the storm room, counted straight in the database."""
    from incubator import create_app
    from incubator.extensions import db
    from incubator.resources.models import COUNTED_STATUSES, Booking

    app = create_app({"SQLALCHEMY_DATABASE_URI": normalize_database_url(database_url)})
    with app.app_context():
        rows = db.session.scalars(sa.select(Booking.starts_at).where(
            Booking.resource_id == world["room_id"], Booking.status.in_(COUNTED_STATUSES))).all()
        db.session.remove()
        db.engine.dispose()
    index = {start.astimezone(timezone.utc): n for n, start in enumerate(world["starts"])}
    return Counter(index.get(_aware(start), -1) for start in rows)


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sqlite", action="store_true", help="a SQLite file instead of PostgreSQL")
    parser.add_argument("--slots", type=int, default=20, help="free slots to fight for (default 20)")
    parser.add_argument("--requests-per-slot", type=int, default=10, help="requests per slot (default 10)")
    parser.add_argument("--workers", type=int, default=None, help="gunicorn workers (default: gunicorn.conf.py)")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    args = parser.parse_args()

    workers = args.workers or min((os.cpu_count() or 1) * 2 + 1, 8)
    database_url, name = create_database(args.sqlite)
    log = Path(tempfile.mkdtemp(prefix="bench-storm-log-")) / "server.log"
    process = None
    try:
        world = stage(database_url, args.slots)
        process, url = start_server(database_url, workers, log)
        results, wall = storm(url, world, args.requests_per_slot)
        held = bookings_per_slot(database_url, world)
    finally:
        if process is not None:
            process.terminate()
            process.wait(timeout=60)
        if not args.keep:
            drop_database(args.sqlite, name)

    codes = Counter(status for _slot, status in results)
    created, conflicts = codes[201], codes[409]
    other_4xx = sum(count for code, count in codes.items() if 400 <= code < 500 and code != 409)
    server_errors = sum(count for code, count in codes.items() if code >= 500 or code == 0)
    in_db = sum(held.values())
    print(f"{datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC · {platform.machine()}, {os.cpu_count()} CPUs · "
          f"Python {platform.python_version()} · {'sqlite' if args.sqlite else 'postgresql'} · "
          f"gunicorn {workers} sync workers · {len(results)} threads (server log: {log})\n")
    print(f"{'requests':>8} {'201':>5} {'409':>5} {'other 4xx':>9} {'5xx/none':>8} {'in DB':>6} {'wall s':>7}")
    print(f"{len(results):>8} {created:>5} {conflicts:>5} {other_4xx:>9} {server_errors:>8} {in_db:>6} {wall:>7.2f}")
    problems = []
    if created != args.slots or in_db != args.slots:
        problems.append(f"expected {args.slots} bookings, got {created} answers 201 and {in_db} in the database")
    if set(codes) - {201, 409}:
        problems.append(f"unexpected answers: {dict(sorted(codes.items()))}")
    if any(count != 1 for count in held.values()) or len(held) != args.slots or -1 in held:
        problems.append(f"bookings per slot: {dict(sorted(held.items()))}")
    for problem in problems:
        print(f"FAIL: {problem}", file=sys.stderr)
    if not problems:
        print("\nOK: one booking per slot, every other request 409, no 5xx")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
