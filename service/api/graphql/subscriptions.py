# mypy: disable-error-code="untyped-decorator"
"""``moveRecorded``: moves as they are inserted, over graphql-transport-ws.

One PostgreSQL ``LISTEN move_recorded`` connection per process feeds every subscriber through
its own asyncio queue. The listener starts with the first subscriber, stops with the last, and
reconnects with backoff if its connection drops. Each subscriber applies its own filter with
the same SQL as the moves list.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncGenerator, AsyncIterator

import strawberry

from service.api.graphql.context import Info
from service.api.graphql.types.filters import MoveFilterInput, move_filter
from service.api.graphql.types.move import Move
from service.api.state import AppState
from service.db.listener import ChannelListener
from service.db.queries.moves import move_matches

logger = logging.getLogger(__name__)

CHANNEL = "move_recorded"
FEED_KEY = "graphql.move_feed"
# The feed's LISTEN connection in pg_stat_activity.
APPLICATION_NAME = "talentflow moveRecorded"
QUEUE_SIZE = 1000
START_TIMEOUT_S = 10.0


class MoveFeed:
    """Fans ``move_recorded`` notifications out to subscriber queues."""

    def __init__(self, database_url: str) -> None:
        self.subscribers: set[asyncio.Queue[int]] = set()
        self._listener = ChannelListener(
            database_url, CHANNEL, self._notify, application_name=APPLICATION_NAME
        )

    @property
    def listening(self) -> asyncio.Event:
        return self._listener.listening

    def _notify(self, payload: str) -> None:
        try:
            move_id = int(payload)
        except ValueError:
            return
        for queue in self.subscribers:
            if queue.full():
                logger.warning("a moveRecorded subscriber is too slow; dropping a notification")
                continue
            queue.put_nowait(move_id)

    async def _stop(self) -> None:
        await self._listener.stop()

    @contextlib.asynccontextmanager
    async def subscribe(self) -> AsyncIterator[asyncio.Queue[int]]:
        """A queue of new move ids, live once this returns (the listener is connected)."""
        queue: asyncio.Queue[int] = asyncio.Queue(QUEUE_SIZE)
        self.subscribers.add(queue)
        self._listener.start()
        try:
            await asyncio.wait_for(self.listening.wait(), START_TIMEOUT_S)
            yield queue
        finally:
            self.subscribers.discard(queue)
            if not self.subscribers:
                await self._stop()


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
        async with move_feed(context.state).subscribe() as queue:
            while True:
                move_id = await queue.get()
                row = await move_matches(context.pool, move_id, flt)
                if row is not None:
                    yield Move.from_row(row)
