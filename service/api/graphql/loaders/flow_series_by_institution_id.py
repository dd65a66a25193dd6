"""Inflow / outflow series of many institutions in one statement per distinct request."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from service.db.queries import flows
from service.db.queries.executor import Executor
from service.db.queries.flows import Period, SeriesPoint
from service.db.queries.moves import MoveFilter


@dataclass(frozen=True, slots=True)
class SeriesRequest:
    period: Period
    flt: MoveFilter
    rollups: bool = True


async def fetch_series(
    ex: Executor, req: SeriesRequest, ids: Sequence[int]
) -> dict[int, list[SeriesPoint]]:
    found = await flows.institution_flow_series(ex, ids, req.period, req.flt, rollups=req.rollups)
    return {i: found.get(i, []) for i in ids}
