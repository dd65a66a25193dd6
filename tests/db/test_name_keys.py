"""Researcher name keys (migration 0015) and the search that reads them first.

The keys must always be what a rebuild from the researchers gives, whichever writer changed
the names (ingest, merge, unmerge, split, delete); a search lists exact and prefix key
matches first, in key order, read from the key index, then the other matches by similarity;
the migration goes up (with a backfill) and down.
"""

from __future__ import annotations

import asyncio
import json
from collections import Counter
from typing import Any

import asyncpg
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from service.db import migrations
from service.db.pool import init_connection
from service.db.queries.institutions import has_trigram
from service.db.queries.pagination import InvalidCursor, PageArgs
from service.db.queries.researchers import (
    ResearcherFilter,
    ResearcherOrder,
    count_researchers,
    key_range,
    list_researchers,
)
from service.db.queries.search import search
from service.db.stores import curation
from service.db.stores.researchers import insert_people, update_profiles
from service.domain.names import fold, researcher_search_text

REBUILD = """
    SELECT r.id, k FROM researcher r, tf_researcher_name_keys(r.search_text) AS k
    WHERE r.merged_into_id IS NULL
"""


async def _keys(conn: asyncpg.Connection) -> set[tuple[int, str]]:
    rows = await conn.fetch("SELECT researcher_id, key FROM researcher_name_key")
    return {(r[0], r[1]) for r in rows}


async def _rebuilt(conn: asyncpg.Connection) -> set[tuple[int, str]]:
    return {(r[0], r[1]) for r in await conn.fetch(REBUILD)}


async def _create(conn: asyncpg.Connection, names: list[str]) -> int:
    """A researcher as ingestion stores one, with a sighting from a document of its own."""
    names = list(dict.fromkeys(names))
    aliases = {fold(n): n for n in reversed(names)}
    rid: int = await conn.fetchval("SELECT nextval(pg_get_serial_sequence('researcher', 'id'))")
    await insert_people(
        conn,
        [
            {
                "id": rid,
                "display_name": names[0],
                "native_name": None,
                "search_text": researcher_search_text(names),
                "topics": [],
                "works_count": None,
                "cited_by_count": None,
                "h_index": None,
            }
        ],
        [],
        [(rid, n, key, "test") for key, n in aliases.items()],
    )
    doc = await conn.fetchval(
        "INSERT INTO document (kind, url, source) VALUES ('publication', $1, 'test') RETURNING id",
        f"https://papers.example/{rid}",
    )
    await conn.execute(
        "INSERT INTO researcher_sighting (researcher_id, fingerprint, document_id, source, names) "
        "VALUES ($1, $2, $3, 'test', $4)",
        rid,
        f"fp{rid}",
        doc,
        names,
    )
    return rid


# --------------------------------------------------------------------------------------------
# Upkeep: the keys equal a rebuild after random writes through the product's writers

GIVEN = ("Wei", "Li", "Anna", "Yang", "Jean-Pierre", "Ångström")
FAMILY = ("Zhang", "Yang", "Müller", "O'Neil", "Li", "Smith")
NAMES = st.builds(lambda g, f: f"{g} {f}", st.sampled_from(GIVEN), st.sampled_from(FAMILY)) | (
    st.sampled_from(("姚顺雨", "Yao Shunyu", "S. Yao", ""))
)
PICK = st.integers(0, 5)
OPERATIONS = st.one_of(
    st.tuples(st.just("create"), st.lists(NAMES, min_size=1, max_size=3)),
    st.tuples(st.just("rename"), PICK, st.lists(NAMES, min_size=1, max_size=3)),
    st.tuples(st.just("touch"), PICK),
    st.tuples(st.just("merge"), PICK, PICK),
    st.tuples(st.just("unmerge"), PICK),
    st.tuples(st.just("split"), PICK),
    st.tuples(st.just("delete"), PICK),
)


