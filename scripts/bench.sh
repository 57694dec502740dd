#!/usr/bin/env bash
# The benchmarks on PostgreSQL (`make bench`): creates the database osp_bench on
# 127.0.0.1:5432 (user postgres) if missing, migrates it and runs
# `manage.py bench_forecast` with this script's arguments (e.g. --size small), then
# `manage.py bench_sync` (the sync API; no arguments). BENCH_ONLY=forecast or
# BENCH_ONLY=sync runs only that one.
set -euo pipefail

cd "$(dirname "$0")/.."

PGHOST=${PGHOST:-127.0.0.1}
PGPORT=${PGPORT:-5432}
PGUSER=${PGUSER:-postgres}
BENCH_DB=${BENCH_DB:-osp_bench}
BENCH_ONLY=${BENCH_ONLY:-}
export PGHOST PGPORT PGUSER

case "$BENCH_ONLY" in
    ""|forecast|sync) ;;
    *) echo "bench.sh: BENCH_ONLY must be forecast or sync (or unset for both)." >&2; exit 2 ;;
esac

if ! command -v psql >/dev/null 2>&1; then
    echo "bench.sh: psql not found; install the PostgreSQL client." >&2
    exit 1
fi

exists=$(psql -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = '${BENCH_DB}'")
if [ "$exists" != "1" ]; then
    echo "Creating database ${BENCH_DB} on ${PGHOST}:${PGPORT}"
    psql -d postgres -v ON_ERROR_STOP=1 -qc "CREATE DATABASE \"${BENCH_DB}\""
fi

export DATABASE_URL="postgres://${PGUSER}@${PGHOST}:${PGPORT}/${BENCH_DB}"

.venv/bin/python manage.py migrate --no-input
if [ "$BENCH_ONLY" != "sync" ]; then
    .venv/bin/python manage.py bench_forecast "$@"
fi
if [ "$BENCH_ONLY" != "forecast" ]; then
    .venv/bin/python manage.py bench_sync
fi
