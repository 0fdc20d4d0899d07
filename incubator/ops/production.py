"""Is this environment fit to run production? Checked by ``make prod`` and by gunicorn before it starts workers.

Production means several gunicorn workers plus one scheduler: the database must be PostgreSQL (SQLite is for
development and tests) and the rate-limit counters must be shared between workers (Redis), otherwise each
worker would allow its own five sign-in attempts a minute. ``python -m incubator.ops.production`` prints the
problems and exits 1 if there are any (``--ping`` also checks that Redis answers).
"""
from __future__ import annotations

import sys
from collections.abc import Mapping

from incubator.config import ConfigError

POSTGRES_PREFIXES = ("postgresql://", "postgres://", "postgresql+psycopg://")
EXAMPLE_DATABASE_URL = "postgresql://incubator@127.0.0.1:5432/incubator"
EXAMPLE_REDIS_URL = "redis://127.0.0.1:6379/0"


def web_workers(environ: Mapping[str, str]) -> int:
    """Gunicorn workers: ``WEB_CONCURRENCY``, else 2 per CPU plus one, at most 8 (each holds its own DB pool)."""
    import multiprocessing

    return int(environ.get("WEB_CONCURRENCY") or min(multiprocessing.cpu_count() * 2 + 1, 8))


def production_problems(environ: Mapping[str, str], workers: int) -> list[str]:
    """What stops ``environ`` from running as production with ``workers`` web workers (empty if fine, or if
    ``APP_ENV`` is not ``production``: development and benchmark servers may use SQLite)."""
    if environ.get("APP_ENV") != "production":
        return []
    problems = []
    url = environ.get("DATABASE_URL", "").strip()
    if not url:
        problems.append(f"DATABASE_URL is not set; production runs on PostgreSQL, e.g. {EXAMPLE_DATABASE_URL}")
    elif not url.startswith(POSTGRES_PREFIXES):
        scheme = url.split(":", 1)[0]
        problems.append(f"DATABASE_URL is a {scheme} database; production runs on PostgreSQL "
                        f"(e.g. {EXAMPLE_DATABASE_URL}). SQLite is for development and tests.")
    if not environ.get("SECRET_KEY"):
        problems.append("SECRET_KEY is not set; generate one with: python3 -c 'import secrets; "
                        "print(secrets.token_hex(32))'")
    storage = environ.get("RATELIMIT_STORAGE_URI", "memory://")
    if storage.startswith("memory") and workers > 1:
        problems.append(f"RATELIMIT_STORAGE_URI is {storage}: each of the {workers} workers would count sign-in "
                        f"attempts on its own. Use Redis: RATELIMIT_STORAGE_URI={EXAMPLE_REDIS_URL}")
    return problems


def redis_problem(url: str) -> str | None:
    """None if the Redis at ``url`` answers a PING within two seconds, else what went wrong."""
    if not url.startswith(("redis://", "rediss://", "unix://")):
        return None
    import redis

    try:
        redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2).ping()
    except redis.RedisError as exc:
        return f"Redis at {url} does not answer ({exc}); start it (Debian: apt-get install redis-server)."
    return None


def assert_ready_for_production(environ: Mapping[str, str], workers: int) -> None:
    """Raise ``ConfigError`` listing every problem (gunicorn prints it as "Error: ..." and exits 1)."""
    problems = production_problems(environ, workers)
    if problems:
        raise ConfigError("not starting in production:\n  - " + "\n  - ".join(problems))


def main(argv: list[str]) -> int:
    import os

    problems = production_problems(os.environ, web_workers(os.environ))
    if "--ping" in argv and os.environ.get("APP_ENV") == "production":
        problem = redis_problem(os.environ.get("RATELIMIT_STORAGE_URI", ""))
        problems += [problem] if problem else []
    for problem in problems:
        print(f"ERROR: {problem}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
