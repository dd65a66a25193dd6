"""Reading job postings: per-institution pages, lookups by id."""

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
    count_by,
    fetch_pages,
    row_factory,
)

COLUMNS = (
    "j.id, j.institution_id, j.source, j.external_id, j.title, j.team, j.department, "
    "j.location, j.country_code, j.remote, j.posted_at, j.first_seen_at, j.last_seen_at, "
    "j.closed_at, j.url, j.is_research, j.role_category, j.topics"
)

ORDERING = Ordering(
    "POSTED", (("coalesce(j.posted_at, j.first_seen_at)", "timestamptz"), ("j.id", "bigint")), True
)


@dataclass(frozen=True, slots=True)
class JobPostingRow:
    id: int
    institution_id: int | None
    source: str
    external_id: str
    title: str
    team: str | None
    department: str | None
    location: str | None
    country_code: str | None
    remote: bool
    posted_at: datetime | None
    first_seen_at: datetime
    last_seen_at: datetime
    closed_at: datetime | None
    url: str | None
    is_research: bool
    role_category: str | None
    topics: list[str]


@dataclass(frozen=True, slots=True)
class JobPostingFilter:
    open_only: bool = False
    research_only: bool = False


_posting = row_factory(JobPostingRow)


def build_query(flt: JobPostingFilter) -> ListQuery:
    q = ListQuery(COLUMNS, "job_posting j")
    if flt.open_only:
        q.where.append("j.closed_at IS NULL")
    if flt.research_only:
        q.where.append("j.is_research")
    return q


async def institution_postings_pages(
    ex: Executor, institution_ids: Sequence[int], flt: JobPostingFilter, page: PageArgs
) -> dict[int, Page[JobPostingRow]]:
    return await fetch_pages(
        ex,
        build_query(flt),
        ORDERING,
        page,
        _posting,
        partition="j.institution_id = _parent.key",
        keys=institution_ids,
    )


async def count_institution_postings(
    ex: Executor, institution_ids: Sequence[int], flt: JobPostingFilter
) -> dict[int, int]:
    return await count_by(
        ex, build_query(flt), partition="j.institution_id = _parent.key", keys=institution_ids
    )


async def job_postings_by_ids(ex: Executor, ids: Sequence[int]) -> dict[int, JobPostingRow]:
    rows = await ex.fetch(
        f"SELECT {COLUMNS} FROM job_posting j WHERE j.id = ANY($1::bigint[])", ids
    )
    return {r["id"]: _posting(r) for r in rows}
