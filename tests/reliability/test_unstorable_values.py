"""A value PostgreSQL cannot store (a NUL anywhere, a lone surrogate, a count past 32 bits) is a
reject of that one record with its position; the rest of its batch and the run go on, and a
re-run neither fails at the same place nor stores anything twice."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import asyncpg
import pytest

from service.config import load_settings
from service.ingest import (
    Checkpoint,
    IngestContext,
    Ingester,
    IngesterConfig,
    ResearcherSeen,
    hookimpl,
)
from service.ingest.pipeline import run_ingester
from tests.ingest.helpers import write_jsonl

SETTINGS = load_settings(ingest_batch_size=3)


def person(n: int, **extra: Any) -> dict[str, Any]:
    return {"type": "researcher_seen", "name": f"Good Person {n}", **extra}


# line number -> (raw line, what its reject says)
BAD: dict[int, tuple[str, str]] = {
    3: ('{"type": "researcher_seen", "name": "Nul\\u0000Name"}', "name contains a NUL"),
    5: (
        '{"type": "researcher_seen", "name": "Topic Person", "topics": ["ok", "a\\u0000b"]}',
        "topics[1] contains a NUL",
    ),
    6: (
        '{"type": "affiliation_seen", "person": {"name": "Aff Person"}, '
        '"institution": {"name": "Lab\\u0000"}, "years": [2020]}',
        "institution.name contains a NUL",
    ),
    8: (
        '{"type": "researcher_seen", "name": "Id Person", "ids": {"dblp": "x\\u0000y"}}',
        "ids.dblp contains a NUL",
    ),
    9: ('{"type": "researcher_seen", "name": "Big", "works_count": 99999999999}', "works_count"),
    11: ('{"type": "researcher_seen", "name": "Sur\\ud800rogate"}', "surrogate"),
    12: ('{"type": "researcher_seen", "name": "raw\x00byte"}', "malformed JSON"),
    14: (
        '{"type": "job_posting_seen", "source": "t", "external_id": "j1", '
        '"title": "Researcher", "description": "\\u0000"}',
        "description contains a NUL",
    ),
}
GOOD_LINES = [n for n in range(1, 17) if n not in BAD]


def write_file(path: Path) -> Path:
    lines: list[Any] = []
    for n in range(1, 17):
        lines.append(BAD[n][0] if n in BAD else person(n))
    return write_jsonl(path, lines)


async def test_nul_and_other_unstorable_values_are_rejected_by_line(
    pool: asyncpg.Pool, tmp_path: Path
) -> None:
    path = write_file(tmp_path / "nul.jsonl")
    result = await run_ingester(pool, "jsonl", {"path": str(path)}, settings=SETTINGS)
    assert result.status == "succeeded", result.error
    by_position = {r.position: r.reason for r in result.rejects}
    assert set(by_position) == {f"line {n}" for n in BAD}
    for n, (_, says) in BAD.items():
        assert says in by_position[f"line {n}"], (n, by_position[f"line {n}"])
    names = {r["display_name"] for r in await pool.fetch("SELECT display_name FROM researcher")}
    assert {f"Good Person {n}" for n in GOOD_LINES} <= names
    assert not any("\x00" in name for name in names)
    stored = await pool.fetch("SELECT position, reason, record FROM ingest_reject ORDER BY id")
    assert [r["position"] for r in stored] == [f"line {n}" for n in sorted(BAD)]
    # the run's rejects keep the record as read, escaped where PostgreSQL could not store it
    assert "raw\\u0000byte" in stored[-2]["record"]

    again = await run_ingester(pool, "jsonl", {"path": str(path)}, settings=SETTINGS)
    assert again.status == "succeeded" and again.seen == 0  # resumed after the last line
    fresh = await run_ingester(
        pool, "jsonl", {"path": str(path)}, settings=SETTINGS, instance="jsonl-2"
    )
    assert fresh.status == "succeeded" and fresh.rejected == len(BAD)  # the same, every time
    assert {
        r["display_name"] for r in await pool.fetch("SELECT display_name FROM researcher")
    } == names


class NulConfig(IngesterConfig):
    mode: str = "record"


class NulSource(Ingester):
    name = "nul_source"
    Config = NulConfig

    async def fetch(self, ctx: IngestContext, state: dict[str, Any] | None) -> AsyncIterator[Any]:
        config = self.config
        assert isinstance(config, NulConfig)
        yield ResearcherSeen(name="Before Nul")
        if config.mode == "record":
            yield ResearcherSeen(name="Has\x00Nul", aliases=["fine"])
            yield ResearcherSeen(name="After Nul")
            yield Checkpoint({"done": 1})
        elif config.mode == "checkpoint":
            yield Checkpoint({"cursor": "a\x00b"})
        elif config.mode == "error":
            raise RuntimeError("the source said \x00 and \ud800")


class NulPlugin:
    @hookimpl
    def register_ingesters(self) -> list[type[Ingester]]:
        return [NulSource]


@pytest.fixture
def nul_source(register_plugin: Callable[..., str]) -> None:
    register_plugin(NulPlugin(), name="nul-plugin")


async def test_any_plugins_unstorable_record_is_one_reject(
    pool: asyncpg.Pool, nul_source: None
) -> None:
    result = await run_ingester(pool, "nul_source", {}, settings=SETTINGS)
    assert result.status == "succeeded", result.error
    assert [(r.position, "name contains a NUL" in r.reason) for r in result.rejects] == [
        ("#2", True)
    ]
    names = {r["display_name"] for r in await pool.fetch("SELECT display_name FROM researcher")}
    assert {"Before Nul", "After Nul"} <= names


async def test_an_unstorable_checkpoint_fails_the_run_clearly(
    pool: asyncpg.Pool, nul_source: None
) -> None:
    result = await run_ingester(pool, "nul_source", {"mode": "checkpoint"}, settings=SETTINGS)
    assert result.status == "failed"
    assert "Checkpoint that cannot be stored: state.cursor contains a NUL" in (result.error or "")
    row = await pool.fetchrow("SELECT status, error FROM ingest_run WHERE id = $1", result.run_id)
    assert row["status"] == "failed" and "NUL" in row["error"]


async def test_an_error_text_with_a_nul_is_still_recorded(
    pool: asyncpg.Pool, nul_source: None
) -> None:
    result = await run_ingester(pool, "nul_source", {"mode": "error"}, settings=SETTINGS)
    assert result.status == "failed"
    row = await pool.fetchrow("SELECT status, error FROM ingest_run WHERE id = $1", result.run_id)
    assert row["status"] == "failed" and "\\u0000" in row["error"] and "\ufffd" in row["error"]
