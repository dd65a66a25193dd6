"""The deployment files, checked without Docker: compose services, health checks, start order,
volumes and configuration; a multi-stage, non-root image; an example env file that matches the
settings; a schedule whose entries are valid for the installed ingesters."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((ROOT / "docker-compose.yml").read_text("utf-8"))
    return data


def test_compose_services_and_start_order(compose: dict[str, Any]) -> None:
    services = {k: v for k, v in compose["services"].items() if not v.get("profiles")}
    assert set(services) == {"postgres", "migrate", "api", "worker"}
    pg = services["postgres"]
    assert pg["image"] == "postgres:16"
    assert "pg_isready" in " ".join(pg["healthcheck"]["test"])
    assert any(v.startswith("pgdata:/var/lib/postgresql/data") for v in pg["volumes"])
    assert "pgdata" in compose["volumes"]

    migrate = services["migrate"]
    command = " ".join(migrate["command"])
    assert "talentflow db upgrade && talentflow db seed" in command
    assert migrate["depends_on"]["postgres"]["condition"] == "service_healthy"
    assert migrate["restart"] == "no"

    api = services["api"]
    assert api["command"][:2] == ["talentflow", "serve"] and "0.0.0.0" in api["command"]
    assert api["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    assert "/readyz" in " ".join(api["healthcheck"]["test"])
    assert any(str(p).endswith(":8000") for p in api["ports"])

    worker = services["worker"]
    assert worker["command"] == ["talentflow", "worker"]
    assert worker["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    assert any("/etc/talentflow/schedule.toml" in v for v in worker["volumes"])
    # The shutdown grace covers the worker's own graceful timeout.
    assert int(worker["stop_grace_period"].rstrip("s")) > 300


def test_the_optional_replica_streams_from_the_primary(compose: dict[str, Any]) -> None:
    """Only with ``--profile replica``: a base backup of the primary (``-R`` writes the
    standby settings), then the server; the primary's first start lets it stream."""
    replica = compose["services"]["postgres-replica"]
    assert replica["profiles"] == ["replica"]
    assert replica["image"] == compose["services"]["postgres"]["image"]
    script = " ".join(replica["command"])
    assert "pg_basebackup -h postgres" in script and " -R " in script
    assert replica["depends_on"]["postgres"]["condition"] == "service_healthy"
    assert any(v.startswith("pgreplica:") for v in replica["volumes"])
    assert "pgreplica" in compose["volumes"]
    hook = next(v for v in compose["services"]["postgres"]["volumes"] if "initdb.d" in v)
    source = ROOT / hook.split(":", 1)[0]
    assert "host replication" in source.read_text("utf-8")


def test_the_api_listens_where_the_port_mapping_and_health_checks_look(
    compose: dict[str, Any],
) -> None:
    """.env.example once set TALENTFLOW_PORT, which moved the server away from the 8000 that
    the port mapping and both health checks hard-code."""
    api = compose["services"]["api"]
    command = api["command"]
    port = command[command.index("--port") + 1]
    assert [str(p).rsplit(":", 1)[1] for p in api["ports"]] == [port]
    assert f"127.0.0.1:{port}/readyz" in " ".join(api["healthcheck"]["test"])
    dockerfile = (ROOT / "Dockerfile").read_text("utf-8")
    assert f"127.0.0.1:{port}/healthz" in dockerfile
    assert re.search(rf'^CMD \[.*"--port", "{port}"\]', dockerfile, re.M)
    assert re.search(rf"^EXPOSE {port}$", dockerfile, re.M)
    env_names = {
        line.split("=", 1)[0]
        for line in (ROOT / ".env.example").read_text("utf-8").splitlines()
        if line and not line.startswith("#")
    }
    assert "TALENTFLOW_PORT" not in env_names  # ignored in the container: the command says 8000
    assert "API_PORT" in env_names


def test_every_service_reads_the_env_file(compose: dict[str, Any]) -> None:
    for name, service in compose["services"].items():
        assert service.get("env_file") == ".env", name
    assert ".env" in (ROOT / ".gitignore").read_text("utf-8").split()


def test_env_example_names_real_settings() -> None:
    from service.config import ENV_PREFIX, Settings

    names = {
        line.split("=", 1)[0]
        for line in (ROOT / ".env.example").read_text("utf-8").splitlines()
        if line and not line.startswith("#")
    }
    assert {"DATABASE_URL", "POSTGRES_PASSWORD", "TALENTFLOW_SCHEDULE_FILE"} <= names
    fields = {ENV_PREFIX + f.upper() for f in Settings.model_fields}
    unknown = {n for n in names if n.startswith(ENV_PREFIX) and n not in fields}
    assert not unknown, f".env.example names settings that do not exist: {unknown}"


def test_dockerfile_is_multi_stage_and_non_root() -> None:
    text = (ROOT / "Dockerfile").read_text("utf-8")
    stages = re.findall(r"^FROM\s+(\S+)(?:\s+AS\s+(\w+))?", text, re.M | re.I)
    assert len(stages) >= 2
    assert stages[0][1] == "builder"
    assert "python:3.11-slim" in text
    assert re.search(r"^COPY --from=builder", text, re.M)
    users = re.findall(r"^USER\s+(\S+)", text, re.M)
    assert users and users[-1] == "talentflow"
    last_stage = text[text.rfind("\nFROM ") :]
    assert "USER talentflow" in last_stage
    assert re.search(r"^HEALTHCHECK .*", text, re.M)
    assert "/healthz" in text
    assert "pip wheel" in text


def test_dockerignore_keeps_secrets_and_noise_out() -> None:
    lines = (ROOT / ".dockerignore").read_text("utf-8").split()
    for entry in (".git", ".env", "tests", "**/__pycache__"):
        assert entry in lines


def test_example_schedule_is_valid_for_the_installed_ingesters() -> None:
    from service.ingest.manager import get_ingester, get_plugin_manager
    from service.ingest.pipeline import validate_config
    from service.worker.schedule import load_schedule

    entries = load_schedule(ROOT / "docs" / "examples" / "schedule.toml")
    assert entries
    pm = get_plugin_manager()
    for entry in entries:
        validate_config(get_ingester(pm, entry.plugin), entry.config)


def test_deploy_doc_covers_the_operations() -> None:
    text = (ROOT / "docs" / "deploy.md").read_text("utf-8").lower()
    for topic in (
        "first deploy",
        "pg_dump",
        "pg_restore",
        "restore drill",
        "rollback",
        "scale",
        "metrics",
        "alert",
        "talentflow db upgrade",
        "sigterm",
    ):
        assert topic in text, topic
