"""What the REST side needs beyond the shared lists: whole-list streaming for exports.

It builds on the same ``ListQuery``/``Ordering`` pieces as every list, so an export returns
exactly the rows the pages would, in the same order, just without a page limit.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, Callable
from typing import Any, TypeVar

import asyncpg

from service.db.queries.pagination import (
    ListQuery,
    Ordering,
)

R = TypeVar("R")

EXPORT_PREFETCH = 2000


def export_sql(query: ListQuery, ordering: Ordering) -> tuple[str, list[Any]]:
    """The whole list in page order, without a limit."""
    direction = " DESC" if ordering.descending else ""
    order = ", ".join(f"{expr}{direction}" for expr, _ in ordering.keys)
    sql = f"SELECT {query.columns} FROM {query.source} WHERE {query.where_sql()} ORDER BY {order}"
    return sql, list(query.params.values)


async def stream_rows(
    conn: asyncpg.Connection,
    query: ListQuery,
    ordering: Ordering,
    factory: Callable[[asyncpg.Record], R],
    *,
    prefetch: int = EXPORT_PREFETCH,
) -> AsyncGenerator[R, None]:
    """Every row of the list through a server-side cursor, in one read-only snapshot.

    Memory stays at about ``prefetch`` rows however long the list is.
    """
    sql, params = export_sql(query, ordering)
    async with conn.transaction(isolation="repeatable_read", readonly=True):
        async for record in conn.cursor(sql, *params, prefetch=prefetch):
            yield factory(record)
