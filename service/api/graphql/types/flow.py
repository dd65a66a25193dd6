# mypy: disable-error-code="untyped-decorator"
"""Flow aggregates: cells of an origin → destination matrix, and net flows per entity."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date
from functools import cache
from typing import Any

import strawberry

from service.api.graphql.context import Info
from service.api.graphql.preshaped import Shape
from service.api.graphql.types.common import country_name
from service.api.graphql.types.institution import Institution


@strawberry.type(
    description="One side of a flow: a country (code is ISO alpha-2) or an institution "
    "(code is its slug)."
)
class FlowEntity:
    code: str
    name: str
    institution_id: strawberry.Private[int | None]

    @strawberry.field(description="The institution, at INSTITUTION and PARENT level.")
    async def institution(self, info: Info) -> Institution | None:
        if self.institution_id is None:
            return None
        row = await info.context.loaders.institution_by_id.load(self.institution_id)
        return Institution.from_row(row) if row else None


@strawberry.type(description="Moves from an origin to a destination in one period.")
class FlowCell:
    origin: FlowEntity | None = strawberry.field(description="Null: origin unknown.")
    destination: FlowEntity | None = strawberry.field(description="Null: destination unknown.")
    period: date | None = strawberry.field(description="The period's first day; null for ALL.")
    count: int
    small: bool = strawberry.field(
        description="Fewer moves than the small-number threshold: show with caution."
    )
    citations: int | None = strawberry.field(
        default=None,
        description="With `weight: CITATIONS`: the movers' citation counts summed (a "
        "citation-weighted flow; a missing count is 0); null otherwise.",
    )


@strawberry.type(
    description="Arrivals, departures and their balance for one entity and period, with the "
    "entity's researcher population in the period's year and the migration rates over it "
    "(fractions, as the MPIDR data): inRate = inflow / population, outRate = outflow / "
    "population, netRate = net / population. No population or rates at period ALL; rates are "
    "null where the population is 0."
)
class NetFlow:
    entity: FlowEntity
    period: date | None
    inflow: int
    outflow: int
    net: int
    small: bool = strawberry.field(
        description="Fewer moves than the small-number threshold, or (except at ALL) a "
        "population under the small-population threshold or unknown: read with caution."
    )
    population: int | None = strawberry.field(
        default=None, description="Researchers with a stint at the entity in the period's year."
    )
    in_rate: float | None = None
    out_rate: float | None = None
    net_rate: float | None = None
    inflow_citations: int | None = strawberry.field(
        default=None,
        description="With `weight: CITATIONS`: the arrivals' citation counts summed (a "
        "missing count is 0); null otherwise.",
    )
    outflow_citations: int | None = strawberry.field(
        default=None,
        description="With `weight: CITATIONS`: the departures' citation counts summed; null "
        "otherwise.",
    )
    net_citations: int | None = strawberry.field(
        default=None,
        description="With `weight: CITATIONS`: inflowCitations - outflowCitations; null otherwise.",
    )


async def entities(info: Info, keys: list[str | int | None]) -> dict[str | int, FlowEntity]:
    """Turn flow keys (country codes or institution ids) into entities, in one batch."""
    ids = sorted({k for k in keys if isinstance(k, int)})
    rows = await info.context.loaders.institution_by_id.load_many(ids)
    out: dict[str | int, FlowEntity] = {}
    for pk, row in zip(ids, rows, strict=True):
        if row is not None:
            out[pk] = FlowEntity(code=row.slug, name=row.name, institution_id=pk)
    for key in keys:
        if isinstance(key, str):
            out[key] = FlowEntity(code=key, name=country_name(key), institution_id=None)
    return out


_ENTITY_FIELDS: dict[str, dict[str, Any] | None] = {"code": None, "name": None}
# What a flows query may ask of its cells to be answered pre-shaped (``institution`` needs a
# resolver: a selection with it is resolved field by field).
CELL_FIELDS: dict[str, dict[str, Any] | None] = {
    "origin": _ENTITY_FIELDS,
    "destination": _ENTITY_FIELDS,
    "period": None,
    "count": None,
    "small": None,
    "citations": None,
}


def _entity_dict(entity: FlowEntity | None, shape: Shape) -> dict[str, Any] | None:
    if entity is None:
        return None
    return {
        key: "FlowEntity" if name == "__typename" else getattr(entity, name)
        for key, name, _ in shape
    }


# The same for net flows: every field but the entity's ``institution`` is a plain value.
NET_FIELDS: dict[str, dict[str, Any] | None] = {
    "entity": _ENTITY_FIELDS,
    **dict.fromkeys((
        "period", "inflow", "outflow", "net", "small", "population", "inRate", "outRate",
        "netRate", "inflowCitations", "outflowCitations", "netCitations",
    )),
}  # fmt: skip


# And for populations.
POPULATION_FIELDS: dict[str, dict[str, Any] | None] = {
    "entity": _ENTITY_FIELDS,
    **dict.fromkeys(("year", "population", "small")),
}


def shape_object(obj: Any, shape: Shape, typenames: dict[str, str]) -> dict[str, Any]:
    """One plain object in response form: leaves as they are (dates as ISO strings), lists of
    objects below it shaped the same way; ``typenames`` maps a field (``""`` for ``obj``) to
    the type of its objects, for ``__typename``."""
    out: dict[str, Any] = {}
    for key, name, sub in shape:
        if name == "__typename":
            out[key] = typenames[""]
            continue
        value = getattr(obj, _attribute(name))
        if sub is not None:
            below = {"": typenames[name]}
            out[key] = [shape_object(v, sub, below) for v in value]
        else:
            out[key] = value.isoformat() if isinstance(value, date) else value
    return out


def shape_cells(cells: Sequence[FlowCell], shape: Shape) -> list[dict[str, Any]]:
    """The response of ``flows`` for a plain selection (see ``preshaped``); the same values
    strawberry would serialise (dates as ISO strings)."""
    return shape_rows(cells, shape, "FlowCell")


def shape_rows(rows: Sequence[Any], shape: Shape, typename: str) -> list[dict[str, Any]]:
    """The response of a list of flow rows (``FlowCell``, ``NetFlow``) for a plain selection."""
    periods: dict[date | None, str | None] = {}
    out: list[dict[str, Any]] = []
    for cell in rows:
        item: dict[str, Any] = {}
        for key, name, sub in shape:
            if sub is not None:
                item[key] = _entity_dict(getattr(cell, name), sub)
            elif name == "period":
                p = cell.period
                text = periods.get(p)
                if text is None and p is not None:
                    text = periods[p] = p.isoformat()
                item[key] = text
            elif name == "__typename":
                item[key] = typename
            else:
                item[key] = getattr(cell, _attribute(name))
        out.append(item)
    return out


@cache
def _attribute(field: str) -> str:
    """The Python attribute behind a GraphQL field name (``inRate`` → ``in_rate``)."""
    return re.sub(r"([A-Z])", r"_\1", field).lower()
