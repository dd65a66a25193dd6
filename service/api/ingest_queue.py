"""Starting an ingestion run from either API: the run is queued for the worker.

REST's ``POST /api/v1/ingest-runs`` and GraphQL's ``startIngestRun`` both call
:func:`queue_run`: the API process checks the request (the ingester exists, its config
validates and obeys the operator's limits) and queues a job; a worker (``talentflow worker``,
or the in-process worker when ``TALENTFLOW_IN_PROCESS_WORKER`` is set) runs it. The API
process never ingests.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from typing import Any

from service.api.state import AppState

logger = logging.getLogger(__name__)

QUEUE_KEY = "procrastinate"
# procrastinate's workers beat every 10 s and count as stalled after 30 s without a beat.
WORKER_HEARTBEAT_S = 30
NO_WORKER = (
    "no worker is listening: the run stays queued until `talentflow worker` runs "
    "(or the API runs with TALENTFLOW_IN_PROCESS_WORKER=true, as `talentflow demo` does)"
)


@dataclass(frozen=True, slots=True)
class QueuedRun:
    """A run waiting for a worker: its job id, what it runs, and who listens."""

    job_id: int
    plugin: str
    instance: str
    workers: int

    @property
    def warning(self) -> str | None:
        return NO_WORKER if not self.workers else None


async def listening_workers(conn: Any) -> int:
    """Queue workers that sent a heartbeat lately (procrastinate's worker table)."""
    value: int = await conn.fetchval(
        "SELECT count(*) FROM procrastinate_workers "
        "WHERE last_heartbeat > now() - make_interval(secs => $1)",
        WORKER_HEARTBEAT_S,
    )
    return value


async def job_queue(state: AppState) -> Any:
    """The procrastinate app used to queue jobs, opened on first use."""
    from service.worker.queue import build_app

    lock = state.extras.setdefault("procrastinate_lock", asyncio.Lock())
    async with lock:
        app = state.extras.get(QUEUE_KEY)
        if app is None:
            app = build_app(state.database_url)
            await app.open_async()
            state.extras[QUEUE_KEY] = app
    return app


async def close_queue(state: AppState) -> None:
    app = state.extras.pop(QUEUE_KEY, None)
    if app is not None:
        await app.close_async()


async def queue_run(
    state: AppState, plugin: str, instance: str, config: dict[str, Any]
) -> QueuedRun:
    """Check and queue a run of ``plugin`` as ``instance``.

    Raises ``UnknownIngesterError`` for an ingester that is not installed, ``ConfigError``
    for a config that does not validate (or reaches outside what the operator allows), and
    ``Conflict`` when a run of ``instance`` is already queued.
    """
    from service.ingest.manager import get_ingester, get_plugin_manager
    from service.ingest.pipeline import api_config
    from service.worker.queue import defer_ingest

    checked = api_config(get_ingester(get_plugin_manager(), plugin), config, state.settings)
    job_id = await defer_ingest(await job_queue(state), plugin, instance, checked)
    workers = await listening_workers(state.pool)
    logger.info("queued a run of %s as %s (job %d)", plugin, instance, job_id)
    return QueuedRun(job_id, plugin, instance, workers)
