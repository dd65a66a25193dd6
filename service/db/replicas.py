"""Read replicas: where the API's read-only statements run.

``TALENTFLOW_DATABASE_READ_URLS`` names one or more streaming replicas of the primary. The API
sends what only reads (GraphQL queries on either executor, REST GETs) to a healthy replica and
everything else to the primary: mutations and every write, ``LISTEN`` (the flow cache and the
subscriptions), API-key checks, ingestion, and anything that must read its own writes.

A replica is healthy while it answers and its replay is no further behind the primary than
``TALENTFLOW_DATABASE_REPLICA_MAX_LAG_MS``. Lag is measured on the replica the usual way: zero
when everything received has been replayed (an idle primary sends nothing new), else the age of
the last replayed transaction (``now() - pg_last_xact_replay_timestamp()``). A background task
checks every replica each ``TALENTFLOW_DATABASE_REPLICA_CHECK_INTERVAL_S``; a replica that fails
a connection or a statement between checks is marked down at once, and the statement runs again
on the primary (a read is safe to repeat), so a replica that stops fails no request.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
from dataclasses import dataclass, field

import asyncpg

from service.db.urls import redact

logger = logging.getLogger(__name__)

LAG_SQL = """
SELECT pg_is_in_recovery() AS standby,
       CASE WHEN NOT pg_is_in_recovery() THEN 0
            WHEN pg_last_wal_receive_lsn() IS NOT DISTINCT FROM pg_last_wal_replay_lsn() THEN 0
            ELSE coalesce(extract(epoch FROM now() - pg_last_xact_replay_timestamp()) * 1000,
                          'Infinity'::float8)
       END::float8 AS lag_ms
"""

# What says a server (not a statement) failed: the statement may be retried elsewhere.
SERVER_ERRORS: tuple[type[BaseException], ...] = (
    OSError,
    TimeoutError,
    asyncpg.InterfaceError,
    asyncpg.InternalClientError,  # e.g. the connection was lost under the protocol
    asyncpg.PostgresConnectionError,
    asyncpg.exceptions.OperatorInterventionError,  # admin/crash shutdown, cannot connect now
)


def is_server_error(exc: BaseException) -> bool:
    """Whether ``exc`` says the server (not the statement) failed. A statement cancelled for
    running too long is the statement's fault: it would take as long on the primary."""
    return isinstance(exc, SERVER_ERRORS) and not isinstance(
        exc, asyncpg.exceptions.QueryCanceledError
    )


def is_recovery_conflict(exc: BaseException) -> bool:
    """A hot standby cancelled the read because replay needed what it was reading: the replica
    is fine, the read runs again on the primary."""
    return isinstance(exc, asyncpg.exceptions.SerializationError) and "recovery" in str(exc)


@dataclass
class Replica:
    """One replica's pool and what the last check found."""

    name: str  # its redacted URL (host:port/db), for logs and metrics
    pool: asyncpg.Pool
    healthy: bool = False
    lag_ms: float | None = None
    reason: str = "not checked yet"
    served: int = 0  # statements run here (counted by the callers through ``count``)

    def mark_down(self, reason: str) -> None:
        if self.healthy:
            logger.warning("replica %s skipped: %s", self.name, reason)
        self.healthy = False
        self.reason = reason


@dataclass
class ReadRouter:
    """Picks the pool for a read: a healthy replica in turn, else the primary."""

    primary: asyncpg.Pool
    replicas: list[Replica]
    max_lag_ms: float = 5_000.0
    check_interval_s: float = 1.0
    check_timeout_s: float = 1.0
    primary_served: int = 0
    failovers: int = 0
    _turn: itertools.count[int] = field(default_factory=itertools.count)
    _task: asyncio.Task[None] | None = None

    def read_target(self) -> tuple[asyncpg.Pool, Replica | None]:
        """The pool to read from now and its replica (None: the primary)."""
        healthy = [r for r in self.replicas if r.healthy]
        if not healthy:
            return self.primary, None
        replica = healthy[next(self._turn) % len(healthy)]
        return replica.pool, replica

    def count(self, replica: Replica | None, statements: int = 1) -> None:
        if replica is None:
            self.primary_served += statements
        else:
            replica.served += statements

    def failed(self, replica: Replica, exc: BaseException) -> None:
        """A replica failed a connection or a statement: skip it until a check passes."""
        self.failovers += 1
        replica.mark_down(f"{type(exc).__name__}: {exc}")

    async def check(self, replica: Replica) -> None:
        try:
            async with asyncio.timeout(self.check_timeout_s):
                async with replica.pool.acquire() as conn:
                    row = await conn.fetchrow(LAG_SQL)
        except Exception as exc:  # any failure to answer is "down"
            replica.lag_ms = None
            replica.mark_down(f"health check failed ({type(exc).__name__})")
            return
        assert row is not None
        lag = float(row["lag_ms"])
        replica.lag_ms = lag
        if not row["standby"]:
            replica.mark_down("not in recovery: a primary, not a replica")
        elif lag > self.max_lag_ms:
            replica.mark_down(f"replay lag {lag:.0f} ms > {self.max_lag_ms:.0f} ms")
        else:
            if not replica.healthy:
                logger.info("replica %s serving reads (lag %.0f ms)", replica.name, lag)
            replica.healthy = True
            replica.reason = "ok"

    async def check_all(self) -> None:
        await asyncio.gather(*(self.check(r) for r in self.replicas))

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self.check_interval_s)
            await self.check_all()

    async def start(self) -> None:
        """Check every replica once (so reads may go there from the first request), then keep
        checking in the background."""
        await self.check_all()
        self._task = asyncio.get_running_loop().create_task(self._run(), name="replica checks")

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        await asyncio.gather(*(r.pool.close() for r in self.replicas), return_exceptions=True)


def replica_name(url: str) -> str:
    return redact(url)
