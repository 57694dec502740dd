from osp.health import worker_heartbeat


def test_health_reports_database_redis_and_worker(client, db):
    response = client.get("/health/")
    assert response.status_code == 200
    body = response.json()
    assert body["checks"]["database"]["status"] == "ok"
    assert body["checks"]["redis"]["status"] in ("ok", "not configured")
    assert body["checks"]["worker"]["status"] == "no heartbeat"
    assert body["status"] == "degraded"
    worker_heartbeat()
    body = client.get("/health/").json()
    assert body["checks"]["worker"]["status"] == "ok" and body["status"] == "ok"


def test_health_is_503_when_redis_does_not_answer(client, db, settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    response = client.get("/health/")
    assert response.status_code == 503
    assert response.json()["checks"]["redis"]["status"] == "error"
    assert "Traceback" not in response.content.decode()
