# mypy: disable-error-code="untyped-decorator"
"""Starting an ingestion run from the API; the run continues in the background."""

from __future__ import annotations

import asyncio
import logging
from typing import Annotated, Any

import strawberry
from strawberry.scalars import JSON

from service.api.graphql.context import Info
from service.api.graphql.errors import (
    ConflictError,
    NotFoundError,
    PermissionDeniedError,
    ValidationError,
    conflict,
    invalid,
    not_found,
)
from service.api.graphql.permissions import CanIngest
from service.api.graphql.types.ingest_run import IngestRun
from service.errors import ConfigError, TalentflowError

logger = logging.getLogger(__name__)

TASKS_KEY = "graphql.ingest_tasks"
START_TIMEOUT_S = 10.0

IngestRunResult = Annotated[
    IngestRun | NotFoundError | PermissionDeniedError | ValidationError | ConflictError,
    strawberry.union("IngestRunResult"),
]


@strawberry.type
class IngestRunMutations:
    @strawberry.mutation(
        permission_classes=[CanIngest],
        description="Start a run of an ingester plugin with this config (scope ingest). "
        "Returns as soon as the run is recorded; poll `node(id)` for its progress.",
    )
    async def start_ingest_run(
        self,
        info: Info,
        plugin: str,
        config: JSON | None = None,
        instance: str | None = None,
    ) -> IngestRunResult:
        from service.ingest.manager import get_ingester, get_plugin_manager
        from service.ingest.pipeline import api_config, run_ingester

        raw: object = config if config is not None else {}
        if not isinstance(raw, dict):
            return invalid("config must be a JSON object", "config")
        cfg: dict[str, Any] = dict(raw)
        try:
            pm = get_plugin_manager()
            cfg = api_config(get_ingester(pm, plugin), cfg, info.context.state.settings)
        except ConfigError as exc:
            if "config" in exc.message:
                return invalid(exc.message, "config")
            return not_found(exc.message)
        except TalentflowError as exc:
            return not_found(exc.message)
        state = info.context.state
        name = instance or plugin
        pool = state.pool
        before = await pool.fetchval("SELECT coalesce(max(id), 0) FROM ingest_run")
        task = asyncio.create_task(
            run_ingester(pool, plugin, cfg, instance=name, settings=state.settings, pm=pm),
            name=f"ingest:{name}",
        )
        tasks: set[asyncio.Task[Any]] = state.extras.setdefault(TASKS_KEY, set())
        tasks.add(task)
        task.add_done_callback(_finished(tasks))
        loop = asyncio.get_running_loop()
        deadline = loop.time() + START_TIMEOUT_S
        while True:
            run_id = await pool.fetchval(
                "SELECT id FROM ingest_run WHERE instance = $1 AND id > $2 ORDER BY id LIMIT 1",
                name,
                before,
            )
            if run_id is not None:
                break
            if task.done():
                failure = task.exception()
                if isinstance(failure, TalentflowError):
                    return conflict(failure.message)
                if failure is not None:
                    logger.error("ingest run of %s failed to start", name, exc_info=failure)
                    return conflict(f"the run of {name!r} failed to start")
            if loop.time() > deadline:
                return conflict(f"the run of {name!r} did not start in time")
            await asyncio.sleep(0.02)
        row = await info.context.loaders.ingest_run_by_id.load(run_id)
        assert row is not None
        return IngestRun.from_row(row)


def _finished(tasks: set[asyncio.Task[Any]]) -> Any:
    def done(task: asyncio.Task[Any]) -> None:
        tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            logger.error("background ingest run failed", exc_info=task.exception())

    return done
