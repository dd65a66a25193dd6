# mypy: disable-error-code="untyped-decorator"
"""Starting an ingestion run from the API: the run is queued for the worker, as REST's
``POST /api/v1/ingest-runs`` queues it (``service.api.ingest_queue``)."""

from __future__ import annotations

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
from service.api.ingest_queue import QueuedRun, queue_run
from service.errors import ConfigError, Conflict, TalentflowError

logger = logging.getLogger(__name__)


@strawberry.type(
    description="A run waiting for a worker; it appears in `ingestRuns` when a worker picks it up."
)
class QueuedIngestRun:
    job_id: int = strawberry.field(description="The queue's job id.")
    plugin: str
    instance: str
    status: str = strawberry.field(description="Always `queued`.")
    workers: int = strawberry.field(
        description="Queue workers listening (a heartbeat in the last 30 s)."
    )
    warning: str | None = strawberry.field(
        description="Present when no worker is listening: the run waits."
    )

    @classmethod
    def from_queued(cls, queued: QueuedRun) -> QueuedIngestRun:
        return cls(
            job_id=queued.job_id,
            plugin=queued.plugin,
            instance=queued.instance,
            status="queued",
            workers=queued.workers,
            warning=queued.warning,
        )


IngestRunResult = Annotated[
    QueuedIngestRun | NotFoundError | PermissionDeniedError | ValidationError | ConflictError,
    strawberry.union("IngestRunResult"),
]


@strawberry.type
class IngestRunMutations:
    @strawberry.mutation(
        permission_classes=[CanIngest],
        description="Queue a run of an ingester plugin with this config for the worker "
        "(scope ingest), as `POST /api/v1/ingest-runs` does. `ConflictError` when a run of "
        "the instance is already queued.",
    )
    async def start_ingest_run(
        self,
        info: Info,
        plugin: str,
        config: JSON | None = None,
        instance: str | None = None,
    ) -> IngestRunResult:
        from service.ingest.manager import UnknownIngesterError

        raw: object = config if config is not None else {}
        if not isinstance(raw, dict):
            return invalid("config must be a JSON object", "config")
        cfg: dict[str, Any] = dict(raw)
        name = (instance or plugin).strip()
        if not name:
            return invalid("instance must not be empty", "instance")
        try:
            queued = await queue_run(info.context.state, plugin, name, cfg)
        except UnknownIngesterError as exc:
            return not_found(exc.message)
        except ConfigError as exc:
            return invalid(exc.message, "config")
        except Conflict as exc:
            return conflict(exc.message)
        except TalentflowError as exc:
            return not_found(exc.message)
        return QueuedIngestRun.from_queued(queued)
