"""One declaration per endpoint: its route, parameters, response schema and auth scope.

The same :class:`Endpoint` serves the request (rate limit, content negotiation, parameter
validation, then the handler) and documents it in OpenAPI, so the contract cannot drift from
what the code accepts.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import asyncpg
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from service.api.analysis_lane import analysis_lane, statement_timeout_sql
from service.api.rate_limit import client_address, limited_message, retry_after, take
from service.api.rest.params import Param, parse
from service.api.rest.problems import Problem
from service.api.rest.responses import negotiate
from service.api.state import get_state
from service.db.pool import acquire as pool_acquire
from service.db.replicas import Replica, is_recovery_conflict, is_server_error
from service.db.stores.api_keys import ApiKey, verify_key
from service.errors import DatabaseUnavailable, QueryTimeout

Handler = Callable[[Request, "Call"], Awaitable[Response]]

PREFIX = "/api/v1"


@dataclass(frozen=True, slots=True)
class Call:
    """What a handler gets: validated parameters, the output format and the caller's key."""

    args: dict[str, Any]
    format: str
    key: ApiKey | None = None


@dataclass(frozen=True)
class Endpoint:
    path: str
    handler: Handler
    summary: str
    response: str
    method: str = "GET"
    description: str = ""
    tag: str = ""
    params: tuple[Param, ...] = ()
    path_params: tuple[Param, ...] = ()
    paged: bool = False
    csv: bool = False
    scope: str | None = None
    body: str | None = None
    status: int = 200
    extra_statuses: tuple[int, ...] = field(default=())
    primary: bool = False  # a GET that must read the primary (what a client just wrote)
    analysis: bool = False  # a GET that computes an analysis: its lane and budget (analysis_lane)

    @property
    def operation_id(self) -> str:
        return self.handler.__name__

    async def _read(self, request: Request, call: Call) -> Response:
        """Answer a GET from a healthy read replica where there is one (unless it must read
        the primary); a replica that goes away under it hands the request to the primary."""
        if self.primary or get_state(request).reads is None:
            return await self.handler(request, call)
        request.scope[READ_ONLY] = True
        try:
            return await self.handler(request, call)
        except Exception as exc:
            replica: Replica | None = request.scope.get(REPLICA)
            reads = get_state(request).reads
            if replica is None or reads is None:
                raise
            if is_server_error(exc):
                # The replica went away under this request: it only read, so the primary
                # answers it again.
                reads.failed(replica, exc)
            elif not is_recovery_conflict(exc):
                raise
            request.scope[READ_ONLY] = False
            return await self.handler(request, call)

    def route(self) -> Route:
        async def endpoint(request: Request) -> Response:
            key = await authenticate(request, self.scope) if self.scope else None
            rate_limit(request, key)
            fmt = negotiate(request, csv_allowed=self.csv)
            args = parse(request, self.params)
            call = Call(args, fmt, key)
            if self.method != "GET":
                return await self.handler(request, call)
            if self.analysis:
                request.scope[ANALYSIS] = True
                async with analysis_lane(get_state(request)):
                    return await self._read(request, call)
            # A read has a time budget below the statement timeout: it cannot hold a pooled
            # connection for long, whatever it asks (a CSV export streams from its own pool).
            budget = get_state(request).settings.read_budget_s
            try:
                async with asyncio.timeout(budget) as scope:
                    return await self._read(request, call)
            except TimeoutError:
                if not scope.expired():
                    raise
                raise QueryTimeout(
                    f"the request used its time budget of {budget:g} s; narrow the filters "
                    "or retry",
                    budgetSeconds=budget,
                ) from None

        endpoint.__name__ = self.operation_id
        methods = [self.method] + (["HEAD"] if self.method == "GET" else [])
        return Route(self.path, endpoint, methods=methods)


# --- database -------------------------------------------------------------------------------


READ_ONLY = "talentflow.read_only"  # scope key: this request only reads
REPLICA = "talentflow.replica"  # scope key: the replica its last connection came from
ANALYSIS = "talentflow.analysis"  # scope key: an analysis, with the analyses' budget


