# mypy: disable-error-code="untyped-decorator"
"""Job postings across boards and the hiring signals counted from them.

``HiringQueries`` holds the top-level fields ``jobPostings`` and ``hiringSignals``; the schema's
``Query`` inherits it.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

import strawberry

from service.api.graphql.context import Info
from service.api.graphql.ids import institution_ref
from service.api.graphql.types.common import Country, country, page_args
from service.api.graphql.types.connection import Connection, connection
from service.api.graphql.types.filters import countries
from service.api.graphql.types.institution import Institution
from service.api.graphql.types.job_posting import JobPosting
from service.db.queries import hiring
from service.db.queries.hiring import HiringLevel, HiringPeriod, JobPostingsFilter

HiringLevelEnum = strawberry.enum(
    HiringLevel,
    name="HiringLevel",
    description="INSTITUTION: the institution of each posting's board; COUNTRY: the "
    "posting's country.",
)
HiringPeriodEnum = strawberry.enum(
    HiringPeriod, name="HiringPeriod", description="Calendar periods in UTC."
)


@strawberry.input(description="Which job postings. Every condition given must hold.")
class JobPostingFilterInput:
    institution: strawberry.ID | None = strawberry.field(
        default=None, description="A global id or a slug; includes its descendants by default."
    )
    include_descendants: bool = strawberry.field(
        default=True,
        description="Whether `institution` also matches its sub-units (Alphabet matches "
        "Google DeepMind).",
    )
    country: list[str] | None = strawberry.field(
        default=None, description="ISO 3166-1 alpha-2 codes; any of them."
    )
    topic: list[str] | None = strawberry.field(
        default=None, description="Any of these topics (llm, vision, safety, ...)."
    )
    research_only: bool = strawberry.field(default=False, description="Research roles only.")
    open_only: bool = strawberry.field(default=False, description="Not closed.")
    open_at: datetime | None = strawberry.field(
        default=None, description="Open at this time: posted by then and not yet closed."
    )
    source: list[str] | None = strawberry.field(
        default=None, description="Board systems: greenhouse, lever, ashby, ..."
    )
    remote: bool | None = strawberry.field(
        default=None, description="true: remote postings only; false: none of them."
    )
    posted_since: datetime | None = strawberry.field(
        default=None, description="Posted (or first seen) at or after this time."
    )


async def job_postings_filter(info: Info, value: JobPostingFilterInput | None) -> JobPostingsFilter:
    if value is None:
        return JobPostingsFilter()
    institutions: tuple[int, ...] = ()
    if value.institution is not None:
        institutions = (await institution_ref(info, str(value.institution), "institution"),)
    return JobPostingsFilter(
        institution_ids=institutions,
        include_descendants=value.include_descendants,
        country_codes=countries(value.country, "country"),
        topics=tuple(t.strip().lower() for t in value.topic or () if t.strip()),
        research_only=value.research_only,
        open_only=value.open_only,
        open_at=value.open_at,
        sources=tuple(s.strip().lower() for s in value.source or () if s.strip()),
        remote=value.remote,
        posted_since=value.posted_since,
    )


@strawberry.type(
    description="Hiring at one institution or in one country over one period: postings open "
    "at the period's end (now, for the current period), opened and closed during it."
)
class HiringSignal:
    country: Country | None = strawberry.field(description="Set at COUNTRY level.")
    period_start: date
    period_end: date = strawberry.field(description="Exclusive: the next period's first day.")
    open_postings: int
    open_research_postings: int
    newly_opened: int
    closed: int
    institution_id: strawberry.Private[int | None]

    @strawberry.field(description="Set at INSTITUTION level.")
    async def institution(self, info: Info) -> Institution | None:
        if self.institution_id is None:
            return None
        row = await info.context.loaders.institution_by_id.load(self.institution_id)
        return Institution.from_row(row) if row else None


@strawberry.type
class HiringQueries:
    @strawberry.field(description="Job postings from every board, newest first.")
    async def job_postings(
        self,
        info: Info,
        filter: JobPostingFilterInput | None = None,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[JobPosting]:
        ctx = info.context
        flt = await job_postings_filter(info, filter)
        page = await hiring.job_postings_page(
            ctx.db, flt, page_args(ctx.settings, first, after, last, before)
        )
        return connection(page, JobPosting.from_row, lambda: hiring.count_job_postings(ctx.db, flt))

    @strawberry.field(
        description="Open, newly opened and closed job postings per institution or country "
        "and period: who is hiring, where, and how fast. Periods with nothing open, opened or "
        "closed are left out."
    )
    async def hiring_signals(
        self,
        info: Info,
        level: HiringLevel = HiringLevel.INSTITUTION,
        period: HiringPeriod = HiringPeriod.MONTH,
        filter: JobPostingFilterInput | None = None,
        since: Annotated[
            date | None, strawberry.argument(description="First period: the one holding this day.")
        ] = None,
        until: Annotated[
            date | None,
            strawberry.argument(
                description="Last period: the one holding this day (default: now)."
            ),
        ] = None,
    ) -> list[HiringSignal]:
        ctx = info.context
        flt = await job_postings_filter(info, filter)
        rows = await hiring.hiring_signals(ctx.db, level, period, flt, since=since, until=until)
        return [
            HiringSignal(
                country=country(r.country_code),
                period_start=r.period_start,
                period_end=r.period_end,
                open_postings=r.open_postings,
                open_research_postings=r.open_research_postings,
                newly_opened=r.newly_opened,
                closed=r.closed,
                institution_id=r.institution_id,
            )
            for r in rows
        ]
