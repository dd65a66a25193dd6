"""Streaming CSV exports of whole lists.

The connection is taken before the response starts (so an unavailable database is still a clean
503), rows come through a server-side cursor in one read-only snapshot, and the CSV is written
as they arrive. Whatever happens (end of rows, client gone, error), the cursor's transaction is
closed and the connection goes back to the pool.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncGenerator, Awaitable, Callable, Sequence
from typing import Any

import asyncpg
from starlette.requests import Request
from starlette.responses import StreamingResponse
from starlette.types import Receive, Scope, Send

from service.api.rest.endpoint import acquire_for
from service.api.rest.responses import csv_chunks, csv_value
from service.db.queries.pagination import ListQuery, Ordering
from service.db.queries.rest_extras import stream_rows

logger = logging.getLogger(__name__)

QueryBuilder = Callable[[asyncpg.Connection], Awaitable[tuple[ListQuery, Ordering]]]


class ExportResponse(StreamingResponse):
    """A CSV stream that owns a pooled connection until the last byte (or a disconnect)."""

    def __init__(
        self,
        request: Request,
        conn: asyncpg.Connection,
        pool: asyncpg.Pool,
        rows: AsyncGenerator[Any, None],
        columns: Sequence[str],
        filename: str,
        to_values: Callable[[Any], list[Any]],
    ) -> None:
        self._request = request
        self._conn = conn
        self._pool = pool
        self._rows = rows
        super().__init__(
            csv_chunks(columns, rows, to_values),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{filename}.csv"'},
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await super().__call__(scope, receive, send)
        finally:
            try:
                await self._rows.aclose()
            finally:
                await self._pool.release(self._conn)


async def export_list(
    request: Request,
    build: QueryBuilder,
    columns: Sequence[str],
    filename: str,
) -> ExportResponse:
    """Stream every row of a list as CSV, ignoring the page limit.

    The list's columns are read in ``columns`` order straight from the records (no row objects),
    which keeps a large export quick as well as small.
    """
    conn, pool = await acquire_for(request)
    try:
        query, ordering = await build(conn)
    except BaseException:
        await pool.release(conn)
        raise
    names = tuple(columns)

    def values(record: asyncpg.Record) -> list[Any]:
        return [csv_value(record[name]) for name in names]

    rows = stream_rows(conn, query, ordering, values)
    return ExportResponse(request, conn, pool, rows, columns, filename, _identity)


def _identity(values: list[Any]) -> list[Any]:
    return values
