"""Published baseline series (MPIDR's country migration rates) and their rows."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import asyncpg

from service.db.queries.executor import Executor


async def upsert_series(conn: asyncpg.Connection, rows: Sequence[dict[str, Any]]) -> dict[str, int]:
    """Create or refresh series by name; return their ids by name."""
    if not rows:
        return {}
    found = await conn.fetch(
        """
        INSERT INTO baseline_series (name, measure, title, license, attribution, document_id,
                                     source)
        SELECT r.name, r.measure, r.title, r.license, r.attribution, r.document_id, r.source
        FROM jsonb_to_recordset($1::jsonb) AS r(name text, measure text, title text,
             license text, attribution text, document_id bigint, source text)
        ON CONFLICT (name) DO UPDATE SET measure = excluded.measure,
            title = coalesce(excluded.title, baseline_series.title),
            license = excluded.license, attribution = excluded.attribution,
            document_id = coalesce(excluded.document_id, baseline_series.document_id),
            source = excluded.source, updated_at = now()
        RETURNING id, name
        """,
        list(rows),
    )
    return {r["name"]: int(r["id"]) for r in found}


async def upsert_rates(conn: asyncpg.Connection, rows: Sequence[dict[str, Any]]) -> list[str]:
    """Insert or update rows keyed by (series, country, year); return 'created'/'updated'/
    'unchanged' for each row in order."""
    if not rows:
        return []
    found = await conn.fetch(
        """
        WITH r AS (
            SELECT * FROM jsonb_to_recordset($1::jsonb) AS r(series_id bigint,
                 country_code text, year int, population int, in_migrations int,
                 out_migrations int, in_rate double precision, out_rate double precision,
                 net_rate double precision, n bigint)
        ), old AS (
            SELECT r.n, b.* FROM r JOIN baseline_rate b ON b.series_id = r.series_id
                 AND b.country_code = r.country_code AND b.year = r.year
        ), up AS (
            INSERT INTO baseline_rate (series_id, country_code, year, population, in_migrations,
                                       out_migrations, in_rate, out_rate, net_rate)
            SELECT DISTINCT ON (series_id, country_code, year) series_id, country_code, year,
                   population, in_migrations, out_migrations, in_rate, out_rate, net_rate
            FROM r ORDER BY series_id, country_code, year, n DESC
            ON CONFLICT (series_id, country_code, year) DO UPDATE SET
                population = excluded.population, in_migrations = excluded.in_migrations,
                out_migrations = excluded.out_migrations, in_rate = excluded.in_rate,
                out_rate = excluded.out_rate, net_rate = excluded.net_rate
            WHERE (baseline_rate.population, baseline_rate.in_migrations,
                   baseline_rate.out_migrations, baseline_rate.in_rate, baseline_rate.out_rate,
                   baseline_rate.net_rate)
                  IS DISTINCT FROM (excluded.population, excluded.in_migrations,
                   excluded.out_migrations, excluded.in_rate, excluded.out_rate,
                   excluded.net_rate)
            RETURNING 1
        )
        SELECT r.n,
               CASE WHEN old.n IS NULL THEN 'created'
                    WHEN (old.population, old.in_migrations, old.out_migrations, old.in_rate,
                          old.out_rate, old.net_rate)
                         IS DISTINCT FROM (r.population, r.in_migrations, r.out_migrations,
                          r.in_rate, r.out_rate, r.net_rate) THEN 'updated'
                    ELSE 'unchanged' END AS status,
               (SELECT count(*) FROM up) AS written
        FROM r LEFT JOIN old ON old.n = r.n ORDER BY r.n
        """,
        [{**row, "n": n} for n, row in enumerate(rows)],
    )
    return [str(r["status"]) for r in found]


async def series_rows(
    conn: Executor,
    *,
    series: str | None = None,
    countries: Sequence[str] = (),
    year_from: int | None = None,
    year_to: int | None = None,
) -> list[dict[str, Any]]:
    """Rows of the baseline series (all series unless one is named), by series, country, year."""
    rows = await conn.fetch(
        """
        SELECT s.name AS series, s.measure, s.license, s.attribution, b.country_code, b.year,
               b.population, b.in_migrations, b.out_migrations, b.in_rate, b.out_rate,
               b.net_rate
        FROM baseline_rate b JOIN baseline_series s ON s.id = b.series_id
        WHERE ($1::text IS NULL OR s.name = $1)
          AND (cardinality($2::text[]) = 0 OR b.country_code = ANY($2))
          AND ($3::int IS NULL OR b.year >= $3) AND ($4::int IS NULL OR b.year <= $4)
        ORDER BY s.name, b.country_code, b.year
        """,
        series,
        list(countries),
        year_from,
        year_to,
    )
    return [dict(r) for r in rows]
