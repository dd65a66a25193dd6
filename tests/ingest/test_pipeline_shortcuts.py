"""The pipeline's shortcuts give what the long way gives: jsonl observations taken as validated,
institution fields offered once per run, inferred moves inserted together, the idle watchdog,
and the statistics refreshed while a run grows the tables."""

from __future__ import annotations

import asyncio
import gc
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asyncpg
import pytest

from plugins.jsonl import JsonlIngester, _parse_line
from service.config import Settings, load_settings
from service.ingest import pipeline
from service.ingest.errors import RetriableIngestError
from service.ingest.ingester import Ingester
from service.ingest.observations import observation_adapter
from service.ingest.pipeline import _guard, _PluginRaised, run_ingester
from tests.ingest.helpers import canonical_dump, sample_lines, table_counts, write_jsonl


@pytest.fixture
def settings() -> Settings:
    return load_settings(ingest_batch_size=3)


def _untidy_lines() -> list[dict[str, Any]]:
    """Lines whose validation changes what was written: prefixes, case, spaces, order."""
    return [
        {
            "type": "researcher_seen",
            "name": "  Ada   Example ",
            "ids": {
                "orcid": " https://orcid.org/0000-0002-1825-009x ",
                "openalex": "https://openalex.org/a123",
                "dblp": "  ",
            },
            "aliases": [" A. Example "],
        },
        {
            "type": "affiliation_seen",
            "person": {"name": "Ada Example", "ids": {"openalex": "a123"}},
            "institution": {"name": " Example Lab ", "ids": {"ror": "https://ror.org/00ABCDE12"}},
            "years": [2021, 2019, 2019, 2020],
            "start": "2019-03",
            "end": 2021,
        },
        {
            "type": "move_reported",
            "person": {"name": "Ada Example"},
            "to_institution": {"name": "Example Lab"},
            "date": {"year": 2019, "month": 3},
            "document_url": " https://news.example/a ",
            "confidence": 1,
        },
    ]


@pytest.mark.parametrize("line", [*sample_lines(), *_untidy_lines()])
def test_a_parsed_jsonl_observation_is_what_validating_it_again_gives(line: Any) -> None:
    import json

    parsed = _parse_line(json.dumps(line).encode(), 1)
    again = observation_adapter.validate_python(parsed.model_dump())  # type: ignore[union-attr]
    assert type(again) is type(parsed)
    assert again == parsed


def test_only_the_jsonl_ingester_skips_the_second_validation() -> None:
    assert JsonlIngester.yields_parsed_observations
    assert not Ingester.yields_parsed_observations


async def test_untidy_lines_are_stored_as_validated(
    pool: asyncpg.Pool, tmp_path: Path, settings: Settings
) -> None:
    path = write_jsonl(tmp_path / "u.jsonl", _untidy_lines())
    result = await run_ingester(pool, "jsonl", {"path": str(path)}, settings=settings)
    assert result.ok and result.rejected == 0, (result.error, result.rejects)
    async with pool.acquire() as conn:
        ids = await conn.fetch(
            "SELECT scheme, value FROM researcher_external_id ORDER BY scheme, value"
        )
        assert [tuple(r) for r in ids] == [("openalex", "A123"), ("orcid", "0000-0002-1825-009X")]
        assert await conn.fetchval("SELECT count(*) FROM researcher") == 1
        aff = await conn.fetchrow("SELECT years, start_date, end_date FROM affiliation")
        assert list(aff["years"]) == [2019, 2020, 2021]
        assert str(aff["start_date"]) == "2019-03-01"
        assert await conn.fetchval(
            "SELECT value FROM institution_external_id WHERE scheme = 'ror'"
        ) == ("00abcde12")


async def test_institution_fields_are_filled_once_and_repeats_are_unchanged(
    pool: asyncpg.Pool, tmp_path: Path, settings: Settings
) -> None:
    base = {"type": "institution_seen", "name": "Repeat Lab", "ids": {"ror": "0repeat12"}}
    lines = [
        base,
        base,
        {**base, "city": "Paris", "country_code": "FR"},
        {**base, "city": "Paris", "country_code": "FR"},
        {**base, "city": "Lyon", "website": "https://repeat.example"},
        base,
    ]
    path = write_jsonl(tmp_path / "i.jsonl", lines)
    result = await run_ingester(
        pool, "jsonl", {"path": str(path)}, settings=load_settings(ingest_batch_size=1)
    )
    assert result.ok, result.error
    assert (result.created, result.updated, result.unchanged) == (1, 2, 3)
    async with pool.acquire() as conn:
        row = await conn.fetchrow("SELECT city, country_code, website FROM institution")
    assert dict(row) == {"city": "Paris", "country_code": "FR", "website": "https://repeat.example"}


NOW = datetime.now(UTC).year


