"""Start the web server, the Celery worker and its beat scheduler together (the
`make run` target); Ctrl-C stops all three."""

import argparse
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from demo_logins import banner  # scripts/ is on sys.path when run as a script

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", default="8000")
    args = parser.parse_args()
    var = ROOT / "var" / "celery"
    for d in ("queue", "processed", "control"):
        (var / d).mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    procs = [
        subprocess.Popen([PY, "-m", "celery", "-A", "config", "worker", "--beat",
                          "--loglevel", "info", "--concurrency", "1"], cwd=ROOT, env=env),
        subprocess.Popen([PY, "manage.py", "runserver", f"127.0.0.1:{args.port}",
                          "--noreload"], cwd=ROOT, env=env),
    ]
    time.sleep(2)
    print(banner(f"http://127.0.0.1:{args.port}/"), flush=True)
    try:
        while all(p.poll() is None for p in procs):
            time.sleep(0.5)
    except KeyboardInterrupt:
        pass
    finally:
        for p in procs:
            if p.poll() is None:
                p.send_signal(signal.SIGINT)
        for p in procs:
            try:
                p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                p.kill()
    return max((p.returncode or 0) for p in procs)


if __name__ == "__main__":
    sys.exit(main())
