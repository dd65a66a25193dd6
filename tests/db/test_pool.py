"""The pool resets a connection's session when it comes back, unless it was marked unchanged."""

from __future__ import annotations

import asyncpg

from service.db.pool import create_pool, mark_unchanged


async def _application_name(pool: asyncpg.Pool, set_to: str, *, unchanged: bool) -> str:
    async with pool.acquire() as conn:
        await conn.execute(f"SET application_name = '{set_to}'")
        if unchanged:
            mark_unchanged(conn)
    async with pool.acquire() as conn:  # the only connection: the same one again
        name: str = await conn.fetchval("SHOW application_name")
    return name


async def test_a_released_connection_is_reset(db_url: str) -> None:
    pool = await create_pool(db_url, min_size=1, max_size=1)
    try:
        assert await _application_name(pool, "changed", unchanged=False) == "talentflow"
    finally:
        await pool.close()


async def test_a_connection_marked_unchanged_skips_the_reset_once(db_url: str) -> None:
    """The mark is a promise made by the caller (the GraphQL fast path, after reads only);
    it is used once and never covers a connection left in a transaction."""
    pool = await create_pool(db_url, min_size=1, max_size=1)
    try:
        assert await _application_name(pool, "kept", unchanged=True) == "kept"
        assert await _application_name(pool, "next", unchanged=False) == "talentflow"
        async with pool.acquire() as conn:
            tx = conn.transaction()
            await tx.start()
            await conn.execute("SET LOCAL application_name = 'in-tx'")
            mark_unchanged(conn)  # ignored: a transaction is open
            await tx.rollback()
            await conn.execute("SET application_name = 'after'")
        async with pool.acquire() as conn:
            assert await conn.fetchval("SHOW application_name") == "talentflow"
    finally:
        await pool.close()
