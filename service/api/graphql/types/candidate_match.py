# mypy: disable-error-code="untyped-decorator"
"""Candidate matches: two researcher records that may be one person, kept for a curator."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING, Annotated

import strawberry
from strawberry import relay
from strawberry.scalars import JSON

from service.api.graphql.context import Info
from service.api.graphql.ids import node_pks
from service.api.graphql.types.common import CandidateMatchStatus
from service.db.queries.candidate_matches import CandidateMatchRow

if TYPE_CHECKING:
    from service.api.graphql.types.researcher import Researcher

RESEARCHER = "service.api.graphql.types.researcher"


@strawberry.type(description="Two researcher records that may be the same person, with a score.")
class CandidateMatch(relay.Node):
    id: relay.NodeID[int]
    score: float
    reasons: JSON
    status: CandidateMatchStatus
    created_at: datetime
    resolved_at: datetime | None
    resolved_by: str | None
    researcher_id: strawberry.Private[int]
    candidate_id: strawberry.Private[int]

    @classmethod
    def from_row(cls, row: CandidateMatchRow) -> CandidateMatch:
        return cls(
            id=row.id,
            score=row.score,
            reasons=row.reasons,
            status=CandidateMatchStatus(row.status),
            created_at=row.created_at,
            resolved_at=row.resolved_at,
            resolved_by=row.resolved_by,
            researcher_id=row.researcher_id,
            candidate_id=row.candidate_id,
        )

    @strawberry.field
    async def researcher(self, info: Info) -> Annotated[Researcher, strawberry.lazy(RESEARCHER)]:
        return await _researcher(info, self.researcher_id)

    @strawberry.field
    async def candidate(self, info: Info) -> Annotated[Researcher, strawberry.lazy(RESEARCHER)]:
        return await _researcher(info, self.candidate_id)

    @classmethod
    async def resolve_nodes(  # type: ignore[override]
        cls, *, info: Info, node_ids: Iterable[str], required: bool = False
    ) -> list[CandidateMatch | None]:
        rows = await info.context.loaders.candidate_match_by_id.load_many(node_pks(node_ids))
        return [cls.from_row(r) if r else None for r in rows]


async def _researcher(info: Info, pk: int) -> Researcher:
    from service.api.graphql.types.researcher import Researcher

    row = await info.context.loaders.researcher_by_id.load(pk)
    assert row is not None
    return Researcher.from_row(row)
