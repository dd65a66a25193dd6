"""``/api/v1/pipeline`` and ``/api/v1/stay-rates``: where a cohort trained and works, and who
stayed where they took their doctorate. The same queries as GraphQL's ``pipeline`` and
``stayRates``."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from service.api.rest.endpoint import Call, Endpoint, connection
from service.api.rest.filters import institution_ref
from service.api.rest.params import Param
from service.api.rest.problems import FieldError, ValidationProblem
from service.api.rest.responses import csv_response, json_response
from service.db.queries import pipeline as q
from service.db.queries.rates import check_years, current_year
from service.domain.pipeline import CountryShare

COHORT_PARAMS = (
    Param("country", "country", "Countries (ISO alpha-2); repeat or comma-separate.", many=True),
    Param("min_h_index", "int", "Researchers with at least this h-index.", minimum=0),
    Param("min_citations", "int", "Researchers with at least this many citations.", minimum=0),
    Param("topic", "str", "Researchers with any of these topics.", many=True),
    Param(
        "top_cited_percent",
        "float",
        "Researchers in the top N % by citations within topic (within everyone if no topic).",
        minimum=0,
        maximum=100,
    ),
)
PIPELINE_PARAMS = (
    Param("year", "int", "The year the cohort works in (default: this year).", minimum=1900,
          maximum=2100),
    Param("institution", "ref", "Working at this institution (an id or a slug) or a sub-unit."),
    *COHORT_PARAMS,
)  # fmt: skip
STAY_PARAMS = (
    Param("years_after", "int", "Years after the doctorate.", minimum=0, maximum=60, default=5),
    *COHORT_PARAMS,
)
PIPELINE_COLUMNS = ("stage", "country", "count", "share")
STAY_COLUMNS = ("country", "years_after", "graduates", "stayed", "rate")


def _top(call: Call) -> float | None:
    value: float | None = call.args.get("top_cited_percent")
    if value == 0:
        raise ValidationProblem([FieldError("top_cited_percent", "must be above 0")])
    return value


def _rows(stage: str, items: list[CountryShare]) -> list[dict[str, Any]]:
    return [
        {"stage": stage, "country": s.country, "count": s.count, "share": s.share} for s in items
    ]


async def get_pipeline(request: Request, call: Call) -> Response:
    as_of = current_year()
    year = call.args.get("year") or as_of
    check_years(year, None, names=("year", "year"))
    flt = q.CohortFilter(
        year,
        tuple(call.args.get("country") or ()),
        call.args.get("min_h_index"),
        call.args.get("min_citations"),
        tuple(call.args.get("topic") or ()),
        top_cited_percent=_top(call),
    )
    async with connection(request) as conn:
        inst = await institution_ref(conn, call.args.get("institution"), "institution")
        p = await q.pipeline_of(conn, replace(flt, institution=inst), as_of)
    stages = {"undergraduate": p.undergraduate, "doctorate": p.doctorate, "current": p.current}
    if call.format == "csv":
        items = [row for stage, shares in stages.items() for row in _rows(stage, shares)]
        return csv_response(PIPELINE_COLUMNS, items, filename="pipeline")
    data: dict[str, Any] = {"year": year, "total": p.total}
    for stage, shares in stages.items():
        data[stage] = [{k: v for k, v in r.items() if k != "stage"} for r in _rows(stage, shares)]
    data["paths"] = [
        {
            "undergraduate": x.undergraduate,
            "doctorate": x.doctorate,
            "current": x.current,
            "count": x.count,
            "share": x.share,
        }
        for x in p.paths
    ]
    return json_response(request, {"data": data})


async def list_stay_rates(request: Request, call: Call) -> Response:
    years_after = call.args["years_after"]
    async with connection(request) as conn:
        found = await q.stay_rates_of(
            conn,
            years_after,
            current_year(),
            tuple(call.args.get("country") or ()),
            call.args.get("min_h_index"),
            call.args.get("min_citations"),
            tuple(call.args.get("topic") or ()),
            _top(call),
        )
    items = [
        {
            "country": s.country,
            "years_after": years_after,
            "graduates": s.graduates,
            "stayed": s.stayed,
            "rate": s.rate,
        }
        for s in found
    ]
    if call.format == "csv":
        return csv_response(STAY_COLUMNS, items, filename="stay-rates")
    return json_response(request, {"data": items})


endpoints = [
    Endpoint(
        "/pipeline",
        get_pipeline,
        "Where a cohort did its undergraduate degree and doctorate, and where it works",
        "Pipeline",
        tag="flows",
        description="The cohort: researchers with a stint in `country` (anywhere if none) in "
        "`year`. Counts and shares (of the whole cohort, unknowns included) by undergraduate, "
        "doctorate and current country, and (JSON only) by the three together (`paths`).",
        params=PIPELINE_PARAMS,
        csv=True,
        analysis=True,
    ),
    Endpoint(
        "/stay-rates",
        list_stay_rates,
        "Stay rates per doctorate country",
        "StayRates",
        tag="flows",
        description="Of the researchers whose doctorate in a country ended `years_after` years "
        "before a year they are seen working in, how many work in that country.",
        params=STAY_PARAMS,
        csv=True,
        analysis=True,
    ),
]
