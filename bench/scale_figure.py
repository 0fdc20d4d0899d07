"""Scaling figure: the main routes with 100 and with 2,000 startups; p95 must not grow by more than 1.5x.

    python bench/scale_figure.py                              # PostgreSQL, two throwaway databases, dropped after
    python bench/scale_figure.py --sqlite --duration 30       # SQLite files instead

Each size is seeded by ``bench/seed_large.py`` (50 startups per cohort, 24 months of KPIs, 25 milestones per
startup, so only the number of startups and cohorts changes) and measured with ``bench/load.py``'s server and
traffic (gunicorn on loopback, signed-in managers and founders, API tokens), on the routes below only. The table
shows p50 and p95 per route for both sizes and the p95 ratio; the exit status is 1 when a ratio exceeds
``--max-ratio``. Client and server share this machine's CPUs: the bare route is the run's floor.
"""
from __future__ import annotations

import argparse
import os
import platform
import shutil
import subprocess
import sys
import tempfile
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.load import percentile, prepare, run, start_server, traffic_plan  # noqa: E402

ROUTES = (
    "GET /progress/cohorts/<id> (dashboard)",
    "GET /cohorts/startups (list)",
    "GET /progress/startups/<id>",
    "GET / (founder home)",
    "GET /api/v1/startups",
    "GET /api/v1/startups/<id>/milestones",
    "GET /bench/bare (floor)",
)
PG = ("-h", "127.0.0.1", "-U", "postgres")


def measure(size: int, args) -> dict[str, tuple[float, float, int]]:
    """Seed ``size`` startups in a fresh database and return {route: (p50, p95, errors)}."""
    if args.sqlite:
        folder = Path(tempfile.mkdtemp(prefix="bench-scale-"))
        url = f"sqlite:///{folder}/scale.db"
    else:
        name = f"incubator_scale_{size}_{os.getpid()}"
        subprocess.run(["createdb", *PG, name], check=True)  # noqa: S603, S607
        url = f"postgresql://postgres@127.0.0.1:5432/{name}"
    try:
        subprocess.run([sys.executable, str(ROOT / "bench" / "seed_large.py"), "--database-url", url,  # noqa: S603
                        "--startups", str(size), "--milestones", str(size * 25)], check=True,
                       stdout=subprocess.DEVNULL)
        prepare(url)
        log = Path(tempfile.mkdtemp(prefix="bench-scale-log-")) / "server.log"
        process, server = start_server(url, args.workers, log)
        try:
            plan = [step for step in traffic_plan(server, url, args.people) if step[0] in ROUTES]
            run(plan, 5.0, args.concurrency)  # warm-up, not reported
            results = run(plan, args.duration, args.concurrency)
        finally:
            process.terminate()
            process.wait(timeout=60)
    finally:
        if args.sqlite:
            shutil.rmtree(folder, ignore_errors=True)
        else:
            subprocess.run(["dropdb", *PG, "--if-exists", "--force", name], check=False)  # noqa: S603, S607
    return {label: (percentile([r[0] for r in rows], 50), percentile([r[0] for r in rows], 95),
                    sum(1 for r in rows if r[1] == 0 or r[1] >= 400)) for label, rows in results.items()}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sqlite", action="store_true", help="SQLite files instead of PostgreSQL")
    parser.add_argument("--small", type=int, default=100)
    parser.add_argument("--large", type=int, default=2000)
    parser.add_argument("--duration", type=float, default=30, help="seconds of load per size (default 30)")
    parser.add_argument("--concurrency", type=int, default=4, help="client threads (default 4)")
    parser.add_argument("--workers", type=int, default=min((os.cpu_count() or 1) * 2 + 1, 8))
    parser.add_argument("--people", type=int, default=4, help="signed-in managers and founders (default 4)")
    parser.add_argument("--max-ratio", type=float, default=1.5)
    args = parser.parse_args()

    small, large = measure(args.small, args), measure(args.large, args)
    print(f"{datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC · {platform.machine()}, {os.cpu_count()} CPUs · "
          f"{'sqlite' if args.sqlite else 'postgresql'} · gunicorn {args.workers} sync workers · "
          f"{args.concurrency} client threads, {args.duration:.0f} s per size\n")
    print(f"{'route':<40} {'p50 ' + str(args.small):>9} {'p50 ' + str(args.large):>10} "
          f"{'p95 ' + str(args.small):>9} {'p95 ' + str(args.large):>10} {'ratio':>6} {'errors':>6}")
    failed = []
    for label in ROUTES:
        if label not in small or label not in large:
            continue
        ratio = large[label][1] / small[label][1]
        errors = small[label][2] + large[label][2]
        flag = "" if ratio <= args.max_ratio or label.startswith("GET /bench") else "  <-- over"
        if flag or errors:
            failed.append(label)
        print(f"{label:<40} {small[label][0]:>9.1f} {large[label][0]:>10.1f} {small[label][1]:>9.1f} "
              f"{large[label][1]:>10.1f} {ratio:>6.2f} {errors:>6}{flag}")
    if failed:
        print(f"\nFAIL: p95 grew more than {args.max_ratio}x or errors on: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
