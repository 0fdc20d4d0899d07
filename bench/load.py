"""Load run against gunicorn on loopback: mixed traffic of signed-in managers and founders, API calls and a bare
route on the same server, then a table of requests per second, p50/p95/p99 latency, errors and SQL queries per
route.

    python bench/seed_large.py --database-url sqlite:////tmp/bench.db       # once
    python bench/load.py --database-url sqlite:////tmp/bench.db --duration 60 --concurrency 8

The server is ``bench/bench_app.py`` (the app plus ``/bench/bare`` and a query counter) under gunicorn with
``gunicorn.conf.py`` (``--workers`` of them) on a free 127.0.0.1 port; it is stopped at the end. The client is a
pool of threads with one HTTP session per simulated person (sign-in through the real form and its CSRF token;
API calls with a bearer token). Client and server share this machine's CPUs, so absolute numbers are lower
than on a dedicated server; the bare route shows the floor of the same run. Requests only ever go to loopback.
"""
from __future__ import annotations

import argparse
import os
import platform
import random
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from datetime import datetime, timezone
from pathlib import Path

import requests
import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.seed_large import MANAGER_EMAIL, PASSWORD  # noqa: E402
from incubator.config import normalize_database_url  # noqa: E402


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def prepare(database_url: str) -> None:
    """Migrate the seeded database to the code's heads (as a deploy does) and stamp a scheduler heartbeat: no
    scheduler runs beside the bench server, and /healthz should answer 200 as in production."""
    from flask_migrate import upgrade

    from incubator import create_app
    from incubator.db import utcnow
    from incubator.extensions import db
    from incubator.jobs.models import SchedulerHeartbeat

    app = create_app({"SQLALCHEMY_DATABASE_URI": normalize_database_url(database_url)})
    with app.app_context():
        upgrade(revision="heads")
        beat = db.session.scalar(sa.select(SchedulerHeartbeat).where(SchedulerHeartbeat.hostname == "bench"))
        beat = beat or SchedulerHeartbeat(hostname="bench", pid=os.getpid(), started_at=utcnow())
        beat.beat_at = utcnow()
        db.session.add(beat)
        db.session.commit()
        db.engine.dispose()


def start_server(database_url: str, workers: int, log: Path) -> tuple[subprocess.Popen, str]:
    port = free_port()
    env = {**os.environ, "DATABASE_URL": database_url, "APP_ENV": "development", "SECRET_KEY": "bench-" + "k" * 40,
           "GUNICORN_BIND": f"127.0.0.1:{port}", "WEB_CONCURRENCY": str(workers), "LOG_FORMAT": "json",
           "LOGIN_RATE_LIMIT_IP": "100000 per minute", "LOGIN_RATE_LIMIT_ACCOUNT": "100000 per minute",
           "UPLOAD_FOLDER": str(log.parent / "bench-uploads")}
    process = subprocess.Popen([str(Path(sys.executable).with_name("gunicorn")), "--config", "gunicorn.conf.py",  # noqa: S603
                                "bench.bench_app:app"], cwd=ROOT, env=env, stdout=log.open("w"),
                               stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    for _ in range(240):
        try:
            if requests.get(f"{url}/bench/bare", timeout=2).status_code == 200:
                return process, url
        except requests.RequestException:
            time.sleep(0.5)
    process.terminate()
    sys.exit(f"the server did not start; see {log}")


def signed_in(url: str, email: str) -> requests.Session:
    session = requests.Session()
    page = session.get(f"{url}/auth/login", timeout=30).text
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"', page)
    csrf = next(group for group in token.groups() if group)
    response = session.post(f"{url}/auth/login", data={"email": email, "password": PASSWORD, "csrf_token": csrf},
                            allow_redirects=False, timeout=30)
    if response.status_code != 302:
        sys.exit(f"could not sign in as {email}: {response.status_code}")
    return session


def api_session(database_url: str) -> tuple[requests.Session, int]:
    """A bearer token for the first manager (made directly in the database), and a startup id to read."""
    from incubator import create_app
    from incubator.auth.services import create_api_token, find_user
    from incubator.cohorts.models import Startup
    from incubator.extensions import db

    app = create_app({"SQLALCHEMY_DATABASE_URI": normalize_database_url(database_url)})
    with app.app_context():
        _token, plaintext = create_api_token(find_user(MANAGER_EMAIL.format(n=0)), "load run")
        db.session.commit()
        startup_id = db.session.scalar(sa.select(sa.func.min(Startup.id)))
        db.engine.dispose()
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {plaintext}"
    return session, startup_id


def traffic_plan(url: str, database_url: str, people: int) -> list[tuple[str, int, requests.Session, str]]:
    """(label, weight, session, url) for every request kind, each person with their own session."""
    from incubator import create_app
    from incubator.cohorts.models import Cohort, CohortStatus, Startup, TeamMember
    from incubator.extensions import db

    app = create_app({"SQLALCHEMY_DATABASE_URI": normalize_database_url(database_url)})
    with app.app_context():
        running = db.session.scalar(sa.select(Cohort.id).where(Cohort.status == CohortStatus.RUNNING))
        founders = db.session.execute(
            sa.select(TeamMember.startup_id, TeamMember.user_id).join(Startup).where(
                TeamMember.is_founder, Startup.cohort_id == running).order_by(TeamMember.id).limit(people)).all()
        emails = {user_id: email for user_id, email in db.session.execute(
            sa.text("SELECT id, email FROM users WHERE id IN :ids").bindparams(sa.bindparam("ids", expanding=True)),
            {"ids": [f.user_id for f in founders]})}
        db.engine.dispose()
    plan = []
    api, startup_id = api_session(database_url)
    for n in range(people):
        manager = signed_in(url, MANAGER_EMAIL.format(n=n % 10))
        startup, founder_id = founders[n % len(founders)]
        founder = signed_in(url, emails[founder_id])
        plan += [
            ("GET /progress/cohorts/<id> (dashboard)", 3, manager, f"{url}/progress/cohorts/{running}"),
            ("GET /cohorts/startups (list)", 2, manager, f"{url}/cohorts/startups"),
            ("GET /progress/startups/<id>", 2, manager, f"{url}/progress/startups/{startup}"),
            ("GET / (founder home)", 2, founder, f"{url}/"),
            ("GET /progress/startups/<id> (founder)", 3, founder, f"{url}/progress/startups/{startup}"),
            ("GET /progress/startups/<id>/checkin", 1, founder, f"{url}/progress/startups/{startup}/checkin"),
            ("GET /api/v1/startups", 2, api, f"{url}/api/v1/startups"),
            ("GET /api/v1/startups/<id>/milestones", 2, api, f"{url}/api/v1/startups/{startup_id}/milestones"),
            ("GET /healthz", 1, requests.Session(), f"{url}/healthz"),
            ("GET /bench/bare (floor)", 2, requests.Session(), f"{url}/bench/bare"),
        ]
    return plan


def run(plan, duration: float, concurrency: int) -> dict[str, list[tuple[float, int, int]]]:
    results: dict[str, list[tuple[float, int, int]]] = defaultdict(list)
    lock = threading.Lock()
    weights = [weight for _label, weight, _session, _url in plan]
    deadline = time.monotonic() + duration

    def worker(seed: int) -> None:
        rng = random.Random(seed)  # noqa: S311 (traffic mix, not security)
        while time.monotonic() < deadline:
            label, _weight, session, target = rng.choices(plan, weights)[0]
            started = time.perf_counter()
            try:
                response = session.get(target, timeout=60, allow_redirects=False)
                status, queries = response.status_code, int(response.headers.get("X-Bench-Queries", -1))
            except requests.RequestException:
                status, queries = 0, -1
            elapsed = (time.perf_counter() - started) * 1000
            with lock:
                results[label].append((elapsed, status, queries))

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(pct / 100 * (len(ordered) - 1))))]


