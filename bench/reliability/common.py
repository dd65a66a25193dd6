"""Shared pieces of the slow reliability scripts: a throwaway PostgreSQL, the service as a real
HTTP server on loopback, and latency figures."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx

REPO_ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@dataclass
class Postgres:
    """A throwaway pgserver cluster; stop()/start() restart it with its original options."""

    pgdata: Path
    uri: str
    server: object

    def _socket_dir(self) -> str:
        line = (self.pgdata / "postmaster.opts").read_text().strip()
        parts = [p.strip('"') for p in line.split('" "')]
        return parts[parts.index("-k") + 1]

    def stop(self) -> None:
        from pgserver import pg_ctl

        self.socket_dir = self._socket_dir()
        user = getattr(self.server, "system_user", None)
        pg_ctl(["-w", "-m", "fast", "stop"], pgdata=self.pgdata, user=user, timeout=60)

    def start(self) -> None:
        from pgserver import pg_ctl

        user = getattr(self.server, "system_user", None)
        log = str(getattr(self.server, "log", self.pgdata / "log"))
        args = ["-w", "-o", '-h ""', "-o", f"-k {self.socket_dir}", "-l", log, "start"]
        pg_ctl(args, pgdata=self.pgdata, user=user, timeout=60)


@contextlib.contextmanager
def throwaway_postgres(tmp: Path) -> Iterator[Postgres]:
    import pgserver

    pgdata = tmp / "pgdata"
    pgdata.mkdir(parents=True)
    server = pgserver.get_server(pgdata, cleanup_mode="stop")  # type: ignore[attr-defined]
    try:
        server.psql('CREATE DATABASE "talentflow";')
        base = str(server.get_uri())
        from service.db.urls import with_database

        yield Postgres(pgdata, with_database(base, "talentflow"), server)
    finally:
        with contextlib.suppress(Exception):
            server.cleanup()


@contextlib.contextmanager
def running_service(database_url: str, tmp: Path, **env: str) -> Iterator[str]:
    """`talentflow serve` on a free loopback port; yields its base URL."""
    port = free_port()
    environ = {
        **os.environ,
        "DATABASE_URL": database_url,
        "TALENTFLOW_DATA_DIR": str(tmp / "data"),
        "TALENTFLOW_LOG_LEVEL": "WARNING",
        **env,
    }
    proc = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "from service.cli import main; main()",
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
        ],
        env=environ,
        cwd=REPO_ROOT,
        stdout=subprocess.DEVNULL,
        stderr=open(tmp / "serve.log", "w"),  # noqa: SIM115
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(base + "/healthz", timeout=1).status_code == 200:
                    break
            if proc.poll() is not None:
                raise RuntimeError("the service exited: " + (tmp / "serve.log").read_text()[-2000:])
            time.sleep(0.2)
        else:
            raise RuntimeError("the service did not start within 60 s")
        RUNNING[base] = proc.pid
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()


RUNNING: dict[str, int] = {}
"""Base URL -> pid of the serving process (for RSS readings)."""


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]
