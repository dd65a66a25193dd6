# mypy: disable-error-code="untyped-decorator"
"""Ingestion runs: one plugin instance's pass over its source."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

import strawberry
from strawberry import relay

from service.api.graphql.context import Info
from service.api.graphql.ids import node_pks
from service.api.graphql.types.common import IngestRunStatus
from service.db.queries.ingest_runs import IngestRunRow
from service.ingest.errors import run_error_for


@strawberry.type(description="One run of an ingester, with what it saw and wrote.")
class IngestRun(relay.Node):
    id: relay.NodeID[int]
    plugin: str
    instance: str
    status: IngestRunStatus
    dry_run: bool
    started_at: datetime
    finished_at: datetime | None
    seen: int
    created: int
    updated: int
    unchanged: int
    rejected: int
    stored_error: strawberry.Private[str | None]

    @strawberry.field(
        description="Why the run failed. Local file paths show as `<path>` unless the caller's "
        "key has the `admin` scope."
    )
    async def error(self, info: Info) -> str | None:
        if self.stored_error is None:
            return None
        key = await info.context.api_key()
        return run_error_for(self.stored_error, admin=key is not None and key.allows("admin"))

    @classmethod
    def from_row(cls, row: IngestRunRow) -> IngestRun:
        return cls(
            id=row.id,
            plugin=row.plugin,
            instance=row.instance,
            status=IngestRunStatus(row.status),
            dry_run=row.dry_run,
            started_at=row.started_at,
            finished_at=row.finished_at,
            seen=row.seen,
            created=row.created,
            updated=row.updated,
            unchanged=row.unchanged,
            rejected=row.rejected,
            stored_error=row.error,
        )

    @classmethod
    async def resolve_nodes(  # type: ignore[override]
        cls, *, info: Info, node_ids: Iterable[str], required: bool = False
    ) -> list[IngestRun | None]:
        rows = await info.context.loaders.ingest_run_by_id.load_many(node_pks(node_ids))
        return [cls.from_row(r) if r else None for r in rows]
