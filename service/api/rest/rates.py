"""``/api/v1/populations`` and ``/api/v1/baseline-rates``: researcher populations per entity and
year, and the published baseline series (MPIDR's scholarly migration rates), in JSON or CSV.

The same queries as GraphQL's ``populations`` and ``baselineRates``; net flows with their rates
are ``/api/v1/net-flows``.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from service.api.rest.endpoint import Call, Endpoint, connection
from service.api.rest.params import Param
from service.api.rest.responses import csv_response, json_response
from service.db.queries import rates as q
from service.db.queries.flows import Level
from service.db.queries.rates import check_years, current_year
from service.db.stores import baselines
from service.domain.rates import SMALL_POPULATION_THRESHOLD

YEAR_PARAMS = (
    Param("year_from", "int", "First year (inclusive).", minimum=1900, maximum=2100),
    Param("year_to", "int", "Last year (inclusive).", minimum=1900, maximum=2100),
)
POPULATION_PARAMS = (
    Param(
        "level",
        "enum",
        "What an entity is.",
        choices=tuple(level.name for level in Level),
        default="COUNTRY",
    ),
    *YEAR_PARAMS,
)
BASELINE_PARAMS = (
    Param("series", "str", "One series by name (all series if absent)."),
    Param("country", "country", "Countries (ISO alpha-2); repeat or comma-separate.", many=True),
    *YEAR_PARAMS,
)
POPULATION_COLUMNS = ("entity", "year", "population", "small")
BASELINE_COLUMNS = (
    "series",
    "country_code",
    "year",
    "population",
    "in_migrations",
    "out_migrations",
    "in_rate",
    "out_rate",
    "net_rate",
    "license",
    "attribution",
)


async def list_populations(request: Request, call: Call) -> Response:
    level = Level[call.args["level"]]
    year_from, year_to = call.args.get("year_from"), call.args.get("year_to")
    check_years(year_from, year_to)
    async with connection(request) as conn:
        rows = await q.populations(conn, level, current_year(), year_from, year_to)
    items: list[dict[str, Any]] = [
        {
            "entity": r.entity,
            "year": r.year,
            "population": r.population,
            "small": r.population < SMALL_POPULATION_THRESHOLD,
        }
        for r in rows
    ]
    if call.format == "csv":
        return csv_response(POPULATION_COLUMNS, items, filename="populations")
    return json_response(request, {"data": items, "level": level.name})


async def list_baseline_rates(request: Request, call: Call) -> Response:
    year_from, year_to = call.args.get("year_from"), call.args.get("year_to")
    check_years(year_from, year_to)
    async with connection(request) as conn:
        rows = await baselines.series_rows(
            conn,
            series=call.args.get("series"),
            countries=list(call.args.get("country") or []),
            year_from=year_from,
            year_to=year_to,
        )
    items = [{k: r[k] for k in BASELINE_COLUMNS} for r in rows]
    if call.format == "csv":
        return csv_response(BASELINE_COLUMNS, items, filename="baseline-rates")
    return json_response(request, {"data": items})


endpoints = [
    Endpoint(
        "/populations",
        list_populations,
        "Researcher populations per entity and year",
        "Populations",
        tag="flows",
        description="Distinct researchers with an affiliation stint at each entity in each "
        "year; a stint covers every year from its first to its last known year.",
        params=POPULATION_PARAMS,
        csv=True,
        analysis=True,
    ),
    Endpoint(
        "/baseline-rates",
        list_baseline_rates,
        "Published baseline series: scholarly migration rates by country and year",
        "BaselineRates",
        tag="flows",
        description="Rows of published series (MPIDR's estimates for all scholars, CC BY 4.0: "
        "show each row's attribution), to read beside Talentflow's net flows.",
        params=BASELINE_PARAMS,
        csv=True,
    ),
]
