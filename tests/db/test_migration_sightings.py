"""Revision 0010: researcher sightings and move doubts, up and down."""

from __future__ import annotations

import asyncpg

from service.db import migrations


async def _shape(url: str) -> tuple[bool, bool]:
    conn = await asyncpg.connect(url)
    try:
        table = await conn.fetchval("SELECT to_regclass('researcher_sighting') IS NOT NULL")
        column = await conn.fetchval(
            "SELECT EXISTS (SELECT 1 FROM information_schema.columns "
            "WHERE table_name = 'move' AND column_name = 'doubts')"
        )
        return bool(table), bool(column)
    finally:
        await conn.close()


async def test_sightings_revision_upgrades_and_downgrades(empty_db_url: str) -> None:
    await migrations.upgrade_async(empty_db_url, "0010")
    assert await _shape(empty_db_url) == (True, True)
    await migrations.downgrade_async(empty_db_url, "0009")
    assert await _shape(empty_db_url) == (False, False)
    await migrations.upgrade_async(empty_db_url, "0010")
    assert await _shape(empty_db_url) == (True, True)
