"""Ingestion under faults: a plugin raising mid-batch, yielding invalid observations, hanging; a
source answering 429, 500, garbage or a truncated body. After a clean re-run the database holds
exactly what one clean run would: no duplicates, no partial batches.

The kill -9 mid-run case is ``tests/ingest/test_crash.py``; it is not repeated here."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import asyncpg
import pytest

from service.config import load_settings
from service.db.pool import create_pool
from service.db.urls import with_database
from service.ingest import (
    AffiliationSeen,
    Checkpoint,
    IngestContext,
    Ingester,
    IngesterConfig,
    ResearcherSeen,
    RunLocked,
    hookimpl,
)
from service.ingest.pipeline import run_ingester
from service.ingest.testing import RecordedResponse, RecordedServer
from tests.conftest import clone_database, drop_database
from tests.ingest.helpers import canonical_dump, table_counts

PAGES = 4
PER_PAGE = 7
SETTINGS = load_settings(http_retries=1, ingest_batch_size=5)


def page(n: int) -> dict[str, Any]:
    return {
        "people": [
            {"name": f"Person {n}-{i}", "openalex": f"A5{n:04d}{i:05d}", "lab": f"Lab {i % 3}"}
            for i in range(PER_PAGE)
        ]
    }


class PagedConfig(IngesterConfig):
    url: str = ""
    fail_at: int = -1  # raise after this many records of the second page
    invalid_every: int = 0
    hang: bool = False


class Paged(Ingester):
    """Reads pages 1..PAGES of people from a JSON source; checkpoints after each page."""

    name = "paged"
    Config = PagedConfig

    async def fetch(self, ctx: IngestContext, state: dict[str, Any] | None) -> AsyncIterator[Any]:
        config = self.config
        assert isinstance(config, PagedConfig)
        start = int((state or {}).get("page", 0)) + 1
        for n in range(start, PAGES + 1):
            body = (await ctx.http.get(f"{config.url}/p{n}")).json()
            for i, person in enumerate(body["people"]):
                if n == 2 and i == config.fail_at:
                    raise RuntimeError("parser broke mid-page")
                if n == 2 and config.hang:
                    await asyncio.Event().wait()
                if config.invalid_every and i % config.invalid_every == 0:
                    yield ResearcherSeen.model_construct(name="", ids={})
                ids = {"openalex": person["openalex"]}
                yield ResearcherSeen(name=person["name"], ids=ids)
                yield AffiliationSeen.model_validate(
                    {
                        "person": {"name": person["name"], "ids": ids},
                        "institution": {"name": person["lab"]},
                        "years": [2020 + n],
                        "source_key": f"{person['openalex']}-{n}",
                    }
                )
            yield Checkpoint({"page": n})


class PagedPlugin:
    @hookimpl
    def register_ingesters(self) -> list[type[Ingester]]:
        return [Paged]


@pytest.fixture
def paged(register_plugin: Callable[..., str]) -> None:
    register_plugin(PagedPlugin(), name="paged-plugin")


def serve_clean(server: RecordedServer, prefix: str = "") -> None:
    for n in range(1, PAGES + 1):
        server.add(f"{prefix}/p{n}", json=page(n))


@pytest.fixture
def reference_url(server_url: str, template_db: str, server_version: int) -> Iterator[str]:
    name = clone_database(server_url, template_db, server_version)
    try:
        yield with_database(server_url, name)
    finally:
        drop_database(server_url, name)


async def clean_snapshot(url: str, server_url: str) -> tuple[dict[str, int], Any]:
    pool = await create_pool(url, min_size=1, max_size=4)
    try:
        result = await run_ingester(pool, "paged", {"url": server_url}, settings=SETTINGS)
        assert result.ok, result.error
        async with pool.acquire() as conn:
            return await table_counts(conn), await canonical_dump(conn)
    finally:
        await pool.close()


async def snapshot(pool: asyncpg.Pool) -> tuple[dict[str, int], Any]:
    async with pool.acquire() as conn:
        return await table_counts(conn), await canonical_dump(conn)


async def assert_batches_whole(pool: asyncpg.Pool) -> None:
    """Everything up to the committed checkpoint is there, and nothing is there twice."""
    page_done = int(await pool.fetchval("SELECT state->>'page' FROM plugin_state") or 0)
    keys = {r[0] for r in await pool.fetch("SELECT source_key FROM affiliation")}
    for n in range(1, page_done + 1):
        for i in range(PER_PAGE):
            assert f"A5{n:04d}{i:05d}-{n}" in keys, (n, i)
    dupes = await pool.fetchval("SELECT count(*) - count(DISTINCT display_name) FROM researcher")
    assert dupes == 0


FAULTS: dict[str, list[RecordedResponse]] = {
    "429": [RecordedResponse(status=429, headers={"Retry-After": "0"})],
    "500": [RecordedResponse(status=500, body="oops")],
    "garbage": [RecordedResponse(body="<html>not json</html>")],
    "truncated": [RecordedResponse(json=page(3), truncate_to=40)],
    "empty": [RecordedResponse(body=b"")],
}


@pytest.mark.parametrize("fault", sorted(FAULTS))
async def test_source_fault_then_rerun_equals_clean_run(
    pool: asyncpg.Pool,
    paged: None,
    reference_url: str,
    recorded_server: RecordedServer,
    fault: str,
) -> None:
    broken = recorded_server.url + "/broken"  # page 3 fails on every try
    recorded_server.add("/broken/p1", json=page(1))
    recorded_server.add("/broken/p2", json=page(2))
    recorded_server.add_sequence("/broken/p3", FAULTS[fault])
    serve_clean(recorded_server)  # the healed source
    first = await run_ingester(pool, "paged", {"url": broken}, settings=SETTINGS)
    assert first.status == "failed", first
    assert "'paged'" in (first.error or "")
    assert await pool.fetchval("SELECT state->>'page' FROM plugin_state") == "2"
    await assert_batches_whole(pool)

    second = await run_ingester(pool, "paged", {"url": recorded_server.url}, settings=SETTINGS)
    assert second.ok, second.error
    assert second.cursor_before == {"page": 2}
    await assert_batches_whole(pool)
    assert await snapshot(pool) == await clean_snapshot(reference_url, recorded_server.url)
    runs = [r["status"] for r in await pool.fetch("SELECT status FROM ingest_run ORDER BY id")]
    assert runs == ["failed", "succeeded"]


async def test_plugin_raising_mid_batch_then_rerun_equals_clean_run(
    pool: asyncpg.Pool, paged: None, reference_url: str, recorded_server: RecordedServer
) -> None:
    serve_clean(recorded_server)
    config = {"url": recorded_server.url, "fail_at": 3}
    first = await run_ingester(pool, "paged", config, settings=SETTINGS)
    assert first.status == "failed" and "parser broke mid-page" in (first.error or "")
    await assert_batches_whole(pool)
    async with pool.acquire() as conn:
        # records of page 2 that came before the raise are committed only with their checkpoint
        # or re-read on the next run; either way the re-run must not duplicate them
        assert await conn.fetchval("SELECT state->>'page' FROM plugin_state") == "1"
    second = await run_ingester(pool, "paged", {"url": recorded_server.url}, settings=SETTINGS)
    assert second.ok, second.error
    assert await snapshot(pool) == await clean_snapshot(reference_url, recorded_server.url)


async def test_invalid_observations_are_rejected_and_the_rest_lands(
    pool: asyncpg.Pool, paged: None, reference_url: str, recorded_server: RecordedServer
) -> None:
    serve_clean(recorded_server)
    config = {"url": recorded_server.url, "invalid_every": 3}
    result = await run_ingester(pool, "paged", config, settings=SETTINGS)
    assert result.ok, result.error
    invalid = PAGES * len(range(0, PER_PAGE, 3))
    assert result.rejected == invalid
    assert await pool.fetchval("SELECT count(*) FROM ingest_reject") == invalid
    again = await run_ingester(pool, "paged", config | {"invalid_every": 0}, settings=SETTINGS)
    assert again.ok and again.created == 0  # the cursor is at the end: nothing re-read
    assert await snapshot(pool) == await clean_snapshot(reference_url, recorded_server.url)


async def test_hanging_plugin(
    pool: asyncpg.Pool, paged: None, reference_url: str, recorded_server: RecordedServer
) -> None:
    """A caller's timeout (the worker's shutdown, or asyncio.wait_for) cancels a hung run
    cleanly: the lock is released, what was committed stays, and the next run resumes and
    completes."""
    serve_clean(recorded_server)
    config = {"url": recorded_server.url, "hang": True}
    with pytest.raises(TimeoutError):
        await asyncio.wait_for(run_ingester(pool, "paged", config, settings=SETTINGS), 2.0)
    await assert_batches_whole(pool)
    second = await run_ingester(pool, "paged", {"url": recorded_server.url}, settings=SETTINGS)
    assert second.ok, second.error
    statuses = [r["status"] for r in await pool.fetch("SELECT status FROM ingest_run ORDER BY id")]
    assert statuses == ["failed", "succeeded"]  # the cancelled run is marked abandoned
    assert await snapshot(pool) == await clean_snapshot(reference_url, recorded_server.url)


async def test_hanging_plugin_fails_after_the_idle_timeout(
    pool: asyncpg.Pool, paged: None, reference_url: str, recorded_server: RecordedServer
) -> None:
    """Without any caller timeout, the pipeline's own idle timeout fails a hung run, with a
    message that names the plugin and the setting; a re-run completes."""
    serve_clean(recorded_server)
    config = {"url": recorded_server.url, "hang": True}
    quick = SETTINGS.model_copy(update={"ingest_idle_timeout_s": 0.5})
    result = await asyncio.wait_for(run_ingester(pool, "paged", config, settings=quick), 60)
    assert not result.ok
    assert "yielded nothing for 0.5s" in (result.error or "")
    assert "paged" in (result.error or "")
    await assert_batches_whole(pool)
    second = await run_ingester(pool, "paged", {"url": recorded_server.url}, settings=SETTINGS)
    assert second.ok, second.error
    assert await snapshot(pool) == await clean_snapshot(reference_url, recorded_server.url)


async def test_two_runs_of_one_instance_one_is_locked(
    pool: asyncpg.Pool, paged: None, recorded_server: RecordedServer
) -> None:
    serve_clean(recorded_server)
    config = {"url": recorded_server.url, "hang": True}
    first = asyncio.create_task(run_ingester(pool, "paged", config, settings=SETTINGS))
    for _ in range(1500):  # up to 30 s on a loaded machine; usually a few ms
        if await pool.fetchval("SELECT count(*) FROM ingest_run WHERE status = 'running'"):
            break
        await asyncio.sleep(0.02)
    with pytest.raises(RunLocked, match="instance 'paged' is in progress"):
        await run_ingester(pool, "paged", {"url": recorded_server.url}, settings=SETTINGS)
    first.cancel()
    with pytest.raises(asyncio.CancelledError):
        await first
    again = await run_ingester(pool, "paged", {"url": recorded_server.url}, settings=SETTINGS)
    assert again.ok
