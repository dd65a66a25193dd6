"""Pipeline and stay-rate queries: the rows behind :mod:`service.domain.pipeline`.

A cohort is the researchers with an affiliation stint covering ``year`` (the counting rule of
:mod:`service.domain.rates`) at an institution in one of ``countries`` (anywhere if none) and,
if one is given, at that institution or one of its descendants,
narrowed by the researcher filters: a minimum h-index, a minimum citation count, topics (any
of them), the top N % by citations within those topics. A researcher's current country is that of the matching stint (the first by country
code where several match). Merged researchers count as the one they were merged into.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from service.db.queries.cohorts import top_cited_condition
from service.db.queries.executor import Executor, Params
from service.db.queries.rates import stint_years_sql
from service.db.queries.sql import institutions_condition
from service.domain.pipeline import CountryShare as CountryShareRow
from service.domain.pipeline import Degree, Pipeline, StayRate, pipeline, stay_rates
from service.domain.rates import Stint

__all__ = ["CohortFilter", "CountryShareRow", "cohort", "degrees", "pipeline_of", "stay_rates_of"]


@dataclass(frozen=True, slots=True)
class CohortFilter:
    year: int
    countries: tuple[str, ...] = ()
    min_h_index: int | None = None
    min_citations: int | None = None
    topics: tuple[str, ...] = ()
    institution: int | None = None
    """Only stints at this institution or one of its descendants (a lab with its sites)."""
    top_cited_percent: float | None = None
    """Only the top N % by citations within ``topics`` (see :mod:`.cohorts`)."""


def _researcher_conditions(flt: CohortFilter, p: Params, r: str = "rr") -> list[str]:
    where = []
    if flt.min_h_index is not None:
        where.append(f"{r}.h_index >= {p.add(flt.min_h_index, 'int')}")
    if flt.min_citations is not None:
        where.append(f"{r}.cited_by_count >= {p.add(flt.min_citations, 'int')}")
    if flt.topics:
        where.append(f"{r}.topics && {p.add(list(flt.topics), 'text[]')}")
    if flt.top_cited_percent is not None:
        where.append(top_cited_condition(f"{r}.id", flt.top_cited_percent, flt.topics, p))
    return where


async def cohort(ex: Executor, flt: CohortFilter, as_of: int) -> dict[int, str | None]:
    """Researcher id → current country, for the cohort."""
    p = Params()
    as_of_sql = p.add(as_of, "int")
    year = p.add(flt.year, "int")
    where = [f"_yr.first_year <= {year}", f"_yr.last_year >= {year}"]
    if flt.countries:
        where.append(f"i.country_code = ANY({p.add(list(flt.countries), 'text[]')})")
    if flt.institution is not None:
        where.append(
            institutions_condition("a.institution_id", [flt.institution], p, descendants=True)
        )
    where += _researcher_conditions(flt, p)
    rows = await ex.fetch(
        f"""
        SELECT rr.id AS rid, min(i.country_code) AS country
        FROM affiliation a
        JOIN researcher r ON r.id = a.researcher_id
        JOIN researcher rr ON rr.id = coalesce(r.merged_into_id, r.id)
        JOIN institution i ON i.id = a.institution_id
        {stint_years_sql(as_of_sql)}
        WHERE {" AND ".join(where)}
        GROUP BY rr.id
        """,
        *p.values,
    )
    return {int(r["rid"]): r["country"] for r in rows}


async def degrees(ex: Executor, researcher_ids: Sequence[int] | None) -> dict[int, list[Degree]]:
    """Education rows by (root) researcher; every researcher's when ``researcher_ids`` is None.

    The ids are joined as a set (``unnest``), not tested with ``= ANY($1)``: a cohort holds up
    to every researcher, and once PostgreSQL switches the prepared statement to its generic
    plan (after five runs) ``= ANY`` of a parameter scans the array for every row."""
    select = """
        SELECT coalesce(r.merged_into_id, r.id) AS rid, e.degree, i.country_code,
               extract(year FROM e.start_date)::int AS start_year,
               extract(year FROM e.end_date)::int AS end_year
        FROM education e JOIN researcher r ON r.id = e.researcher_id
        JOIN institution i ON i.id = e.institution_id
    """
    if researcher_ids is None:
        rows = await ex.fetch(f"{select} ORDER BY 1, e.id")
    else:
        rows = await ex.fetch(
            f"""{select}
            JOIN (SELECT DISTINCT k FROM unnest($1::bigint[]) AS k) AS _k
              ON _k.k = coalesce(r.merged_into_id, r.id)
            ORDER BY 1, e.id""",
            list(researcher_ids),
        )
    out: dict[int, list[Degree]] = defaultdict(list)
    for r in rows:
        out[int(r["rid"])].append(
            Degree(int(r["rid"]), r["degree"], r["country_code"], r["start_year"], r["end_year"])
        )
    return out


async def pipeline_of(ex: Executor, flt: CohortFilter, as_of: int) -> Pipeline:
    members = await cohort(ex, flt, as_of)
    return pipeline(members, await degrees(ex, sorted(members)))


async def stay_rates_of(
    ex: Executor,
    years_after: int,
    as_of: int,
    countries: Sequence[str] = (),
    min_h_index: int | None = None,
    min_citations: int | None = None,
    topics: Sequence[str] = (),
    top_cited_percent: float | None = None,
) -> list[StayRate]:
    """Stay rates per doctorate country (of ``countries`` if given), for researchers passing the
    cohort filters."""
    p = Params()
    flt = CohortFilter(
        0, (), min_h_index, min_citations, tuple(topics), top_cited_percent=top_cited_percent
    )
    where = ["e.degree = 'doctorate'", "e.end_date IS NOT NULL"]
    if countries:
        where.append(f"i.country_code = ANY({p.add(list(countries), 'text[]')})")
    where += _researcher_conditions(flt, p)
    rows = await ex.fetch(
        f"""
        SELECT DISTINCT rr.id AS rid FROM education e
        JOIN researcher r ON r.id = e.researcher_id
        JOIN researcher rr ON rr.id = coalesce(r.merged_into_id, r.id)
        JOIN institution i ON i.id = e.institution_id
        WHERE {" AND ".join(where)}
        """,
        *p.values,
    )
    ids = [int(r["rid"]) for r in rows]
    found = await degrees(ex, ids)
    stint_rows = await ex.fetch(
        """
        SELECT coalesce(r.merged_into_id, r.id) AS rid, i.country_code,
               extract(year FROM a.start_date)::int AS start_year,
               extract(year FROM a.end_date)::int AS end_year, a.years
        FROM affiliation a JOIN researcher r ON r.id = a.researcher_id
        JOIN institution i ON i.id = a.institution_id
        JOIN (SELECT DISTINCT k FROM unnest($1::bigint[]) AS k) AS _k
          ON _k.k = coalesce(r.merged_into_id, r.id)
        WHERE i.country_code IS NOT NULL
        """,
        ids,
    )
    stints = [
        Stint(int(s["rid"]), s["country_code"], s["start_year"], s["end_year"], tuple(s["years"]))
        for s in stint_rows
    ]
    wanted = set(countries)
    return [
        s
        for s in stay_rates([d for ds in found.values() for d in ds], stints, years_after, as_of)
        if not wanted or s.country in wanted
    ]
