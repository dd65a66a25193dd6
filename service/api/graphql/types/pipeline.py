# mypy: disable-error-code="untyped-decorator"
"""The talent pipeline: where a cohort trained and works, and stay rates."""

from __future__ import annotations

from typing import Any, cast

import strawberry

from service.api.graphql.context import Info, analysis_db
from service.api.graphql.flow_cache import flow_cache
from service.api.graphql.ids import institution_ref
from service.api.graphql.preshaped import cached_answer
from service.api.graphql.types.flow import shape_object
from service.db.queries import pipeline as q
from service.db.queries.rates import check_countries, check_years, current_year
from service.errors import UserError


@strawberry.type(description="Researchers of a cohort by country; null country: not known.")
class CountryShare:
    country: str | None
    count: int
    share: float = strawberry.field(description="Of the whole cohort, unknowns included.")


@strawberry.type(
    description="Researchers of a cohort who share an undergraduate, a doctorate and a current "
    "country (null: not known): one band of the pipeline's three-column Sankey."
)
class PipelinePath:
    undergraduate: str | None
    doctorate: str | None
    current: str | None
    count: int
    share: float = strawberry.field(description="Of the whole cohort.")


@strawberry.type(
    description="A cohort's undergraduate, doctorate and current countries (MacroPolo's "
    "pipeline): the first bachelor's degree, the last doctorate, the stint that puts them in "
    "the cohort."
)
class Pipeline:
    year: int
    total: int
    undergraduate: list[CountryShare]
    doctorate: list[CountryShare]
    current: list[CountryShare]
    paths: list[PipelinePath] = strawberry.field(
        description="The three countries taken together, largest first; each stage's counts "
        "are sums of these."
    )


@strawberry.type(
    description="Of the researchers whose doctorate in a country ended N years before a year "
    "in which they are seen working, how many work in that country: stayed / graduates."
)
class StayRate:
    country: str
    years_after: int
    graduates: int
    stayed: int
    rate: float | None


_SHARE: dict[str, dict[str, Any] | None] = dict.fromkeys(("country", "count", "share"))
# What a pipeline query may ask to be answered pre-shaped (see ``preshaped``): all of it.
PIPELINE_FIELDS: dict[str, dict[str, Any] | None] = {
    "year": None,
    "total": None,
    "undergraduate": _SHARE,
    "doctorate": _SHARE,
    "current": _SHARE,
    "paths": dict.fromkeys(("undergraduate", "doctorate", "current", "count", "share")),
}
TYPENAMES = {
    "": "Pipeline",
    "undergraduate": "CountryShare",
    "doctorate": "CountryShare",
    "current": "CountryShare",
    "paths": "PipelinePath",
}


def check_cohort(
    min_h_index: int | None, min_citations: int | None, top_cited_percent: float | None = None
) -> None:
    for name, value in (("minHIndex", min_h_index), ("minCitations", min_citations)):
        if value is not None and value < 0:
            raise UserError(f"`{name}` must not be negative (got {value})", field=name)
    if top_cited_percent is not None and not 0 < top_cited_percent <= 100:
        raise UserError(
            f"`topCitedPercent` must be above 0 and at most 100 (got {top_cited_percent})",
            field="topCitedPercent",
        )


def _shares(items: list[q.CountryShareRow]) -> list[CountryShare]:
    return [CountryShare(country=s.country, count=s.count, share=s.share) for s in items]


@strawberry.type
class PipelineQueries:
    @strawberry.field(
        description="Where the researchers working in `countries` (anywhere if none) and at "
        "`institution` (a global id or a slug, with its descendants) in `year` did their "
        "undergraduate degree and their doctorate, and where they work now."
    )
    async def pipeline(
        self,
        info: Info,
        year: int | None = None,
        countries: list[str] | None = None,
        institution: strawberry.ID | None = None,
        min_h_index: int | None = None,
        min_citations: int | None = None,
        topics: list[str] | None = None,
        top_cited_percent: float | None = None,
    ) -> Pipeline:
        as_of = current_year()
        the_year = year if year is not None else as_of
        check_years(the_year, None, names=("year", "year"))
        check_cohort(min_h_index, min_citations, top_cited_percent)
        flt = q.CohortFilter(
            the_year,
            tuple(check_countries(countries or [], name="countries")),
            min_h_index,
            min_citations,
            tuple(topics or ()),
            await institution_ref(info, institution, "institution") if institution else None,
            top_cited_percent,
        )
        ctx = info.context

        async def compute() -> Pipeline:
            async with analysis_db(ctx) as db:
                p = await q.pipeline_of(db, flt, as_of)
            return Pipeline(
                year=the_year,
                total=p.total,
                undergraduate=_shares(p.undergraduate),
                doctorate=_shares(p.doctorate),
                current=_shares(p.current),
                paths=[
                    PipelinePath(
                        undergraduate=x.undergraduate,
                        doctorate=x.doctorate,
                        current=x.current,
                        count=x.count,
                        share=x.share,
                    )
                    for x in p.paths
                ],
            )

        cache = flow_cache(ctx.state)
        key = ("pipeline", flt, as_of)
        # A cohort of a whole year has thousands of paths: encoded once per selection, as flows.
        answer = await cached_answer(
            cache,
            key,
            compute,
            info,
            PIPELINE_FIELDS,
            lambda found, shape: shape_object(found, shape, TYPENAMES),
        )
        return cast("Pipeline", answer)

    @strawberry.field(
        description="Stay rates per doctorate country, `yearsAfter` years after the doctorate."
    )
    async def stay_rates(
        self,
        info: Info,
        years_after: int = 5,
        countries: list[str] | None = None,
        min_h_index: int | None = None,
        min_citations: int | None = None,
        topics: list[str] | None = None,
        top_cited_percent: float | None = None,
    ) -> list[StayRate]:
        if not 0 <= years_after <= 60:
            raise UserError(f"`yearsAfter` is {years_after}; give 0 to 60", field="yearsAfter")
        check_cohort(min_h_index, min_citations, top_cited_percent)
        codes = tuple(check_countries(countries or [], name="countries"))
        ctx = info.context
        as_of = current_year()

        async def compute() -> list[StayRate]:
            async with analysis_db(ctx) as db:
                found = await q.stay_rates_of(
                    db,
                    years_after,
                    as_of,
                    codes,
                    min_h_index,
                    min_citations,
                    topics or (),
                    top_cited_percent,
                )
            return [
                StayRate(
                    country=s.country,
                    years_after=years_after,
                    graduates=s.graduates,
                    stayed=s.stayed,
                    rate=s.rate,
                )
                for s in found
            ]

        key = (
            "stay_rates",
            years_after,
            codes,
            min_h_index,
            min_citations,
            tuple(topics or ()),
            top_cited_percent,
        )
        return await flow_cache(ctx.state).get_or_compute((*key, as_of), compute)
