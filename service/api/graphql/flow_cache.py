"""Flow aggregates kept in process for a short time, dropped when a move is recorded.

A flows query aggregates every move and answers thousands of cells; an institution page's
in/outflow series aggregates every move in and out of it and its sub-units (costs in
``bench/perf_notes.md``). Dashboards ask the same (level, period, filter)
and the same institutions over and over. This cache keeps the answers per key in each API
process, flows and series in separate LRUs (``BUCKETS``: a flows answer is ~1 MB, a series a
few dozen points):

- **Inserts**: the ``move_recorded`` NOTIFY (sent by the ``move`` insert trigger on commit)
  empties the cache; one ``LISTEN`` connection per process, started with the first lookup.
  While that connection is down nothing is served from or stored in the cache.
- **Writes through this process's API** (GraphQL mutations, see ``mutations.base.write``, and
  REST's move decisions and researcher merges) empty it at once.
- **Everything else** (UPDATEs through SQL, another API process's writes) is seen
  once an entry is ``ttl_s`` old (30 s by default): UPDATEs do not NOTIFY. The first lookup
  after that aggregates afresh; lookups arriving while it does are answered with the entry
  they already have instead of queueing behind it (stale while revalidating), so a busy
  dashboard does not stall every 30 s. An entry is never served once it is ``ttl_s +
  stale_s`` old (60 s by default): a key nobody asked for in that time is a plain miss.

A result computed while a notification arrived is not stored (it may predate the new move).
Concurrent lookups of a missing key wait for the first one instead of aggregating again.
Values derived from an entry (the flows encoded for one selection) are kept with the entry
they came from (``derive``) and computed again when it is replaced.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable, Hashable
from typing import Any, TypeVar

import asyncpg
from cachetools import LRUCache

from service.api.state import AppState
from service.db.listener import ChannelListener

logger = logging.getLogger(__name__)

T = TypeVar("T")

CHANNEL = "move_recorded"
CACHE_KEY = "graphql.flow_cache"
TTL_S = 30.0
STALE_S = 30.0  # how much longer an expired entry may answer while it is being refreshed
MAX_ENTRIES = 64
# Entries kept per kind of answer: flows, flows already encoded for a selection, series.
BUCKETS = {"flows": MAX_ENTRIES, "encoded": MAX_ENTRIES, "series": 4096}


class _LeaderGone(Exception):
    """The lookup being waited for failed or was superseded: compute it yourself."""


class FlowCache:
    """Values per key with a TTL, emptied on every ``move_recorded`` notification."""

    def __init__(
        self,
        database_url: str,
        pool: asyncpg.Pool | None = None,
        *,
        ttl_s: float = TTL_S,
        stale_s: float = STALE_S,
        max_entries: int = MAX_ENTRIES,
        clock: Callable[[], float] = time.monotonic,
        buckets: dict[str, int] | None = None,
    ) -> None:
        self.database_url = database_url
        self.pool = pool
        self.ttl_s = ttl_s
        self.stale_s = stale_s
        self.max_entries = {**BUCKETS, "flows": max_entries, **(buckets or {})}
        self.clock = clock
        self.generation = 0
        self.hits = 0
        self.misses = 0
        # cachetools' LRU: a read makes an entry the most recent, the least recent goes first.
        self._entries: dict[str, LRUCache[Hashable, tuple[float, Any]]] = {
            name: LRUCache(maxsize=size) for name, size in self.max_entries.items()
        }
        self._inflight: dict[tuple[str, Hashable], asyncio.Future[Any]] = {}
        self._closed = False
        # Anything stored before the LISTEN is in place, or while it is down, may have missed
        # a notification: the cache empties on both edges.
        self._listener = ChannelListener(
            database_url,
            CHANNEL,
            lambda _payload: self.invalidate(),
            on_connected=self.invalidate,
            on_disconnected=self.invalidate,
            should_stop=self._stopping,
            application_name="talentflow flow cache",
        )

    @property
    def listening(self) -> asyncio.Event:
        return self._listener.listening

    def __len__(self) -> int:
        return sum(len(entries) for entries in self._entries.values())

    def invalidate(self) -> None:
        self.generation += 1
        for entries in self._entries.values():
            entries.clear()

    def start(self) -> None:
        if not self._closed:
            self._listener.start()

    def _stopping(self) -> bool:
        return self._closed or (self.pool is not None and self.pool.is_closing())

    async def close(self) -> None:
        self._closed = True
        await self._listener.stop()
        self.invalidate()

    def get(self, key: Hashable, bucket: str = "flows") -> Any | None:
        """The stored value, or None when missing, expired or not trustworthy right now."""
        entry = self._entry(key, bucket)
        if entry is None or self.clock() - entry[0] >= self.ttl_s:
            return None
        return entry[1]

    def _entry(self, key: Hashable, bucket: str) -> tuple[float, Any] | None:
        """The stored (time, value) while it may still answer (fresh or stale), else None."""
        self.start()
        if not self.listening.is_set():
            return None
        entries = self._entries[bucket]
        entry = entries.get(key)
        if entry is None:
            return None
        if self.clock() - entry[0] >= self.ttl_s + self.stale_s:
            del entries[key]
            return None
        return entry

    def derive(self, key: Hashable, source: Any, compute: Callable[[], T], bucket: str) -> T:
        """``compute()`` for ``source`` (a value this cache handed out), kept as long as the
        entry under ``key`` was made from that same object: when ``source`` is refreshed,
        replaced or forgotten, the derived value is computed again."""
        entries = self._entries[bucket]
        entry = entries.get(key)
        if entry is not None and entry[1][0] is source:
            self.hits += 1
            value: T = entry[1][1]
            return value
        self.misses += 1
        value = compute()
        if self.listening.is_set():
            self._put(key, (source, value), bucket)
        return value

    def _put(self, key: Hashable, value: Any, bucket: str) -> None:
        self._entries[bucket][key] = (self.clock(), value)

    async def _wait(self, future: asyncio.Future[T]) -> T:
        try:
            return await asyncio.shield(future)
        except asyncio.CancelledError:
            if future.cancelled():
                raise _LeaderGone from None
            raise

    async def get_or_compute(
        self, key: Hashable, compute: Callable[[], Awaitable[T]], bucket: str = "flows"
    ) -> T:
        entry = self._entry(key, bucket)
        slot = (bucket, key)
        leader = self._inflight.get(slot)
        if entry is not None and (leader is not None or self.clock() - entry[0] < self.ttl_s):
            # Fresh, or stale while another lookup refreshes it: answer with what is kept.
            self.hits += 1
            value: T = entry[1]
            return value
        if leader is not None:
            with contextlib.suppress(_LeaderGone):
                return await self._wait(leader)
        self.misses += 1
        generation = self.generation
        trusted = self.listening.is_set()  # listening since before this snapshot was taken
        future: asyncio.Future[T] = asyncio.get_running_loop().create_future()
        self._inflight[slot] = future
        try:
            value = await compute()
        except BaseException:
            future.cancel()
            raise
        finally:
            if self._inflight.get(slot) is future:
                del self._inflight[slot]
        if trusted and generation == self.generation and self.listening.is_set():
            self._put(key, value, bucket)
            future.set_result(value)
        else:
            future.cancel()  # a move may have been recorded meanwhile: waiters read afresh
        return value


def flow_cache(state: AppState) -> FlowCache:
    cache = state.extras.get(CACHE_KEY)
    if cache is None:
        cache = state.extras[CACHE_KEY] = FlowCache(state.database_url, state.pool)
    assert isinstance(cache, FlowCache)
    return cache


def invalidate(state: AppState) -> None:
    """Forget every cached flow of this process (after a write through this process)."""
    cache = state.extras.get(CACHE_KEY)
    if isinstance(cache, FlowCache):
        cache.invalidate()


async def close(state: AppState) -> None:
    """Stop the listener (the app's shutdown; it also stops once the pool is closing)."""
    cache = state.extras.pop(CACHE_KEY, None)
    if isinstance(cache, FlowCache):
        await cache.close()
