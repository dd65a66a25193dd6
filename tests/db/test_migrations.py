"""Migrations: from empty to head, down to base and up again; constraints hold."""

from __future__ import annotations

from decimal import Decimal

import asyncpg
import pytest

from service.db import migrations

TABLES = {
    "institution",
    "institution_alias",
    "institution_external_id",
    "researcher",
    "researcher_alias",
    "researcher_external_id",
    "affiliation",
    "move",
    "document",
    "evidence",
    "job_posting",
    "ingest_run",
    "ingest_reject",
    "plugin_state",
    "http_cache",
    "api_key",
    "candidate_match",
    "audit_log",
}


async def _tables(url: str) -> set[str]:
    conn = await asyncpg.connect(url)
    try:
        rows = await conn.fetch(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'alembic_version'"
        )
        return {r["tablename"] for r in rows}
    finally:
        await conn.close()


async def test_upgrade_from_empty_downgrade_to_base_and_up_again(empty_db_url: str) -> None:
    assert await _tables(empty_db_url) == set()
    await migrations.upgrade_async(empty_db_url)
    assert await _tables(empty_db_url) >= TABLES
    conn = await asyncpg.connect(empty_db_url)
    try:
        assert await migrations.current_revision(conn) == migrations.head_revision()
        await migrations.check_at_head(conn)
    finally:
        await conn.close()

    await migrations.downgrade_async(empty_db_url, "base")
    assert await _tables(empty_db_url) == set()

    await migrations.upgrade_async(empty_db_url)
    assert await _tables(empty_db_url) >= TABLES


async def test_each_revision_downgrades_one_step(empty_db_url: str) -> None:
    await migrations.upgrade_async(empty_db_url)
    head = migrations.head_revision()
    await migrations.downgrade_async(empty_db_url, "-1")
    await migrations.upgrade_async(empty_db_url)
    conn = await asyncpg.connect(empty_db_url)
    try:
        assert await migrations.current_revision(conn) == head
    finally:
        await conn.close()


async def test_side_rollup_downgrade_restores_the_compaction_of_0014(empty_db_url: str) -> None:
    """0016 redefines ``tf_compact_move_rollups`` to fold its table too; going back to 0015
    restores 0014's definition exactly, and the side rollup and its triggers are gone."""
    compaction = "SELECT pg_get_functiondef('tf_compact_move_rollups'::regproc)"
    await migrations.upgrade_async(empty_db_url, "0015")
    conn = await asyncpg.connect(empty_db_url)
    try:
        before = await conn.fetchval(compaction)
        await migrations.upgrade_async(empty_db_url, "0016")
        assert "move_rollup_institution_side" in await conn.fetchval(compaction)
        await migrations.downgrade_async(empty_db_url, "0015")
        assert await conn.fetchval(compaction) == before
        assert await conn.fetchval("SELECT to_regclass('move_rollup_institution_side')") is None
        assert not await conn.fetchval(
            "SELECT count(*) FROM pg_trigger WHERE tgname LIKE 'move_rollup_side%'"
        )
    finally:
        await conn.close()


async def test_check_at_head_names_both_revisions(empty_db_url: str) -> None:
    conn = await asyncpg.connect(empty_db_url)
    try:
        with pytest.raises(Exception, match=r"\(empty\).*talentflow db upgrade"):
            await migrations.check_at_head(conn)
    finally:
        await conn.close()


@pytest.mark.parametrize(
    ("sql", "constraint"),
    [
        ("INSERT INTO institution (slug, name, country_code) VALUES ('x', 'X', 'usa')", "country"),
        ("INSERT INTO institution (slug, name) VALUES ('Bad Slug', 'X')", "slug"),
        ("INSERT INTO institution (slug, name, kind) VALUES ('x', 'X', 'castle')", "kind"),
        (
            "INSERT INTO institution_external_id (scheme, value, institution_id) "
            "VALUES ('ror', 'not-a-ror', 1)",
            "ror",
        ),
        (
            "INSERT INTO researcher_external_id (scheme, value, researcher_id) "
            "VALUES ('orcid', '1234', 1)",
            "orcid",
        ),
        (
            "INSERT INTO move (researcher_id, to_institution_id, confidence) VALUES (1, 1, 1.5)",
            "confidence",
        ),
        ("INSERT INTO move (researcher_id, confidence) VALUES (1, 0.5)", "both ends unknown"),
        (
            "INSERT INTO move (researcher_id, to_institution_id, confidence, move_date) "
            "VALUES (1, 1, 0.5, '2020-01-01')",
            "date without precision",
        ),
        (
            "INSERT INTO affiliation (researcher_id, institution_id, source, start_date, "
            "start_precision) VALUES (1, 1, 't', '2020-01-01', 'decade')",
            "precision",
        ),
        (
            "INSERT INTO api_key (name, prefix, key_hash, scopes) VALUES ('k', 'p', 'h', '{root}')",
            "scope",
        ),
    ],
)
async def test_constraints_refuse_bad_rows(pool: asyncpg.Pool, sql: str, constraint: str) -> None:
    async with pool.acquire() as conn:
        await conn.execute("INSERT INTO institution (slug, name) VALUES ('seed-inst', 'Seed')")
        await conn.execute("INSERT INTO researcher (display_name) VALUES ('Someone')")
        with pytest.raises(asyncpg.IntegrityConstraintViolationError):
            await conn.execute(sql)


