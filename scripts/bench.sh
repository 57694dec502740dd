#!/usr/bin/env bash
# The benchmarks on PostgreSQL (`make bench`): creates the database osp_bench on
# 127.0.0.1:5432 (user postgres) if missing, migrates it and runs
# `manage.py bench_forecast` with this script's arguments (e.g. --size small; it generates
# the data set the first time), then `manage.py bench_sync` (the sync API; no arguments),
# then `manage.py bench_pipeline` (board, lists, transitions, export, web throughput;
# arguments in BENCH_PIPELINE_ARGS, e.g. "--repeat 20 --skip-web"). BENCH_ONLY=forecast,
# sync or pipeline runs only that one (pipeline generates the data set first if missing).
# The web throughput uses wrk, installed here with apt-get when missing and possible.
set -euo pipefail

cd "$(dirname "$0")/.."

PGHOST=${PGHOST:-127.0.0.1}
PGPORT=${PGPORT:-5432}
PGUSER=${PGUSER:-postgres}
BENCH_DB=${BENCH_DB:-osp_bench}
BENCH_ONLY=${BENCH_ONLY:-}
export PGHOST PGPORT PGUSER

case "$BENCH_ONLY" in
    ""|forecast|sync|pipeline) ;;
    *) echo "bench.sh: BENCH_ONLY must be forecast, sync or pipeline (or unset for all)." >&2
       exit 2 ;;
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
# The cache (and so the sessions and rate limits) in Redis, as in docker-compose.yml, when
# a Redis answers on 127.0.0.1:6379 and none is configured: database 14, apart from the
# tests' and `make run`'s.
if [ -z "${CACHE_URL:-}" ] && [ -z "${REDIS_URL:-}" ] && command -v redis-cli >/dev/null 2>&1 \
        && redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
    export CACHE_URL="redis://127.0.0.1:6379/14"
fi
echo "Cache: ${CACHE_URL:-${REDIS_URL:-files under var/cache (no Redis)}}"

.venv/bin/python manage.py migrate --no-input
if [ -z "$BENCH_ONLY" ] || [ "$BENCH_ONLY" = forecast ]; then
    .venv/bin/python manage.py bench_forecast "$@"
fi
if [ -z "$BENCH_ONLY" ] || [ "$BENCH_ONLY" = sync ]; then
    .venv/bin/python manage.py bench_sync
fi
if [ -z "$BENCH_ONLY" ] || [ "$BENCH_ONLY" = pipeline ]; then
    generated=$(psql -d "${BENCH_DB}" -tAc "SELECT 1 FROM osp_user WHERE username = 'bench-director'")
    if [ "$generated" != "1" ]; then
        .venv/bin/python manage.py bench_forecast "$@"  # generates the data set
    fi
    if ! command -v wrk >/dev/null 2>&1 && command -v apt-get >/dev/null 2>&1 \
            && [ "$(id -u)" = "0" ]; then
        echo "Installing wrk for the web throughput measurement (apt-get)"
        apt-get install -y -qq wrk >/dev/null 2>&1 \
            || { apt-get update -qq >/dev/null 2>&1 && apt-get install -y -qq wrk >/dev/null 2>&1; } \
            || echo "bench.sh: could not install wrk; a Python client drives the load instead."
    fi
    # shellcheck disable=SC2086  # BENCH_PIPELINE_ARGS is a list of options
    .venv/bin/python manage.py bench_pipeline ${BENCH_PIPELINE_ARGS:-}
fi
