"""A new institution takes the first free slug from its base, without a runaway series."""

from __future__ import annotations

import asyncpg

from service.db.stores.institution_writes import create_unreviewed


async def _create(conn: asyncpg.Connection, base: str) -> str:
    _, slug, _, _ = await create_unreviewed(
        conn,
        base_slug=base,
        name=base.title(),
        kind="company",
        country_code=None,
        city=None,
        website=None,
        parent_id=None,
        search_text=base,
        aliases=[],
        pairs=[],
        source="test",
    )
    return slug


async def test_a_taken_slug_gets_the_first_free_suffix_at_once(db_url: str) -> None:
    conn = await asyncpg.connect(db_url)
    try:
        # The old statement materialised generate_series(2, 2^31) whenever the base slug was
        # taken, which ran into any statement timeout.
        await conn.execute("SET statement_timeout = '3s'")
        assert await _create(conn, "acme-labs") == "acme-labs"
        assert await _create(conn, "acme-labs") == "acme-labs-2"
        await conn.execute(
            "INSERT INTO institution (slug, name, search_text) "
            "VALUES ('acme-labs-3', 'x', 'x'), ('acme-labs-5', 'y', 'y')"
        )
        assert await _create(conn, "acme-labs") == "acme-labs-4"
        assert await _create(conn, "acme-labs") == "acme-labs-6"
    finally:
        await conn.close()
