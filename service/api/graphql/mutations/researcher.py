# mypy: disable-error-code="untyped-decorator"
"""Mutations on researchers: merge two records, undo a merge, split a wrong merge, settle a
candidate match. Each recomputes the moves of the researchers it touches."""

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
from service.ingest.recompute import recompute_moves

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
            async with conn.transaction():  # moves follow identity in the same transaction
                done = await curation.merge_researchers(conn, source, target, actor=who)
                await recompute_moves(conn, [done], info.context.settings, actor=who)
            return done

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
            async with conn.transaction():
                row = await conn.fetchrow(
                    "SELECT merged_into_id FROM researcher WHERE id = $1", source
                )
                done = await curation.unmerge_researcher(conn, source, actor=who)
                target = row["merged_into_id"] if row and row["merged_into_id"] else done
                await recompute_moves(conn, [done, target], info.context.settings, actor=who)
            return done

        done = await write(info, run)
        return done if not isinstance(done, int) else await _researcher(info, done)

    @strawberry.mutation(
        permission_classes=[CanCurate],
        description="Split a wrong merge: the sightings from these documents (with their "
        "names, ids, stints and evidence) go to a new researcher, and the moves of both are "
        "inferred again (scope curate, audited). Returns the new researcher.",
    )
    async def split_researcher(
        self,
        info: Info,
        researcher_id: Annotated[strawberry.ID, strawberry.argument(name="researcher")],
        documents: Annotated[
            list[str],
            strawberry.argument(
                description="URLs of the documents whose sightings make the other person."
            ),
        ],
    ) -> ResearcherResult:
        try:
            pk = decode_id(researcher_id, "Researcher", "researcher")
        except InvalidInput as exc:
            return invalid(exc.message, "researcher")
        who = actor(await require_key(info))

        async def run(conn: asyncpg.Connection) -> int:
            async with conn.transaction():
                kept, new = await curation.split_researcher(conn, pk, documents, actor=who)
                await recompute_moves(conn, [kept, new], info.context.settings, actor=who)
            return new

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
            async with conn.transaction():
                pair = await conn.fetchrow(
                    "SELECT researcher_id, candidate_id FROM candidate_match WHERE id = $1",
                    match_id,
                )
                done = await curation.resolve_candidate_match(conn, match_id, same, actor=who)
                if pair is not None:
                    await recompute_moves(
                        conn,
                        [pair["researcher_id"], pair["candidate_id"]],
                        info.context.settings,
                        actor=who,
                    )
            return done

        done = await write(info, run)
        if not isinstance(done, int):
            return done
        loader = info.context.loaders.candidate_match_by_id
        forget(loader, done)
        row = await loader.load(done)
        return CandidateMatch.from_row(row) if row else not_found("the match disappeared")
