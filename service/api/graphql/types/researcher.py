# mypy: disable-error-code="untyped-decorator"
"""Researchers: names in every script, external ids, affiliation history and moves."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING, Annotated

import strawberry
from strawberry import relay

from service.api.graphql.context import Info
from service.api.graphql.ids import node_pks
from service.api.graphql.prefetch import node_selection, prefetch_moves
from service.api.graphql.types.common import ExternalId
from service.api.graphql.types.move import Move
from service.db.queries.affiliations import current_affiliation
from service.db.queries.researchers import ResearcherRow

if TYPE_CHECKING:
    from service.api.graphql.types.affiliation import Affiliation
    from service.api.graphql.types.candidate_match import CandidateMatch

AFFILIATION = "service.api.graphql.types.affiliation"
CANDIDATE_MATCH = "service.api.graphql.types.candidate_match"


@strawberry.type(description="A researcher. A merged researcher's id resolves to the survivor.")
class Researcher(relay.Node):
    id: relay.NodeID[int]
    name: str
    native_name: str | None = strawberry.field(description="The name in its own script: 姚顺雨.")
    name_order: str | None
    topics: list[str]
    works_count: int | None
    cited_by_count: int | None
    h_index: int | None
    created_at: datetime
    updated_at: datetime

    @classmethod
    def from_row(cls, row: ResearcherRow) -> Researcher:
        return cls(
            id=row.id,
            name=row.display_name,
            native_name=row.native_name,
            name_order=row.name_order,
            topics=list(row.topics),
            works_count=row.works_count,
            cited_by_count=row.cited_by_count,
            h_index=row.h_index,
            created_at=row.created_at,
            updated_at=row.updated_at,
        )

    @strawberry.field(description="Every name seen for this researcher.")
    async def aliases(self, info: Info) -> list[str]:
        rows = await info.context.loaders.researcher_aliases.load(self.id)
        return list(dict.fromkeys(r.alias for r in rows))

    @strawberry.field(description="ORCID, OpenAlex, Semantic Scholar, DBLP... ids.")
    async def external_ids(self, info: Info) -> list[ExternalId]:
        rows = await info.context.loaders.researcher_external_ids.load(self.id)
        return [ExternalId(scheme=r.scheme, value=r.value) for r in rows]

    @strawberry.field
    async def orcid(self, info: Info) -> str | None:
        rows = await info.context.loaders.researcher_external_ids.load(self.id)
        return next((r.value for r in rows if r.scheme == "orcid"), None)

    @strawberry.field
    async def openalex_id(self, info: Info) -> str | None:
        rows = await info.context.loaders.researcher_external_ids.load(self.id)
        return next((r.value for r in rows if r.scheme == "openalex"), None)

    @strawberry.field(description="The affiliation history, oldest first.")
    async def affiliations(
        self, info: Info
    ) -> list[Annotated[Affiliation, strawberry.lazy(AFFILIATION)]]:
        from service.api.graphql.types.affiliation import Affiliation

        loaders = info.context.loaders
        rows = await loaders.affiliations_by_researcher_id.load(self.id)
        if rows and "institution" in node_selection(info):
            await loaders.institution_by_id.load_many(sorted({r.institution_id for r in rows}))
        return [Affiliation.from_row(r) for r in rows]

    @strawberry.field(description="The open affiliation that started last.")
    async def current_affiliation(
        self, info: Info
    ) -> Annotated[Affiliation, strawberry.lazy(AFFILIATION)] | None:
        from service.api.graphql.types.affiliation import Affiliation

        rows = await info.context.loaders.affiliations_by_researcher_id.load(self.id)
        current = current_affiliation(rows)
        return Affiliation.from_row(current) if current else None

    @strawberry.field(
        description="Moves, oldest first (retracted and rumoured ones, and visits, are left out)."
    )
    async def moves(self, info: Info) -> list[Move]:
        rows = await info.context.loaders.moves_by_researcher_id.load(self.id)
        rows = [r for r in rows if not r.is_visit]
        await prefetch_moves(info, rows, node_selection(info))
        return [Move.from_row(r) for r in rows]

    @strawberry.field(
        description="Visits, oldest first: short stints away from a home institution (a "
        "visiting year, a sabbatical, a paper written at a partner lab), kept apart from moves."
    )
    async def visits(self, info: Info) -> list[Move]:
        rows = await info.context.loaders.moves_by_researcher_id.load(self.id)
        rows = [r for r in rows if r.is_visit]
        await prefetch_moves(info, rows, node_selection(info))
        return [Move.from_row(r) for r in rows]

    @strawberry.field(description="Other records that may be the same person.")
    async def candidate_matches(
        self, info: Info
    ) -> list[Annotated[CandidateMatch, strawberry.lazy(CANDIDATE_MATCH)]]:
        from service.api.graphql.types.candidate_match import CandidateMatch

        rows = await info.context.loaders.candidate_matches_by_researcher_id.load(self.id)
        return [CandidateMatch.from_row(r) for r in rows]

    @classmethod
    async def resolve_nodes(  # type: ignore[override]
        cls, *, info: Info, node_ids: Iterable[str], required: bool = False
    ) -> list[Researcher | None]:
        rows = await info.context.loaders.researcher_by_id.load_many(node_pks(node_ids))
        return [cls.from_row(r) if r else None for r in rows]
