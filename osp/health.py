"""GET /health/: is this web process able to serve? Database and Redis must answer (503
if not, so a load balancer takes the process out); the worker's status is reported but
does not fail the check (pages still work while a worker restarts)."""

import time

import redis
from celery import shared_task
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

HEARTBEAT_KEY = "osp:worker-heartbeat"
# Beat sends a heartbeat every minute; three missed ones mean no worker is consuming.
HEARTBEAT_MAX_AGE = 180


@shared_task(acks_late=True, expires=60)
def worker_heartbeat() -> float:
    now = time.time()
    cache.set(HEARTBEAT_KEY, now, HEARTBEAT_MAX_AGE * 10)
    return now


def _database():
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return {"status": "ok", "vendor": connection.vendor}
    except Exception as e:  # the point is to report it, whatever it is
        return {"status": "error", "error": type(e).__name__}


def _redis():
    if not settings.REDIS_URL:
        return {"status": "not configured"}
    try:
        redis.Redis.from_url(settings.REDIS_URL, socket_timeout=2).ping()
        return {"status": "ok"}
    except Exception as e:
        return {"status": "error", "error": type(e).__name__}


def _worker():
    try:
        beat = cache.get(HEARTBEAT_KEY)
    except Exception as e:
        return {"status": "unknown", "error": type(e).__name__}
    if beat is None:
        return {"status": "no heartbeat"}
    age = round(time.time() - beat)
    return {"status": "ok" if age <= HEARTBEAT_MAX_AGE else "late", "last_heartbeat_s": age}


@never_cache
@require_GET
def health(request):
    checks = {"database": _database(), "redis": _redis(), "worker": _worker()}
    serving = all(checks[k]["status"] in ("ok", "not configured") for k in ("database",
                                                                              "redis"))
    status = "ok" if serving and checks["worker"]["status"] == "ok" else (
        "degraded" if serving else "error")
    return JsonResponse({"status": status, "checks": checks}, status=200 if serving else 503)