async def _apply(conn: asyncpg.Connection, people: list[int], op: tuple[Any, ...]) -> bool:
    """Apply ``op`` when it applies to the researchers there are; whether it did."""
    kind = op[0]
    if kind == "create":
        people.append(await _create(conn, [n for n in op[1] if n] or ["Nobody"]))
        return True
    if not people:
        return False
    rid = people[op[1] % len(people)]
    if kind in ("rename", "touch"):  # the ingest's profile update; "touch" keeps the names
        row = await conn.fetchrow("SELECT * FROM researcher WHERE id = $1", rid)
        names = [n for n in op[2] if n] if kind == "rename" else []
        text = researcher_search_text(names) if names else row["search_text"]
        await update_profiles(
            conn,
            [
                {
                    "id": rid,
                    "native_name": row["native_name"],
                    "topics": list(row["topics"]),
                    "works_count": (row["works_count"] or 0) + 1,
                    "cited_by_count": row["cited_by_count"],
                    "h_index": row["h_index"],
                    "search_text": text,
                }
            ],
        )
    elif kind == "merge":
        target = people[op[2] % len(people)]
        roots = await conn.fetch(
            "SELECT id, merged_into_id FROM researcher WHERE id = ANY($1::bigint[])", [rid, target]
        )
        if rid == target or any(r["merged_into_id"] is not None for r in roots):
            return False
        await curation.merge_researchers(conn, rid, target, actor="test")
    elif kind == "unmerge":  # one of the merged researchers, if any
        merged = await conn.fetch(
            "SELECT id FROM researcher WHERE merged_into_id IS NOT NULL ORDER BY id"
        )
        if not merged:
            return False
        await curation.unmerge_researcher(conn, merged[op[1] % len(merged)][0], actor="test")
    elif kind == "split":  # one of the researchers with two sightings or more, if any
        roots = await conn.fetch(
            "SELECT coalesce(r.merged_into_id, r.id) AS root, max(d.url) AS url "
            "FROM researcher_sighting s JOIN document d ON d.id = s.document_id "
            "JOIN researcher r ON r.id = s.researcher_id "
            "GROUP BY 1 HAVING count(*) >= 2 ORDER BY 1"
        )
        if not roots:
            return False
        root, url = roots[op[1] % len(roots)]
        _, new = await curation.split_researcher(conn, root, [url], actor="test")
        people.append(new)
    elif kind == "delete":
        await conn.execute(
            "DELETE FROM researcher WHERE id = $1 "
            "AND NOT EXISTS (SELECT 1 FROM researcher x WHERE x.merged_into_id = $1)",
            rid,
        )
        if await conn.fetchval("SELECT count(*) FROM researcher WHERE id = $1", rid):
            return False
        people.remove(rid)
    return True


def test_keys_equal_a_rebuild_after_random_writes(db_url: str) -> None:
    applied: Counter[str] = Counter()

    async def example(first: list[list[str]], ops: list[tuple[Any, ...]]) -> None:
        conn = await asyncpg.connect(db_url)
        await init_connection(conn)  # JSON codecs, as the pool's connections have
        try:
            await conn.execute("TRUNCATE researcher, document, audit_log CASCADE")
            assert await _keys(conn) == set()  # the truncate trigger emptied the keys
            people: list[int] = []
            for op in [("create", names) for names in first] + ops:
                applied[op[0]] += await _apply(conn, people, op)
                assert await _keys(conn) == await _rebuilt(conn), op
            applied["keys"] += len(await _keys(conn))
        finally:
            await conn.close()

    @settings(
        max_examples=80,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        database=None,
        derandomize=True,  # the same examples every run: the coverage check below is stable
    )
    @given(
        first=st.lists(st.lists(NAMES, min_size=1, max_size=3), min_size=2, max_size=5),
        ops=st.lists(OPERATIONS, min_size=1, max_size=20),
    )
    def run(first: list[list[str]], ops: list[tuple[Any, ...]]) -> None:
        asyncio.run(example(first, ops))

    run()
    # every writer ran, and keys were written (a run that wrote nothing would prove nothing)
    assert all(applied[k] for k in ("create", "rename", "merge", "unmerge", "split", "delete")), (
        applied
    )
    assert applied["keys"] > 0, applied


# --------------------------------------------------------------------------------------------
# Ranking


async def _people(conn: asyncpg.Connection, *names: str | list[str]) -> list[int]:
    return [await _create(conn, [n] if isinstance(n, str) else n) for n in names]


