"""The asyncpg pool: created in the app lifespan (or by a CLI command), never at import time."""

from __future__ import annotations

import asyncio
import logging
import weakref
from typing import Any

import asyncpg
import orjson

from service.config import Settings
from service.db.ordered import OrderedConnection
from service.db.replicas import ReadRouter, Replica, replica_name
from service.db.urls import redact, to_asyncpg_url
from service.errors import DatabaseUnavailable

logger = logging.getLogger(__name__)

# Errors that mean "the database is not there right now", as opposed to a bad query.
DATABASE_DOWN: tuple[type[BaseException], ...] = (
    OSError,
    asyncpg.InterfaceError,
    asyncpg.PostgresConnectionError,
    asyncpg.CannotConnectNowError,
    asyncpg.TooManyConnectionsError,
    asyncpg.AdminShutdownError,
    asyncpg.CrashShutdownError,
    # A connection cut while a statement was under way can leave asyncpg's protocol in this
    # state; the pool replaces the connection, and the next request succeeds.
    asyncpg.InternalClientError,
)

Pool = asyncpg.Pool
Connection = asyncpg.Connection


async def acquire(pool: asyncpg.Pool, timeout_s: float) -> asyncpg.Connection:
    """A pooled connection within ``timeout_s``, or DatabaseUnavailable saying why.

    Both APIs take connections through here, so an outage or an exhausted pool fails fast
    with a retryable error instead of hanging the request.
    """
    try:
        async with asyncio.timeout(timeout_s):
            conn: asyncpg.Connection = await pool.acquire()
    except TimeoutError:
        raise DatabaseUnavailable(
            f"no database connection within {timeout_s:g}s; retry shortly"
        ) from None
    except (
        OSError,
        asyncpg.PostgresError,
        asyncpg.InterfaceError,
        asyncpg.InternalClientError,
    ) as exc:
        raise DatabaseUnavailable(
            f"the database is unavailable ({type(exc).__name__}); retry shortly"
        ) from None
    return conn


# Connections handed back after only read statements outside a transaction: nothing of the
# session changed (no SET, LISTEN, advisory lock or cursor), so the reset query can be skipped.
_UNCHANGED: weakref.WeakSet[asyncpg.Connection] = weakref.WeakSet()


def mark_unchanged(conn: Any) -> None:
    """Promise that ``conn`` (a pooled connection or its proxy) only ran plain reads since it
    was acquired: its next release skips the reset query (one round trip per request)."""
    raw = getattr(conn, "_con", conn)
    if isinstance(raw, asyncpg.Connection) and not raw.is_in_transaction():
        _UNCHANGED.add(raw)


async def reset_connection(conn: asyncpg.Connection) -> None:
    """The pool's reset: asyncpg's reset query, unless the connection was marked unchanged.
    (asyncpg has already rolled back a transaction left open and dropped listeners.)"""
    if conn in _UNCHANGED:
        _UNCHANGED.discard(conn)
        return
    query = conn.get_reset_query()
    if query:
        await conn.execute(query)


def resolve_database_url(settings: Settings) -> str:
    """The configured DATABASE_URL, or the URL of an embedded PostgreSQL started on demand."""
    if settings.database_url:
        return settings.database_url
    from service.db.embedded import start_embedded

    return start_embedded(settings.data_dir)


def describe_database(url: str) -> str:
    if "host=/" in url or "@/" in url:
        return f"embedded PostgreSQL ({redact(url)})"
    return redact(url)


def _json_dumps(value: Any) -> str:
    return orjson.dumps(value).decode()


async def init_connection(conn: asyncpg.Connection) -> None:
    """Codecs: json/jsonb as Python objects through orjson."""
    for typename in ("json", "jsonb"):
        await conn.set_type_codec(
            typename, encoder=_json_dumps, decoder=orjson.loads, schema="pg_catalog"
        )


async def create_pool(
    url: str,
    *,
    min_size: int = 2,
    max_size: int = 10,
    statement_timeout_ms: int = 15_000,
    connect_timeout_s: float = 5.0,
    jit: bool = False,
) -> asyncpg.Pool:
    """Create a pool, turning connection failures into one clear DatabaseUnavailable.

    PostgreSQL's JIT is off by default: the aggregates the API runs (flows over all moves)
    cross the JIT cost threshold, and compiling them took 50-80 ms per run (in the leader and
    each parallel worker) for no measurable gain in execution time.
    """
    server_settings = {"application_name": "talentflow", "jit": "on" if jit else "off"}
    if statement_timeout_ms:
        server_settings["statement_timeout"] = str(statement_timeout_ms)
    try:
        pool = await asyncpg.create_pool(
            to_asyncpg_url(url),
            min_size=min_size,
            max_size=max_size,
            init=init_connection,
            connection_class=OrderedConnection,
            reset=reset_connection,
            timeout=connect_timeout_s,
            command_timeout=max(statement_timeout_ms / 1000 + 5, 10)
            if statement_timeout_ms
            else None,
            server_settings=server_settings,
        )
    except (OSError, asyncpg.PostgresError, TimeoutError) as exc:
        raise DatabaseUnavailable(
            f"cannot connect to the database at {describe_database(url)}: {exc}"
        ) from exc
    assert pool is not None
    return pool


async def create_pool_from_settings(settings: Settings, url: str | None = None) -> asyncpg.Pool:
    return await create_pool(
        url or resolve_database_url(settings),
        min_size=settings.pool_min_size,
        max_size=settings.pool_max_size,
        statement_timeout_ms=settings.statement_timeout_ms,
        connect_timeout_s=settings.connect_timeout_s,
    )


async def create_read_router(settings: Settings, primary: asyncpg.Pool) -> ReadRouter | None:
    """Pools for the replicas in ``TALENTFLOW_DATABASE_READ_URLS``, checked once, or None.

    A replica's pool opens its connections on demand (``min_size=0``): a replica that is down
    when the API starts is skipped, not a reason to refuse to start.
    """
    if not settings.database_read_urls:
        return None
    replicas = []
    for url in settings.database_read_urls:
        pool = await create_pool(
            url,
            min_size=0,
            max_size=settings.pool_max_size,
            statement_timeout_ms=settings.statement_timeout_ms,
            connect_timeout_s=settings.connect_timeout_s,
        )
        replicas.append(Replica(name=replica_name(url), pool=pool))
    router = ReadRouter(
        primary,
        replicas,
        max_lag_ms=float(settings.database_replica_max_lag_ms),
        check_interval_s=settings.database_replica_check_interval_s,
        check_timeout_s=min(settings.connect_timeout_s, 2.0),
    )
    await router.start()
    for replica in replicas:
        logger.info("read replica %s: %s", replica.name, replica.reason)
    return router