def _history(n: int) -> list[dict[str, Any]]:
    """n researchers, each with three stints (two inferred moves)."""
    lines: list[dict[str, Any]] = []
    for k in range(n):
        person = {"name": f"Person {k}", "ids": {"orcid": f"0000-0002-0000-{k:03d}X"}}
        lines.append({"type": "researcher_seen", **person})
        for j, (name, years) in enumerate(
            [("Lab A", [2010, 2011, 2012]), ("Lab B", [2014, 2015, 2016]), ("Lab C", [NOW])]
        ):
            lines.append(
                {
                    "type": "affiliation_seen",
                    "person": person,
                    "institution": {"name": name, "country_code": "US" if j else "FR"},
                    "years": years,
                    "source_key": f"{k}:{j}",
                    "document_url": f"https://profiles.example/{k}",
                }
            )
    return lines


async def test_inferred_moves_of_a_batch_are_stored_notified_and_rerun_idempotent(
    pool: asyncpg.Pool, tmp_path: Path
) -> None:
    settings = load_settings(ingest_batch_size=40)
    path = write_jsonl(tmp_path / "h.jsonl", _history(12))
    first = await run_ingester(pool, "jsonl", {"path": str(path)}, settings=settings)
    assert first.ok, first.error
    async with pool.acquire() as conn:
        moves = await conn.fetch(
            "SELECT id, status, origin, provisional, round(confidence::numeric, 2) AS c, "
            "from_country, to_country, kind FROM move ORDER BY id"
        )
        assert len(moves) == 24
        assert first.new_move_ids == [m["id"] for m in moves]
        # ids come from the sequence in insertion order, with no gaps
        assert [m["id"] for m in moves] == list(range(moves[0]["id"], moves[0]["id"] + 24))
        assert {(m["origin"], m["status"]) for m in moves} == {("inferred", "reported")}
        provisional = [m for m in moves if m["provisional"]]
        assert len(provisional) == 12  # the last stint began this year: still provisional
        # confidence follows the evidence: the recent move after a long gap, with one year
        # at the destination, scores below the one with three years on each side
        settled = {m["c"] for m in moves if not m["provisional"]}
        recent = {m["c"] for m in moves if m["provisional"]}
        assert len(settled) == len(recent) == 1 and max(recent) < min(settled)
        ev = await conn.fetch(
            "SELECT move_id, round(confidence::numeric, 2) AS c FROM evidence "
            "WHERE move_id IS NOT NULL ORDER BY move_id"
        )
        assert [e["move_id"] for e in ev] == [m["id"] for m in moves]
        assert [e["c"] for e in ev] == [m["c"] for m in moves]
        before_counts, before = await table_counts(conn), await canonical_dump(conn)
        await conn.execute("DELETE FROM plugin_state")
    second = await run_ingester(pool, "jsonl", {"path": str(path)}, settings=settings)
    assert second.ok and second.new_move_ids == []
    assert (second.created, second.updated) == (0, 0)
    async with pool.acquire() as conn:
        assert await table_counts(conn) == before_counts
        assert await canonical_dump(conn) == before


async def test_a_run_analyses_the_tables_it_grows(
    pool: asyncpg.Pool, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pipeline, "ANALYZE_MIN_OBSERVATIONS", 10)
    path = write_jsonl(tmp_path / "h.jsonl", _history(10))
    result = await run_ingester(
        pool, "jsonl", {"path": str(path)}, settings=load_settings(ingest_batch_size=5)
    )
    assert result.ok, result.error
    async with pool.acquire() as conn:
        analysed = await conn.fetch(
            "SELECT relname, analyze_count FROM pg_stat_user_tables "
            "WHERE relname = ANY($1::text[])",
            list(pipeline.GROWING_TABLES),
        )
        reltuples = await conn.fetchval(
            "SELECT reltuples FROM pg_class WHERE oid = 'researcher'::regclass"
        )
    # 40 observations, analysed after 10, 20 (twice 10) and 40 written: three times
    assert {r["relname"]: r["analyze_count"] for r in analysed} == dict.fromkeys(
        pipeline.GROWING_TABLES, 3
    )
    assert reltuples == 10


async def _items(delays: list[float]) -> AsyncIterator[int]:
    for n, delay in enumerate(delays):
        await asyncio.sleep(delay)
        yield n


async def test_idle_watchdog_counts_only_the_wait_for_each_item() -> None:
    """Items every 0.05 s for 0.6 s in all, and a consumer that takes 0.3 s over one of them:
    nothing waited 0.2 s for the plugin, so nothing times out."""
    got = []
    async for item in _guard(_items([0.05] * 12), "quick", 0.2):
        got.append(item)
        if item == 3:
            await asyncio.sleep(0.3)
    assert got == list(range(12))