async def test_exact_matches_first_then_prefixes_in_key_order_then_the_rest(
    pool: asyncpg.Pool,
) -> None:
    async with pool.acquire() as conn:
        trgm = await has_trigram(conn)  # the embedded PostgreSQL has no pg_trgm
        longer, infix, exact2, other, exact1, prefix = await _people(
            conn,
            "Wei Zhangsan",  # key "wei zhangsan": a prefix match
            "Liwei Zhang",  # "liwei zhang": both tokens, inside a word: trigram path only
            "Wei Zhang",
            "Anna Smith",
            ["Zhang Wei", "W. Zhang"],  # "zhang wei" and "wei zhang" (both orders) are keys
            "Wei Zhang Jr",  # "wei zhang jr": a prefix match
        )
        for trigram in (True, False) if trgm else (False,):
            page = await list_researchers(
                conn,
                ResearcherFilter(search="Wei Zhang"),
                None,
                PageArgs(first=10),
                trigram=trigram,
            )
            ids = [r.id for r in page.items]
            # exact (by id), then "wei zhang jr" < "wei zhangsan" in key order, then the rest
            assert ids == [exact2, exact1, prefix, longer, infix], (trigram, ids)
            assert other not in ids
            assert await count_researchers(conn, ResearcherFilter(search="Wei Zhang")) == 5
        # the one-box search ranks the same way
        found = await search(conn, "wei zhang", 3, trigram=trgm)
        assert [r.id for r in found.researchers] == [exact2, exact1, prefix]
        # a misspelt or infix search finds nothing by key and answers from the trigram path
        page = await list_researchers(
            conn, ResearcherFilter(search="iwei zhan"), None, PageArgs(first=5), trigram=trgm
        )
        assert [r.id for r in page.items] == [infix]
        # another explicit order is not tiered
        page = await list_researchers(
            conn,
            ResearcherFilter(search="Wei Zhang"),
            ResearcherOrder.NEWEST,
            PageArgs(first=10),
            trigram=trgm,
        )
        assert [r.id for r in page.items] == sorted([exact2, exact1, prefix, longer, infix])[::-1]


async def test_pages_through_both_tiers_forward_and_backward(pool: asyncpg.Pool) -> None:
    async with pool.acquire() as conn:
        trgm = await has_trigram(conn)  # the embedded PostgreSQL has no pg_trgm
        await _people(conn, *(f"{g} Yang" for g in ("Li", "Anna", "Wei")))
        await _people(conn, "Yang Li", "Yang Wei", ["Yang Anna", "Yang Annabel"], "Jiayang Li")
        flt = ResearcherFilter(search="yang")
        whole = await list_researchers(conn, flt, None, PageArgs(first=50), trigram=trgm)
        everyone = [r.id for r in whole.items]
        assert len(everyone) == len(set(everyone)) == 7
        for size in (1, 2, 3, 4):
            got: list[int] = []
            after = None
            while True:
                page = await list_researchers(
                    conn, flt, None, PageArgs(first=size, after=after), trigram=trgm
                )
                got += [r.id for r in page.items]
                if not page.has_next:
                    break
                after = page.end_cursor
            assert got == everyone, size
            back: list[int] = []
            before = None
            while True:
                page = await list_researchers(
                    conn, flt, None, PageArgs(last=size, before=before), trigram=trgm
                )
                back = [r.id for r in page.items] + back
                if not page.has_previous:
                    break
                before = page.start_cursor
            assert back == everyone, size
        with pytest.raises(InvalidCursor):
            other = await list_researchers(
                conn, flt, ResearcherOrder.NAME, PageArgs(first=1), trigram=trgm
            )
            await list_researchers(
                conn, flt, None, PageArgs(first=1, after=other.end_cursor), trigram=trgm
            )


def test_key_range_is_the_prefix_range() -> None:
    assert key_range("wei zhang") == ("wei zhang", "wei zhanh")
    assert key_range("a\U0010ffff") == ("a\U0010ffff", "b")
    assert key_range("\U0010ffff") == ("\U0010ffff", None)
    assert key_range("a\ud7ff") == ("a\ud7ff", "a\ue000")


