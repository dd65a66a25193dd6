"""Statements sent ahead on a connection, answered in the order they were sent.

A connection runs one statement at a time, and ``await conn.execute(...)`` keeps the caller
idle while PostgreSQL works. The ingest writer has work of its own between statements (resolving
the next observations, inferring moves) that does not need the answer of the statement before
it: ``send_ahead`` starts such a statement and returns at once, and any later statement on the
connection first waits for it, so statements still run one after the other in the order they
were issued and see each other's rows. A statement sent ahead that fails raises its error at the
next statement on the connection, or at ``settle``.

The pool's connections are ``OrderedConnection``s (``service.db.pool.create_pool``); on any other
connection ``send_ahead`` simply runs the statement to completion first.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Coroutine
from typing import Any, TypeVar

import asyncpg

T = TypeVar("T")


class OrderedConnection(asyncpg.Connection):  # type: ignore[misc]  # asyncpg is untyped
    """An asyncpg connection whose statements may be sent ahead (``send_ahead``)."""

    __slots__ = ("_ahead",)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._ahead: asyncio.Task[Any] | None = None

    async def _wait_ahead(self) -> None:
        task = self._ahead
        if task is None or task is asyncio.current_task():
            return  # nothing sent ahead, or this is the statement sent ahead itself
        self._ahead = None
        await task

    async def execute(self, *args: Any, **kwargs: Any) -> Any:
        await self._wait_ahead()
        return await super().execute(*args, **kwargs)

    async def executemany(self, *args: Any, **kwargs: Any) -> Any:
        await self._wait_ahead()
        return await super().executemany(*args, **kwargs)

    async def fetch(self, *args: Any, **kwargs: Any) -> Any:
        await self._wait_ahead()
        return await super().fetch(*args, **kwargs)

    async def fetchval(self, *args: Any, **kwargs: Any) -> Any:
        await self._wait_ahead()
        return await super().fetchval(*args, **kwargs)

    async def fetchrow(self, *args: Any, **kwargs: Any) -> Any:
        await self._wait_ahead()
        return await super().fetchrow(*args, **kwargs)

    async def fetchmany(self, *args: Any, **kwargs: Any) -> Any:
        await self._wait_ahead()
        return await super().fetchmany(*args, **kwargs)

    async def prepare(self, *args: Any, **kwargs: Any) -> Any:
        await self._wait_ahead()
        return await super().prepare(*args, **kwargs)

    async def copy_records_to_table(self, *args: Any, **kwargs: Any) -> Any:
        await self._wait_ahead()
        return await super().copy_records_to_table(*args, **kwargs)

    async def copy_to_table(self, *args: Any, **kwargs: Any) -> Any:
        await self._wait_ahead()
        return await super().copy_to_table(*args, **kwargs)

    async def copy_from_table(self, *args: Any, **kwargs: Any) -> Any:
        await self._wait_ahead()
        return await super().copy_from_table(*args, **kwargs)

    async def copy_from_query(self, *args: Any, **kwargs: Any) -> Any:
        await self._wait_ahead()
        return await super().copy_from_query(*args, **kwargs)

    async def send_ahead(self, statement: Coroutine[Any, Any, T]) -> asyncio.Task[T]:
        try:
            await self._wait_ahead()
        except BaseException:
            statement.close()
            raise
        task = asyncio.ensure_future(statement)
        self._ahead = task
        # One turn of the loop: the task runs until it waits for PostgreSQL's answer, so the
        # statement is on its way when the caller goes on.
        await asyncio.sleep(0)
        return task

    async def settle(self, *, quiet: bool = False) -> None:
        """Wait for the statement sent ahead, if any: its error is raised here, unless
        ``quiet`` (the caller is already failing, and only needs the connection free)."""
        if quiet:
            with contextlib.suppress(Exception, asyncio.CancelledError):
                await self._wait_ahead()
        else:
            await self._wait_ahead()


def _ordered(conn: Any) -> OrderedConnection | None:
    raw = getattr(conn, "_con", conn)  # a pool's connection proxy, or the connection itself
    # not isinstance: asyncpg's connection class answers it for every connection and proxy
    return raw if issubclass(type(raw), OrderedConnection) else None


async def send_ahead(conn: Any, statement: Coroutine[Any, Any, T]) -> asyncio.Future[T]:
    """Start ``statement`` (a coroutine running statements on ``conn``) and return at once
    with something to await for its result; ``conn``'s next statement waits for it."""
    ordered = _ordered(conn)
    if ordered is not None:
        return await ordered.send_ahead(statement)
    done: asyncio.Future[T] = asyncio.get_running_loop().create_future()
    done.set_result(await statement)
    return done


async def settle(conn: Any, *, quiet: bool = False) -> None:
    """Wait for what was sent ahead on ``conn`` (see ``OrderedConnection.settle``)."""
    ordered = _ordered(conn)
    if ordered is not None:
        await ordered.settle(quiet=quiet)
