"""Statements sent ahead: they run in the order issued, and their errors are not lost."""

from __future__ import annotations

import asyncpg
import pytest

from service.db.ordered import OrderedConnection, send_ahead, settle

SLOW_INSERT = "INSERT INTO t (id) SELECT $1::int FROM pg_sleep(0.3)"


async def _table(conn: asyncpg.Connection) -> None:
    await conn.execute("CREATE TEMP TABLE t (id int PRIMARY KEY)")


async def test_the_pool_hands_out_ordered_connections(pool: asyncpg.Pool) -> None:
    async with pool.acquire() as conn:
        assert type(conn._con) is OrderedConnection  # isinstance holds for any connection


async def test_a_statement_sent_ahead_is_answered_before_the_next_one(
    pool: asyncpg.Pool,
) -> None:
    async with pool.acquire() as conn:
        await _table(conn)
        async with conn.transaction():
            pending = await send_ahead(conn, conn.execute(SLOW_INSERT, 1))
            # the caller goes on while PostgreSQL sleeps; the next statement waits for it
            assert not pending.done()
            assert await conn.fetchval("SELECT count(*) FROM t") == 1
            assert await pending == "INSERT 0 1"
            second = await send_ahead(conn, conn.fetchval("SELECT 41 + 1"))
            await settle(conn)
            assert await second == 42


async def test_an_error_sent_ahead_fails_the_next_statement_and_rolls_back(
    pool: asyncpg.Pool,
) -> None:
    async with pool.acquire() as conn:
        await _table(conn)
        await conn.execute("INSERT INTO t VALUES (1)")
        with pytest.raises(asyncpg.UniqueViolationError):
            async with conn.transaction():
                await conn.execute("INSERT INTO t VALUES (2)")
                await send_ahead(conn, conn.execute(SLOW_INSERT, 1))  # a duplicate
                await conn.execute("INSERT INTO t VALUES (3)")  # raises the error above
        assert await conn.fetch("SELECT id FROM t ORDER BY id") == [(1,)]  # 2 rolled back


async def test_settle_raises_the_error_unless_told_to_be_quiet(pool: asyncpg.Pool) -> None:
    async with pool.acquire() as conn:
        await _table(conn)
        await conn.execute("INSERT INTO t VALUES (1)")
        await send_ahead(conn, conn.execute(SLOW_INSERT, 1))
        with pytest.raises(asyncpg.UniqueViolationError):
            await settle(conn)
        await send_ahead(conn, conn.execute(SLOW_INSERT, 1))
        await settle(conn, quiet=True)  # a caller already failing only needs the connection
        assert await conn.fetchval("SELECT count(*) FROM t") == 1


async def test_a_plain_connection_runs_the_statement_at_once(db_url: str) -> None:
    conn = await asyncpg.connect(db_url)
    try:
        await _table(conn)
        pending = await send_ahead(conn, conn.execute(SLOW_INSERT, 1))
        assert pending.done()
        assert await pending == "INSERT 0 1"
        await settle(conn)  # nothing to wait for
    finally:
        await conn.close()
