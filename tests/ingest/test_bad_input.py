"""Bad input: misbehaving plugins and sources fail clearly, naming the plugin and the record,
and keep what was committed."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import asyncpg
import pytest

from service.config import load_settings
from service.errors import ConfigError
from service.ingest import (
    Checkpoint,
    IngestContext,
    Ingester,
    IngesterConfig,
    ResearcherSeen,
    RunLocked,
    hookimpl,
)
from service.ingest.manager import UnknownIngesterError
from service.ingest.pipeline import run_ingester
from service.ingest.testing import RecordedServer
from tests.ingest.helpers import write_jsonl


class FlakyConfig(IngesterConfig):
    mode: str
    url: str = ""


class Flaky(Ingester):
    name = "flaky"
    Config = FlakyConfig

    async def fetch(self, ctx: IngestContext, state: dict[str, Any] | None) -> AsyncIterator[Any]:
        config = self.config
        assert isinstance(config, FlakyConfig)
        yield ResearcherSeen(name="Kept Person", ids={"orcid": "0000-0002-1825-0097"})
        yield Checkpoint({"n": 1})
        if config.mode == "wrong_type":
            yield {"type": "researcher_seen", "name": "as a dict"}
            yield ResearcherSeen(name="After Wrong")
        elif config.mode == "raise":
            raise ValueError("boom in the parser")
        elif config.mode == "http":
            response = await ctx.http.get(config.url)
            yield ResearcherSeen(name=str(response.json()))
        elif config.mode == "invalid":
            bad = ResearcherSeen.model_construct(name="", ids={})
            yield bad


class FlakyPlugin:
    @hookimpl
    def register_ingesters(self) -> list[type[Ingester]]:
        return [Flaky]


@pytest.fixture
def flaky(register_plugin: Callable[..., str]) -> None:
    register_plugin(FlakyPlugin(), name="flaky-plugin")


SETTINGS = load_settings(http_retries=1, ingest_batch_size=10)


async def test_wrong_type_is_rejected_naming_the_plugin(pool: asyncpg.Pool, flaky: None) -> None:
    result = await run_ingester(pool, "flaky", {"mode": "wrong_type"}, settings=SETTINGS)
    assert result.ok
    assert (result.seen, result.created, result.rejected) == (3, 2, 1)
    assert "ingester 'flaky' yielded a dict" in result.rejects[0].reason
    async with pool.acquire() as conn:
        row = await conn.fetchrow("SELECT position, reason, record FROM ingest_reject")
        assert row["position"] == "#2" and "as a dict" in row["record"]


async def test_plugin_that_raises_fails_the_run_and_keeps_what_came_before(
    pool: asyncpg.Pool, flaky: None
) -> None:
    result = await run_ingester(pool, "flaky", {"mode": "raise"}, settings=SETTINGS)
    assert result.status == "failed"
    assert result.error == "ingester 'flaky' raised ValueError: boom in the parser"
    async with pool.acquire() as conn:
        assert await conn.fetchval("SELECT count(*) FROM researcher") == 1
        assert await conn.fetchval("SELECT state->>'n' FROM plugin_state") == "1"
        run = await conn.fetchrow("SELECT status, error FROM ingest_run")
        assert run["status"] == "failed" and "boom" in run["error"]


async def test_source_500s_fail_with_a_retriable_error(
    pool: asyncpg.Pool, flaky: None, recorded_server: RecordedServer
) -> None:
    recorded_server.add("/x", status=500)
    url = recorded_server.url + "/x"
    result = await run_ingester(pool, "flaky", {"mode": "http", "url": url}, settings=SETTINGS)
    assert result.status == "failed"
    assert "'flaky'" in (result.error or "") and "status 500" in (result.error or "")
    async with pool.acquire() as conn:
        assert await conn.fetchval("SELECT count(*) FROM researcher") == 1


async def test_source_garbage_fails_clearly(
    pool: asyncpg.Pool, flaky: None, recorded_server: RecordedServer
) -> None:
    recorded_server.add("/x", body="<html>")
    url = recorded_server.url + "/x"
    result = await run_ingester(pool, "flaky", {"mode": "http", "url": url}, settings=SETTINGS)
    assert result.status == "failed" and "invalid JSON" in (result.error or "")


async def test_unvalidated_observation_is_rejected_with_the_field(
    pool: asyncpg.Pool, flaky: None
) -> None:
    result = await run_ingester(pool, "flaky", {"mode": "invalid"}, settings=SETTINGS)
    assert result.ok and result.rejected == 1
    assert "name:" in result.rejects[0].reason and "'flaky'" in result.rejects[0].reason


async def test_invalid_config_names_plugin_and_field(pool: asyncpg.Pool, flaky: None) -> None:
    with pytest.raises(ConfigError, match=r"ingester 'flaky'.*mode: Field required"):
        await run_ingester(pool, "flaky", {}, settings=SETTINGS)


async def test_unknown_ingester(pool: asyncpg.Pool) -> None:
    with pytest.raises(UnknownIngesterError, match=r"known ingesters: .*jsonl"):
        await run_ingester(pool, "nope", {}, settings=SETTINGS)


async def test_malformed_and_invalid_lines_are_rejected_with_line_numbers(
    pool: asyncpg.Pool, tmp_path: Path
) -> None:
    path = write_jsonl(
        tmp_path / "x.jsonl",
        [
            {"type": "researcher_seen", "name": "Good One"},
            "{nope",
            {"type": "affiliation_seen", "person": {"name": "X"}, "institution": {"name": "Y"}},
            {"type": "unknown_kind"},
            "[1, 2]",
        ],
    )
    result = await run_ingester(pool, "jsonl", {"path": str(path)}, settings=SETTINGS)
    assert result.ok and (result.created, result.rejected) == (1, 4)
    reasons = {r.position: r.reason for r in result.rejects}
    assert "malformed JSON" in reasons["line 2"]
    assert "needs years or a start/end date" in reasons["line 3"]
    assert "unknown_kind" in reasons["line 4"] or "tag" in reasons["line 4"]
    assert "expected a JSON object" in reasons["line 5"]


async def test_second_concurrent_run_fails_at_once(pool: asyncpg.Pool, tmp_path: Path) -> None:
    async with pool.acquire() as holder:
        await holder.execute("SELECT pg_advisory_lock(29798, hashtext('jsonl'))")
        await holder.execute("INSERT INTO ingest_run (plugin, instance) VALUES ('jsonl', 'jsonl')")
        path = write_jsonl(tmp_path / "x.jsonl", [])
        with pytest.raises(RunLocked, match=r"run 1 of instance 'jsonl' is in progress since"):
            await run_ingester(pool, "jsonl", {"path": str(path)}, settings=SETTINGS)
        await holder.execute("SELECT pg_advisory_unlock(29798, hashtext('jsonl'))")
