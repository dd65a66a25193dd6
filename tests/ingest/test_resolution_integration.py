"""Institution resolution in the pipeline goes through the domain ``InstitutionIndex``: raw
affiliation strings resolve to curated rows, unknown institutions become one unreviewed row."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import asyncpg
import pytest

from service.config import Settings, load_settings
from service.db.stores.institutions import seed_institutions
from service.ingest.pipeline import run_ingester
from tests.ingest.helpers import canonical_dump, write_jsonl

TSINGHUA_RAW = "Department of Computer Science, Tsinghua University, Beijing 100084, China"


@pytest.fixture
def settings() -> Settings:
    return load_settings(ingest_batch_size=2)


def _affiliation(n: int, institution: dict[str, Any], years: list[int]) -> dict[str, Any]:
    return {
        "type": "affiliation_seen",
        "person": {"name": f"Resolver Person {n}", "ids": {"openalex": f"A{9000 + n}"}},
        "institution": institution,
        "years": years,
        "source_key": f"k{n}",
        "document_url": f"https://profiles.example/{n}",
    }


async def _slug_of(conn: asyncpg.Connection, openalex: str) -> list[str]:
    rows = await conn.fetch(
        "SELECT i.slug FROM affiliation a JOIN institution i ON i.id = a.institution_id "
        "JOIN researcher_external_id x ON x.researcher_id = a.researcher_id "
        "WHERE x.scheme = 'openalex' AND x.value = $1 ORDER BY i.slug",
        openalex,
    )
    return [r["slug"] for r in rows]


async def test_raw_affiliation_strings_resolve_to_seeded_rows(
    pool: asyncpg.Pool, tmp_path: Path, settings: Settings
) -> None:
    async with pool.acquire() as conn:
        await seed_institutions(conn)
        before = await conn.fetchval("SELECT count(*) FROM institution")
    lines = [
        _affiliation(1, {"name": TSINGHUA_RAW}, [2019]),
        _affiliation(2, {"name": "清华大学计算机系"}, [2020]),
        # a spelling slip, the country breaking no tie
        _affiliation(3, {"name": "Tsinghua Univeristy", "country_code": "CN"}, [2021]),
        # an id wins over the name
        _affiliation(4, {"name": "Somewhere else", "ids": {"ror": "03cve4549"}}, [2021]),
    ]
    path = write_jsonl(tmp_path / "a.jsonl", lines)
    result = await run_ingester(pool, "jsonl", {"path": str(path)}, settings=settings)
    assert result.ok, result.error
    async with pool.acquire() as conn:
        for n in range(1, 5):
            assert await _slug_of(conn, f"A{9000 + n}") == ["tsinghua-university"], n
        assert await conn.fetchval("SELECT count(*) FROM institution") == before
        # raw strings resolved by their parts or by a fuzzy match are not learnt as aliases of
        # the curated row; a name given with a matching id is
        learnt = await conn.fetch(
            "SELECT a.normalized FROM institution_alias a JOIN institution i "
            "ON i.id = a.institution_id WHERE i.slug = 'tsinghua-university' AND a.source <> 'seed'"
        )
        assert [r["normalized"] for r in learnt] == ["somewhere else"]


async def test_unknown_lab_becomes_one_unreviewed_row(
    pool: asyncpg.Pool, tmp_path: Path, settings: Settings
) -> None:
    async with pool.acquire() as conn:
        await seed_institutions(conn)
    lab = {"name": "Quokka Frontier Lab", "country_code": "AU"}
    path = write_jsonl(
        tmp_path / "a.jsonl",
        [_affiliation(1, lab, [2019]), _affiliation(2, lab, [2020])],
    )
    result = await run_ingester(pool, "jsonl", {"path": str(path)}, settings=settings)
    assert result.ok, result.error
    again = write_jsonl(tmp_path / "b.jsonl", [_affiliation(3, lab, [2021])])
    result = await run_ingester(
        pool, "jsonl", {"path": str(again)}, instance="second", settings=settings
    )
    assert result.ok, result.error
    async with pool.acquire() as conn:
        rows = await conn.fetch(
            "SELECT i.id, i.slug, i.reviewed, i.country_code FROM institution i "
            "JOIN institution_alias a ON a.institution_id = i.id "
            "WHERE a.alias = 'Quokka Frontier Lab'"
        )
        assert len(rows) == 1
        assert rows[0]["reviewed"] is False and rows[0]["country_code"] == "AU"
        for n in (1, 2, 3):
            assert await _slug_of(conn, f"A{9000 + n}") == [rows[0]["slug"]]


async def test_rerun_over_raw_strings_changes_nothing(
    pool: asyncpg.Pool, tmp_path: Path, settings: Settings
) -> None:
    async with pool.acquire() as conn:
        await seed_institutions(conn)
    lines = [
        _affiliation(1, {"name": TSINGHUA_RAW}, [2016, 2017, 2018]),
        _affiliation(1, {"name": "Quokka Frontier Lab, Sydney, Australia"}, [2019, 2020]),
        _affiliation(2, {"name": "Google DeepMind, London, UK"}, [2018]),
    ]
    lines[1]["source_key"] = "k1b"
    path = write_jsonl(tmp_path / "a.jsonl", lines)
    first = await run_ingester(pool, "jsonl", {"path": str(path)}, settings=settings)
    assert first.ok, first.error
    async with pool.acquire() as conn:
        dump = await canonical_dump(conn)
        assert await _slug_of(conn, "A9002") == ["google-deepmind"]
    second = await run_ingester(pool, "jsonl", {"path": str(path)}, instance="b", settings=settings)
    assert second.ok and second.created == 0 and second.updated == 0
    async with pool.acquire() as conn:
        assert await canonical_dump(conn) == dump
