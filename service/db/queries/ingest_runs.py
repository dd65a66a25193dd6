"""Reading ingestion runs."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from service.db.queries.executor import Executor
from service.db.queries.pagination import (
    ListQuery,
    Ordering,
    Page,
    PageArgs,
    count,
    fetch_page,
    row_factory,
)

COLUMNS = (
    "g.id, g.plugin, g.instance, g.status, g.dry_run, g.started_at, g.finished_at, g.seen, "
    "g.created, g.updated, g.unchanged, g.rejected, g.error"
)
ORDERING = Ordering("STARTED", (("g.started_at", "timestamptz"), ("g.id", "bigint")), True)


@dataclass(frozen=True, slots=True)
class IngestRunRow:
    id: int
    plugin: str
    instance: str
    status: str
    dry_run: bool
    started_at: datetime
    finished_at: datetime | None
    seen: int
    created: int
    updated: int
    unchanged: int
    rejected: int
    error: str | None


@dataclass(frozen=True, slots=True)
class IngestRunFilter:
    plugin: str | None = None
    status: tuple[str, ...] = ()


_run = row_factory(IngestRunRow)


def build_query(flt: IngestRunFilter) -> ListQuery:
    q = ListQuery(COLUMNS, "ingest_run g")
    if flt.plugin is not None:
        q.where.append(f"g.plugin = {q.params.add(flt.plugin, 'text')}")
    if flt.status:
        q.where.append(f"g.status = ANY({q.params.add(list(flt.status), 'text[]')})")
    return q


async def list_ingest_runs(
    ex: Executor, flt: IngestRunFilter, page: PageArgs
) -> Page[IngestRunRow]:
    return await fetch_page(ex, build_query(flt), ORDERING, page, _run)


async def count_ingest_runs(ex: Executor, flt: IngestRunFilter) -> int:
    return await count(ex, build_query(flt))


async def ingest_runs_by_ids(ex: Executor, ids: Sequence[int]) -> dict[int, IngestRunRow]:
    rows = await ex.fetch(f"SELECT {COLUMNS} FROM ingest_run g WHERE g.id = ANY($1::bigint[])", ids)
    return {r["id"]: _run(r) for r in rows}
