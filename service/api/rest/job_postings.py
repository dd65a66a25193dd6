"""``/api/v1/job-postings`` and ``/api/v1/hiring-signals``: lab hiring from job boards.

Both read through ``service.db.queries.hiring`` (the same filters as GraphQL): postings are
paged and exportable; signals give, per institution or country and per month, quarter or year,
the postings open at the period's end, newly opened and closed.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Any

import asyncpg
from starlette.requests import Request
from starlette.responses import Response

from service.api.rest.endpoint import Call, Endpoint, connection
from service.api.rest.export import export_list
from service.api.rest.filters import institution_ref
from service.api.rest.params import PAGING_PARAMS, Param, paging
from service.api.rest.responses import (
    csv_response,
    dataclass_columns,
    json_response,
    page_response,
)
from service.db.queries import hiring as q
from service.db.queries.job_postings import ORDERING, JobPostingRow
from service.db.queries.pagination import ListQuery, Ordering

FILTER_PARAMS = (
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
    Param("open_at", "date", "Only postings open on this day."),
    Param("research_only", "bool", "Only research roles.", default=False),
    Param("remote", "bool", "true: only remote postings; false: none of them."),
    Param("posted_since", "date", "Posted (or first seen) on or after this date."),
)
SIGNAL_PARAMS = (
    Param(
        "level",
        "enum",
        "Per institution or per country.",
        choices=tuple(level.name for level in q.HiringLevel),
        default="INSTITUTION",
    ),
    Param(
        "period",
        "enum",
        "Calendar periods (UTC).",
        choices=tuple(p.name for p in q.HiringPeriod),
        default="MONTH",
    ),
    Param("since", "date", "First period: the one holding this date (default: the earliest)."),
    Param("until", "date", "Last period: the one holding this date (default: now)."),
    *FILTER_PARAMS,
)
COLUMNS = dataclass_columns(JobPostingRow)
SIGNAL_COLUMNS = dataclass_columns(q.HiringSignalRow)


def _start_of(day: date | None) -> datetime | None:
    return datetime.combine(day, time(), UTC) if day else None


async def _filter(conn: asyncpg.Connection, args: dict[str, Any]) -> q.JobPostingsFilter:
    institution = await institution_ref(conn, args["institution"], "institution")
    return q.JobPostingsFilter(
        institution_ids=(institution,) if institution is not None else (),
        include_descendants=args["include_descendants"],
        country_codes=args["country"],
        topics=args["topic"],
        research_only=args["research_only"],
        open_only=args["open_only"],
        open_at=_start_of(args["open_at"]),
        sources=args["source"],
        remote=args["remote"],
        posted_since=_start_of(args["posted_since"]),
    )


async def list_job_postings(request: Request, call: Call) -> Response:
    if call.format == "csv":

        async def build(conn: asyncpg.Connection) -> tuple[ListQuery, Ordering]:
            return q.postings_query(await _filter(conn, call.args)), ORDERING

        return await export_list(request, build, COLUMNS, "job-postings")
    page_args = paging(request)
    async with connection(request) as conn:
        page = await q.job_postings_page(conn, await _filter(conn, call.args), page_args)
    return page_response(request, page.items, page.end_cursor if page.has_next else None)


async def list_hiring_signals(request: Request, call: Call) -> Response:
    level = q.HiringLevel[call.args["level"]]
    period = q.HiringPeriod[call.args["period"]]
    async with connection(request) as conn:
        rows = await q.hiring_signals(
            conn,
            level,
            period,
            await _filter(conn, call.args),
            since=call.args["since"],
            until=call.args["until"],
        )
    if call.format == "csv":
        return csv_response(SIGNAL_COLUMNS, rows, filename="hiring-signals")
    return json_response(request, {"data": rows, "level": level.name, "period": period.name})


endpoints = [
    Endpoint(
        "/job-postings",
        list_job_postings,
        "List job postings",
        "JobPostingRow",
        tag="hiring",
        description="Postings newest first. `?format=csv` streams them all.",
        params=(*FILTER_PARAMS, *PAGING_PARAMS),
        paged=True,
        csv=True,
    ),
    Endpoint(
        "/hiring-signals",
        list_hiring_signals,
        "Hiring signals per institution or country and period",
        "HiringSignals",
        tag="hiring",
        description="Per entity and period: postings open at the period's end (all and "
        "research roles), newly opened and closed. Periods with nothing are left out.",
        params=SIGNAL_PARAMS,
        csv=True,
    ),
]
