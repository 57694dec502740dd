"""Real processes for the reliability tests: a private redis-server per test module (so it
can be killed and restarted without touching the shared one), and Celery worker and beat
subprocesses working on pytest-django's test database."""

import contextlib
import email
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from urllib.parse import quote

import pytest
from django.db import connection

from tests.redis_server import RedisServer, redis_server_on_path

ROOT = Path(__file__).resolve().parents[2]
CELERY = Path(sys.executable).with_name("celery")  # the venv's, as in production


def wait_until(predicate, *, timeout: float, what: str, logs=()):
    """Poll `predicate` every 0.1 s until it is true; fail after `timeout` seconds with
    what we waited for and the processes' logs."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.1)
    tails = "\n".join(f"--- {p.name} ---\n{p.log()[-4000:]}" for p in logs)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}\n{tails}")


@pytest.fixture(scope="module")
def private_redis(tmp_path_factory):
    if not redis_server_on_path():
        pytest.skip("needs redis-server on PATH")
    server = RedisServer(tmp_path_factory.mktemp("redis"))
    server.start()
    yield server
    server.kill()


class Process:
    """A Celery process in its own process group (the prefork pool's children with it),
    its output in a log file."""

    def __init__(self, name: str, args: list[str], env: dict, logfile: Path):
        self.name, self.logfile = name, logfile
        with open(logfile, "wb") as out:
            self.proc = subprocess.Popen([str(CELERY), *args], cwd=ROOT, env=env, stdout=out,
                                         stderr=subprocess.STDOUT, start_new_session=True)

    @property
    def pid(self) -> int:
        return self.proc.pid

    def log(self) -> str:
        return self.logfile.read_text(errors="replace")

    def alive(self) -> bool:
        return self.proc.poll() is None

    def kill(self):
        """SIGKILL the whole group (main process and pool children) at once, as a crash
        would, and wait until every one of them is gone: the main process reaped here, its
        orphaned children by init (no zombies left behind)."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=10)

        def group_gone():
            try:
                os.killpg(self.proc.pid, 0)
            except ProcessLookupError:
                return True
            return False

        wait_until(group_gone, timeout=15, what=f"every process of {self.name} to be reaped")


class CeleryProcesses:
    """Starts worker and beat processes for one test and kills them all at its end."""

    def __init__(self, tmp_path: Path, broker: RedisServer):
        db = connection.settings_dict
        auth = quote(db["USER"] or "") + (f":{quote(db['PASSWORD'])}" if db["PASSWORD"] else "")
        self.tmp_path, self.broker, self.processes = tmp_path, broker, []
        self.mail_dir = tmp_path / "mail"
        self.mail_dir.mkdir()
        self.env = {
            **os.environ,
            "DATABASE_URL": f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:"
                            f"{db['PORT'] or 5432}/{db['NAME']}",
            "CELERY_BROKER_URL": broker.url,
            # No shared Redis: cache and beat's schedule file go under tmp_path.
            "REDIS_URL": "", "CACHE_URL": "", "OSP_VAR_DIR": str(tmp_path / "var"),
            "EMAIL_BACKEND": "tests.reliability.mail.FileBackend",
            "OSP_TEST_MAIL_DIR": str(self.mail_dir), "DEFAULT_FROM_EMAIL": "osp@localhost",
            "PYTHONPATH": str(ROOT), "PYTHONUNBUFFERED": "1",
        }
        self.env.pop("OSP_TEST_MAIL_PAUSE_AT", None)
        self.env.pop("OSP_TEST_MAIL_DELAY", None)

    def _start(self, name, args, env) -> Process:
        process = Process(name, args, {**self.env, **env}, self.tmp_path / f"{name}.log")
        self.processes.append(process)
        return process

    def worker(self, name: str, *, visibility_timeout: int = 60,
               pause_at_email: int = 0, seconds_per_email: float = 0) -> Process:
        process = self._start(name, [
            "-A", "config", "worker", "--pool", "prefork", "--concurrency", "1",
            "--hostname", f"{name}@%h", "--loglevel", "INFO", "--without-mingle",
            "--without-gossip", "--without-heartbeat"], {
            "CELERY_VISIBILITY_TIMEOUT": str(visibility_timeout),
            "OSP_TEST_MAIL_PAUSE_AT": str(pause_at_email or ""),
            "OSP_TEST_MAIL_DELAY": str(seconds_per_email or "")})
        wait_until(lambda: " ready." in process.log(), timeout=30,
                   what=f"{name} to be ready", logs=[process])
        return process

    def beat(self, name: str = "beat") -> Process:
        var = self.tmp_path / "var"
        var.mkdir(exist_ok=True)
        return self._start(name, [
            "-A", "tests.reliability.fastbeat", "beat", "--loglevel", "INFO",
            "--schedule", str(var / "beat-schedule")], {})

    def stop_all(self):
        for process in self.processes[:-1]:
            with contextlib.suppress(Exception):  # kill the others whatever happens
                process.kill()
        if self.processes:
            self.processes[-1].kill()

    @property
    def paused_pid(self) -> int | None:
        marker = self.mail_dir.with_name("paused")
        return int(marker.read_text()) if marker.exists() and marker.read_text() else None

    def emails(self) -> Counter:
        """Message-ID → how many times it was really sent (written by the backend)."""
        sent = Counter()
        for path in self.mail_dir.glob("*.eml"):
            for chunk in path.read_bytes().split(b"\n" + b"-" * 79 + b"\n"):
                if chunk.strip():
                    sent[email.message_from_bytes(chunk)["Message-ID"]] += 1
        return sent


@pytest.fixture
def celery(transactional_db, private_redis, tmp_path):
    """Workers and beat on the test database and the private Redis (emptied first). Torn
    down before the test database is flushed, so no process holds a lock on it then."""
    private_redis.ensure_running()
    private_redis.client().flushall()
    processes = CeleryProcesses(tmp_path, private_redis)
    yield processes
    processes.stop_all()


def stale_deals(count: int, *, owner_prefix: str) -> list:
    """`count` open deals untouched for 45 days, by two owners with e-mail addresses: each
    is due a "stale opportunity" reminder to its owner (a notification and an e-mail)."""
    import datetime

    from django.utils import timezone

    from opportunities.models import Opportunity
    from osp.models import ReminderPolicy
    from tests.factories import OpportunityFactory, UserFactory

    if not ReminderPolicy.objects.exists():
        ReminderPolicy.objects.create(send_from_hour=0)  # any hour of the test run
    owners = [UserFactory(username=f"{owner_prefix}{i}",
                          email=f"{owner_prefix}{i}@example.com") for i in range(2)]
    deals = [OpportunityFactory(account__owner=owners[i % 2]) for i in range(count)]
    Opportunity.objects.filter(pk__in=[d.pk for d in deals]).update(
        updated_at=timezone.now() - datetime.timedelta(days=45))
    return deals


def publish(broker: RedisServer, task_name: str) -> str:
    """Queue a task on the private Redis, as beat would, and return its id. Through an app
    of its own: OSP's app in this process keeps its broker and result backend for the
    other tests."""
    from celery import Celery

    publisher = Celery("test-publisher", broker=broker.url, set_as_current=False)
    try:
        return publisher.send_task(task_name).id
    finally:
        publisher.close()


def assert_each_reminder_once(celery: CeleryProcesses, expected: int):
    """Every due reminder recorded once, notified once and e-mailed exactly once."""
    from osp.models import Notification, ReminderSent

    reminders = list(ReminderSent.objects.all())
    assert len(reminders) == expected
    assert Notification.objects.count() == expected
    assert all(r.emailed_at is not None for r in reminders)
    assert celery.emails() == Counter({f"<osp-reminder-{r.pk}@localhost>": 1 for r in reminders})
