# mypy: disable-error-code="untyped-decorator"
"""Affiliations: a researcher's stint at an institution, with partial dates."""

from __future__ import annotations

from collections.abc import Awaitable, Iterable
from typing import TYPE_CHECKING, Annotated

import strawberry
from strawberry import relay

from service.api.graphql.context import Info
from service.api.graphql.ids import node_pks
from service.api.graphql.types.common import PartialDate, partial_date
from service.api.graphql.types.move import Evidence, institution_now_or_later
from service.db.queries.affiliations import AffiliationRow

INSTITUTION = "service.api.graphql.types.institution"

if TYPE_CHECKING:
    from service.api.graphql.types.institution import Institution
    from service.api.graphql.types.researcher import Researcher


@strawberry.type(description="A stint: a researcher at an institution from a start to an end.")
class Affiliation(relay.Node):
    id: relay.NodeID[int]
    role: str | None
    department: str | None
    start: PartialDate | None
    end: PartialDate | None
    years: list[int] = strawberry.field(description="Years seen active there (publications).")
    current: bool
    source: str
    researcher_id: strawberry.Private[int]
    institution_id: strawberry.Private[int]

    @classmethod
    def from_row(cls, row: AffiliationRow) -> Affiliation:
        return cls(
            id=row.id,
            role=row.role,
            department=row.department,
            start=partial_date(row.start_date, row.start_precision),
            end=partial_date(row.end_date, row.end_precision),
            years=list(row.years),
            current=row.current,
            source=row.source,
            researcher_id=row.researcher_id,
            institution_id=row.institution_id,
        )

    @strawberry.field(
        graphql_type=Annotated["Institution", strawberry.lazy(INSTITUTION)],
    )
    def institution(self, info: Info) -> Institution | Awaitable[Institution | None] | None:
        # A value at once when the researcher's affiliations were prefetched with their
        # institutions (``Researcher.affiliations``), an awaitable otherwise.
        return institution_now_or_later(info, self.institution_id)

    @strawberry.field
    async def researcher(
        self, info: Info
    ) -> Annotated[Researcher, strawberry.lazy("service.api.graphql.types.researcher")]:
        from service.api.graphql.types.researcher import Researcher

        row = await info.context.loaders.researcher_by_id.load(self.researcher_id)
        assert row is not None
        return Researcher.from_row(row)

    @strawberry.field
    async def evidence(self, info: Info) -> list[Evidence]:
        rows = await info.context.loaders.evidence_by_affiliation_id.load(self.id)
        return [Evidence.from_row(r) for r in rows]

    @classmethod
    async def resolve_nodes(  # type: ignore[override]
        cls, *, info: Info, node_ids: Iterable[str], required: bool = False
    ) -> list[Affiliation | None]:
        rows = await info.context.loaders.affiliation_by_id.load_many(node_pks(node_ids))
        return [cls.from_row(r) if r else None for r in rows]