async def test_prefix_path_reads_the_key_index(pool: asyncpg.Pool) -> None:
    """With many namesakes, the first tier is a range of the key index in key order (no sort,
    no trigram scan), stopped after a page."""
    statements: list[tuple[str, tuple[Any, ...]]] = []

    class Recording:
        def __init__(self, conn: asyncpg.Connection) -> None:
            self.conn = conn

        async def fetch(self, query: str, *args: Any) -> list[asyncpg.Record]:
            statements.append((query, args))
            rows: list[asyncpg.Record] = await self.conn.fetch(query, *args)
            return rows

        async def fetchrow(self, query: str, *args: Any) -> asyncpg.Record | None:
            return await self.conn.fetchrow(query, *args)

        async def fetchval(self, query: str, *args: Any, column: int = 0) -> Any:
            return await self.conn.fetchval(query, *args, column=column)

    async with pool.acquire() as conn:
        trgm = await has_trigram(conn)  # the embedded PostgreSQL has no pg_trgm
        await conn.execute(
            """
            INSERT INTO researcher (display_name, search_text)
            SELECT g || ' ' || f, lower(g || ' ' || f || ' | ' || f || ' ' || g)
            FROM unnest(ARRAY['Wei','Li','Anna','Jun','Maria','Tom','Yu','Ivan']) g,
                 unnest(ARRAY['Zhang','Wang','Smith','Kim','Garcia','Chen']) f,
                 generate_series(1, 60)
            """
        )
        await conn.execute(  # a common name: its namesakes outnumber a page many times over
            "INSERT INTO researcher (display_name, search_text) "
            "SELECT 'Wei Zhang', 'wei zhang | zhang wei' FROM generate_series(1, 3000)"
        )
        await conn.execute("ANALYZE researcher, researcher_name_key")
        page = await list_researchers(
            Recording(conn),
            ResearcherFilter(search="wei zhang"),
            None,
            PageArgs(first=20),
            trigram=trgm,
        )
        assert len(page.items) == 20 and page.has_next
        assert len(statements) == 1  # the page came from the key tier alone
        sql, args = statements[0]
        plan = json.dumps(await conn.fetchval(f"EXPLAIN (ANALYZE, FORMAT JSON) {sql}", *args))
        assert "researcher_name_key_key_idx" in plan, plan
        assert '"Sort"' not in plan and "researcher_search_trgm_idx" not in plan, plan


# --------------------------------------------------------------------------------------------
# Migration


async def test_migration_backfills_and_downgrades(empty_db_url: str) -> None:
    await migrations.upgrade_async(empty_db_url, "0014")
    conn = await asyncpg.connect(empty_db_url)
    try:
        ids = [
            await conn.fetchval(
                "INSERT INTO researcher (display_name, search_text) VALUES ($1, $2) RETURNING id",
                name,
                researcher_search_text([name]),
            )
            for name in ("Wei Zhang", "姚顺雨", "Anna Smith")
        ]
        await conn.execute("UPDATE researcher SET merged_into_id = $1 WHERE id = $2", *ids[::2])
        await migrations.upgrade_async(empty_db_url, "0015")
        keys = await _keys(conn)
        assert keys == await _rebuilt(conn)
        assert (ids[0], "zhang wei") in keys and (ids[1], "yao shunyu") in keys
        assert not any(rid == ids[2] for rid, _ in keys)  # merged: no keys
        await migrations.downgrade_async(empty_db_url, "0014")
        assert await conn.fetchval("SELECT to_regclass('researcher_name_key')") is None
        assert not await conn.fetchval(
            "SELECT count(*) FROM pg_trigger WHERE tgname LIKE 'researcher_name_key%'"
        )
        assert not await conn.fetchval(
            "SELECT count(*) FROM pg_proc WHERE proname LIKE 'tf_researcher_name_key%'"
        )
        # the writers still work without the keys, and going up again fills them
        await conn.execute("UPDATE researcher SET search_text = 'x y' WHERE id = $1", ids[1])
        await migrations.upgrade_async(empty_db_url, "head")
        assert (ids[1], "x y") in await _keys(conn)
        assert await _keys(conn) == await _rebuilt(conn)
    finally:
        await conn.close()
