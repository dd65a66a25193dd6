# mypy: disable-error-code="untyped-decorator"
"""Job postings: open roles at institutions, a leading signal of where people will move."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING, Annotated

import strawberry
from strawberry import relay

from service.api.graphql.context import Info
from service.api.graphql.ids import node_pks
from service.api.graphql.types.common import Country, country
from service.api.graphql.types.move import load_institution
from service.db.queries.job_postings import JobPostingRow

if TYPE_CHECKING:
    from service.api.graphql.types.institution import Institution


@strawberry.type(description="A job posting seen on a careers site.")
class JobPosting(relay.Node):
    id: relay.NodeID[int]
    source: str
    external_id: str
    title: str
    team: str | None
    department: str | None
    location: str | None
    country: Country | None
    remote: bool
    posted_at: datetime | None
    first_seen_at: datetime
    last_seen_at: datetime
    closed_at: datetime | None
    url: str | None
    is_research: bool
    role_category: str | None
    topics: list[str]
    institution_id: strawberry.Private[int | None]

    @classmethod
    def from_row(cls, row: JobPostingRow) -> JobPosting:
        return cls(
            id=row.id,
            source=row.source,
            external_id=row.external_id,
            title=row.title,
            team=row.team,
            department=row.department,
            location=row.location,
            country=country(row.country_code),
            remote=row.remote,
            posted_at=row.posted_at,
            first_seen_at=row.first_seen_at,
            last_seen_at=row.last_seen_at,
            closed_at=row.closed_at,
            url=row.url,
            is_research=row.is_research,
            role_category=row.role_category,
            topics=list(row.topics),
            institution_id=row.institution_id,
        )

    @strawberry.field
    async def institution(
        self, info: Info
    ) -> Annotated[Institution, strawberry.lazy("service.api.graphql.types.institution")] | None:
        return await load_institution(info, self.institution_id)

    @classmethod
    async def resolve_nodes(  # type: ignore[override]
        cls, *, info: Info, node_ids: Iterable[str], required: bool = False
    ) -> list[JobPosting | None]:
        rows = await info.context.loaders.job_posting_by_id.load_many(node_pks(node_ids))
        return [cls.from_row(r) if r else None for r in rows]
