# mypy: disable-error-code="untyped-decorator"
"""Mutations on moves: confirm, retract, record by hand with evidence."""

from __future__ import annotations

from datetime import date
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
from service.api.graphql.ids import decode_id, institution_ref
from service.api.graphql.mutations.base import forget, write
from service.api.graphql.permissions import CanCurate, actor, require_key
from service.api.graphql.types.common import DatePrecision, MoveKind
from service.api.graphql.types.move import Move
from service.db.stores import curation
from service.domain.urls import web_url
from service.errors import NotFound

MoveResult = Annotated[
    Move | NotFoundError | PermissionDeniedError | ValidationError | ConflictError,
    strawberry.union("MoveResult"),
]


@strawberry.input(description="A move seen by a curator, with the URL that shows it.")
class RecordMoveInput:
    researcher: strawberry.ID
    from_institution: strawberry.ID | None = strawberry.field(
        default=None, description="A global id or a slug."
    )
    to_institution: strawberry.ID | None = strawberry.field(
        default=None, description="A global id or a slug."
    )
    date: date | None = None
    date_precision: DatePrecision | None = None
    kind: MoveKind = MoveKind.UNKNOWN
    evidence_url: str
    quote: str | None = None
    title: str | None = None
    confidence: float = 1.0
    is_returnee: bool = False


async def _move(info: Info, move_id: int) -> Move | NotFoundError:
    forget(info.context.loaders.move_by_id, move_id)
    row = await info.context.loaders.move_by_id.load(move_id)
    return Move.from_row(row) if row else not_found(f"no move with id {move_id}")


async def _set_status(info: Info, id: strawberry.ID, note: str | None, confirm: bool) -> MoveResult:
    try:
        move_id = decode_id(id, "Move")
    except InvalidInput as exc:
        return invalid(exc.message, "id")
    who = actor(await require_key(info))
    fn = curation.confirm_move if confirm else curation.retract_move

    async def run(conn: asyncpg.Connection) -> int:
        await fn(conn, move_id, actor=who, note=note)
        return move_id

    done = await write(info, run)
    if not isinstance(done, int):
        return done
    return await _move(info, done)


@strawberry.type
class MoveMutations:
    @strawberry.mutation(
        permission_classes=[CanCurate],
        description="Mark a move confirmed by a curator (scope curate).",
    )
    async def confirm_move(
        self, info: Info, id: strawberry.ID, note: str | None = None
    ) -> MoveResult:
        return await _set_status(info, id, note, confirm=True)

    @strawberry.mutation(
        permission_classes=[CanCurate],
        description="Retract a move: it stays, but leaves lists and flows (scope curate).",
    )
    async def retract_move(
        self, info: Info, id: strawberry.ID, note: str | None = None
    ) -> MoveResult:
        return await _set_status(info, id, note, confirm=False)

    @strawberry.mutation(
        permission_classes=[CanCurate],
        description="Record a move by hand; its URL becomes a 'manual' document with the "
        "quote as evidence (scope curate).",
    )
    async def record_move(self, info: Info, input: RecordMoveInput) -> MoveResult:
        try:
            researcher_id = decode_id(input.researcher, "Researcher", "researcher")
            from_id = (
                await institution_ref(info, input.from_institution, "fromInstitution")
                if input.from_institution
                else None
            )
            to_id = (
                await institution_ref(info, input.to_institution, "toInstitution")
                if input.to_institution
                else None
            )
        except InvalidInput as exc:
            field = exc.details.get("field")
            return invalid(exc.message, field if isinstance(field, str) else None)
        except NotFound as exc:
            return not_found(exc.message)
        try:
            evidence_url = web_url(input.evidence_url)
        except ValueError as exc:
            return invalid(f"evidenceUrl: {exc}", "evidenceUrl")
        data = curation.ManualMove(
            researcher_id=researcher_id,
            from_institution_id=from_id,
            to_institution_id=to_id,
            move_date=input.date,
            date_precision=input.date_precision.value if input.date_precision else None,
            kind=input.kind.value,
            evidence_url=evidence_url,
            quote=input.quote,
            title=input.title,
            confidence=input.confidence,
            is_returnee=input.is_returnee,
        )
        who = actor(await require_key(info))
        done = await write(info, lambda conn: curation.record_move(conn, data, actor=who))
        if not isinstance(done, int):
            return done
        return await _move(info, done)
