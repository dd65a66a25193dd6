"""Moves into / out of many institutions: one LATERAL statement per distinct request."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from service.db.queries import moves
from service.db.queries.executor import Executor
from service.db.queries.moves import MoveFilter, MoveOrder, MoveRow
from service.db.queries.pagination import Page, PageArgs


@dataclass(frozen=True, slots=True)
class MovesRequest:
    direction: str  # "in" or "out"
    flt: MoveFilter
    order: MoveOrder | None
    page: PageArgs
    descendants: bool


async def fetch_pages(
    ex: Executor, req: MovesRequest, ids: Sequence[int]
) -> dict[int, Page[MoveRow]]:
    return await moves.institution_moves_pages(
        ex, req.direction, ids, req.flt, req.order, req.page, descendants=req.descendants
    )


async def fetch_counts(ex: Executor, req: MovesRequest, ids: Sequence[int]) -> dict[int, int]:
    return await moves.count_institution_moves(
        ex, req.direction, ids, req.flt, descendants=req.descendants
    )
