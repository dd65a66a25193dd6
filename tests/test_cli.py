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
def test_demo_serves_health_and_readiness_on_the_embedded_database(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env["TALENTFLOW_DATA_DIR"] = str(tmp_path / "data")
    port = _free_port()
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
                health = httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2)
                ready = httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=5)
                break
            except httpx.TransportError:
                time.sleep(0.5)
        assert proc.poll() is None, proc.stdout.read() if proc.stdout else ""
        assert ready is not None, "the demo server did not come up"
        assert health.status_code == 200
        assert ready.status_code == 200, ready.text
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
