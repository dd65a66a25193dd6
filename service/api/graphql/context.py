"""The typed per-request context: the database, the request's DataLoaders, the caller's key."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from typing import Any

import asyncpg
import strawberry
from starlette.requests import Request
from starlette.responses import Response
from starlette.websockets import WebSocket
from strawberry.extensions import SchemaExtension
from strawberry.types.graphql import OperationType

from service.api.analysis_lane import analysis_lane, statement_timeout_sql
from service.api.graphql.loaders import Loaders
from service.api.state import AppState
from service.config import Settings
from service.db.pool import acquire, mark_unchanged
from service.db.queries.executor import StatementRunner
from service.db.queries.institutions import has_trigram
from service.db.replicas import ReadRouter, Replica, is_recovery_conflict, is_server_error
from service.db.stores.api_keys import ApiKey, verify_key
from service.errors import DatabaseUnavailable, QueryTimeout

logger = logging.getLogger(__name__)

TRIGRAM_KEY = "graphql.pg_trgm"


class CountingExecutor(StatementRunner):
    """Runs a request's statements on one pooled connection and counts them (tests assert
    loaders stay N+1-free).

    The connection is taken from the pool at the first statement and handed back by
    ``release()`` (``RequestConnection`` calls it when each operation ends), so a request pays
    one pool round trip and one connection reset, not one per statement. An asyncpg
    connection runs one statement at a time: concurrent loaders of one request queue on a lock.

    ``read_only`` (set once the operation is known to be a query, before its first statement)
    lets the statements run on a read replica when ``reads`` has a healthy one. A replica that
    fails to connect or drops the connection is marked down and the statement runs again on the
    primary, so a replica stopping fails no request.
    """

    __slots__ = (
        "_conn",
        "_lock",
        "_pool",
        "_replica",
        "acquire_timeout_s",
        "budget_s",
        "deadline",
        "pool",
        "read_only",
        "reads",
        "statements",
    )

    def __init__(
        self,
        pool: asyncpg.Pool,
        acquire_timeout_s: float = 5.0,
        budget_s: float | None = None,
        deadline: float | None = None,
        reads: ReadRouter | None = None,
    ) -> None:
        self.pool = pool
        self.acquire_timeout_s = acquire_timeout_s
        self.reads = reads
        self.read_only = False
        self.statements = 0
        self.budget_s = budget_s
        # One budget per request (a batch shares it): every statement gets what is left.
        if deadline is None and budget_s is not None:
            deadline = time.monotonic() + budget_s
        self.deadline = deadline
        self._conn: asyncpg.pool.PoolConnectionProxy | None = None
        self._pool: asyncpg.Pool = pool
        self._replica: Replica | None = None
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
            pool, replica = self.pool, None
            if self.read_only and self.reads is not None:
                pool, replica = self.reads.read_target()
            if replica is not None:
                try:
                    self._conn = await acquire(pool, wait)
                except DatabaseUnavailable as exc:
                    assert self.reads is not None
                    self.reads.failed(replica, exc)
                    pool, replica = self.pool, None
            if self._conn is None:
                self._conn = await acquire(pool, wait)
            self._pool, self._replica = pool, replica
        return self._conn

    async def _call(
        self,
        conn: asyncpg.pool.PoolConnectionProxy,
        method: str,
        query: str,
        args: tuple[Any, ...],
        kw: dict[str, Any],
    ) -> Any:
        left = self._left()
        try:
            return await getattr(conn, method)(query, *args, timeout=left, **kw)
        except TimeoutError as exc:  # asyncpg cancelled the statement on the server
            raise self._timeout() from exc

    async def _run(self, method: str, query: str, args: tuple[Any, ...], **kw: Any) -> Any:
        self.statements += 1
        async with self._lock:
            reading = self.read_only  # counted by the server that answers it
            conn = await self._connection()
            replica = self._replica
            try:
                result = await self._call(conn, method, query, args, kw)
            except Exception as exc:
                if replica is None or self.reads is None:
                    raise
                if is_server_error(exc):
                    # The replica went away under this statement: the primary answers it.
                    self.reads.failed(replica, exc)
                    await self._drop()
                elif is_recovery_conflict(exc):
                    conn, self._conn = self._conn, None  # the replica is fine: keep its conn
                    if conn is not None:
                        await self._pool.release(conn)
                else:
                    raise
                self.read_only = False  # the rest of this request reads the primary too
                conn = await self._connection()
                replica = self._replica
                result = await self._call(conn, method, query, args, kw)
            if reading and self.reads is not None:
                self.reads.count(replica)
            return result

    async def _drop(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            with contextlib.suppress(Exception):
                conn.terminate()
            with contextlib.suppress(Exception):
                await self._pool.release(conn)

    async def release(self, *, unchanged: bool = False) -> None:
        """Hand the connection back to the pool (the next statement takes one again).
        ``unchanged``: it only ran plain reads, so the pool may skip its reset query."""
        async with self._lock:
            conn, self._conn = self._conn, None
            if conn is not None:
                if unchanged:
                    mark_unchanged(conn)
                await self._pool.release(conn)


@dataclass
class Context:
    state: AppState
    db: CountingExecutor
    loaders: Loaders
    request: Request | WebSocket | None = None
    response: Response | WebSocket | None = None
    authorization: str | None = None
    prefetch_moves: bool = True  # off when PostgreSQL writes the moves (``json_objects``)
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


@contextlib.asynccontextmanager
async def analysis_db(ctx: Context) -> AsyncIterator[CountingExecutor]:
    """An executor for one analysis: its own connection (a replica's where there is one), in
    the analyses' lane with their budget instead of the request's (``analysis_lane``)."""
    async with analysis_lane(ctx.state) as budget:
        db = CountingExecutor(
            ctx.pool, ctx.settings.db_acquire_timeout_s, budget, None, ctx.state.reads
        )
        db.read_only = True
        try:
            await db.fetchval(statement_timeout_sql(ctx.state))
            yield db
        finally:
            await db.release()


class RequestConnection(SchemaExtension):
    """Route a query's statements to the read replicas, and hand the operation's database
    connection back to the pool when the operation ends.

    Only a ``query`` reads from a replica: a mutation (and the reads it makes of what it just
    wrote) runs on the primary, as does anything before the operation type is known.
    """

    def on_execute(self) -> Iterator[None]:
        context = self.execution_context.context
        if isinstance(context, Context):
            operation = self.execution_context.operation_type
            context.db.read_only = operation is OperationType.QUERY
        yield

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
    db = CountingExecutor(
        state.pool, state.settings.db_acquire_timeout_s, budget, deadline, state.reads
    )
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