@asynccontextmanager
async def connection(request: Request) -> AsyncIterator[asyncpg.Connection]:
    """A pooled connection, or a fast 503 when none comes within the acquire timeout."""
    conn, pool = await acquire_for(request)
    try:
        if request.scope.get(ANALYSIS):
            await conn.execute(statement_timeout_sql(get_state(request)))
        yield conn
    finally:
        await pool.release(conn)


async def acquire_for(request: Request) -> tuple[asyncpg.Connection, asyncpg.Pool]:
    """A connection and the pool to hand it back to: a healthy read replica's when the request
    only reads (a GET, after its key was checked on the primary), else the primary's."""
    state = get_state(request)
    timeout = state.settings.db_acquire_timeout_s
    reads = state.reads
    if reads is not None and READ_ONLY in request.scope:  # a read (False: retried on primary)
        pool, replica = reads.read_target() if request.scope[READ_ONLY] else (state.pool, None)
        if replica is not None:
            try:
                conn = await pool_acquire(pool, timeout)
            except DatabaseUnavailable as exc:
                reads.failed(replica, exc)
            else:
                request.scope[REPLICA] = replica
                reads.count(replica)
                return conn, pool
        request.scope[REPLICA] = None
        reads.count(None)
    return await pool_acquire(state.pool, timeout), state.pool


async def acquire(request: Request) -> asyncpg.Connection:
    """A primary connection (writes, and reads that must see them)."""
    state = get_state(request)
    return await pool_acquire(state.pool, state.settings.db_acquire_timeout_s)


# --- auth -----------------------------------------------------------------------------------


def _challenge(error: str | None = None, scope: str | None = None) -> dict[str, str]:
    value = 'Bearer realm="talentflow"'
    if error:
        value += f', error="{error}"'
    if scope:
        value += f', scope="{scope}"'
    return {"WWW-Authenticate": value}


async def is_admin(request: Request) -> bool:
    """Whether a public read's caller sent a valid key with the ``admin`` scope (a missing or
    bad key only means the public view, never an error on a public endpoint)."""
    header = request.headers.get("authorization", "")
    kind, _, token = header.partition(" ")
    if kind.lower() != "bearer" or not token.strip():
        return False
    async with connection(request) as conn:
        key = await verify_key(conn, token.strip())
    return key is not None and key.allows("admin")


async def authenticate(request: Request, scope: str | None) -> ApiKey:
    """The caller's API key from ``Authorization: Bearer``; 401 without a valid one, 403 when
    it lacks ``scope``. The key itself is never logged or echoed."""
    header = request.headers.get("authorization", "")
    kind, _, token = header.partition(" ")
    if not header:
        raise Problem(
            401,
            "UNAUTHENTICATED",
            "this endpoint needs an API key: send `Authorization: Bearer <key>`",
            headers=_challenge(),
        )
    if kind.lower() != "bearer" or not token.strip():
        raise Problem(
            401,
            "UNAUTHENTICATED",
            "the Authorization header must be `Bearer <key>`",
            headers=_challenge("invalid_request"),
        )
    async with connection(request) as conn:
        key = await verify_key(conn, token.strip())
    if key is None:
        raise Problem(
            401,
            "UNAUTHENTICATED",
            "the API key is unknown or revoked",
            headers=_challenge("invalid_token"),
        )
    if scope is not None and not key.allows(scope):
        raise Problem(
            403,
            "FORBIDDEN",
            f"this API key lacks the {scope!r} scope",
            headers=_challenge("insufficient_scope", scope),
        )
    return key


# --- rate limit -----------------------------------------------------------------------------


def rate_limit(request: Request, key: ApiKey | None) -> None:
    """The API's one rate limit (``service.api.rate_limit``): 429 with ``Retry-After``."""
    state = get_state(request)
    client = f"key:{key.prefix}" if key else client_address(request.scope)
    wait = take(state, client)
    if wait:
        raise Problem(
            429,
            "RATE_LIMITED",
            limited_message(state),
            headers={"Retry-After": retry_after(wait)},
        )
