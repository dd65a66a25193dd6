"""Researcher populations per entity and year, net flows with their rates, and baseline series.

Populations follow the counting rule of :mod:`service.domain.rates` (a stint covers every year
from its first to its last known year; an open stint never sighted runs to ``as_of``; a
researcher counts once per entity and year; merged researchers count as the one they were
merged into). Entities are as for flows: a country is the stint's institution's country, an
institution is the site itself, a parent is the top-level ancestor.

Rates join net flows to the population of the entity in the period's year: at YEAR the year
itself, at QUARTER or MONTH the year the period falls in; at ALL there is no population and no
rate. The population is of everyone with a stint there, whatever the move filter says.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime

from service.db.queries.executor import Executor, Params
from service.db.queries.flows import ROOTS_CTE, NetFlowRow, Weight, net_flows
from service.db.queries.moves import MoveFilter
from service.domain.flows import Level, Period
from service.domain.rates import Rates, is_small, migration_rates
from service.errors import UserError


def current_year() -> int:
    """The ``as_of`` year: an open stint never sighted since its start runs to this year."""
    return datetime.now(UTC).year


def check_years(
    year_from: int | None,
    year_to: int | None,
    names: tuple[str, str] = ("year_from", "year_to"),
) -> None:
    """Refuse a year out of 1900..2100, or a first year after the last, naming the argument."""
    for name, value in zip(names, (year_from, year_to), strict=True):
        if value is not None and not 1900 <= value <= 2100:
            raise UserError(f"`{name}` is {value}; years run from 1900 to 2100", field=name)
    if year_from is not None and year_to is not None and year_from > year_to:
        raise UserError(
            f"`{names[0]}` ({year_from}) is after `{names[1]}` ({year_to})", field=names[0]
        )


def check_countries(codes: Sequence[str], name: str = "country") -> list[str]:
    """Upper-cased ISO 3166-1 alpha-2 codes, or an error naming the first bad one."""
    out = []
    for raw in codes:
        code = raw.strip().upper()
        if len(code) != 2 or not code.isascii() or not code.isalpha():
            raise UserError(f"country {raw!r} is not an ISO 3166-1 alpha-2 code", field=name)
        out.append(code)
    return out


@dataclass(frozen=True, slots=True)
class PopulationRow:
    entity: str | int
    year: int
    population: int


@dataclass(frozen=True, slots=True)
class NetFlowRateRow:
    flow: NetFlowRow
    rates: Rates


def stint_years_sql(as_of: str, a: str = "a") -> str:
    """Joins giving ``_yr.first_year`` and ``_yr.last_year``, the years an affiliation row
    (alias ``a``) covers under the counting rule: first, the earliest of its dates and
    sightings; last, its end, else its last sighting, else ``as_of``.

    The sightings are unnested once per row in a LATERAL join: as scalar subqueries in each
    expression they were unnested three or four times per row, which on a million stints was
    most of a populations query's time (docs/benchmarks.md, "Analyses").
    """
    return (
        f"CROSS JOIN LATERAL (SELECT min(y) AS lo, max(y) AS hi FROM unnest({a}.years) AS y) "
        "AS _seen "
        "CROSS JOIN LATERAL (SELECT "
        f"least(extract(year FROM {a}.start_date)::int, extract(year FROM {a}.end_date)::int, "
        "_seen.lo) AS first_year, "
        f"CASE WHEN {a}.end_date IS NOT NULL THEN extract(year FROM {a}.end_date)::int "
        "WHEN _seen.hi IS NOT NULL THEN _seen.hi "
        f"ELSE greatest({as_of}, extract(year FROM {a}.start_date)::int) END AS last_year) AS _yr"
    )


def populations_sql(
    level: Level,
    as_of: int,
    year_from: int | None = None,
    year_to: int | None = None,
    entities: Sequence[str | int] = (),
) -> tuple[str, list[object]]:
    """Rows (e, y, n): distinct researchers per entity and year, oldest year first."""
    p = Params()
    as_of_sql = p.add(as_of, "int")
    if level is Level.COUNTRY:
        entity, join, with_ = "i.country_code", "", "WITH"
    elif level is Level.INSTITUTION:
        entity, join, with_ = "a.institution_id", "", "WITH"
    else:
        entity, join, with_ = (
            "_roots.root",
            "JOIN _roots ON _roots.id = a.institution_id",
            (f"WITH RECURSIVE {ROOTS_CTE},"),
        )
    where = ["_s.first_year IS NOT NULL", "_s.e IS NOT NULL"]
    if year_from is not None:
        where.append(f"y >= {p.add(year_from, 'int')}")
    if year_to is not None:
        where.append(f"y <= {p.add(year_to, 'int')}")
    if entities:
        # a set to join, not ``= ANY``: under a generic plan that scans the array for each row
        if level is Level.COUNTRY:
            where.append(f"_s.e IN (SELECT unnest({p.add([str(e) for e in entities], 'text[]')}))")
        else:
            where.append(
                f"_s.e IN (SELECT unnest({p.add([int(e) for e in entities], 'bigint[]')}))"
            )
    sql = f"""
        {with_} _s AS (
            SELECT coalesce(r.merged_into_id, r.id) AS rid, {entity} AS e,
                   _yr.first_year, _yr.last_year
            FROM affiliation a
            JOIN researcher r ON r.id = a.researcher_id
            JOIN institution i ON i.id = a.institution_id
            {join}
            {stint_years_sql(as_of_sql)}
        )
        SELECT _s.e AS e, y, count(DISTINCT _s.rid)::int AS n
        FROM _s, generate_series(_s.first_year, greatest(_s.first_year, _s.last_year)) AS y
        WHERE {" AND ".join(where)}
        GROUP BY 1, 2 ORDER BY 2, 1
    """
    return sql, p.values


async def populations(
    ex: Executor,
    level: Level,
    as_of: int,
    year_from: int | None = None,
    year_to: int | None = None,
    entities: Sequence[str | int] = (),
) -> list[PopulationRow]:
    sql, params = populations_sql(level, as_of, year_from, year_to, entities)
    rows = await ex.fetch(sql, *params)
    return [PopulationRow(r["e"], r["y"], r["n"]) for r in rows]


def _year(period: date | None) -> int | None:
    return None if period is None else period.year


async def net_flow_rates(
    ex: Executor,
    level: Level,
    period: Period,
    flt: MoveFilter,
    as_of: int,
    count_threshold: int,
    weight: Weight = Weight.COUNT,
    *,
    rollups: bool = True,
) -> list[NetFlowRateRow]:
    """Net flows with the population of each entity in the period's year and the rates.

    Rates are of people over people whatever the weight: ``Weight.CITATIONS`` only adds the
    movers' citations summed beside the counts."""
    rows = await net_flows(ex, level, period, flt, weight, rollups=rollups)
    years = [y for y in (_year(r.period) for r in rows) if y is not None]
    pops: dict[tuple[str | int, int], int] = {}
    if years and period is not Period.ALL:
        found = await populations(
            ex, level, as_of, min(years), max(years), sorted({r.entity for r in rows}, key=str)
        )
        pops = {(p.entity, p.year): p.population for p in found}
    out = []
    for r in rows:
        year = _year(r.period)
        population = None
        if period is not Period.ALL and year is not None:
            population = pops.get((r.entity, year), 0)
        rates = migration_rates(r.inflow, r.outflow, population)
        moves = r.inflow + r.outflow
        # at ALL there is no population to weigh: small looks at the count alone
        small = (
            moves < count_threshold
            if period is Period.ALL
            else is_small(moves, population, count_threshold)
        )
        out.append(NetFlowRateRow(r, replace(rates, small=small)))
    return out
