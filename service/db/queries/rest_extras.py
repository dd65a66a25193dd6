"""Read queries the REST side needs beyond the shared lists: whole-list streaming for exports,
and a filtered, paged list of job postings.

Both build on the same ``ListQuery``/``Ordering`` pieces as every other list, so an export
returns exactly the rows the pages would, in the same order, just without a page limit.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

import asyncpg

from service.db.queries import job_postings
from service.db.queries.executor import Executor
from service.db.queries.pagination import (
    ListQuery,
    Ordering,
    Page,
    PageArgs,
    fetch_page,
    row_factory,
)
from service.db.queries.sql import institutions_condition

R = TypeVar("R")

EXPORT_PREFETCH = 2000


def export_sql(query: ListQuery, ordering: Ordering) -> tuple[str, list[Any]]:
    """The whole list in page order, without a limit."""
    direction = " DESC" if ordering.descending else ""
    order = ", ".join(f"{expr}{direction}" for expr, _ in ordering.keys)
    sql = f"SELECT {query.columns} FROM {query.source} WHERE {query.where_sql()} ORDER BY {order}"
    return sql, list(query.params.values)


async def stream_rows(
    conn: asyncpg.Connection,
    query: ListQuery,
    ordering: Ordering,
    factory: Callable[[asyncpg.Record], R],
    *,
    prefetch: int = EXPORT_PREFETCH,
) -> AsyncGenerator[R, None]:
    """Every row of the list through a server-side cursor, in one read-only snapshot.

    Memory stays at about ``prefetch`` rows however long the list is.
    """
    sql, params = export_sql(query, ordering)
    async with conn.transaction(isolation="repeatable_read", readonly=True):
        async for record in conn.cursor(sql, *params, prefetch=prefetch):
            yield factory(record)


# --- job postings ---------------------------------------------------------------------------

_posting = row_factory(job_postings.JobPostingRow)


@dataclass(frozen=True, slots=True)
class JobPostingListFilter:
    institution: int | None = None
    include_descendants: bool = True
    country: tuple[str, ...] = ()
    source: tuple[str, ...] = ()
    topic: tuple[str, ...] = ()
    open_only: bool = False
    research_only: bool = False
    remote: bool | None = None
    posted_since: datetime | None = None


def job_postings_query(flt: JobPostingListFilter) -> ListQuery:
    q = job_postings.build_query(
        job_postings.JobPostingFilter(open_only=flt.open_only, research_only=flt.research_only)
    )
    p = q.params
    if flt.institution is not None:
        q.where.append(
            institutions_condition(
                "j.institution_id", [flt.institution], p, descendants=flt.include_descendants
            )
        )
    if flt.country:
        q.where.append(f"j.country_code = ANY({p.add([c.upper() for c in flt.country], 'text[]')})")
    if flt.source:
        q.where.append(f"j.source = ANY({p.add(list(flt.source), 'text[]')})")
    if flt.topic:
        q.where.append(f"j.topics && {p.add(list(flt.topic), 'text[]')}")
    if flt.remote is not None:
        q.where.append(f"j.remote = {p.add(flt.remote, 'boolean')}")
    if flt.posted_since is not None:
        q.where.append(
            f"coalesce(j.posted_at, j.first_seen_at) >= {p.add(flt.posted_since, 'timestamptz')}"
        )
    return q


async def list_job_postings(
    ex: Executor, flt: JobPostingListFilter, page: PageArgs
) -> Page[job_postings.JobPostingRow]:
    return await fetch_page(
        ex,
        job_postings_query(flt),
        job_postings.ORDERING,
        page,
        _posting,
    )
