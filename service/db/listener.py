"""A PostgreSQL ``LISTEN`` connection that reconnects by itself.

The live subscriptions and the flow cache both follow the ``move_recorded`` channel that the
``move`` insert trigger notifies; each runs one of these. ``listening`` is set exactly while
notifications can arrive, so a user can tell when it may have missed some.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable

import asyncpg

from service.db.urls import to_asyncpg_url

logger = logging.getLogger(__name__)

POLL_S = 1.0
MAX_BACKOFF_S = 30.0


def _setter(event: asyncio.Event) -> Callable[[object], None]:
    """A callback setting ``event`` (bound now, not to a loop variable)."""

    def set_(_conn: object) -> None:
        event.set()

    return set_


class ChannelListener:
    """Calls ``on_notify(payload)`` for each notification on ``channel``.

    ``on_connected`` runs once the LISTEN is in place, ``on_disconnected`` whenever it stops
    (connection lost, ``stop()``, or ``should_stop()`` turning true, checked every second).
    ``application_name`` names the connection in ``pg_stat_activity``, so an operator (or a
    test) can see which listeners are in place.
    """

    def __init__(
        self,
        database_url: str,
        channel: str,
        on_notify: Callable[[str], None],
        *,
        on_connected: Callable[[], None] | None = None,
        on_disconnected: Callable[[], None] | None = None,
        should_stop: Callable[[], bool] = lambda: False,
        application_name: str = "talentflow listener",
    ) -> None:
        self.database_url = database_url
        self.application_name = application_name
        self.channel = channel
        self.on_notify = on_notify
        self.on_connected = on_connected
        self.on_disconnected = on_disconnected
        self.should_stop = should_stop
        self.listening = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    def start(self) -> None:
        if not self.running:
            self._task = asyncio.get_running_loop().create_task(
                self._run(), name=f"listen:{self.channel}"
            )

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self.listening.clear()

    def _notify(self, _conn: object, _pid: int, _channel: str, payload: str) -> None:
        self.on_notify(payload)

    async def _run(self) -> None:
        delay = 0.5
        while not self.should_stop():
            try:
                conn = await asyncpg.connect(
                    to_asyncpg_url(self.database_url),
                    server_settings={"application_name": self.application_name},
                )
            except (OSError, asyncpg.PostgresError) as exc:
                logger.warning(
                    "LISTEN %s: cannot connect (%s); retrying in %.1fs", self.channel, exc, delay
                )
                await asyncio.sleep(delay)
                delay = min(delay * 2, MAX_BACKOFF_S)
                continue
            lost = asyncio.Event()
            conn.add_termination_listener(_setter(lost))
            try:
                await conn.add_listener(self.channel, self._notify)
                if self.on_connected is not None:
                    self.on_connected()
                self.listening.set()
                delay = 0.5
                while not lost.is_set() and not self.should_stop():
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(lost.wait(), POLL_S)
                if lost.is_set():
                    logger.warning("LISTEN %s: connection lost; reconnecting", self.channel)
            except (OSError, asyncpg.PostgresError) as exc:
                logger.warning("LISTEN %s failed (%s); reconnecting", self.channel, exc)
            finally:
                self.listening.clear()
                if self.on_disconnected is not None:
                    self.on_disconnected()
                if not conn.is_closed():
                    with contextlib.suppress(Exception):
                        await conn.close()
