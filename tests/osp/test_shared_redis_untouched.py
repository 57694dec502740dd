"""The suite empties its Redis databases (the cache around every test, its own cache
tests), and it must do so only on a redis-server it started itself: never on the server
that REDIS_URL and CACHE_URL name, which other checkouts and services share."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
import redis

from tests.redis_server import RedisServer

ROOT = Path(__file__).resolve().parents[2]
DATABASES = range(16)  # redis-server's default number of databases


def test_the_suite_empties_no_database_of_the_configured_redis(test_redis, tmp_path):
    if test_redis is None:
        pytest.skip("needs redis-server on PATH")
    shared = RedisServer(tmp_path)  # stands in for the shared server
    shared.start()
    try:
        for db in DATABASES:
            redis.Redis.from_url(shared.url_for(db)).set("someone-elses-key", db)
        # The cache tests (no database tests: a second run must not create the test
        # database this run is using), with every setting pointing at the shared server.
        run = subprocess.run(
            [sys.executable, "-m", "pytest", "-q", "tests/osp/test_cache.py"], cwd=ROOT,
            env={**os.environ, "REDIS_URL": shared.url, "CACHE_URL": shared.url_for(1)},
            capture_output=True, text=True, timeout=300)
        assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
        kept = [db for db in DATABASES
                if redis.Redis.from_url(shared.url_for(db)).get("someone-elses-key")]
        assert kept == list(DATABASES)
    finally:
        shared.kill()
