"""A redis-server of the test run's own, on a free port in a temporary directory.

The suite empties its Redis databases (the cache between tests, the broker before a worker
test); doing that on a shared server would wipe someone else's data, so every Redis a
test writes to is one it started itself."""

import shutil
import socket
import subprocess
import time
from pathlib import Path

import redis


def redis_server_on_path() -> bool:
    return shutil.which("redis-server") is not None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class RedisServer:
    """redis-server on a free port. By default nothing is kept on disk: killing it loses
    every message. `persistent` writes every command to an append-only file before
    answering, as the compose file's Redis does, so a restart gives back what it held."""

    def __init__(self, workdir: Path, *, persistent: bool = False):
        self.workdir, self.port, self.proc = workdir, _free_port(), None
        self.persistent = persistent
        self.url = self.url_for(0)

    def url_for(self, db: int) -> str:
        return f"redis://127.0.0.1:{self.port}/{db}"

    def client(self) -> redis.Redis:
        return redis.Redis.from_url(self.url, socket_timeout=2)

    def _answers(self) -> bool:
        try:
            return self.client().ping()
        except redis.ConnectionError:
            return False

    def start(self):
        self.proc = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "yes" if self.persistent else "no", "--appendfsync", "always",
             "--daemonize", "no", "--dir", str(self.workdir)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while not self._answers():
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.kill()
                raise RuntimeError(f"redis-server on port {self.port} did not start")
            time.sleep(0.05)

    def ensure_running(self):
        if self.proc is None or self.proc.poll() is not None:
            self.start()

    def kill(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=10)
