"""Open candidate matches are scored again when their records learn more: the worker's
periodic job merges a pair that new evidence settles and keeps the others open."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import asyncpg

from service.config import load_settings
from service.db.stores.institutions import seed_institutions
from service.ingest.pipeline import run_ingester
from service.ingest.rescore import rescore_open_candidates
from service.worker.queue import RESCORE_CRON, RESCORE_TASK, build_app
from tests.ingest.helpers import write_jsonl


def _doc(url: str, name: str, stints: list[tuple[str, list[int]]]) -> list[dict[str, Any]]:
    lines: list[dict[str, Any]] = [{"type": "document_seen", "url": url, "kind": "publication"}]
    for n, (slug, years) in enumerate(stints):
        lines.append(
            {
                "type": "affiliation_seen",
                "person": {"name": name},
                "institution": {"slug": slug},
                "years": years,
                "source_key": f"{url}#{n}",
                "document_url": url,
            }
        )
    return lines


async def _ingest(pool: asyncpg.Pool, tmp_path: Path, name: str, lines: list[Any]) -> None:
    path = write_jsonl(tmp_path / f"{name}.jsonl", lines)
    result = await run_ingester(
        pool, "jsonl", {"path": str(path)}, instance=name, settings=load_settings()
    )
    assert result.ok and result.rejected == 0, result.rejects


async def test_new_evidence_on_a_candidate_pair_merges_it(
    pool: asyncpg.Pool, tmp_path: Path
) -> None:
    async with pool.acquire() as conn:
        await seed_institutions(conn)
    first = _doc("https://p.example/1", "Shunyu Yao", [("tsinghua-university", [2018, 2019])])
    second = _doc("https://p.example/2", "Yao Shunyu", [("google-deepmind", [2022, 2023])])
    await _ingest(pool, tmp_path, "one", first + second)
    async with pool.acquire() as conn:
        assert await conn.fetchval("SELECT count(*) FROM candidate_match WHERE status = 'open'")
        nothing_new = await rescore_open_candidates(conn, load_settings())
        assert (nothing_new.merged, nothing_new.closed) == (0, 0)
    # what is known of the second paper's author grows by another path than ingestion
    async with pool.acquire() as conn:
        tsinghua = await conn.fetchval(
            "SELECT id FROM institution WHERE slug = 'tsinghua-university'"
        )
        await conn.execute(
            "UPDATE researcher_sighting s SET stints = s.stints || $1::jsonb FROM document d "
            "WHERE d.id = s.document_id AND d.url = 'https://p.example/2'",
            [[tsinghua, 2018, 2019]],
        )
        result = await rescore_open_candidates(conn, load_settings())
        assert result.merged == 1
        people = await conn.fetchval("SELECT count(*) FROM researcher WHERE merged_into_id IS NULL")
        status = await conn.fetchval("SELECT status FROM candidate_match")
    assert (people, status) == (1, "same")


async def test_a_document_read_again_with_more_is_resolved_again_at_ingest(
    pool: asyncpg.Pool, tmp_path: Path
) -> None:
    async with pool.acquire() as conn:
        await seed_institutions(conn)
    first = _doc("https://p.example/1", "Shunyu Yao", [("tsinghua-university", [2018, 2019])])
    second = _doc("https://p.example/2", "Yao Shunyu", [("google-deepmind", [2022, 2023])])
    await _ingest(pool, tmp_path, "one", first + second)
    revised = _doc(
        "https://p.example/2",
        "Yao Shunyu",
        [("google-deepmind", [2022, 2023]), ("tsinghua-university", [2018, 2019])],
    )
    await _ingest(pool, tmp_path, "two", revised)
    async with pool.acquire() as conn:
        people = await conn.fetchval("SELECT count(*) FROM researcher WHERE merged_into_id IS NULL")
        status = await conn.fetchval("SELECT status FROM candidate_match")
    assert (people, status) == (1, "same")


def test_the_worker_schedules_the_rescoring() -> None:
    app = build_app("postgresql://postgres@127.0.0.1:5432/postgres", rescore_cron=RESCORE_CRON)
    assert any(
        p.periodic_id == "rescore-candidates" for p in app.periodic_registry.periodic_tasks.values()
    )
    assert RESCORE_TASK in app.tasks
