# mypy: disable-error-code="untyped-decorator"
"""``moveRecorded``: moves as they are inserted, over graphql-transport-ws.

One PostgreSQL ``LISTEN move_recorded`` connection per process feeds every subscriber through
its own bounded asyncio queue. The listener starts with the first subscriber, stops with the
last, and reconnects with backoff if its connection drops.

What subscribers may cost is bounded, apart from what everyone else needs:

- each event is read once per distinct filter, however many subscribers share that filter
  (one shared task per (move, filter), awaited by all of them), and the nested fields of its
  selection (``researcher``, ``evidence``, institutions ...) are read once per event for every
  subscriber on every websocket: each event has one set of DataLoaders, shared by all;
- everything subscriptions read runs on their own small pool (``FEED_POOL_SIZE``
  connections), taken per event and handed back after it, so REST, GraphQL and ``/readyz``
  keep the main pool whatever the subscribers do;
- at most ``MAX_PER_CONNECTION`` subscriptions per websocket and ``MAX_PER_PROCESS`` in all
  (``TOO_MANY_SUBSCRIPTIONS`` above);
- a subscriber whose queue fills (it does not read what it is sent) has its websocket closed
  with code 1013 ("try again later") instead of growing memory.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncGenerator, AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import asyncpg
import strawberry
from starlette.websockets import WebSocket

from service.api.graphql.context import Info
from service.api.graphql.loaders import Loaders
from service.api.graphql.types.filters import MoveFilterInput, move_filter
from service.api.graphql.types.move import Move
from service.api.state import AppState
from service.db.listener import ChannelListener
from service.db.pool import acquire, create_pool
from service.db.queries.executor import StatementRunner
from service.db.queries.moves import MoveFilter, MoveRow, move_matches
from service.errors import LimitExceeded

logger = logging.getLogger(__name__)

CHANNEL = "move_recorded"
FEED_KEY = "graphql.move_feed"
# The feed's LISTEN connection in pg_stat_activity.
APPLICATION_NAME = "talentflow moveRecorded"
QUEUE_SIZE = 100
START_TIMEOUT_S = 10.0
FEED_POOL_SIZE = 2
MAX_PER_CONNECTION = 20
MAX_PER_PROCESS = 1000
SLOW_READER_CLOSE_CODE = 1013
FEED_ACQUIRE_TIMEOUT_S = 10.0


@dataclass(eq=False)
class Subscriber:
    queue: asyncio.Queue[int]
    flt: MoveFilter
    websocket: WebSocket | None
    dropped: bool = False


@dataclass
class _Event:
    """The reads of one notified move: the move per filter, and the DataLoaders that resolve
    its nested fields, shared by every subscriber in the process."""

    move_id: int
    reads: dict[MoveFilter, asyncio.Task[MoveRow | None]] = field(default_factory=dict)
    loaders: Loaders | None = None


class FeedExecutor(StatementRunner):
    """Runs each statement of an event's loaders on a connection of the subscriptions' pool,
    taken for that statement only (the loaders outlive any one subscriber's request)."""

    __slots__ = ("feed", "statements")

    def __init__(self, feed: MoveFeed) -> None:
        self.feed = feed
        self.statements = 0

    async def _run(self, method: str, query: str, args: tuple[Any, ...], **kw: Any) -> Any:
        self.statements += 1
        pool = await self.feed.pool()
        conn = await acquire(pool, FEED_ACQUIRE_TIMEOUT_S)
        try:
            return await getattr(conn, method)(query, *args, **kw)
        finally:
            await pool.release(conn)


class MoveFeed:
    """Fans ``move_recorded`` notifications out to subscriber queues."""

    def __init__(self, database_url: str) -> None:
        self.database_url = database_url
        self.subscribers: set[Subscriber] = set()
        self._listener = ChannelListener(
            database_url, CHANNEL, self._notify, application_name=APPLICATION_NAME
        )
        self._pool: asyncpg.Pool | None = None
        self._pool_lock = asyncio.Lock()
        self._events: dict[int, _Event] = {}
        self._per_socket: dict[int, int] = {}

    @property
    def listening(self) -> asyncio.Event:
        return self._listener.listening

    async def pool(self) -> asyncpg.Pool:
        """The subscriptions' own pool (created with the first read)."""
        async with self._pool_lock:
            if self._pool is None:
                self._pool = await create_pool(
                    self.database_url, min_size=0, max_size=FEED_POOL_SIZE
                )
        return self._pool

    def _notify(self, payload: str) -> None:
        try:
            move_id = int(payload)
        except ValueError:
            return
        for sub in list(self.subscribers):
            if sub.dropped:
                continue
            if sub.queue.full():
                self._drop(sub)
                continue
            sub.queue.put_nowait(move_id)

    def _drop(self, sub: Subscriber) -> None:
        sub.dropped = True
        logger.warning("a moveRecorded subscriber does not read; closing its websocket")
        if sub.websocket is not None:
            ws = sub.websocket

            async def close() -> None:
                with contextlib.suppress(Exception):
                    async with asyncio.timeout(5):
                        await ws.close(code=SLOW_READER_CLOSE_CODE, reason="too slow a reader")

            asyncio.get_running_loop().create_task(close())

    def _event(self, move_id: int) -> _Event:
        event = self._events.get(move_id)
        if event is None:
            event = self._events[move_id] = _Event(move_id)
            while len(self._events) > 4 * QUEUE_SIZE:
                self._events.pop(next(iter(self._events)))
        return event

    def loaders(self, move_id: int) -> Loaders:
        """The DataLoaders every subscriber resolves this event's fields with."""
        event = self._event(move_id)
        if event.loaders is None:
            event.loaders = Loaders.create(FeedExecutor(self))
        return event.loaders

    async def read(self, move_id: int, flt: MoveFilter) -> MoveRow | None:
        """The move if it passes ``flt``: one statement per (move, filter), shared."""
        event = self._event(move_id)
        task = event.reads.get(flt)
        if task is None:
            task = event.reads[flt] = asyncio.get_running_loop().create_task(
                self._read(move_id, flt)
            )
        return await asyncio.shield(task)

    async def _read(self, move_id: int, flt: MoveFilter) -> MoveRow | None:
        pool = await self.pool()
        conn = await acquire(pool, FEED_ACQUIRE_TIMEOUT_S)
        try:
            return await move_matches(conn, move_id, flt)
        finally:
            await pool.release(conn)

    async def _stop(self) -> None:
        await self._listener.stop()
        if self._pool is not None:
            pool, self._pool = self._pool, None
            await pool.close()

    @contextlib.asynccontextmanager
    async def subscribe(
        self, flt: MoveFilter, websocket: WebSocket | None = None
    ) -> AsyncIterator[Subscriber]:
        """A subscriber whose queue gets new move ids, live once this returns."""
        socket_key = id(websocket)
        if len(self.subscribers) >= MAX_PER_PROCESS:
            raise TooManySubscriptions(
                f"the server has {MAX_PER_PROCESS} subscriptions open; retry later",
                maximum=MAX_PER_PROCESS,
            )
        if websocket is not None and self._per_socket.get(socket_key, 0) >= MAX_PER_CONNECTION:
            raise TooManySubscriptions(
                f"at most {MAX_PER_CONNECTION} subscriptions per connection",
                maximum=MAX_PER_CONNECTION,
            )
        sub = Subscriber(asyncio.Queue(QUEUE_SIZE), flt, websocket)
        self.subscribers.add(sub)
        if websocket is not None:
            self._per_socket[socket_key] = self._per_socket.get(socket_key, 0) + 1
        self._listener.start()
        try:
            await asyncio.wait_for(self.listening.wait(), START_TIMEOUT_S)
            yield sub
        finally:
            self.subscribers.discard(sub)
            if websocket is not None:
                left = self._per_socket.get(socket_key, 1) - 1
                if left:
                    self._per_socket[socket_key] = left
                else:
                    self._per_socket.pop(socket_key, None)
            if not self.subscribers:
                await self._stop()


class TooManySubscriptions(LimitExceeded):
    code = "TOO_MANY_SUBSCRIPTIONS"


async def close_feed(state: AppState) -> None:
    """Stop the LISTEN connection at shutdown (it also stops with its last subscriber)."""
    feed = state.extras.pop(FEED_KEY, None)
    if isinstance(feed, MoveFeed):
        await feed._stop()


def move_feed(state: AppState) -> MoveFeed:
    feed = state.extras.get(FEED_KEY)
    if feed is None:
        feed = state.extras[FEED_KEY] = MoveFeed(state.database_url)
    assert isinstance(feed, MoveFeed)
    return feed


@strawberry.type
class Subscription:
    @strawberry.subscription(
        description="Each new move that passes the filter (retracted and rumoured ones never do by default)."
    )
    async def move_recorded(
        self, info: Info, filter: MoveFilterInput | None = None
    ) -> AsyncGenerator[Move, None]:
        flt = await move_filter(info, filter)
        context = info.context
        websocket = context.request if isinstance(context.request, WebSocket) else None
        feed = move_feed(context.state)
        # What resolves the fields of each event reads from the subscriptions' pool, and gives
        # its connection back once the event is sent.
        context.db.pool = await feed.pool()
        await context.db.release()
        async with feed.subscribe(flt, websocket) as sub:
            while not sub.dropped:
                move_id = await sub.queue.get()
                row = await feed.read(move_id, flt)
                if row is not None:
                    # Nested fields resolve through the event's loaders, shared by every
                    # subscriber of every websocket: one read per field per event.
                    context.loaders = feed.loaders(move_id)
                    yield Move.from_row(row)
                    await context.db.release()