async def test_unique_external_ids(pool: asyncpg.Pool) -> None:
    async with pool.acquire() as conn:
        a = await conn.fetchval("INSERT INTO researcher (display_name) VALUES ('A') RETURNING id")
        b = await conn.fetchval("INSERT INTO researcher (display_name) VALUES ('B') RETURNING id")
        await conn.execute(
            "INSERT INTO researcher_external_id VALUES ('orcid', '0000-0002-1825-0097', $1)", a
        )
        with pytest.raises(asyncpg.UniqueViolationError):
            await conn.execute(
                "INSERT INTO researcher_external_id VALUES ('orcid', '0000-0002-1825-0097', $1)", b
            )


async def test_move_insert_notifies(pool: asyncpg.Pool, db_url: str) -> None:
    import asyncio

    listener = await asyncpg.connect(db_url)
    got: asyncio.Queue[str] = asyncio.Queue()
    await listener.add_listener("move_recorded", lambda *args: got.put_nowait(args[3]))
    try:
        async with pool.acquire() as conn:
            inst = await conn.fetchval(
                "INSERT INTO institution (slug, name) VALUES ('a', 'A') RETURNING id"
            )
            r = await conn.fetchval(
                "INSERT INTO researcher (display_name) VALUES ('R') RETURNING id"
            )
            move_id = await conn.fetchval(
                "INSERT INTO move (researcher_id, to_institution_id, confidence) "
                "VALUES ($1, $2, 0.9) RETURNING id",
                r,
                inst,
            )
        assert await asyncio.wait_for(got.get(), 5) == str(move_id)
    finally:
        await listener.close()


async def test_confidences_move_to_double_precision_and_back(empty_db_url: str) -> None:
    """0006: a confidence of 0.91 stored as ``real`` read 0.9100000262260437; after the
    upgrade it reads 0.91, and the downgrade puts ``real`` back."""
    await migrations.upgrade_async(empty_db_url, "0005")
    conn = await asyncpg.connect(empty_db_url)
    try:
        inst = await conn.fetchval(
            "INSERT INTO institution (slug, name) VALUES ('x', 'X') RETURNING id"
        )
        a, b = [
            await conn.fetchval(
                "INSERT INTO researcher (display_name, search_text) VALUES ($1, $1) RETURNING id",
                name,
            )
            for name in ("a", "b")
        ]
        move = await conn.fetchval(
            "INSERT INTO move (researcher_id, to_institution_id, confidence) "
            "VALUES ($1, $2, 0.91) RETURNING id",
            a,
            inst,
        )
        doc = await conn.fetchval(
            "INSERT INTO document (kind, url, source) VALUES ('manual', 'u', 't') RETURNING id"
        )
        await conn.execute(
            "INSERT INTO evidence (document_id, move_id, extractor, confidence) "
            "VALUES ($1, $2, 'e', 0.85)",
            doc,
            move,
        )
        await conn.execute(
            "INSERT INTO candidate_match (researcher_id, candidate_id, score) VALUES ($1, $2, 0.73)",
            a,
            b,
        )
        read = (
            "SELECT (SELECT confidence FROM move) AS m, (SELECT confidence FROM evidence) AS e, "
            "(SELECT score FROM candidate_match) AS s"
        )
        assert tuple(await conn.fetchrow(read)) != (0.91, 0.85, 0.73)  # widened float4
        await migrations.upgrade_async(empty_db_url)
        assert tuple(await conn.fetchrow(read)) == (0.91, 0.85, 0.73)
        types = await conn.fetch(
            "SELECT table_name, data_type FROM information_schema.columns "
            "WHERE column_name IN ('confidence', 'score') AND table_schema = 'public' "
            "AND table_name IN ('move', 'evidence', 'candidate_match')"
        )
        assert {r["data_type"] for r in types} == {"double precision"} and len(types) == 3
        assert await conn.fetchval("SELECT json_agg(confidence)::text FROM evidence") == "[0.85]"
        await migrations.downgrade_async(empty_db_url, "0005")
        types = await conn.fetch(
            "SELECT data_type FROM information_schema.columns "
            "WHERE column_name IN ('confidence', 'score') AND table_schema = 'public' "
            "AND table_name IN ('move', 'evidence', 'candidate_match')"
        )
        assert {r["data_type"] for r in types} == {"real"}
        assert await conn.fetchval("SELECT confidence::numeric FROM move") == Decimal("0.91")
    finally:
        await conn.close()
