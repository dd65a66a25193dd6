"""The talentflow CLI, run as a real subprocess against a real database."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.ingest.helpers import sample_lines, write_jsonl

CLI = [sys.executable, "-m", "service.cli"]


def talentflow(
    *args: str, env: dict[str, str], timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*CLI, *args], env=env, capture_output=True, text=True, timeout=timeout, check=False
    )


@pytest.fixture
def env(db_url: str, tmp_path: Path) -> dict[str, str]:
    e = dict(os.environ)
    e["DATABASE_URL"] = db_url
    e["TALENTFLOW_DATA_DIR"] = str(tmp_path / "data")
    e["COLUMNS"] = "200"
    return e


def test_seed_twice_leaves_the_same_row_counts(env: dict[str, str]) -> None:
    first = talentflow("db", "seed", env=env)
    assert first.returncode == 0, first.stderr
    status1 = talentflow("status", env=env).stdout
    second = talentflow("db", "seed", env=env)
    assert second.returncode == 0, second.stderr
    assert "0 created, 0 updated" in second.stdout
    status2 = talentflow("status", env=env).stdout
    assert status1 == status2
    assert "institution " in status1


def test_keys_lifecycle_and_unknown_scope(env: dict[str, str]) -> None:
    bad = talentflow("keys", "create", "ops", "-s", "root", env=env)
    assert bad.returncode != 0
    assert "unknown scope 'root'" in bad.stderr
    assert len(bad.stderr.strip().splitlines()) == 1
    made = talentflow("keys", "create", "ops", "-s", "curate", env=env)
    assert made.returncode == 0, made.stderr
    key = made.stdout.strip().splitlines()[-1]
    assert key.startswith("tf_")
    listed = talentflow("keys", "list", env=env).stdout
    assert key not in listed and "curate" in listed
    assert talentflow("keys", "revoke", "1", env=env).returncode == 0


def test_wrong_database_url_is_one_clear_line(env: dict[str, str]) -> None:
    env["DATABASE_URL"] = "mysql://localhost/x"
    r = talentflow("status", env=env)
    assert r.returncode == 1
    assert "DATABASE_URL" in r.stderr and "not PostgreSQL" in r.stderr
    assert "Traceback" not in r.stderr


def test_unreachable_server_is_one_clear_line(env: dict[str, str]) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env["DATABASE_URL"] = f"postgresql://postgres@127.0.0.1:{port}/nothing"
    r = talentflow("status", env=env)
    assert r.returncode == 1
    assert "cannot connect to the database" in r.stderr and str(port) in r.stderr
    assert "Traceback" not in r.stderr


def test_database_at_wrong_head_refuses_seed(env: dict[str, str], empty_db_url: str) -> None:
    env["DATABASE_URL"] = empty_db_url
    r = talentflow("db", "seed", env=env)
    assert r.returncode == 1
    assert "talentflow db upgrade" in r.stderr
    assert "Traceback" not in r.stderr


def test_malformed_seed_file_writes_nothing(env: dict[str, str], tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text(
        '[[institution]]\nslug = "ok-lab"\nname = "OK Lab"\nkind = "lab"\ncountry = "US"\n\n'
        '[[institution]]\nslug = "bad-lab"\nname = "Bad Lab"\nkind = "lab"\ncountry = "XX"\n'
    )
    r = talentflow("db", "seed", "--file", str(bad), env=env)
    assert r.returncode == 1
    assert "entry 2" in r.stderr and "XX" in r.stderr
    assert "Traceback" not in r.stderr
    status = talentflow("status", env=env).stdout
    assert "│ institution       │ 0" in status


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.mark.slow
def test_demo_serves_on_the_embedded_database_and_runs_queued_ingestion(
    tmp_path: Path, embedded_data_dir: Path
) -> None:
    """`talentflow demo` with no DATABASE_URL: health and readiness, and a run queued through
    ``POST /api/v1/ingest-runs`` is run by the demo's own worker (no `talentflow worker`)."""
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "XDG_RUNTIME_DIR"}}
    env["TALENTFLOW_DATA_DIR"] = str(embedded_data_dir)
    # Local files go through the API only from the configured ingest directory.
    env["TALENTFLOW_INGEST_DIR"] = str(tmp_path)
    env["COLUMNS"] = "200"
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    proc = subprocess.Popen(
        [*CLI, "demo", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 120
        ready = None
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                health = httpx.get(f"{base}/healthz", timeout=2)
                ready = httpx.get(f"{base}/readyz", timeout=5)
                break
            except httpx.TransportError:
                time.sleep(0.5)
        assert proc.poll() is None, proc.stdout.read() if proc.stdout else ""
        assert ready is not None, "the demo server did not come up"
        assert health.status_code == 200
        assert ready.status_code == 200, ready.text

        made = talentflow("keys", "create", "demo-ingest", "-s", "ingest", env=env)
        assert made.returncode == 0, made.stderr
        key = made.stdout.strip().splitlines()[-1]
        lines = write_jsonl(tmp_path / "more.jsonl", sample_lines())
        started = httpx.post(
            f"{base}/api/v1/ingest-runs",
            json={"plugin": "jsonl", "instance": "queued", "config": {"path": str(lines)}},
            headers={"Authorization": f"Bearer {key}"},
            timeout=10,
        )
        assert started.status_code == 202, started.text
        status = None
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            runs = httpx.get(f"{base}/api/v1/ingest-runs", params={"plugin": "jsonl"}, timeout=5)
            queued = [r for r in runs.json()["data"] if r["instance"] == "queued"]
            status = queued[0]["status"] if queued else None
            if status not in (None, "running"):
                break
            time.sleep(0.5)
        assert status == "succeeded", status
        # Name search on the embedded server, whose PostgreSQL may lack pg_trgm (the search
        # then ranks the rest by name): a researcher's own name finds them first, by name key.
        graphql = f"{base}/graphql"
        someone = httpx.post(
            graphql, json={"query": "{ researchers(first: 1) { nodes { id name } } }"}, timeout=10
        ).json()["data"]["researchers"]["nodes"][0]
        found = httpx.post(
            graphql,
            json={
                "query": "query($q: String!) { search(query: $q, first: 5) "
                "{ ... on Researcher { id name } } }",
                "variables": {"q": someone["name"].lower()},
            },
            timeout=10,
        ).json()
        assert found["data"]["search"][0]["name"] == someone["name"], found
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
    log = proc.stdout.read() if proc.stdout else ""
    assert proc.returncode == 0, log
    assert "RuntimeDirWarning" not in log and "XDG_RUNTIME_DIR" not in log, log


def test_version_prints_the_version_and_exits_0() -> None:
    from service import __version__

    done = subprocess.run([*CLI, "--version"], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout == f"talentflow {__version__}\n"


def test_help_shows_no_value_for_flags_names_arguments_and_shows_serving_defaults() -> None:
    env = {**os.environ, "COLUMNS": "120"}

    def help_of(*command: str) -> str:
        done = subprocess.run(
            [*CLI, *command, "--help"], env=env, capture_output=True, text=True, check=False
        )
        assert done.returncode == 0, done.stderr
        return done.stdout

    for command in ((), ("ingest",), ("demo",), ("keys", "create"), ("db", "upgrade")):
        text = help_of(*command)
        assert "<bool>" not in text and "{" not in text, (command, text)
    assert "ingest [OPTIONS] NAME" in help_of("ingest")
    assert "db upgrade [OPTIONS] [REVISION]" in help_of("db", "upgrade")
    for command in ("serve", "demo"):
        text = " ".join(help_of(command).split())
        assert "$TALENTFLOW_PORT, else 8000" in text, text
        assert "$TALENTFLOW_HOST, else 127.0.0.1" in text, text
    missing = subprocess.run(
        [*CLI, "keys", "create"], env=env, capture_output=True, text=True, check=False
    )
    assert missing.returncode == 2 and "Missing argument 'NAME'" in missing.stderr


def test_no_runtime_dir_warning_without_xdg_runtime_dir(embedded_data_dir: Path) -> None:
    """pgserver asks platformdirs for a runtime dir on import; without XDG_RUNTIME_DIR that
    warned on every command that used the embedded database."""
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "XDG_RUNTIME_DIR"}}
    env["TALENTFLOW_DATA_DIR"] = str(embedded_data_dir)
    done = subprocess.run(
        [*CLI, "db", "current"], env=env, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    assert "current: (empty)" in done.stdout
    assert "Warning" not in done.stderr and "XDG_RUNTIME_DIR" not in done.stderr, done.stderr
