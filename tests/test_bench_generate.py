"""The benchmark generator: its education stints, the stream of blocks it generates (dense
ids, exact totals, the same rows for the same seed), and its load, which drops the data
tables' secondary indexes and foreign keys for the COPY and leaves the schema exactly as the
migrations made it (a small scale, so it runs in the suite)."""

from __future__ import annotations

from collections import Counter
from typing import Any

import asyncpg
import pytest

from tests import bench_scripts


def test_doctorates_end_when_the_first_stint_starts() -> None:
    gen = bench_scripts.load("generate")
    ds = gen.generate(7, 0.001)
    first: dict[int, int] = {}
    for aff in ds.rows["affiliation"]:
        first[aff[1]] = min(first.get(aff[1], 9999), aff[4].year)
    edu = ds.rows["education"]
    phds = {row[1]: row for row in edu if row[3] == "doctorate"}
    bachelors = [row for row in edu if row[3] == "bachelor"]
    researchers = len(ds.rows["researcher"])
    assert 0.6 * researchers < len(phds) < 0.8 * researchers
    assert 0.7 * len(phds) < len(bachelors) < 0.9 * len(phds)
    for rid, phd in phds.items():
        assert phd[6].year == first[rid] and phd[4].year == first[rid] - 5
    for ba in bachelors:
        assert ba[6].year == phds[ba[1]][4].year  # the bachelor's ends as the doctorate starts
    kinds = {i.id: i.kind for i in ds.institutions}
    assert {kinds[row[2]] for row in edu} == {"university"}
    # its own random stream: the same seed gives the same rows
    assert gen.generate(7, 0.001).rows["education"] == edu


def _ids(rows: list[tuple[Any, ...]]) -> list[int]:
    return [row[0] for row in rows]


def test_blocks_have_dense_ids_and_exact_totals() -> None:
    gen = bench_scripts.load("generate")
    # Blocks of 70 researchers, so the 400 researchers of this scale span six of them.
    ds = gen.generate(3, 0.002, block=70)
    n_res, n_moves = 400, 2000
    for table in ("researcher", "move", "affiliation", "evidence", "education", "document"):
        assert _ids(ds.rows[table]) == list(range(1, len(ds.rows[table]) + 1)), table
    assert len(ds.rows["researcher"]) == n_res and len(ds.rows["move"]) == n_moves
    assert len(ds.rows["document"]) == int(n_moves * 0.8)
    moves = Counter(m[1] for m in ds.rows["move"])
    stints = Counter(a[1] for a in ds.rows["affiliation"])
    assert all(stints[rid] == moves[rid] + 1 >= 2 for rid in range(1, n_res + 1))
    assert {e[1] for e in ds.rows["evidence"]} <= set(range(1, len(ds.rows["document"]) + 1))
    assert {e[2] for e in ds.rows["evidence"]} == set(range(1, n_moves + 1))
    # each block gets its exact share of the moves, so a block's ids do not depend on the rest
    first_block = [m for m in ds.rows["move"] if m[1] <= 70]
    assert len(first_block) == n_moves * 70 // n_res


def test_the_stream_is_deterministic_per_seed_and_scale() -> None:
    gen = bench_scripts.load("generate")
    a = list(gen.generate_blocks(5, 0.001))
    assert a == list(gen.generate_blocks(5, 0.001))
    b = list(gen.generate_blocks(6, 0.001))
    assert a[1]["move"] != b[1]["move"]
    # a block's rows: bounded by the block size, not by the scale
    blocks = list(gen.generate_blocks(5, 0.02, block=500, doc_block=5000))
    assert [len(rows.get("researcher", ())) for rows in blocks] == [0, *[500] * 8, 0, 0, 0, 0]
    assert max(len(rows.get("move", ())) for rows in blocks) == 2500  # 1,000,000 / 200,000
    assert max(len(rows.get("document", ())) for rows in blocks) == 5000


