# mypy: disable-error-code="untyped-decorator"
"""Mutations on researchers: merge two records, undo a merge, settle a candidate match."""

from __future__ import annotations

from typing import Annotated

import asyncpg
import strawberry

from service.api.graphql.context import Info
from service.api.graphql.errors import (
    ConflictError,
    InvalidInput,
    NotFoundError,
    PermissionDeniedError,
    ValidationError,
    invalid,
    not_found,
)
from service.api.graphql.ids import decode_id
from service.api.graphql.mutations.base import forget, write
from service.api.graphql.permissions import CanCurate, actor, require_key
from service.api.graphql.types.candidate_match import CandidateMatch
from service.api.graphql.types.researcher import Researcher
from service.db.stores import curation

ResearcherResult = Annotated[
    Researcher | NotFoundError | PermissionDeniedError | ValidationError | ConflictError,
    strawberry.union("ResearcherResult"),
]
CandidateMatchResult = Annotated[
    CandidateMatch | NotFoundError | PermissionDeniedError | ValidationError | ConflictError,
    strawberry.union("CandidateMatchResult"),
]


async def _researcher(info: Info, pk: int) -> Researcher | NotFoundError:
    loader = info.context.loaders.researcher_by_id
    forget(loader, pk)
    row = await loader.load(pk)
    return Researcher.from_row(row) if row else not_found(f"no researcher with id {pk}")


@strawberry.type
class ResearcherMutations:
    @strawberry.mutation(
        permission_classes=[CanCurate],
        description="Merge `source` into `target`: source's id then redirects to target, and "
        "its moves and affiliations move over (scope curate). Returns the target.",
    )
    async def merge_researchers(
        self,
        info: Info,
        source_id: Annotated[strawberry.ID, strawberry.argument(name="source")],
        target_id: Annotated[strawberry.ID, strawberry.argument(name="target")],
    ) -> ResearcherResult:
        try:
            source = decode_id(source_id, "Researcher", "source")
            target = decode_id(target_id, "Researcher", "target")
        except InvalidInput as exc:
            return invalid(exc.message, str(exc.details.get("field")))
        who = actor(await require_key(info))

        async def run(conn: asyncpg.Connection) -> int:
            return await curation.merge_researchers(conn, source, target, actor=who)

        done = await write(info, run)
        return done if not isinstance(done, int) else await _researcher(info, done)

    @strawberry.mutation(
        permission_classes=[CanCurate],
        description="Undo the last merge of `source`: its moves and affiliations come back "
        "(scope curate). Returns the restored researcher.",
    )
    async def unmerge_researchers(
        self, info: Info, source_id: Annotated[strawberry.ID, strawberry.argument(name="source")]
    ) -> ResearcherResult:
        try:
            source = decode_id(source_id, "Researcher", "source")
        except InvalidInput as exc:
            return invalid(exc.message, "source")
        who = actor(await require_key(info))

        async def run(conn: asyncpg.Connection) -> int:
            return await curation.unmerge_researcher(conn, source, actor=who)

        done = await write(info, run)
        return done if not isinstance(done, int) else await _researcher(info, done)

    @strawberry.mutation(
        permission_classes=[CanCurate],
        description="Settle a candidate match; same=true merges the two records (scope curate).",
    )
    async def resolve_candidate_match(
        self, info: Info, id: strawberry.ID, same: bool
    ) -> CandidateMatchResult:
        try:
            match_id = decode_id(id, "CandidateMatch")
        except InvalidInput as exc:
            return invalid(exc.message, "id")
        who = actor(await require_key(info))

        async def run(conn: asyncpg.Connection) -> int:
            return await curation.resolve_candidate_match(conn, match_id, same, actor=who)

        done = await write(info, run)
        if not isinstance(done, int):
            return done
        loader = info.context.loaders.candidate_match_by_id
        forget(loader, done)
        row = await loader.load(done)
        return CandidateMatch.from_row(row) if row else not_found("the match disappeared")
