"""What a query function needs to run SQL: an asyncpg connection, a pool, or a wrapper."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

import asyncpg


class Executor(Protocol):
    """The subset of ``asyncpg.Connection`` / ``asyncpg.Pool`` the query layer uses."""

    async def fetch(self, query: str, *args: Any) -> list[asyncpg.Record]: ...

    async def fetchrow(self, query: str, *args: Any) -> asyncpg.Record | None: ...

    async def fetchval(self, query: str, *args: Any, column: int = 0) -> Any: ...


class StatementRunner:
    """The ``Executor`` methods over one ``_run(method, query, args, **kw)``: wrappers that
    decide where each statement runs (a request's connection, a pool per statement) implement
    only ``_run``."""

    __slots__ = ()

    async def _run(self, method: str, query: str, args: tuple[Any, ...], **kw: Any) -> Any:
        raise NotImplementedError

    async def fetch(self, query: str, *args: Any) -> list[asyncpg.Record]:
        rows: list[asyncpg.Record] = await self._run("fetch", query, args)
        return rows

    async def fetchrow(self, query: str, *args: Any) -> asyncpg.Record | None:
        row: asyncpg.Record | None = await self._run("fetchrow", query, args)
        return row

    async def fetchval(self, query: str, *args: Any, column: int = 0) -> Any:
        return await self._run("fetchval", query, args, column=column)


class Params:
    """Collects positional parameters while a statement is assembled: ``p.add(v)`` -> ``$n``."""

    __slots__ = ("values",)

    def __init__(self, values: Sequence[Any] = ()) -> None:
        self.values: list[Any] = list(values)

    def add(self, value: Any, cast: str = "") -> str:
        self.values.append(value)
        return f"${len(self.values)}{'::' + cast if cast else ''}"