async def test_idle_watchdog_stops_a_plugin_that_hangs() -> None:
    got = []
    with pytest.raises(_PluginRaised) as raised:
        async for item in _guard(_items([0.01, 0.01, 5.0]), "stuck", 0.2):
            got.append(item)
    assert got == [0, 1]
    assert isinstance(raised.value.error, RetriableIngestError)
    assert "yielded nothing for 0.2s" in raised.value.error.message


async def test_idle_watchdog_leaves_an_outer_cancellation_alone() -> None:
    async def consume() -> None:
        async for _ in _guard(_items([0.01, 5.0]), "slow", 10.0):
            pass

    task = asyncio.create_task(consume())
    await asyncio.sleep(0.1)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task


def test_gc_is_relaxed_while_runs_overlap_and_restored_after_the_last() -> None:
    before = gc.get_threshold()
    relaxation = pipeline._GcRelaxation()
    with relaxation.during_run():
        assert gc.get_threshold()[0] == max(before[0], pipeline.GC_GEN0_THRESHOLD)
        with relaxation.during_run():
            assert gc.get_threshold()[0] == max(before[0], pipeline.GC_GEN0_THRESHOLD)
        assert gc.get_threshold()[0] == max(before[0], pipeline.GC_GEN0_THRESHOLD)
    assert gc.get_threshold() == before


def test_gc_switched_off_by_threshold_stays_off() -> None:
    before = gc.get_threshold()
    try:
        gc.set_threshold(0)
        with pipeline._GcRelaxation().during_run():
            assert gc.get_threshold()[0] == 0
        assert gc.get_threshold()[0] == 0
    finally:
        gc.set_threshold(*before)


async def test_a_run_restores_the_gc_thresholds(
    pool: asyncpg.Pool, tmp_path: Path, settings: Settings
) -> None:
    before = gc.get_threshold()
    path = write_jsonl(tmp_path / "a.jsonl", sample_lines())
    result = await run_ingester(pool, "jsonl", {"path": str(path)}, settings=settings)
    assert result.ok, result.error
    assert gc.get_threshold() == before


def _dated_history(n: int) -> list[dict[str, Any]]:
    """n new researchers whose stints have dates of every precision, and one stint named twice in
    the batch with two documents."""
    lines: list[dict[str, Any]] = []
    for k in range(n):
        person = {"name": f"Dated Person {k}", "ids": {"orcid": f"0000-0003-0000-{k:03d}X"}}
        stints = [
            ("Lab D", {"start": "2008", "end": "2012-06"}, "a"),
            ("Lab E", {"start": "2012-09-01", "years": [2013, 2014]}, "b"),
            ("Lab F", {"years": [2019, 2017, NOW]}, "c"),
        ]
        for name, dates, key in stints:
            for doc in ("cv", "profile") if key == "b" else ("cv",):
                lines.append(
                    {
                        "type": "affiliation_seen",
                        "person": person,
                        "institution": {"name": name, "country_code": "DE"},
                        "source_key": f"{k}:{key}",
                        "document_url": f"https://{doc}.example/{k}",
                        **dates,
                    }
                )
    return lines


async def test_history_known_before_the_insert_is_the_one_stored(
    pool: asyncpg.Pool, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The moves of researchers a batch creates are inferred from their stints as built for the
    insert (sent ahead while the inference runs): that history must be the one stored."""
    from service.db.stores import affiliations
    from service.ingest.writer import BatchWriter

    compared: list[int] = []
    write = BatchWriter.write

    async def checked_write(self: BatchWriter, items: Any) -> Any:
        outcome = await write(self, items)
        if self.fresh_history:  # read back in the batch's transaction, before its commit
            stored: dict[int, list[dict[str, Any]]] = {}
            for row in await affiliations.history(self.conn, sorted(self.fresh_history)):
                stored.setdefault(row["researcher_id"], []).append(row)
            assert stored == self.fresh_history
            compared.extend(self.fresh_history)
        return outcome

    monkeypatch.setattr(BatchWriter, "write", checked_write)
    path = write_jsonl(tmp_path / "h.jsonl", _history(6) + _dated_history(6))
    result = await run_ingester(
        pool, "jsonl", {"path": str(path)}, settings=load_settings(ingest_batch_size=9)
    )
    assert result.ok, result.error
    # every researcher but the third: its profile ends the first batch of 9 lines and its
    # stints open the second, where it is a stored researcher whose history is read back
    assert len(set(compared)) == 11
    async with pool.acquire() as conn:
        documents = await conn.fetchval(
            "SELECT max(cardinality(d)) FROM (SELECT array_agg(document_id) AS d FROM evidence "
            "WHERE affiliation_id IS NOT NULL GROUP BY affiliation_id) s"
        )
        movers = await conn.fetchval("SELECT count(DISTINCT researcher_id) FROM move")
    assert documents == 2  # the stint named twice has both documents
    assert movers == 12
