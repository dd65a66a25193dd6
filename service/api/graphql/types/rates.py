# mypy: disable-error-code="untyped-decorator"
"""Stocks and rates: researcher populations and the published baseline series beside them."""

from __future__ import annotations

from typing import cast

import strawberry

from service.api.graphql.context import Info, analysis_db
from service.api.graphql.flow_cache import flow_cache
from service.api.graphql.preshaped import cached_answer
from service.api.graphql.types.flow import POPULATION_FIELDS, FlowEntity, entities, shape_rows
from service.db.queries import rates
from service.db.queries.flows import Level
from service.db.queries.rates import check_countries, check_years, current_year
from service.db.stores import baselines
from service.domain.rates import SMALL_POPULATION_THRESHOLD


@strawberry.type(
    description="Researchers with a stint at an entity in a year: a stint covers every year "
    "from its first to its last known year, the years between two sightings included."
)
class Population:
    entity: FlowEntity
    year: int
    population: int
    small: bool = strawberry.field(
        description="Fewer researchers than the small-population threshold: a rate over them "
        "swings with one person."
    )


@strawberry.type(
    description="One row of a published baseline series: a country's scholarly migration in a "
    "year, with the counts and population its rates come from (rates are fractions)."
)
class BaselineRate:
    series: str
    country: FlowEntity
    year: int
    population: int | None
    in_migrations: int | None
    out_migrations: int | None
    in_rate: float | None
    out_rate: float | None
    net_rate: float | None
    license: str
    attribution: str = strawberry.field(description="Credit the licence requires; show it.")


@strawberry.type
class RateQueries:
    @strawberry.field(
        description="Researcher populations per entity and year, from affiliation stints. "
        "A researcher counts once per entity and year."
    )
    async def populations(
        self,
        info: Info,
        level: Level = Level.COUNTRY,
        year_from: int | None = None,
        year_to: int | None = None,
    ) -> list[Population]:
        check_years(year_from, year_to, names=("yearFrom", "yearTo"))
        ctx = info.context
        as_of = current_year()

        async def compute() -> list[Population]:
            async with analysis_db(ctx) as db:
                rows = await rates.populations(db, level, as_of, year_from, year_to)
            found = await entities(info, [r.entity for r in rows])
            return [
                Population(
                    entity=found[r.entity],
                    year=r.year,
                    population=r.population,
                    small=r.population < SMALL_POPULATION_THRESHOLD,
                )
                for r in rows
                if r.entity in found
            ]

        cache = flow_cache(ctx.state)
        key = ("populations", level, year_from, year_to, as_of)
        answer = await cached_answer(
            cache,
            key,
            compute,
            info,
            POPULATION_FIELDS,
            lambda rows, shape: shape_rows(rows, shape, "Population"),
        )
        return cast("list[Population]", answer)

    @strawberry.field(
        description="Published baseline series (MPIDR's scholarly migration estimates for all "
        "scholars), to read beside Talentflow's own net flows and rates."
    )
    async def baseline_rates(
        self,
        info: Info,
        series: str | None = None,
        countries: list[str] | None = None,
        year_from: int | None = None,
        year_to: int | None = None,
    ) -> list[BaselineRate]:
        check_years(year_from, year_to, names=("yearFrom", "yearTo"))
        codes = check_countries(countries or [], name="countries")
        ctx = info.context

        async def compute() -> list[BaselineRate]:
            rows = await baselines.series_rows(
                ctx.db, series=series, countries=codes, year_from=year_from, year_to=year_to
            )
            found = await entities(info, [r["country_code"] for r in rows])
            return [
                BaselineRate(
                    series=r["series"],
                    country=found[r["country_code"]],
                    year=r["year"],
                    population=r["population"],
                    in_migrations=r["in_migrations"],
                    out_migrations=r["out_migrations"],
                    in_rate=r["in_rate"],
                    out_rate=r["out_rate"],
                    net_rate=r["net_rate"],
                    license=r["license"],
                    attribution=r["attribution"],
                )
                for r in rows
            ]

        return await flow_cache(ctx.state).get_or_compute(
            ("baseline_rates", series, tuple(codes), year_from, year_to), compute
        )