def test_the_shape_is_the_full_scale_shape() -> None:
    """The skews the benchmarks depend on (compared with the in-memory generator this one
    replaced, at scale 0.1, seed 42: cross-border 0.312, top 1% of institutions 0.161 of the
    arrivals, 0.631 of moves since 2020, 1.60 evidence rows per move)."""
    gen = bench_scripts.load("generate")
    ds = gen.generate(42, 0.1)
    mv = ds.rows["move"]
    n = len(mv)
    cross = sum(1 for m in mv if m[4] and m[5] and m[4] != m[5]) / n
    arrivals = Counter(m[3] for m in mv if m[3])
    top = sum(c for _, c in arrivals.most_common(max(1, len(ds.institutions) // 100))) / n
    recent = sum(1 for m in mv if m[6].year >= 2020) / n
    per = Counter(m[1] for m in mv)
    assert 0.27 < cross < 0.35
    assert 0.08 < top < 0.30
    assert 0.58 < recent < 0.68
    assert 1.5 < len(ds.rows["evidence"]) / n < 1.7
    assert max(per.values()) > 4 * n / len(ds.rows["researcher"])  # a few move many times


SCHEMA = {
    "indexes": "SELECT tablename, indexname, indexdef FROM pg_indexes "
    "WHERE schemaname = 'public' ORDER BY 1, 2",
    "constraints": "SELECT conrelid::regclass::text, conname, contype, "
    "pg_get_constraintdef(oid), convalidated, condeferrable, condeferred "
    "FROM pg_constraint WHERE connamespace = 'public'::regnamespace ORDER BY 1, 2",
    "triggers": "SELECT tgrelid::regclass::text, tgname, tgenabled, pg_get_triggerdef(oid) "
    "FROM pg_trigger WHERE NOT tgisinternal AND tgrelid IN (SELECT oid FROM pg_class WHERE relnamespace = "
    "'public'::regnamespace) ORDER BY 1, 2",
}


async def _schema(conn: asyncpg.Connection) -> dict[str, list[tuple[Any, ...]]]:
    return {k: [tuple(r) for r in await conn.fetch(q)] for k, q in SCHEMA.items()}


async def test_the_load_leaves_the_schema_as_migrated(db_url: str) -> None:
    gen = bench_scripts.load("generate")
    conn = await asyncpg.connect(db_url)
    try:
        before = await _schema(conn)
        deferred = await gen.defer_indexes(conn, list(gen.COLUMNS))
        counts = await gen.load_blocks(db_url, gen.generate_blocks(7, 0.002, block=90), reset=False)
        after = await _schema(conn)
        evidence = await conn.fetchval("SELECT count(*) FROM evidence")
        orphans = await conn.fetchval(
            "SELECT count(*) FROM evidence e LEFT JOIN document d ON d.id = e.document_id "
            "WHERE d.id IS NULL"
        )
    finally:
        await conn.close()
    # the load did drop something: unique constraints, foreign keys, the trigram indexes
    assert len(deferred.drops) > 40
    assert any("gin_trgm_ops" in s for s in deferred.rebuilds)
    assert any("FOREIGN KEY" in s for s in deferred.rebuilds)
    assert any("UNIQUE" in s for s in deferred.rebuilds)
    assert after == before
    assert counts["move"] == 2000 and evidence == counts["evidence"] and orphans == 0


async def test_a_failed_load_leaves_schema_and_tables_untouched(db_url: str) -> None:
    gen = bench_scripts.load("generate")
    conn = await asyncpg.connect(db_url)
    try:
        before = await _schema(conn)
        ds = gen.generate(7, 0.001)
        # two documents with one URL: the unique constraint's rebuild after the COPY fails
        doc = ds.rows["document"]
        doc[1] = (doc[1][0], doc[1][1], doc[0][2], *doc[1][3:])
        with pytest.raises(asyncpg.UniqueViolationError):
            await gen.load(db_url, ds, reset=False)
        assert await _schema(conn) == before
        assert await conn.fetchval("SELECT count(*) FROM move") == 0
    finally:
        await conn.close()


async def test_the_educations_load(db_url: str) -> None:
    gen = bench_scripts.load("generate")
    ds = gen.generate(7, 0.001)
    counts = await gen.load(db_url, ds, reset=False)
    assert counts["education"] == len(ds.rows["education"])
    conn = await asyncpg.connect(db_url)
    try:
        stored = await conn.fetchval("SELECT count(*) FROM education WHERE degree = 'doctorate'")
        next_id = await conn.fetchval(
            "INSERT INTO education (researcher_id, institution_id, degree, source) "
            "SELECT 1, institution_id, 'postdoc', 'test' FROM education LIMIT 1 RETURNING id"
        )
    finally:
        await conn.close()
    assert stored == sum(1 for row in ds.rows["education"] if row[3] == "doctorate")
    assert next_id == len(ds.rows["education"]) + 1  # the identity follows the COPYed ids
