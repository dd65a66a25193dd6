"""Kill -9 mid-run, re-run, and end with exactly the rows of one clean run."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import asyncpg
import pytest

from service.config import load_settings
from service.db.pool import create_pool
from service.db.urls import with_database
from service.ingest.pipeline import run_ingester
from tests.conftest import clone_database, drop_database
from tests.ingest.helpers import canonical_dump, table_counts, write_jsonl

REPO_ROOT = Path(__file__).resolve().parents[2]
PEOPLE = 1500


def big_file(path: Path) -> Path:
    lines: list[Any] = []
    labs = ["Alpha Lab", "Beta University", "Gamma Institute", "Delta Corp"]
    for n in range(PEOPLE):
        orcid = f"0000-0001-{n // 1000:04d}-{n % 1000:03d}{n % 10}"
        person = {"name": f"Person {n} Example", "ids": {"orcid": orcid}}
        lines.append({"type": "researcher_seen", **person, "topics": ["ml"]})
        lines.append(
            {
                "type": "affiliation_seen",
                "person": person,
                "institution": {"name": labs[n % 4]},
                "years": [2010 + n % 5, 2011 + n % 5],
                "source_key": "a",
                "document_url": f"https://example.org/p/{n}",
            }
        )
        lines.append(
            {
                "type": "affiliation_seen",
                "person": person,
                "institution": {"name": labs[(n + 1) % 4]},
                "years": [2017, 2018],
                "source_key": "b",
                "document_url": f"https://example.org/p/{n}",
            }
        )
        if n % 100 == 7:
            lines.append("{broken line")
    return write_jsonl(path, lines)


async def snapshot(url: str) -> tuple[dict[str, int], dict[str, list[tuple[Any, ...]]]]:
    conn = await asyncpg.connect(url)
    try:
        return await table_counts(conn), await canonical_dump(conn)
    finally:
        await conn.close()


async def committed_line(url: str) -> int:
    conn = await asyncpg.connect(url)
    try:
        state = await conn.fetchval("SELECT state::text FROM plugin_state WHERE instance='jsonl'")
        return int(json.loads(state)["line"]) if state else 0
    finally:
        await conn.close()


@pytest.mark.slow
async def test_kill_9_mid_run_then_rerun_equals_one_clean_run(
    db_url: str, server_url: str, template_db: str, server_version: int, tmp_path: Path
) -> None:
    path = big_file(tmp_path / "big.jsonl")
    total_lines = sum(1 for _ in path.open())
    config = tmp_path / "c.json"
    config.write_text(json.dumps({"path": str(path), "checkpoint_every": 50}))
    env = {
        **os.environ,
        "DATABASE_URL": db_url,
        "TALENTFLOW_INGEST_BATCH_SIZE": "60",
        "TALENTFLOW_DATA_DIR": str(tmp_path / "data"),
    }
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        "from service.cli import main; main()",
        "ingest",
        "jsonl",
        "--config",
        str(config),
        env=env,
        cwd=REPO_ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 30
    line = 0
    while time.monotonic() < deadline:
        line = await committed_line(db_url)
        if line >= 200:
            break
        await asyncio.sleep(0.01)
    os.kill(proc.pid, signal.SIGKILL)
    await proc.wait()
    assert 0 < line < total_lines, "the run was not interrupted mid-way"

    settings = load_settings(ingest_batch_size=60)
    pool = await create_pool(db_url, min_size=1, max_size=4)
    try:
        async with pool.acquire() as conn:
            assert await conn.fetchval("SELECT status FROM ingest_run WHERE id = 1") == "running"
        resumed = await run_ingester(
            pool, "jsonl", {"path": str(path), "checkpoint_every": 50}, settings=settings
        )
        assert resumed.ok, resumed.error
        assert resumed.cursor_before["line"] >= line
        async with pool.acquire() as conn:
            stale = await conn.fetchrow("SELECT status, error FROM ingest_run WHERE id = 1")
            assert stale["status"] == "failed" and "abandoned" in stale["error"]
    finally:
        await pool.close()

    clean_name = await asyncio.to_thread(clone_database, server_url, template_db, server_version)
    clean_url = with_database(server_url, clean_name)
    try:
        clean_pool = await create_pool(clean_url, min_size=1, max_size=4)
        try:
            clean = await run_ingester(
                clean_pool,
                "jsonl",
                {"path": str(path), "checkpoint_every": 50},
                settings=settings,
            )
            assert clean.ok
        finally:
            await clean_pool.close()
        assert await snapshot(db_url) == await snapshot(clean_url)
        counts, _ = await snapshot(clean_url)
        assert counts["researcher"] == PEOPLE and counts["affiliation"] == 2 * PEOPLE
    finally:
        await asyncio.to_thread(drop_database, server_url, clean_name)
