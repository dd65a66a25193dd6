"""Revision 0009: baseline series and education tables, their constraints, and its downgrade."""

from __future__ import annotations

import asyncpg
import pytest

from service.db import migrations


async def _tables(conn: asyncpg.Connection) -> set[str]:
    rows = await conn.fetch("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
    return {r["tablename"] for r in rows}


async def test_revision_adds_and_removes_its_tables(empty_db_url: str) -> None:
    await migrations.upgrade_async(empty_db_url, "0009")
    conn = await asyncpg.connect(empty_db_url)
    try:
        assert {"baseline_series", "baseline_rate", "education"} <= await _tables(conn)
        await migrations.downgrade_async(empty_db_url, "0008")
        assert not {"baseline_series", "baseline_rate", "education"} & await _tables(conn)
        await migrations.upgrade_async(empty_db_url, "0009")
        assert "education" in await _tables(conn)
    finally:
        await conn.close()


@pytest.mark.parametrize(
    ("sql", "what"),
    [
        (
            "INSERT INTO education (researcher_id, institution_id, degree, source) "
            "VALUES (1, 1, 'diploma', 't')",
            "degree",
        ),
        (
            "INSERT INTO education (researcher_id, institution_id, degree, source, start_date, "
            "start_precision, end_date, end_precision) VALUES (1, 1, 'master', 't', "
            "'2020-01-01', 'year', '2019-01-01', 'year')",
            "end before start",
        ),
        (
            "INSERT INTO baseline_series (name, measure, license, attribution, source) "
            "VALUES ('Bad Name', 'migration', 'CC BY 4.0', 'x', 't')",
            "series name",
        ),
        (
            "INSERT INTO baseline_series (name, measure, license, attribution, source) "
            "VALUES ('s', 'fertility', 'CC BY 4.0', 'x', 't')",
            "measure",
        ),
    ],
)
async def test_constraints_refuse_bad_rows(pool: asyncpg.Pool, sql: str, what: str) -> None:
    async with pool.acquire() as conn:
        await conn.execute(
            "INSERT INTO researcher (id, display_name) OVERRIDING SYSTEM VALUE VALUES (1, 'A')"
        )
        await conn.execute(
            "INSERT INTO institution (id, slug, name) OVERRIDING SYSTEM VALUE VALUES (1, 'a', 'A')"
        )
        with pytest.raises(asyncpg.IntegrityConstraintViolationError):
            await conn.execute(sql)
