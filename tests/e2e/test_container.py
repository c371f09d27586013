"""Issue 17 (c): the container image and the compose file.

Built and run only where a container engine works (`docker info` or `podman info` succeeds, and for
compose `docker compose` or `podman-compose`); elsewhere those tests skip, saying so. What needs no
engine is checked everywhere: the image's config loads, the HEALTHCHECK command is the request the
operations doc gives (run against a real daemon), the compose file has PostgreSQL, the daemon and a
volume each.
"""

from __future__ import annotations

import json
import re
import shutil
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
import yaml

from monitor.settings import load_settings
from tests.conftest import REPO, wait_for, write_config
from tests.e2e.test_daemon import monitor_run
from tests.e2e.test_operations import free_port, get

DOCKERFILE = REPO / "Dockerfile"
COMPOSE = REPO / "deploy" / "compose.yaml"


def engine() -> str | None:
    """docker or podman, whichever answers `info`; None when neither works here."""
    for name in ("docker", "podman"):
        if shutil.which(name) and subprocess.run([name, "info"], capture_output=True, timeout=60).returncode == 0:
            return name
    return None


def healthcheck_command() -> list[str]:
    found = re.search(r"^\s*CMD (\[.*\])\s*$", DOCKERFILE.read_text().split("HEALTHCHECK", 1)[1], re.M)
    assert found, "HEALTHCHECK ... CMD [...] not found in the Dockerfile"
    return list(json.loads(found[1]))


def test_the_image_config_loads_with_sqlite_or_the_compose_url(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MONITOR_STORE_URL", "")
    settings = load_settings(REPO / "deploy" / "container.toml")
    assert settings.store.sqlalchemy_url == "sqlite:////data/monitor.db" and settings.server.listen == "0.0.0.0:9464"
    monkeypatch.setenv("MONITOR_STORE_URL", "postgresql+psycopg://monitor:pw-for-test@db:5432/monitor")
    assert load_settings(REPO / "deploy" / "container.toml").store.sqlalchemy_url.startswith("postgresql+psycopg://")


def test_the_dockerfile_runs_as_a_user_with_volumes_and_its_healthcheck_works_against_a_daemon(tmp_path: Path) -> None:
    text = DOCKERFILE.read_text()
    assert re.search(r"^FROM python:3\.11-slim$", text, re.M) and re.search(r"^USER monitor$", text, re.M)
    assert 'VOLUME ["/config", "/data"]' in text and "pip install '.[postgres]'" in text
    command = healthcheck_command()
    assert command[0] == "python" and "http://127.0.0.1:9464/healthz" in command[-1]
    port = free_port()
    probe = [sys.executable, *command[1:-1], command[-1].replace("9464", str(port))]
    assert subprocess.run(probe, capture_output=True, timeout=30).returncode == 1  # nothing listening: unhealthy
    config = write_config(tmp_path, folders=[tmp_path], settings={"server": {"listen": f"127.0.0.1:{port}"}})
    proc, log = monitor_run(config)
    try:
        wait_for(lambda: get(port, "/healthz")[0] == 200, timeout=20)
        assert subprocess.run(probe, capture_output=True, timeout=30).returncode == 0
    finally:
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=20) == 0, "".join(log)


def test_the_compose_file_has_postgres_the_daemon_and_a_volume_each() -> None:
    compose = yaml.safe_load(COMPOSE.read_text())
    db, daemon = compose["services"]["db"], compose["services"]["monitor"]
    assert db["image"] == "postgres:15" and db["volumes"] == ["db-data:/var/lib/postgresql/data"]
    assert daemon["depends_on"]["db"]["condition"] == "service_healthy"
    assert daemon["environment"]["MONITOR_STORE_URL"].startswith("postgresql+psycopg://monitor:")
    assert set(daemon["volumes"]) == {"monitor-config:/config", "monitor-data:/data"}
    assert daemon["ports"] == ["127.0.0.1:9464:9464"]
    assert set(compose["volumes"]) == {"db-data", "monitor-config", "monitor-data"}


def _wait_healthy(tool: str, container: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        state = subprocess.run([tool, "inspect", "--format", "{{.State.Health.Status}}", container], capture_output=True, text=True).stdout.strip()
        if state == "healthy":
            return
        time.sleep(2)  # the engine runs the healthcheck on its own interval: nothing to await
    logs = subprocess.run([tool, "logs", container], capture_output=True, text=True).stderr
    raise AssertionError(f"{container} not healthy within {timeout}s: {logs[-2000:]}")


def test_the_image_builds_and_runs_healthy() -> None:
    tool = engine()
    if tool is None:
        pytest.skip("no working container engine here (`docker info` and `podman info` fail): the image was not built")
    tag, name = f"monitor-test:{uuid.uuid4().hex[:8]}", f"monitor-test-{uuid.uuid4().hex[:8]}"
    subprocess.run([tool, "build", "-t", tag, str(REPO)], check=True, timeout=1800)
    try:
        subprocess.run([tool, "run", "-d", "--name", name, "--health-interval", "2s", tag], check=True, timeout=120)
        _wait_healthy(tool, name, 120)
    finally:
        subprocess.run([tool, "rm", "-f", name], capture_output=True)
        subprocess.run([tool, "rmi", "-f", tag], capture_output=True)


def test_compose_starts_postgres_and_the_daemon_healthy() -> None:
    tool = engine()
    if tool is None:
        pytest.skip("no working container engine here (`docker info` and `podman info` fail): deploy/compose.yaml was not run")
    compose = [tool, "compose"] if tool == "docker" else ["podman-compose"]
    if subprocess.run([*compose, "version"], capture_output=True).returncode != 0:
        pytest.skip(f"{' '.join(compose)} is not available: deploy/compose.yaml was not run")
    project = f"monitor-test-{uuid.uuid4().hex[:8]}"
    env = {"POSTGRES_PASSWORD": uuid.uuid4().hex, "PATH": "/usr/local/bin:/usr/bin:/bin"}
    base = [*compose, "-p", project, "-f", str(COMPOSE)]
    try:
        subprocess.run([*base, "up", "-d", "--build"], check=True, timeout=1800, env=env)
        container = subprocess.run([*base, "ps", "-q", "monitor"], capture_output=True, text=True, env=env).stdout.strip()
        _wait_healthy(tool, container, 180)
    finally:
        subprocess.run([*base, "down", "-v"], capture_output=True, env=env)
