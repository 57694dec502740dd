import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _manage(*args, **env):
    # The browser tests allow Django's ORM under Playwright's event loop in this process;
    # a deployment never does, and `check --deploy` says so.
    base = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, capture_output=True,
                          text=True, env={**base, **env}, timeout=120)


def test_production_settings_pass_check_deploy():
    result = _manage("check", "--deploy", "--fail-level", "WARNING", DEBUG="0",
                     SECRET_KEY="x" * 64 + "production-secret-for-the-check",
                     ALLOWED_HOSTS="osp.example.com")
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_refuses_to_start_without_a_secret_key():
    result = _manage("check", DEBUG="0", SECRET_KEY="", ALLOWED_HOSTS="osp.example.com")
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_a_bad_setting_fails_loudly():
    result = _manage("check", OSP_FISCAL_YEAR_START_MONTH="13")
    assert result.returncode != 0
    assert "OSP_FISCAL_YEAR_START_MONTH" in result.stderr


@pytest.mark.postgres
def test_the_connection_pool_is_used_when_asked_for():
    code = ("from django.db import connection\n"
            "with connection.cursor() as c: c.execute('SELECT 1')\n"
            "print('pool', connection.pool is not None, connection.pool.max_size)")
    from urllib.parse import urlsplit

    # The server's own maintenance database: only a connection is needed.
    url = urlsplit(os.environ["DATABASE_URL"])._replace(path="/postgres").geturl()
    pooled = _manage("shell", "-c", code, DATABASE_POOL="1", DATABASE_URL=url)
    assert pooled.returncode == 0, pooled.stderr
    assert "pool True" in pooled.stdout
    plain = _manage("shell", "-c", "from django.db import connection\n"
                    "print('pool', connection.pool)", DATABASE_POOL="0",
                    DATABASE_URL=url)
    assert "pool None" in plain.stdout, plain.stderr
