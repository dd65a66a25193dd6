"""A test plugin: the ``jsonl`` ingester slowed down by ``SLOW_JSONL_DELAY_S`` seconds before
each observation, so a test can stop a worker while a run is between batches."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator
from typing import Any, ClassVar

from plugins.jsonl import JsonlIngester
from service.ingest import Checkpoint, IngestContext, Ingester, hookimpl

DELAY_ENV = "SLOW_JSONL_DELAY_S"


class SlowJsonlIngester(JsonlIngester):
    name: ClassVar[str] = "slow_jsonl"
    description: ClassVar[str] = "The jsonl ingester, slowed down for shutdown tests."

    async def fetch(self, ctx: IngestContext, state: dict[str, Any] | None) -> AsyncIterator[Any]:
        delay = float(os.environ.get(DELAY_ENV, "0"))
        async for item in super().fetch(ctx, state):
            if delay and not isinstance(item, Checkpoint):
                await asyncio.sleep(delay)
            yield item


@hookimpl
def register_ingesters() -> list[type[Ingester]]:
    return [SlowJsonlIngester]
