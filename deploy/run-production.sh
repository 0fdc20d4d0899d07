#!/usr/bin/env bash
# `make prod`: production mode on this machine, in the foreground. Checks the environment, migrates the database,
# then runs the one scheduler (flask jobs run) beside gunicorn's workers; Ctrl-C or SIGTERM stops both.
# For a real server use the systemd units in deploy/systemd/ behind deploy/nginx/incubator.conf (docs/deploy.md).
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${BIN:-.venv/bin}

export FLASK_APP=wsgi
export APP_ENV=production
export RATELIMIT_STORAGE_URI=${RATELIMIT_STORAGE_URI:-redis://127.0.0.1:6379/0}

# DATABASE_URL (PostgreSQL), SECRET_KEY and a shared rate-limit store are required; say all that is missing at once.
if ! "$BIN/python" -m incubator.ops.production --ping; then
    echo "Production mode not started. Example:" >&2
    echo "  DATABASE_URL=postgresql://incubator@127.0.0.1:5432/incubator SECRET_KEY=\$(python3 -c 'import secrets; print(secrets.token_hex(32))') make prod" >&2
    exit 1
fi

echo "==> Migrating the database"
"$BIN/flask" db upgrade heads

echo "==> Starting the scheduler (flask jobs run) and gunicorn on ${GUNICORN_BIND:-127.0.0.1:8000}"
"$BIN/flask" jobs run &
scheduler=$!
"$BIN/gunicorn" --config gunicorn.conf.py wsgi:app &
web=$!

stop() {
    kill -TERM "$web" "$scheduler" 2>/dev/null || true
    wait "$web" "$scheduler" 2>/dev/null || true
}
trap 'stop; exit 0' INT TERM
trap stop EXIT
# If either process dies, stop the other: half an installation should not look like a running one.
wait -n "$web" "$scheduler" || true
echo "A process stopped; shutting down the other." >&2
exit 1
