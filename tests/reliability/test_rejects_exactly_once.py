"""Rejects are exactly-once too: kill -9 a run after a committed batch, re-run, and
``ingest_reject`` holds what one clean run stores, with no duplicate (as the data tables do).

A batch commits with the latest checkpoint, but also holds records read after it; a reject
among those used to be stored with the batch, and the re-run, resuming at the checkpoint, read
that record again and stored its reject a second time.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path
from typing import Any

import asyncpg
import pytest

from service.config import load_settings
from service.db.pool import create_pool
from service.db.urls import with_database
from service.ingest.pipeline import run_ingester
from tests import checkout
from tests.conftest import clone_database, drop_database
from tests.ingest.helpers import canonical_dump, write_jsonl

REPO_ROOT = Path(__file__).resolve().parents[2]
PEOPLE = 400
CONFIG_EXTRA = {"checkpoint_every": 50}
BATCH = 60

# Runs the real pipeline and kills itself with SIGKILL right after batch N has committed.
KILLER = """
import asyncio, os, signal, sys
from service.config import load_settings
from service.db.pool import create_pool
from service.ingest.pipeline import run_ingester

committed = 0

def progress(result: object) -> None:
    global committed
    committed += 1
    if committed == int(sys.argv[3]):
        os.kill(os.getpid(), signal.SIGKILL)

async def main() -> None:
    pool = await create_pool(sys.argv[1], min_size=1, max_size=4)
    await run_ingester(
        pool, "jsonl", {"path": sys.argv[2], "checkpoint_every": 50},
        settings=load_settings(ingest_batch_size=60), progress=progress,
    )

asyncio.run(main())
"""


def source_file(path: Path) -> Path:
    lines: list[Any] = []
    for n in range(PEOPLE):
        lines.append({"type": "researcher_seen", "name": f"Person {n} Example", "topics": ["ml"]})
        if n % 5 == 2:
            lines.append(f"{{broken line {n}")
        if n % 9 == 4:
            lines.append({"type": "researcher_seen", "name": f"Nul\x00 {n}"})
        if n % 13 == 6:
            lines.append(
                {"type": "institution_seen", "name": f"Lab {n}", "website": "javascript:x"}
            )
    return write_jsonl(path, lines)


async def rejects_and_data(url: str) -> tuple[list[tuple[Any, ...]], dict[str, Any]]:
    conn = await asyncpg.connect(url)
    try:
        rows = await conn.fetch("SELECT position, reason, record FROM ingest_reject")
        return sorted(tuple(r) for r in rows), await canonical_dump(conn)
    finally:
        await conn.close()


@pytest.mark.parametrize("kill_after_batch", [1, 3])
async def test_kill_9_then_rerun_stores_each_reject_once(
    db_url: str,
    server_url: str,
    template_db: str,
    server_version: int,
    tmp_path: Path,
    kill_after_batch: int,
) -> None:
    path = source_file(tmp_path / "source.jsonl")
    config = {"path": str(path), **CONFIG_EXTRA}
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        KILLER,
        db_url,
        str(path),
        str(kill_after_batch),
        env={**os.environ, "PYTHONPATH": checkout.PYTHONPATH},
        cwd=REPO_ROOT,
    )
    assert await asyncio.wait_for(proc.wait(), 60) == -signal.SIGKILL
    settings = load_settings(ingest_batch_size=BATCH)
    pool = await create_pool(db_url, min_size=1, max_size=4)
    try:
        killed_at = await pool.fetchval("SELECT (state->>'line')::int FROM plugin_state")
        assert killed_at and killed_at < sum(1 for _ in path.open())  # stopped mid-way
        stored_before = await pool.fetchval("SELECT count(*) FROM ingest_reject")
        assert stored_before > 0  # the killed run had stored rejects of its own
        resumed = await run_ingester(pool, "jsonl", config, settings=settings)
        assert resumed.ok, resumed.error
    finally:
        await pool.close()

    clean_name = await asyncio.to_thread(clone_database, server_url, template_db, server_version)
    clean_url = with_database(server_url, clean_name)
    try:
        clean_pool = await create_pool(clean_url, min_size=1, max_size=4)
        try:
            clean = await run_ingester(clean_pool, "jsonl", config, settings=settings)
            assert clean.ok and clean.rejected > 100
        finally:
            await clean_pool.close()
        crashed_rejects, crashed_data = await rejects_and_data(db_url)
        clean_rejects, clean_data = await rejects_and_data(clean_url)
        assert len(crashed_rejects) == len(set(crashed_rejects))  # no duplicate
        assert crashed_rejects == clean_rejects
        assert crashed_data == clean_data
    finally:
        await asyncio.to_thread(drop_database, server_url, clean_name)
