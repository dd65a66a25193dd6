"""Running a coroutine from a command: on uvloop where it is installed, as the server runs.

``talentflow serve`` runs on uvloop through uvicorn; the commands that ingest or work the queue
run the same way, so their asyncpg connections and the turns an ingest run hands between reading
and writing cost what they cost in the server (an ingest run of 100,000 OpenAlex authors took
about 2.5% less time than on asyncio's own loop; bench/perf_notes.md).
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any, TypeVar

T = TypeVar("T")


def run(coro: Coroutine[Any, Any, T]) -> T:
    try:
        import uvloop
    except ImportError:  # not on every platform (uvicorn[standard] leaves it out on Windows)
        return asyncio.run(coro)
    result: T = uvloop.run(coro)
    return result
