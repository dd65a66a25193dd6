"""Streaming CSV exports of whole lists.

The connection is taken before the response starts (so an unavailable database is still a clean
503), rows come through a server-side cursor in one read-only snapshot, and the CSV is written
as they arrive. Whatever happens (end of rows, client gone, error), the cursor's transaction is
closed and the connection goes back to the pool.

A client decides how fast an export goes, so exports never take a connection everyone else
needs: they stream from their own small pool (``export_pool_size``; when it is busy, a 503
with ``Retry-After``), and an export whose client takes nothing for ``export_send_timeout_s``
is ended and its connection returned.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncGenerator, Awaitable, Callable, Sequence
from typing import Any, cast

import asyncpg
from starlette.requests import Request
from starlette.responses import StreamingResponse
from starlette.types import Message, Receive, Scope, Send

from service.api.rest.responses import csv_chunks, csv_value
from service.api.state import AppState, get_state
from service.db.pool import acquire as pool_acquire
from service.db.pool import create_pool
from service.db.queries.pagination import ListQuery, Ordering
from service.db.queries.rest_extras import stream_rows
from service.errors import DatabaseUnavailable

logger = logging.getLogger(__name__)

QueryBuilder = Callable[[asyncpg.Connection], Awaitable[tuple[ListQuery, Ordering]]]


EXPORT_POOL_KEY = "rest.export_pool"
_POOL_LOCK_KEY = "rest.export_pool_lock"


class SlowClient(Exception):
    """The client took nothing for longer than the send timeout."""


async def export_pool(state: AppState) -> asyncpg.Pool:
    """The pool exports stream from, created with the first export."""
    pool = state.extras.get(EXPORT_POOL_KEY)
    if pool is not None:
        return cast("asyncpg.Pool", pool)
    lock = state.extras.setdefault(_POOL_LOCK_KEY, asyncio.Lock())
    async with lock:
        pool = state.extras.get(EXPORT_POOL_KEY)
        if pool is None:
            settings = state.settings
            pool = state.extras[EXPORT_POOL_KEY] = await create_pool(
                state.database_url,
                min_size=0,
                max_size=settings.export_pool_size,
                statement_timeout_ms=settings.statement_timeout_ms,
                connect_timeout_s=settings.connect_timeout_s,
            )
    return cast("asyncpg.Pool", pool)


async def close_export_pool(state: AppState) -> None:
    pool = state.extras.pop(EXPORT_POOL_KEY, None)
    if isinstance(pool, asyncpg.Pool):
        await pool.close()


async def _acquire_export(state: AppState) -> asyncpg.Connection:
    pool = await export_pool(state)
    try:
        return await pool_acquire(pool, min(state.settings.db_acquire_timeout_s, 1.0))
    except DatabaseUnavailable as exc:
        raise DatabaseUnavailable(
            f"every export connection ({state.settings.export_pool_size}) is busy; retry shortly"
        ) from exc


class ExportResponse(StreamingResponse):
    """A CSV stream that owns an export connection until the last byte, a disconnect, or a
    client that stops reading for longer than the send timeout."""

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
        state = get_state(self._request)
        timeout = state.settings.export_send_timeout_s

        async def timed_send(message: Message) -> None:
            try:
                async with asyncio.timeout(timeout):
                    await send(message)
            except TimeoutError:
                raise SlowClient from None

        try:
            await super().__call__(scope, receive, timed_send)
        except* SlowClient:
            logger.warning(
                "export ended: the client took nothing for %g s (%s)", timeout, scope["path"]
            )
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
    transform: Callable[[list[Any]], list[Any]] | None = None,
) -> ExportResponse:
    """Stream every row of a list as CSV, ignoring the page limit.

    The list's columns are read in ``columns`` order straight from the records (no row objects),
    which keeps a large export quick as well as small. ``transform`` may rewrite a row's
    values (in ``columns`` order) before they are written.
    """
    state = get_state(request)
    conn = await _acquire_export(state)
    pool = await export_pool(state)
    try:
        query, ordering = await build(conn)
    except BaseException:
        await pool.release(conn)
        raise
    names = tuple(columns)

    def values(record: asyncpg.Record) -> list[Any]:
        return [csv_value(record[name]) for name in names]

    rows = stream_rows(conn, query, ordering, values)
    return ExportResponse(request, conn, pool, rows, columns, filename, transform or _identity)


def _identity(values: list[Any]) -> list[Any]:
    return values
