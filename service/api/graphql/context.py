"""The typed per-request context: the database, the request's DataLoaders, the caller's key."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import asyncpg
import strawberry
from starlette.requests import Request
from starlette.responses import Response
from starlette.websockets import WebSocket
from strawberry.extensions import SchemaExtension

from service.api.graphql.loaders import Loaders
from service.api.state import AppState
from service.config import Settings
from service.db.pool import acquire, mark_unchanged
from service.db.queries.institutions import has_trigram
from service.db.stores.api_keys import ApiKey, verify_key
from service.errors import QueryTimeout

logger = logging.getLogger(__name__)

TRIGRAM_KEY = "graphql.pg_trgm"


class CountingExecutor:
    """Runs a request's statements on one pooled connection and counts them (tests assert
    loaders stay N+1-free).

    The connection is taken from the pool at the first statement and handed back by
    ``release()`` (``RequestConnection`` calls it when each operation ends), so a request pays
    one pool round trip and one connection reset, not one per statement. An asyncpg
    connection runs one statement at a time: concurrent loaders of one request queue on a lock.
    """

    __slots__ = (
        "_conn",
        "_lock",
        "acquire_timeout_s",
        "budget_s",
        "deadline",
        "pool",
        "statements",
    )

    def __init__(
        self,
        pool: asyncpg.Pool,
        acquire_timeout_s: float = 5.0,
        budget_s: float | None = None,
        deadline: float | None = None,
    ) -> None:
        self.pool = pool
        self.acquire_timeout_s = acquire_timeout_s
        self.statements = 0
        self.budget_s = budget_s
        # One budget per request (a batch shares it): every statement gets what is left.
        if deadline is None and budget_s is not None:
            deadline = time.monotonic() + budget_s
        self.deadline = deadline
        self._conn: asyncpg.pool.PoolConnectionProxy | None = None
        self._lock = asyncio.Lock()

    def _left(self) -> float | None:
        if self.deadline is None:
            return None
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise self._timeout()
        return left

    def _timeout(self) -> QueryTimeout:
        return QueryTimeout(
            f"the request used its time budget of {self.budget_s:g} s; narrow the filters, "
            "ask for less or retry",
            budgetSeconds=self.budget_s,
        )

    async def _connection(self) -> asyncpg.pool.PoolConnectionProxy:
        if self._conn is None:
            left = self._left()
            wait = self.acquire_timeout_s if left is None else min(left, self.acquire_timeout_s)
            self._conn = await acquire(self.pool, wait)
        return self._conn

    async def _run(self, method: str, query: str, *args: Any, **kwargs: Any) -> Any:
        self.statements += 1
        async with self._lock:
            conn = await self._connection()
            left = self._left()
            try:
                return await getattr(conn, method)(query, *args, timeout=left, **kwargs)
            except TimeoutError as exc:  # asyncpg cancelled the statement on the server
                raise self._timeout() from exc

    async def fetch(self, query: str, *args: Any) -> list[asyncpg.Record]:
        rows: list[asyncpg.Record] = await self._run("fetch", query, *args)
        return rows

    async def fetchrow(self, query: str, *args: Any) -> asyncpg.Record | None:
        row: asyncpg.Record | None = await self._run("fetchrow", query, *args)
        return row

    async def fetchval(self, query: str, *args: Any, column: int = 0) -> Any:
        return await self._run("fetchval", query, *args, column=column)

    async def release(self, *, unchanged: bool = False) -> None:
        """Hand the connection back to the pool (the next statement takes one again).
        ``unchanged``: it only ran plain reads, so the pool may skip its reset query."""
        async with self._lock:
            conn, self._conn = self._conn, None
            if conn is not None:
                if unchanged:
                    mark_unchanged(conn)
                await self.pool.release(conn)


@dataclass
class Context:
    state: AppState
    db: CountingExecutor
    loaders: Loaders
    request: Request | WebSocket | None = None
    response: Response | WebSocket | None = None
    authorization: str | None = None
    prefetch_moves: bool = True  # off when PostgreSQL writes the moves (``sql_shapes``)
    _key: ApiKey | None = field(default=None, repr=False)
    _key_checked: bool = field(default=False, repr=False)

    @property
    def settings(self) -> Settings:
        return self.state.settings

    @property
    def pool(self) -> asyncpg.Pool:
        return self.state.pool

    async def api_key(self) -> ApiKey | None:
        """The caller's API key from ``Authorization: Bearer <key>`` (None if absent/invalid)."""
        if not self._key_checked:
            self._key_checked = True
            token = bearer_token(self.authorization)
            if token:
                async with self.pool.acquire() as conn:
                    self._key = await verify_key(conn, token)
        return self._key

    async def trigram(self) -> bool:
        """Whether pg_trgm is installed (looked up once per process)."""
        cached = self.state.extras.get(TRIGRAM_KEY)
        if cached is None:
            cached = self.state.extras[TRIGRAM_KEY] = await has_trigram(self.pool)
        return bool(cached)


class RequestConnection(SchemaExtension):
    """Hand the operation's database connection back to the pool when the operation ends."""

    async def on_operation(self) -> AsyncIterator[None]:
        try:
            yield
        finally:
            context = self.execution_context.context
            if isinstance(context, Context):
                await context.db.release()


def bearer_token(header: str | None) -> str | None:
    if not header:
        return None
    scheme, _, token = header.strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


def build_context(
    state: AppState,
    request: Request | WebSocket | None = None,
    response: Response | WebSocket | None = None,
    deadline: float | None = None,
) -> Context:
    """The context of one request (HTTP: its statements share ``read_budget_s``, or the
    ``deadline`` given, so a batch has one budget; a websocket has none per connection)."""
    budget = state.settings.read_budget_s if not isinstance(request, WebSocket) else None
    db = CountingExecutor(state.pool, state.settings.db_acquire_timeout_s, budget, deadline)
    authorization = request.headers.get("authorization") if request is not None else None
    return Context(
        state=state,
        db=db,
        loaders=Loaders.create(db),
        request=request,
        response=response,
        authorization=authorization,
    )


Info = strawberry.Info[Context, None]
