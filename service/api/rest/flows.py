"""``/api/v1/flows`` and ``/api/v1/net-flows``: move counts between countries, institutions or
parent organisations, per year, quarter, month or over all time.

Both take every move filter (retracted and rumoured moves left out by default). Aggregates are small, so
they come in one response (no paging); CSV works as for lists.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from service.api.rest.endpoint import Call, Endpoint, connection
from service.api.rest.filters import MOVE_PARAMS, move_filter
from service.api.rest.params import Param
from service.api.rest.responses import csv_response, json_response
from service.api.state import get_state
from service.db.queries import flows as q
from service.db.queries.rates import current_year, net_flow_rates

AGGREGATE_PARAMS = (
    Param(
        "level",
        "enum",
        "What the two sides of a flow are.",
        choices=tuple(level.name for level in q.Level),
        default="COUNTRY",
    ),
    Param(
        "period",
        "enum",
        "How moves are grouped in time; undated moves count only in ALL.",
        choices=tuple(p.name for p in q.Period),
        default="YEAR",
    ),
    *MOVE_PARAMS,
)
FLOW_PARAMS = (
    *AGGREGATE_PARAMS,
    Param(
        "weight",
        "enum",
        "CITATIONS adds each row's movers' citation counts summed (citations); COUNT does not.",
        choices=tuple(w.name for w in q.Weight),
        default="COUNT",
    ),
)
NET_PARAMS = (
    *AGGREGATE_PARAMS,
    Param(
        "weight",
        "enum",
        "CITATIONS adds the arrivals' and departures' citation counts summed and their "
        "difference (inflow_citations, outflow_citations, net_citations); COUNT does not. "
        "Populations and rates count people either way.",
        choices=tuple(w.name for w in q.Weight),
        default="COUNT",
    ),
)
FLOW_COLUMNS = ("origin", "destination", "period", "count", "small")
NET_COLUMNS = (
    "entity",
    "period",
    "inflow",
    "outflow",
    "net",
    "population",
    "in_rate",
    "out_rate",
    "net_rate",
    "small",
)
NET_CITATION_COLUMNS = ("inflow_citations", "outflow_citations", "net_citations")


def _levels(call: Call) -> tuple[q.Level, q.Period]:
    return q.Level[call.args["level"]], q.Period[call.args["period"]]


async def list_flows(request: Request, call: Call) -> Response:
    level, period = _levels(call)
    weight = q.Weight[call.args["weight"]]
    async with connection(request) as conn:
        flt = await move_filter(conn, call.args)
        rollups = get_state(request).settings.flow_rollups
        rows = await q.flows(conn, level, period, flt, weight, rollups=rollups)
    threshold = get_state(request).settings.small_number_threshold
    weighted = weight is q.Weight.CITATIONS
    items: list[dict[str, Any]] = [
        {
            "origin": r.origin,
            "destination": r.destination,
            "period": r.period,
            "count": r.count,
            "small": q.mark_small(r.count, threshold),
            **({"citations": r.citations} if weighted else {}),
        }
        for r in rows
    ]
    if call.format == "csv":
        columns = (*FLOW_COLUMNS, "citations") if weighted else FLOW_COLUMNS
        return csv_response(columns, items, filename="flows")
    return json_response(request, {"data": items, "level": level.name, "period": period.name})


async def list_net_flows(request: Request, call: Call) -> Response:
    level, period = _levels(call)
    weight = q.Weight[call.args["weight"]]
    async with connection(request) as conn:
        flt = await move_filter(conn, call.args)
        rows = await net_flow_rates(
            conn,
            level,
            period,
            flt,
            current_year(),
            get_state(request).settings.small_number_threshold,
            weight,
            rollups=get_state(request).settings.flow_rollups,
        )
    weighted = weight is q.Weight.CITATIONS
    items: list[dict[str, Any]] = [
        {
            "entity": r.flow.entity,
            "period": r.flow.period,
            "inflow": r.flow.inflow,
            "outflow": r.flow.outflow,
            "net": r.flow.net,
            "population": r.rates.population,
            "in_rate": r.rates.in_rate,
            "out_rate": r.rates.out_rate,
            "net_rate": r.rates.net_rate,
            "small": r.rates.small,
            **(
                {
                    "inflow_citations": r.flow.inflow_citations,
                    "outflow_citations": r.flow.outflow_citations,
                    "net_citations": r.flow.net_citations,
                }
                if weighted
                else {}
            ),
        }
        for r in rows
    ]
    if call.format == "csv":
        columns = (*NET_COLUMNS, *NET_CITATION_COLUMNS) if weighted else NET_COLUMNS
        return csv_response(columns, items, filename="net-flows")
    return json_response(request, {"data": items, "level": level.name, "period": period.name})


endpoints = [
    Endpoint(
        "/flows",
        list_flows,
        "Move counts between origins and destinations",
        "Flows",
        tag="flows",
        description="One row per (origin, destination, period). Countries are ISO codes; "
        "institutions and parents are institution ids.",
        params=FLOW_PARAMS,
        csv=True,
    ),
    Endpoint(
        "/net-flows",
        list_net_flows,
        "Inflow, outflow and net per entity",
        "NetFlows",
        tag="flows",
        description="Per (entity, period): moves in, moves out and the net, the entity's "
        "researcher population in the period's year and the in-, out- and net migration rates "
        "over it (fractions; none at period ALL). Moves inside one entity are neither in nor "
        "out.",
        params=NET_PARAMS,
        csv=True,
        analysis=True,
    ),
]
