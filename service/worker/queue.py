"""Ingestion jobs on procrastinate (a PostgreSQL-backed task queue).

Two ingest tasks, one body (and ``talentflow.rescore_candidates``, hourly, which scores the
open candidate matches again with what has been learnt since):

- ``talentflow.scheduled_ingest``: registered once per schedule entry as a periodic task
  (``periodic_id`` = the instance), so every worker shares one schedule and a fire time is
  deferred once however many workers run;
- ``talentflow.ingest``: the same work queued on demand (``POST /api/v1/ingest-runs``).

Never two runs of one instance at once, on three levels: the ``queueing_lock`` keeps at most one
waiting job per instance, the ``lock`` makes jobs of one instance run one after another, and the
pipeline's advisory lock refuses a run that starts while another is in progress (``RunLocked``:
recorded as a ``cancelled`` row in ``ingest_run`` saying which run it yielded to). A failed run
is recorded as ``failed`` by the pipeline and retried with exponential backoff.

When the worker is stopping (SIGTERM), a running run stops at its next batch boundary: the batch
being written commits with its checkpoint, the run is recorded as ``cancelled`` (``interrupted:
…``) and the job is queued again at once, without backoff, so the next worker resumes the
instance from that checkpoint.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from typing import Any

import asyncpg
import procrastinate
from procrastinate import BaseRetryStrategy, JobContext, RetryStrategy
from procrastinate.exceptions import AlreadyEnqueued
from procrastinate.jobs import Job
from procrastinate.retry import RetryDecision

from service.config import Settings
from service.db.urls import to_asyncpg_url
from service.errors import Conflict, DatabaseUnavailable, TalentflowError
from service.ingest.errors import IngestError, RetriableIngestError, RunLocked
from service.ingest.pipeline import RunResult
from service.worker.schedule import ScheduleEntry

logger = logging.getLogger(__name__)

INGEST_TASK = "talentflow.ingest"
SCHEDULED_TASK = "talentflow.scheduled_ingest"
RESCORE_TASK = "talentflow.rescore_candidates"
# A sensible schedule for the re-scoring (``TALENTFLOW_RESCORE_CANDIDATES_CRON``): hourly.
RESCORE_CRON = "17 * * * *"
QUEUE = "ingest"


class IngestRunFailed(TalentflowError):
    """The run ended as ``failed`` (recorded in ``ingest_run``); the job is retried."""

    code = "INGEST_RUN_FAILED"


class RunInterrupted(TalentflowError):
    """The worker stopped the run at a batch boundary; the job is queued again at once."""

    code = "INGEST_RUN_INTERRUPTED"


class WorkerStopping(IngestError):
    """Raised after a committed batch to end a run early because the worker is stopping."""

    code = "INGEST_WORKER_STOPPING"


STOPPING_MESSAGE = "the worker is stopping"
INTERRUPTED_PREFIX = "interrupted: "

# Waits of 5 s, 25 s, 125 s between attempts (5 ** attempt), then the job fails for good and
# the instance waits for its next fire time.
BACKOFF = RetryStrategy(
    max_attempts=4,
    exponential_wait=5,
    retry_exceptions={IngestRunFailed, RetriableIngestError, DatabaseUnavailable, OSError},
)


class IngestRetry(BaseRetryStrategy):
    """``BACKOFF`` for failures; a run interrupted by a stopping worker is queued again now."""

    def get_retry_decision(self, *, exception: BaseException, job: Job) -> RetryDecision | None:
        if isinstance(exception, RunInterrupted):
            return RetryDecision(retry_in={"seconds": 0})
        decision: RetryDecision | None = BACKOFF.get_retry_decision(exception=exception, job=job)
        return decision


RETRY = IngestRetry()


class BatchBoundaryStop:
    """The pipeline's progress callback: after each committed batch, end the run when the worker
    is stopping. The batch and its checkpoint are already committed when this raises."""

    def __init__(self, stopping: asyncio.Event | None) -> None:
        self.stopping = stopping
        self.stopped = False

    def __call__(self, result: RunResult) -> None:
        if self.stopping is not None and self.stopping.is_set():
            self.stopped = True
            raise WorkerStopping(STOPPING_MESSAGE)


def lock_name(instance: str) -> str:
    return f"ingest:{instance}"


async def run_instance(
    context: JobContext, plugin: str, instance: str, config: dict[str, Any]
) -> dict[str, Any]:
    """Run one ingester instance through the pipeline; raise when the run failed."""
    from service.ingest.pipeline import run_ingester

    pool: asyncpg.Pool = context.additional_context["pool"]
    settings: Settings = context.additional_context["settings"]
    stop = BatchBoundaryStop(context.additional_context.get("stopping"))
    job = context.job
    logger.info(
        "job %s: ingesting %s (plugin %s, attempt %s)", job.id, instance, plugin, job.attempts + 1
    )
    try:
        result = await run_ingester(
            pool, plugin, config, instance=instance, settings=settings, progress=stop
        )
    except RunLocked as exc:
        # Another run of this instance is doing the work: record the refusal and stop here.
        run_id = await record_refused(pool, plugin, instance, exc.message)
        logger.warning("job %s: %s (recorded as run %s)", job.id, exc.message, run_id)
        return {"status": "refused", "run_id": run_id, "reason": exc.message}
    if stop.stopped and result.status == "failed" and result.error == STOPPING_MESSAGE:
        await record_interrupted(pool, result.run_id)
        logger.warning(
            "job %s: run %s of %s stopped after %d observations (worker stopping); queued again",
            job.id,
            result.run_id,
            instance,
            result.seen,
        )
        raise RunInterrupted(
            f"run {result.run_id} of {instance!r} was interrupted by a stopping worker",
            run_id=result.run_id,
        )
    if result.status == "failed":
        raise IngestRunFailed(
            f"run {result.run_id} of {instance!r} failed: {result.error}", run_id=result.run_id
        )
    return {"status": result.status, "run_id": result.run_id, **result.counts()}


async def run_rescore(context: JobContext) -> dict[str, int]:
    """Score the open candidate matches again with what has been learnt since."""
    from service.ingest.rescore import rescore_open_candidates

    pool: asyncpg.Pool = context.additional_context["pool"]
    settings: Settings = context.additional_context["settings"]
    async with pool.acquire() as conn, conn.transaction():
        result = await rescore_open_candidates(conn, settings)
    return {
        "seen": result.seen,
        "merged": result.merged,
        "closed": result.closed,
        "rescored": result.rescored,
    }


async def record_refused(pool: asyncpg.Pool, plugin: str, instance: str, reason: str) -> int:
    """A ``cancelled`` run row saying why this run did not happen."""
    from service.db.stores import ingest_runs

    async with pool.acquire() as conn, conn.transaction():
        run_id = await ingest_runs.start(conn, plugin, instance, False, None)
        zero = dict.fromkeys(("seen", "created", "updated", "unchanged", "rejected"), 0)
        await ingest_runs.finish(
            conn,
            run_id,
            status="cancelled",
            counts=zero,
            cursor_after=None,
            error=f"refused: {reason}",
        )
    return run_id


async def record_interrupted(pool: asyncpg.Pool, run_id: int) -> None:
    """Mark a run the worker stopped as ``cancelled``: not a failure, and the next run resumes
    from its committed checkpoint."""
    async with pool.acquire() as conn:
        await conn.execute(
            "UPDATE ingest_run SET status = 'cancelled', error = $2 WHERE id = $1",
            run_id,
            f"{INTERRUPTED_PREFIX}{STOPPING_MESSAGE}; the last batch and its checkpoint were "
            "committed and the job was queued again to resume from there",
        )


def build_app(
    database_url: str, entries: Sequence[ScheduleEntry] = (), *, rescore_cron: str | None = None
) -> procrastinate.App:
    """A procrastinate app on ``database_url`` with the ingest tasks and the schedule; with
    ``rescore_cron``, also the periodic re-scoring of open candidate matches."""
    connector = procrastinate.PsycopgConnector(
        conninfo=to_asyncpg_url(database_url),
        min_size=1,
        max_size=4,
        kwargs={"application_name": "talentflow-worker"},
    )
    app = procrastinate.App(connector=connector)

    @app.task(name=INGEST_TASK, pass_context=True, retry=RETRY, queue=QUEUE)
    async def ingest(
        context: JobContext, plugin: str, instance: str, config: dict[str, Any]
    ) -> dict[str, Any]:
        return await run_instance(context, plugin, instance, config)

    @app.task(name=SCHEDULED_TASK, pass_context=True, retry=RETRY, queue=QUEUE)
    async def scheduled_ingest(
        context: JobContext, timestamp: int, plugin: str, instance: str, config: dict[str, Any]
    ) -> dict[str, Any]:
        return await run_instance(context, plugin, instance, config)

    @app.task(name=RESCORE_TASK, pass_context=True, queue=QUEUE, lock="rescore-candidates")
    async def rescore_candidates(context: JobContext, timestamp: int) -> dict[str, int]:
        return await run_rescore(context)

    if rescore_cron:
        app.periodic(cron=rescore_cron, periodic_id="rescore-candidates")(rescore_candidates)

    for entry in entries:
        app.periodic(
            cron=entry.cron,
            periodic_id=entry.instance,
            queue=entry.queue,
            lock=lock_name(entry.instance),
            queueing_lock=lock_name(entry.instance),
            task_kwargs={
                "plugin": entry.plugin,
                "instance": entry.instance,
                "config": entry.config,
            },
        )(scheduled_ingest)
    return app


async def defer_ingest(
    app: procrastinate.App, plugin: str, instance: str, config: dict[str, Any]
) -> int:
    """Queue a run now; ``Conflict`` when a run of ``instance`` is already waiting."""
    try:
        job_id: int = await app.configure_task(
            INGEST_TASK,
            queue=QUEUE,
            lock=lock_name(instance),
            queueing_lock=lock_name(instance),
        ).defer_async(plugin=plugin, instance=instance, config=config)
    except AlreadyEnqueued:
        raise Conflict(
            f"a run of instance {instance!r} is already queued", instance=instance
        ) from None
    return job_id