def report(results, duration: float) -> None:
    total = sum(len(rows) for rows in results.values())
    print(f"\n{'route':<42} {'requests':>8} {'req/s':>7} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} "
          f"{'errors':>6} {'queries':>7}")
    for label in sorted(results, key=lambda name: -statistics.median(r[0] for r in results[name])):
        rows = results[label]
        times = [r[0] for r in rows]
        errors = sum(1 for r in rows if r[1] == 0 or r[1] >= 400)
        queries = statistics.median(r[2] for r in rows)
        print(f"{label:<42} {len(rows):>8} {len(rows) / duration:>7.1f} {percentile(times, 50):>8.1f} "
              f"{percentile(times, 95):>8.1f} {percentile(times, 99):>8.1f} {errors:>6} {queries:>7.0f}")
    print(f"{'all':<42} {total:>8} {total / duration:>7.1f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", required=True, help="a database seeded by bench/seed_large.py")
    parser.add_argument("--duration", type=float, default=60, help="seconds of load (default 60)")
    parser.add_argument("--concurrency", type=int, default=8, help="client threads (default 8)")
    parser.add_argument("--workers", type=int, default=None, help="gunicorn workers (default: gunicorn.conf.py)")
    parser.add_argument("--people", type=int, default=8, help="signed-in managers and founders (default 8)")
    args = parser.parse_args()

    log = Path(tempfile.mkdtemp(prefix="bench-load-")) / "server.log"
    workers = args.workers or min((os.cpu_count() or 1) * 2 + 1, 8)
    prepare(args.database_url)
    process, url = start_server(args.database_url, workers, log)
    try:
        plan = traffic_plan(url, args.database_url, args.people)
        print(f"{datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC · {platform.processor() or platform.machine()}, "
              f"{os.cpu_count()} CPUs · Python {platform.python_version()} · "
              f"{args.database_url.split(':', 1)[0]} · gunicorn {workers} sync workers · "
              f"{args.concurrency} client threads for {args.duration:.0f} s (server log: {log})")
        run(plan, min(5.0, args.duration / 10), args.concurrency)  # warm-up, not reported
        report(run(plan, args.duration, args.concurrency), args.duration)
    finally:
        process.terminate()
        process.wait(timeout=60)


if __name__ == "__main__":
    main()
