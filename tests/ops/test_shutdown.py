"""Stopping the service with SIGTERM, as a container runtime does, on real processes.

- ``talentflow serve``: a CSV export in flight when SIGTERM arrives is sent in full, new
  connections are refused from then on, and the process exits 0.
- ``talentflow worker``: an ingest run in progress stops at a batch boundary (the batch in hand
  commits with its checkpoint), is recorded as ``cancelled``, its job is queued again, the
  process exits 0, and the re-run resumes from the checkpoint to exactly one clean run's rows.

No assertion depends on timing: every wait polls for a state, with generous limits.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import asyncpg
import pytest

from service.config import load_settings
from service.worker.cli import run_worker
from service.worker.queue import build_app, defer_ingest
from tests import checkout
from tests.ops import slow_plugin

ROOT = Path(__file__).resolve().parents[2]
WAIT_S = 90.0  # upper bound for anything a loaded machine does; never a timing assertion
MOVES = 60_000
LINES = 200
BATCH = 5


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def wait_for(check: Callable[[], bool], what: str, limit: float = WAIT_S) -> None:
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.1)
    raise AssertionError(f"gave up waiting for {what}")


def child_env(db_url: str, tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TALENTFLOW_")}
    env.update(
        DATABASE_URL=db_url,
        TALENTFLOW_DATA_DIR=str(tmp_path / "data"),
        TALENTFLOW_LOG_LEVEL="INFO",
        PYTHONPATH=checkout.PYTHONPATH,
        **extra,
    )
    return env


def start(
    code: str, args: list[str], env: dict[str, str], tmp_path: Path, name: str
) -> subprocess.Popen[bytes]:
    out = (tmp_path / f"{name}.log").open("wb")
    return subprocess.Popen(
        [sys.executable, "-c", code, *args],
        cwd=ROOT,
        env=env,
        stdout=out,
        stderr=subprocess.STDOUT,
    )


def log_of(tmp_path: Path, name: str) -> str:
    return (tmp_path / f"{name}.log").read_text("utf-8", errors="replace")[-4000:]


@pytest.fixture
def processes() -> Iterator[list[subprocess.Popen[bytes]]]:
    started: list[subprocess.Popen[bytes]] = []
    yield started
    for proc in started:
        if proc.poll() is None:
            proc.kill()
            proc.wait(WAIT_S)


def run_sql(db_url: str, fn: Callable[[asyncpg.Connection], Any]) -> Any:
    async def go() -> Any:
        conn = await asyncpg.connect(db_url)
        try:
            return await fn(conn)
        finally:
            await conn.close()

    loop = asyncio.new_event_loop()
    try:
        return loop.run_until_complete(go())
    finally:
        loop.close()


# --- the API --------------------------------------------------------------------------------


async def insert_moves(conn: asyncpg.Connection) -> None:
    a = await conn.fetchval(
        "INSERT INTO institution (slug, name, country_code) VALUES ('lab-a', 'Lab A', 'US') "
        "RETURNING id"
    )
    b = await conn.fetchval(
        "INSERT INTO institution (slug, name, country_code) VALUES ('lab-b', 'Lab B', 'CN') "
        "RETURNING id"
    )
    r = await conn.fetchval("INSERT INTO researcher (display_name) VALUES ('R') RETURNING id")
    await conn.execute("SET session_replication_role = replica")  # a bulk load, no triggers
    await conn.execute(
        """
        INSERT INTO move (researcher_id, from_institution_id, to_institution_id, from_country,
                          to_country, move_date, date_precision, confidence)
        SELECT $1, $2, $3, 'US', 'CN', date '2015-01-01' + (g % 3650), 'day', 0.5
        FROM generate_series(1, $4::int) AS g
        """,
        r,
        a,
        b,
        MOVES,
    )


def refused(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=5):
            return False
    except ConnectionRefusedError:
        return True
    except OSError:
        return False


def dechunk(data: bytes) -> bytes:
    """The body of a chunked HTTP/1.1 response; fails unless the closing chunk arrived."""
    out = bytearray()
    at = 0
    while True:
        end = data.index(b"\r\n", at)
        size = int(data[at:end].split(b";")[0], 16)
        if size == 0:
            return bytes(out)
        out += data[end + 2 : end + 2 + size]
        assert data[end + 2 + size : end + 4 + size] == b"\r\n", "a cut chunk"
        at = end + 4 + size


def healthy(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as r:
            return bool(r.status == 200)
    except OSError:
        return False


def test_serve_finishes_a_response_in_flight_on_sigterm_and_refuses_new_connections(
    db_url: str, tmp_path: Path, processes: list[subprocess.Popen[bytes]]
) -> None:
    run_sql(db_url, insert_moves)
    port = free_port()
    serve = start(
        "from service.cli import main; main()",
        ["serve", "--host", "127.0.0.1", "--port", str(port), "--workers", "1"],
        child_env(db_url, tmp_path),
        tmp_path,
        "serve",
    )
    processes.append(serve)
    wait_for(lambda: healthy(port) or serve.poll() is not None, "the API to answer /healthz")
    assert serve.poll() is None, log_of(tmp_path, "serve")

    sock = socket.socket()
    # A small receive window so the server is still writing when the signal comes.
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 16 * 1024)
    sock.settimeout(WAIT_S)
    sock.connect(("127.0.0.1", port))
    try:
        sock.sendall(
            b"GET /api/v1/moves?format=csv HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
        )
        received = bytearray()
        while len(received) < 64 * 1024:
            chunk = sock.recv(16 * 1024)
            assert chunk, "the response ended before the signal"
            received += chunk

        serve.send_signal(signal.SIGTERM)
        # While the export is still being sent (this client is not reading), nobody new gets in.
        wait_for(lambda: refused(port), "new connections to be refused")
        assert serve.poll() is None, "the server exited with a response in flight"

        while chunk := sock.recv(256 * 1024):
            received += chunk
    finally:
        sock.close()

    head, _, body = bytes(received).partition(b"\r\n\r\n")
    assert head.split(b"\r\n")[0].split()[1] == b"200", head
    if b"transfer-encoding: chunked" in head.lower():
        body = dechunk(body)
    lines = body.decode("utf-8").split("\r\n")
    assert lines[-1] == "", "the last row is cut"
    rows = lines[1:-1]
    assert len(rows) == MOVES
    assert len({row.split(",", 1)[0] for row in rows}) == MOVES  # every move once

    # A clean exit. uvicorn re-raises the SIGTERM it caught once its graceful shutdown is done,
    # so the status is 0 only when the command swallows that re-raised signal; either way the
    # log shows the orderly end, not a kill.
    code = serve.wait(WAIT_S)
    log = log_of(tmp_path, "serve")
    assert code == 0, log
    assert "Application shutdown complete" in log and "Finished server process" in log, log
    # The export was answered after the shutdown began: it really was in flight.
    assert log.index("Shutting down") < log.index("GET /api/v1/moves 200"), log


# --- the worker -----------------------------------------------------------------------------

WORKER = (
    "import sys\n"
    "from service.ingest.manager import get_plugin_manager\n"
    "from tests.ops import slow_plugin\n"
    "get_plugin_manager().register(slow_plugin, name='slow_jsonl')\n"
    "from service.cli import main\n"
    "main()\n"
)


def write_observations(path: Path) -> Path:
    with path.open("w", encoding="utf-8") as fh:
        for i in range(1, LINES + 1):
            line = {
                "type": "researcher_seen",
                "name": f"Researcher {i:04d}",
                "ids": {"openalex": f"A{5_000_000_000 + i}"},
            }
            fh.write(json.dumps(line) + "\n")
    return path


def metrics_text(port: int) -> str:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10) as r:
        return str(r.read().decode())


def scrapeable(port: int) -> bool:
    try:
        metrics_text(port)
    except OSError:
        return False
    return True


async def queue_run(db_url: str, config: dict[str, Any]) -> None:
    app = build_app(db_url)
    async with app.open_async():
        await defer_ingest(app, "slow_jsonl", "slow", config)


async def fetch_runs(conn: asyncpg.Connection) -> list[dict[str, Any]]:
    return [dict(r) for r in await conn.fetch("SELECT * FROM ingest_run ORDER BY id")]


def runs(db_url: str) -> list[dict[str, Any]]:
    """The ingest runs, from a thread without an event loop."""
    found: list[dict[str, Any]] = run_sql(db_url, fetch_runs)
    return found


async def test_worker_stops_a_run_at_a_batch_boundary_on_sigterm_and_the_rerun_resumes(
    db_url: str,
    tmp_path: Path,
    processes: list[subprocess.Popen[bytes]],
    register_plugin: Callable[..., str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    config = {"path": str(write_observations(tmp_path / "people.jsonl")), "checkpoint_every": BATCH}
    await queue_run(db_url, config)
    metrics_port = free_port()
    env = child_env(
        db_url,
        tmp_path,
        TALENTFLOW_INGEST_BATCH_SIZE=str(BATCH),
        TALENTFLOW_WORKER_SHUTDOWN_TIMEOUT_S="120",
        TALENTFLOW_WORKER_METRICS_PORT=str(metrics_port),
        **{slow_plugin.DELAY_ENV: "0.1"},  # a batch takes 0.5 s, the whole run 20 s
    )
    worker = start(WORKER, ["worker", "--concurrency", "1"], env, tmp_path, "worker")
    processes.append(worker)

    def committed() -> bool:
        found = runs(db_url)
        return bool(found and found[0]["seen"] >= BATCH) or worker.poll() is not None

    await asyncio.to_thread(wait_for, committed, "the first batch to commit")
    assert worker.poll() is None, log_of(tmp_path, "worker")
    # The worker serves its own metrics while it runs.
    await asyncio.to_thread(wait_for, lambda: scrapeable(metrics_port), "the worker's metrics")
    assert "talentflow_ingest_runs_finished_total" in metrics_text(metrics_port)

    worker.send_signal(signal.SIGTERM)
    assert await asyncio.to_thread(worker.wait, WAIT_S) == 0, log_of(tmp_path, "worker")

    conn = await asyncpg.connect(db_url)
    try:
        [stopped] = await fetch_runs(conn)
        assert stopped["status"] == "cancelled", (stopped, log_of(tmp_path, "worker"))
        assert stopped["error"].startswith("interrupted: the worker is stopping")
        assert BATCH <= stopped["seen"] < LINES, "the run was not stopped before its end"
        # No partial batch: whole batches only, and exactly the rows the run counted as written.
        assert stopped["seen"] % BATCH == 0
        assert stopped["created"] == stopped["seen"]
        assert await conn.fetchval("SELECT count(*) FROM researcher") == stopped["created"]
        job = await conn.fetchrow("SELECT status, attempts, scheduled_at FROM procrastinate_jobs")
        assert job["status"] == "todo", "the interrupted job was not queued again"
        assert job["attempts"] == 1

        # The re-run (here in-process, without the delay) resumes from the checkpoint.
        monkeypatch.setenv(slow_plugin.DELAY_ENV, "0")
        register_plugin(slow_plugin, name="slow_jsonl")
        settings = load_settings(database_url=db_url, data_dir=tmp_path, ingest_batch_size=BATCH)
        await run_worker(settings, db_url, wait=False, install_signal_handlers=False)

        first, rerun = await fetch_runs(conn)
        assert rerun["status"] == "succeeded", rerun["error"]
        assert rerun["cursor_before"] == first["cursor_after"] is not None
        assert rerun["seen"] < LINES, "the re-run started over instead of resuming"
        assert await conn.fetchval("SELECT status FROM procrastinate_jobs") == "succeeded"
        # Exactly one clean run's rows: every researcher once, nothing else.
        assert await conn.fetchval("SELECT count(*) FROM researcher") == LINES
        assert await conn.fetchval("SELECT count(DISTINCT display_name) FROM researcher") == LINES
        assert (
            await conn.fetchval(
                "SELECT count(*) FROM researcher_external_id WHERE scheme = 'openalex'"
            )
            == LINES
        )
        assert first["created"] + rerun["created"] == LINES
    finally:
        await conn.close()
