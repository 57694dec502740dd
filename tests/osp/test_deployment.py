"""The production compose file: what `docker compose up` will run."""

from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]


def test_compose_runs_gunicorn_migrates_first_and_checks_health():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    services = compose["services"]
    assert {"web", "worker", "beat", "db", "redis", "migrate"} <= set(services)
    assert "gunicorn" in services["web"]["command"]
    for name in ("web", "worker", "beat"):
        assert services[name]["depends_on"]["migrate"] == {
            "condition": "service_completed_successfully"}
    for name in ("web", "worker", "db", "redis"):
        assert "healthcheck" in services[name], name
    assert "/health/" in " ".join(services["web"]["healthcheck"]["test"])
    assert "pgdata:/var/lib/postgresql/data" in services["db"]["volumes"]
    env = services["web"]["environment"]
    assert env["DEBUG"] == "0" and "?" in env["SECRET_KEY"]  # required, never defaulted


def test_the_image_serves_static_files_itself():
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "collectstatic" in dockerfile and "gunicorn" in dockerfile
    assert "USER osp" in dockerfile
