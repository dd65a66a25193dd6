"""The ingestion benchmark's COPY baseline loads the same rows, not what triggers derive."""

from __future__ import annotations

import asyncio

import asyncpg

from tests.bench_scripts import load


def test_the_copy_baseline_leaves_out_what_triggers_derive(db_url: str) -> None:
    bench = load("ingest_pipeline")

    async def tables() -> list[str]:
        conn = await asyncpg.connect(db_url)
        try:
            found: list[str] = await bench.data_tables(conn)
            return found
        finally:
            await conn.close()

    found = asyncio.run(tables())
    assert {"researcher", "move", "institution", "affiliation"} <= set(found)
    # rebuilt by the COPY's own triggers: loading them too duplicates keys or counts twice
    assert "researcher_name_key" not in found
    assert not [t for t in found if t.startswith("move_rollup_")]
    assert not [t for t in found if t.startswith("procrastinate_") or t == "ingest_run"]
    # parents before children
    assert found.index("researcher") < found.index("move")
