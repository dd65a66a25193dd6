"""Ids taken from a table's identity sequence before its rows are inserted."""

from __future__ import annotations

import asyncpg


async def next_ids(conn: asyncpg.Connection, table: str, count: int) -> list[int]:
    """``count`` new ids of ``table``, in the order an insert of as many rows would take them
    (the rows are then inserted with ``OVERRIDING SYSTEM VALUE``)."""
    if count <= 0:
        return []
    rows = await conn.fetch(
        "SELECT nextval(pg_get_serial_sequence($1, 'id')) AS id FROM generate_series(1, $2)",
        table,
        count,
    )
    return [r["id"] for r in rows]
