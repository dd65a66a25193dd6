"""``/api/v1/job-postings``: hiring signals, filtered, paged and exportable."""

from __future__ import annotations

from datetime import UTC, datetime, time
from typing import Any

import asyncpg
from starlette.requests import Request
from starlette.responses import Response

from service.api.rest.endpoint import Call, Endpoint, connection
from service.api.rest.export import export_list
from service.api.rest.filters import institution_ref
from service.api.rest.params import PAGING_PARAMS, Param, paging
from service.api.rest.responses import dataclass_columns, page_response
from service.db.queries import rest_extras as q
from service.db.queries.job_postings import ORDERING, JobPostingRow
from service.db.queries.pagination import ListQuery, Ordering, row_factory

LIST_PARAMS = (
    Param("institution", "ref", "Postings of this institution (an id or a slug)."),
    Param(
        "include_descendants",
        "bool",
        "Whether institution also matches its sub-units.",
        default=True,
    ),
    Param("country", "country", "Countries of the posting's location.", many=True),
    Param("source", "str", "Job boards (greenhouse, lever, ashby, …).", many=True),
    Param("topic", "str", "Any of these research topics.", many=True),
    Param("open_only", "bool", "Only postings not closed yet.", default=False),
    Param("research_only", "bool", "Only research roles.", default=False),
    Param("remote", "bool", "true: only remote postings; false: none of them."),
    Param("posted_since", "date", "Posted (or first seen) on or after this date."),
)
COLUMNS = dataclass_columns(JobPostingRow)
_posting = row_factory(JobPostingRow)


async def _filter(conn: asyncpg.Connection, args: dict[str, Any]) -> q.JobPostingListFilter:
    since = args["posted_since"]
    return q.JobPostingListFilter(
        institution=await institution_ref(conn, args["institution"], "institution"),
        include_descendants=args["include_descendants"],
        country=args["country"],
        source=args["source"],
        topic=args["topic"],
        open_only=args["open_only"],
        research_only=args["research_only"],
        remote=args["remote"],
        posted_since=datetime.combine(since, time(), UTC) if since else None,
    )


async def list_job_postings(request: Request, call: Call) -> Response:
    if call.format == "csv":

        async def build(conn: asyncpg.Connection) -> tuple[ListQuery, Ordering]:
            return q.job_postings_query(await _filter(conn, call.args)), ORDERING

        return await export_list(request, build, COLUMNS, "job-postings")
    page_args = paging(request)
    async with connection(request) as conn:
        page = await q.list_job_postings(conn, await _filter(conn, call.args), page_args)
    return page_response(request, page.items, page.end_cursor if page.has_next else None)


endpoints = [
    Endpoint(
        "/job-postings",
        list_job_postings,
        "List job postings",
        "JobPostingRow",
        tag="hiring",
        description="Postings newest first. `?format=csv` streams them all.",
        params=(*LIST_PARAMS, *PAGING_PARAMS),
        paged=True,
        csv=True,
    ),
]
