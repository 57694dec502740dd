"""What every benchmark prints first: the machine, Python, Django and PostgreSQL it ran
on (`make bench`: forecast, sync and pipeline commands)."""

import os
import platform

import django
from django.db import connection


def _first(path: str, key: str) -> str:
    try:
        with open(path) as lines:
            for line in lines:
                if line.startswith(key):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return "?"


def machine(*pg_settings: str) -> list[str]:
    """Lines describing this machine, with the named PostgreSQL settings."""
    memory = _first("/proc/meminfo", "MemTotal")
    if memory.endswith(" kB"):
        memory = f"{int(memory[:-3]) / 1024 / 1024:.1f} GiB"
    names = ("server_version", *pg_settings)
    with connection.cursor() as cur:
        cur.execute("SELECT " + ", ".join("current_setting(%s)" for _ in names), names)
        version, *values = cur.fetchone()
    shown = ", ".join(f"{name} {value}" for name, value in zip(pg_settings, values, strict=True))
    return [platform.platform(),
            f"{_first('/proc/cpuinfo', 'model name')}, {os.cpu_count()} CPUs, "
            f"{memory} memory",
            f"Python {platform.python_version()}, Django {django.get_version()}",
            f"PostgreSQL {version}" + (f" ({shown})" if shown else "")]
