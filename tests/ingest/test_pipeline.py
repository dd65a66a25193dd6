"""The pipeline end to end on a real database, through the jsonl ingester."""

from __future__ import annotations

from pathlib import Path

import asyncpg
import pytest

from service.config import Settings, load_settings
from service.ingest.pipeline import run_ingester
from tests.ingest.helpers import canonical_dump, sample_lines, table_counts, write_jsonl


@pytest.fixture
def settings() -> Settings:
    return load_settings(ingest_batch_size=3)


async def test_sample_world_is_written_with_provenance(
    pool: asyncpg.Pool, tmp_path: Path, settings: Settings
) -> None:
    path = write_jsonl(tmp_path / "a.jsonl", sample_lines())
    result = await run_ingester(pool, "jsonl", {"path": str(path)}, settings=settings)
    assert result.status == "succeeded", result.error
    assert result.seen == 8 and result.rejected == 0
    # the news report merges into the move inferred from the affiliations: updated
    assert (result.created, result.updated) == (7, 1)
    async with pool.acquire() as conn:
        moves = await conn.fetch(
            "SELECT m.*, f.slug AS f, t.slug AS t FROM move m "
            "JOIN institution f ON f.id = from_institution_id "
            "JOIN institution t ON t.id = to_institution_id ORDER BY m.id"
        )
        # the inferred move (2019) and the reported one (2019-03) are the same move
        assert len(moves) == 1, [dict(m) for m in moves]
        move = moves[0]
        assert (move["f"], move["t"]) == ("example-ai-lab", "beijing-example-university")
        assert move["kind"] == "industry_to_academia"
        assert move["cross_border"] and move["from_country"] == "US" and move["to_country"] == "CN"
        ev = await conn.fetch(
            "SELECT e.extractor, e.quote, d.url FROM evidence e JOIN document d "
            "ON d.id = e.document_id WHERE move_id = $1 ORDER BY extractor",
            move["id"],
        )
        assert {(e["extractor"], e["url"]) for e in ev} == {
            ("jsonl", "https://news.example/a1"),
            ("talentflow.inference", "https://profiles.example/ada"),
        }
        aff_ev = await conn.fetchval(
            "SELECT count(*) FROM evidence WHERE affiliation_id IS NOT NULL"
        )
        assert aff_ev == 2
        run = await conn.fetchrow("SELECT * FROM ingest_run WHERE id = $1", result.run_id)
        assert run["status"] == "succeeded" and run["created"] == 7
        assert run["cursor_after"]["line"] == 8


async def test_rerun_changes_nothing(
    pool: asyncpg.Pool, tmp_path: Path, settings: Settings
) -> None:
    path = write_jsonl(tmp_path / "a.jsonl", sample_lines())
    first = await run_ingester(pool, "jsonl", {"path": str(path)}, settings=settings)
    assert first.ok
    async with pool.acquire() as conn:
        before_counts, before = await table_counts(conn), await canonical_dump(conn)
        await conn.execute("DELETE FROM plugin_state")  # force a full re-read of the file
    second = await run_ingester(pool, "jsonl", {"path": str(path)}, settings=settings)
    assert second.ok, second.error
    assert (second.seen, second.created, second.updated) == (8, 0, 0)
    assert second.unchanged == 8
    async with pool.acquire() as conn:
        assert await table_counts(conn) == before_counts
        assert await canonical_dump(conn) == before
    third = await run_ingester(pool, "jsonl", {"path": str(path)}, settings=settings)
    assert third.ok and third.seen == 0  # resumed at the end of the file


async def test_dry_run_writes_nothing(
    pool: asyncpg.Pool, tmp_path: Path, settings: Settings
) -> None:
    path = write_jsonl(tmp_path / "a.jsonl", [*sample_lines(), "{oops"])
    result = await run_ingester(pool, "jsonl", {"path": str(path)}, settings=settings, dry_run=True)
    assert result.ok and result.dry_run
    assert (result.seen, result.created, result.rejected) == (9, 7, 1)
    async with pool.acquire() as conn:
        assert set((await table_counts(conn)).values()) == {0}
        assert await conn.fetchval("SELECT count(*) FROM plugin_state") == 0
        assert await conn.fetchval("SELECT dry_run FROM ingest_run") is True
